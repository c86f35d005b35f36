// A process definition is data: BPMN-style nodes and the flows between them, validated here
// before it is published. The interpreter workflow (workflows/engine) runs any valid definition.
import { z } from 'zod';

/** A FEEL expression (https://www.omg.org/spec/DMN): conditions, durations, dates, values. */
export const feel = z.string().min(1).max(2_000).describe('FEEL expression');

// ---- task actions (issue #16; their defaults are in actions.ts)

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

const nodeId = z
  .string()
  .regex(/^[a-z][A-Za-z0-9_]{0,62}$/, 'a node id is a FEEL name: a lower-case letter, then letters, digits or _');

const label = z.object({ en: z.string().min(1).max(200), zh: z.string().min(1).max(200) });

const ruleId = z
  .string()
  .regex(/^[A-Z]{3}-[0-9]+$/, 'a rule ID from policies.md, e.g. BOR-5')
  .describe('the policy rule this node enforces');

const fieldName = z.string().regex(/^[a-z][A-Za-z0-9_]*$/);

/** The single-value field types; a record of a `recordList` is made of these. */
const scalarFields = [
  z.object({ type: z.literal('string'), required: z.boolean().default(true), maxLength: z.number().int().positive().default(2_000) }),
  z.object({ type: z.literal('number'), required: z.boolean().default(true), min: z.number().optional(), max: z.number().optional(), integer: z.boolean().default(false) }),
  z.object({ type: z.literal('boolean'), required: z.boolean().default(true) }),
  z.object({ type: z.literal('enum'), required: z.boolean().default(true), values: z.array(z.string().min(1)).min(1) }),
  z.object({ type: z.literal('dateTime'), required: z.boolean().default(true) }),
  z.object({ type: z.literal('stringList'), required: z.boolean().default(true) }),
] as const;
export const scalarFieldSchema = z.discriminatedUnion('type', [...scalarFields]);
export type ScalarFieldSchema = z.infer<typeof scalarFieldSchema>;

/**
 * A list of records (a hand-over list of items, 移交清单), each checked field by field; an error
 * names its path, e.g. `items.2.pages`. Records hold single values, not further lists of records.
 */
const recordListField = z
  .object({
    type: z.literal('recordList'),
    required: z.boolean().default(true),
    fields: z.record(fieldName, scalarFieldSchema).refine((fields) => Object.keys(fields).length > 0, 'a record has at least one field'),
    minItems: z.number().int().nonnegative().optional(),
    maxItems: z.number().int().positive().max(1_000).default(1_000),
  })
  .refine((field) => field.minItems === undefined || field.minItems <= field.maxItems, 'minItems is more than maxItems');

/** Fields of a process input or a task form: a small, serialisable schema language. */
export const fieldSchema = z.union([scalarFieldSchema, recordListField]);
export type FieldSchema = z.infer<typeof fieldSchema>;
export const formSchema = z.record(fieldName, fieldSchema);
export type FormSchema = z.infer<typeof formSchema>;

/**
 * Who may decide a task. Every value is a FEEL expression evaluated when the task opens, so a
 * rule can name the requester's department (`initiator.departmentId`) or a chosen user.
 */
export const candidateSpec = z.union([
  z.object({ user: feel }).strict(),
  /** FEEL evaluating to a list of user ids (people designated in an earlier task). */
  z.object({ users: feel }).strict(),
  z.object({ role: z.string().min(1), department: feel.optional() }).strict(),
]);
export type CandidateSpec = z.infer<typeof candidateSpec>;

export interface CandidateRule {
  anyOf: CandidateSpec[];
  /** Used when `anyOf` finds nobody eligible: a task never hangs with no candidate. */
  fallback?: CandidateRule | undefined;
}
export const candidateRule: z.ZodType<CandidateRule> = z.lazy(() =>
  z.object({ anyOf: z.array(candidateSpec).min(1), fallback: candidateRule.optional() }).strict(),
);

/** A boundary timer on a user task, measured from the task's opening or its due time. */
const boundaryTimer = z.object({
  after: feel.describe('FEEL duration, e.g. duration("P1D"); may be negative relative to the due time'),
  from: z.enum(['opened', 'due']).default('opened'),
});

const reminder = boundaryTimer.extend({
  /** Repeat every this long until the task closes. */
  every: feel.optional(),
  /** Remind the candidates (default) or these extra people too. */
  notify: z.array(candidateSpec).optional(),
});

/** Multi-instance as a vote: one task per candidate, the votes combined into approve or reject. */
const voteInstances = z.object({
  /** parallel: everyone decides at once; sequential: one after another in candidate order. */
  mode: z.enum(['parallel', 'sequential']),
  /** all 会签: every vote counted · any 或签: the first decides · veto: the first rejection decides · ratio: share of approvals. */
  completion: z.union([z.enum(['all', 'any', 'veto']), z.object({ ratio: z.number().gt(0).lte(1) })]),
  approve: z.string().default('approve'),
  reject: z.string().default('reject'),
});

/** Multi-instance over a list computed at run time: one instance per item (a task, or a child process). */
const itemInstances = z
  .object({
    /** parallel: every item at once; sequential: one item after another, in list order. */
    mode: z.enum(['parallel', 'sequential']),
    /** FEEL giving the list, evaluated once when the node is entered. */
    items: feel,
    /** The variable each instance sees its item under (its candidates, a child's input). */
    as: nodeId,
  })
  .strict();

/** all: the node completes when every item's task is decided · any: the first decision completes it, the others are cancelled. */
const itemTasks = itemInstances.extend({ completion: z.enum(['all', 'any']).default('all') }).strict();

export type VoteInstances = z.infer<typeof voteInstances>;
export type ItemInstances = z.infer<typeof itemTasks>;

