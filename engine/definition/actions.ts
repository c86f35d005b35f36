// What an approver or a requester may do with a task besides deciding it (issue #16): transfer
// 转交, add a signer 加签, send back 退回, withdraw 撤回, urge 催办, copy people in 抄送 and
// comment. Each is allowed or forbidden per user task in the definition; what a task does not say
// comes from the defaults here. Imported by the interpreter: no I/O, nothing non-deterministic.
import { z } from 'zod';
import type { FieldSchema } from './definition.ts';

/**
 * Whom a task may be transferred to, or a signer added from: `anyone` (any active user but the
 * requester), `candidates` (only the people the task's candidate rule found when it opened), or
 * `never`.
 */
export const peopleScope = z.enum(['anyone', 'candidates', 'never']);
export type PeopleScope = z.infer<typeof peopleScope>;

const nodeRef = z.string().regex(/^[a-z][A-Za-z0-9_]{0,62}$/);

/**
 * The actions of one user task. Every field is optional and has no zod default: a definition
 * published before issue #16 parses (and checksums) as it did.
 */
export const taskActionsSchema = z
  .object({
    transfer: peopleScope.optional(),
    addSigner: peopleScope.optional(),
    /** Earlier user tasks it may be sent back to (`earlier`: any), and whether to the requester; false: never. */
    sendBack: z
      .union([z.literal(false), z.object({ to: z.union([z.literal('earlier'), z.array(nodeRef)]).optional(), requester: z.boolean().optional() }).strict()])
      .optional(),
    /** The requester may withdraw while the instance waits here (until the first decision). */
    withdraw: z.boolean().optional(),
    /** The requester may urge (remind) the task's candidates. */
    urge: z.boolean().optional(),
    /** People may be copied in as watchers while the instance waits here. */
    copy: z.boolean().optional(),
    /** Participants may comment while the instance waits here. */
    comment: z.boolean().optional(),
  })
  .strict();
export type TaskActionsInput = z.infer<typeof taskActionsSchema>;

/** What a requester sent back to may change when resubmitting: input fields of the definition. */
export const resubmitSchema = z.object({ fields: z.array(z.string().regex(/^[a-z][A-Za-z0-9_]*$/)) }).strict();

/** The actions of a task with every default filled in. */
export interface TaskActions {
  transfer: PeopleScope;
  addSigner: PeopleScope;
  sendBack: { to: 'earlier' | string[]; requester: boolean } | false;
  withdraw: boolean;
  urge: boolean;
  copy: boolean;
  comment: boolean;
}

/**
 * The approvals whose deciders the policy names (秘密级档案的借阅必须由总经理或分管副总经理批准;
 * 涉密档案的销毁须经总经理批准): a task enforcing one of these rules is never handed to, or signed
 * by, anyone outside the people its candidate rule finds, unless its definition says otherwise.
 */
export const policyBoundRules: Readonly<Record<string, string>> = {
  'BOR-4': 'a Confidential reading is approved by the GM or the Deputy GM in charge',
  'BOR-6': 'a Secret loan is approved by the GM or the Deputy GM in charge',
  'DES-3': 'the destruction of classified material is approved by the GM',
};

/** At most one urge per task in this long (issue #16: once an hour). */
export const URGE_INTERVAL_MS = 60 * 60 * 1000;

/** The longest comment. */
export const COMMENT_MAX_LENGTH = 4_000;

/** The task's actions: what it says, else the defaults (policy-bound rules and votes restricted). */
export function taskActions(node: { ruleId?: string | undefined; multiInstance?: unknown; actions?: TaskActionsInput | undefined }): TaskActions {
  const given = node.actions ?? {};
  const bound = node.ruleId !== undefined && node.ruleId in policyBoundRules;
  // A vote counts its voters: a transfer, an added signer or a send-back by one voter would change the count.
  const single = node.multiInstance === undefined;
  const people: PeopleScope = !single ? 'never' : bound ? 'candidates' : 'anyone';
  const sendBack = given.sendBack ?? (single ? {} : false);
  return {
    transfer: given.transfer ?? people,
    addSigner: given.addSigner ?? people,
    sendBack: sendBack === false ? false : { to: sendBack.to ?? 'earlier', requester: sendBack.requester ?? true },
    withdraw: given.withdraw ?? true,
    urge: given.urge ?? true,
    copy: given.copy ?? true,
    comment: given.comment ?? true,
  };
}

/** The form of a resubmission: the input fields a requester sent back to may change, each optional. */
export function resubmitForm(definition: { input: Record<string, FieldSchema>; resubmit?: { fields: string[] } | undefined }): Record<string, FieldSchema> {
  const names = definition.resubmit?.fields ?? Object.keys(definition.input);
  return Object.fromEntries(names.map((name) => [name, { ...definition.input[name]!, required: false }]));
}

/** The users a comment mentions: `@user-id`, each once, in order. */
export function mentionsIn(text: string): string[] {
  return [...new Set([...text.matchAll(/(?<![\w@])@([a-z][a-z0-9-]{0,99})/g)].map((match) => match[1]!))];
}
