// What an approver or a requester may do with a task besides deciding it (issue #16): transfer
// 转交, add a signer 加签, send back 退回, withdraw 撤回, urge 催办, copy people in 抄送 and
// comment. Each is allowed or forbidden per user task in the definition; what a task does not say
// comes from the defaults here (their schema is in definition.ts). Imported by the interpreter and
// shared by its workflows (engine/workflow/preload.ts): no I/O, no state, no zod instances.
import type { FieldSchema, PeopleScope, TaskActionsInput } from './definition.ts';

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