const messageName = z.string().regex(/^[a-z][A-Za-z0-9_.]*$/);

const base = { id: nodeId, name: label.optional(), ruleId: ruleId.optional() };
const next = nodeId;
/** Where to go next: one node, or one per outcome. */
const outcomeNext = z.union([nodeId, z.record(z.string(), nodeId)]);

export const nodeSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('startEvent'), next }).strict(),
  z
    .object({
      ...base,
      type: z.literal('endEvent'),
      /** The instance's final status when it ends here (approved, rejected, returned, ...). */
      status: z.string().regex(/^[a-z][a-z_]*$/),
      /** End the whole instance, closing any parallel branch still open. */
      terminate: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('userTask'),
      name: label,
      candidates: candidateRule,
      outcomes: z.array(z.string().regex(/^[a-z][a-z_]*$/)).min(1),
      next: outcomeNext,
      form: formSchema.optional(),
      due: feel.optional().describe('FEEL duration from the opening'),
      reminders: z.array(reminder).optional(),
      escalation: boundaryTimer.extend({ to: candidateRule }).optional(),
      autoOutcome: boundaryTimer.extend({ outcome: z.string() }).optional(),
      /**
       * The initiator may decide this task: it is their own duty (an archivist checking the
       * items of the destruction they filed), not an approval of their own request.
       */
      initiatorMayDecide: z.boolean().default(false),
      /** Interrupting message boundary events: the message closes the task with this outcome, its payload as the data. */
      messages: z.array(z.object({ message: messageName, outcome: z.string() })).optional(),
      /** Votes (会签/或签) among the candidates, or one task per item of a list. The item variant is tried first: a vote has no `items`. */
      multiInstance: z.union([itemTasks, voteInstances]).optional(),
      /** Variable that receives {outcome, data, decidedBy, onBehalfOf, comment}; defaults to the node id. */
      resultVariable: nodeId.optional(),
      /** Transfer, add a signer, send back, withdraw, urge, copy, comment (domain/process/actions.ts; defaults there). */
      actions: taskActionsSchema.optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('serviceTask'),
      activity: z.string().min(1),
      input: z.record(z.string(), feel).default({}),
      resultVariable: nodeId.optional(),
      next,
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('exclusiveGateway'),
      branches: z.array(z.object({ when: feel, to: nodeId })).min(1),
      default: nodeId,
    })
    .strict(),
  z.object({ ...base, type: z.literal('parallelGateway'), next: z.array(nodeId).min(1) }).strict(),
  z
    .object({
      ...base,
      type: z.literal('timerEvent'),
      duration: feel.optional(),
      date: feel.optional(),
      next,
    })
    .strict()
    .refine((node) => (node.duration === undefined) !== (node.date === undefined), 'a timer has either a duration or a date'),
  z
    .object({
      ...base,
      type: z.literal('receiveTask'),
      message: messageName,
      /** Non-interrupting reminders, measured from the opening or the deadline ("due"). */
      reminders: z.array(reminder.extend({ notify: z.array(candidateSpec).min(1) })).optional(),
      /** Variable that receives the message payload; defaults to the node id. */
      resultVariable: nodeId.optional(),
      form: formSchema.optional(),
      deadline: z.object({ after: feel, to: nodeId }).optional(),
      next,
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('callActivity'),
      process: z.object({ key: z.string(), version: z.number().int().positive() }),
      input: z.record(z.string(), feel).default({}),
      /** One child process per item, each with its item under `as` when its input is evaluated. */
      multiInstance: itemInstances.optional(),
      resultVariable: nodeId.optional(),
      next,
    })
    .strict(),
]);

export type ProcessNode = z.infer<typeof nodeSchema>;
export type NodeOf<T extends ProcessNode['type']> = Extract<ProcessNode, { type: T }>;

export const definitionKey = z.string().regex(/^[a-z][a-z0-9]*(\.[a-z][a-z0-9-]*)*$/, 'a key like archive.borrow');

export const definitionSchema = z
  .object({
    key: definitionKey,
    version: z.number().int().positive(),
    name: label,
    description: z.string().max(4_000).optional(),
    /** The instance's variables at start. `initiator` is always present besides these. */
    input: formSchema,
    /** FEEL: the instance's secrecy level, used to scope delegations (BOR-7). */
    secrecy: feel.optional(),
    /**
     * Whether a power of attorney (BOR-7) reaches this process's tasks: the delegate of a
     * candidate may decide for them. Off unless the definition says so: the policy's power of
     * attorney covers the GM's borrowing approvals, not destruction (DES-3) or anything else.
     */
    powerOfAttorney: z.boolean().optional(),
    /** FEEL: the business key shown in lists and in the Temporal UI (e.g. the request id). */
    businessKey: feel.optional(),
    /** FEEL: the customer the instance concerns, findable in the Temporal UI as CustodianCustomer. */
    customer: feel.optional(),
    /** The initiator may cancel while every active node is one of these (absent: any time). */
    cancellableAt: z.array(nodeId).optional(),
    /**
     * A service (from the allow-list) the instance runs when its initiator cancels it, before it
     * ends: the business record's own write, so that the cancel has one owner. Its input is FEEL
     * over the variables and `cancel` ({actorId, reason}).
     */
    onCancel: z.object({ activity: z.string().min(1), input: z.record(z.string(), feel).default({}) }).strict().optional(),
    /** The input fields a requester sent back to may change when resubmitting (absent: every input field). */
    resubmit: resubmitSchema.optional(),
    nodes: z.array(nodeSchema).min(2),
  })
  .strict();

export type ProcessDefinition = z.infer<typeof definitionSchema>;
export type ProcessDefinitionInput = z.input<typeof definitionSchema>;

