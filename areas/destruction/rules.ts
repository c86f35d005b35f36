// Destruction 销毁 (DES-1..5): when material reaches its destruction date, what keeps it from
// entering destruction, who supervises, how the Archivist's item check is judged, and the
// settings behind them. Pure: no I/O.
import type { DocumentCategory, DocumentStatus } from '../archive/index.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import type { Role, User } from '../../platform/organisation/model.ts';
import { secrecyLevels, type SecrecyLevel } from '../../platform/organisation/secrecy.ts';

/**
 * The company's settings for destruction.
 * DES-5 [interpretation]: the policy names one supervisor; `supervisorsRequired: 2` makes the
 * final approver designate two different people (the setting in force is pinned on each request).
 */
export const destructionSettings = {
  supervisorsRequired: 1,
  /** The most supervisors one destruction may have (the supervision task has one slot each). */
  maxSupervisors: 3,
  /** DES-2: the daily retention review runs at this time of day, Asia/Shanghai. */
  retentionReviewAt: { hour: 1, minute: 0 },
  /** The review's task lists at most this many documents (the process carries the list); GET /api/v1/destruction-candidates lists all. */
  retentionReviewListLimit: 1_000,
} as const satisfies { supervisorsRequired: number; maxSupervisors: number; retentionReviewAt: { hour: number; minute: number }; retentionReviewListLimit: number };

export const destructionProcessKey = 'archive.destruction';
export const retentionReviewProcessKey = 'archive.retention-review';

/** The Temporal workflow id of a request's process (also the generated column in 0007): the one place that says so in code. */
export function destructionProcessId(requestId: string): string {
  return `destruction-${requestId}`;
}

/**
 * The daily retention review is started by a Schedule, not by a person: it runs as `system`, in
 * the GM Office whose archive room it reviews, so the Archivist may decide its task (nobody
 * decides a task of a process they started).
 */
export const retentionReviewInitiator = { id: 'system', departmentId: 'gm-office' } as const;

export const destructionRequestStatuses = ['in_review', 'approved', 'verifying', 'verified', 'destroyed', 'rejected'] as const;
export type DestructionRequestStatus = (typeof destructionRequestStatuses)[number];

export const destructionItemStates = ['pending', 'withdrawn', 'destroyed', 'returned'] as const;
export type DestructionItemState = (typeof destructionItemStates)[number];

export const destructionSteps = ['office_review', 'gm_approval', 'designation', 'verification'] as const;
export type DestructionStep = (typeof destructionSteps)[number];

/** How material is destroyed, with the labels the supervisor's confirmation shows. */
export const destructionMethods = {
  shredding: { en: 'Shredding', zh: '粉碎' },
  pulping: { en: 'Pulping', zh: '化浆' },
  incineration: { en: 'Incineration', zh: '焚烧' },
  data_erasure: { en: 'Data erasure', zh: '数据销毁' },
} as const;
export type DestructionMethod = keyof typeof destructionMethods;
export const destructionMethodIds = Object.keys(destructionMethods) as [DestructionMethod, ...DestructionMethod[]];

export { policyDate } from '../../engine/definition/feel.ts';

/** What the rules need to know about a document proposed for destruction. */
export interface DestructionCandidate {
  id: string;
  status: DocumentStatus;
  /** The end of its retention (DES-2); null when it is kept permanently. */
  retentionEndsOn: string | null;
  /** An active hold, if any. */
  hold: { id: string; reason: string } | null;
}

/**
 * Why a document may not enter destruction on `today` (YYYY-MM-DD), or undefined when it may:
 * it must be in the archive (not on loan, not already in a request, not destroyed), its retention
 * must have ended (DES-2; permanent material never), and it must not be held.
 */
export function destructionBlocker(candidate: DestructionCandidate, today: string): string | undefined {
  switch (candidate.status) {
    case 'destroyed':
      return 'already destroyed';
    case 'pending_destruction':
      return 'already in a destruction request';
    case 'on_loan':
      return 'on loan, not in the archive';
    case 'in_reading':
      return 'being read, not in the archive';
    case 'in_archive':
      break;
  }
  if (candidate.retentionEndsOn === null) return 'kept permanently';
  if (candidate.retentionEndsOn > today) return `retention runs until ${candidate.retentionEndsOn}`;
  if (candidate.hold) return `held (${candidate.hold.reason})`;
  return undefined;
}

/** The highest secrecy level among the items: the level of the request as a whole. */
export function highestSecrecy(levels: readonly SecrecyLevel[]): SecrecyLevel {
  return levels.reduce<SecrecyLevel>((highest, level) => (secrecyLevels.indexOf(level) > secrecyLevels.indexOf(highest) ? level : highest), 'none');
}

/** DES-3: classified material (any level above non-classified) needs the GM's approval. */
export function needsGmApproval(secrecy: SecrecyLevel): boolean {
  return secrecy !== 'none';
}

/** What the designation rule needs to know about a designated person. */
export interface SupervisorFacts {
  active: boolean;
  archivist: boolean;
}

/**
 * DES-5: why a designation of supervisors is refused, or undefined when it stands. The final
 * approver designates at least `required` (and at most `maxSupervisors`) different, active
 * people. [interpretation] The supervisor watches the custodian, so no Archivist supervises (the
 * requesting Archivist included).
 */
export function supervisorDesignationProblem(input: {
  supervisorIds: readonly string[];
  required: number;
  people: Readonly<Record<string, SupervisorFacts | undefined>>;
  /** SOD-2: whoever approved the destruction (the final approver included, and the principals delegates acted for). */
  approvers: readonly (string | null)[];
}): string | undefined {
  const { supervisorIds, required, people, approvers } = input;
  if (supervisorIds.length === 0) return `DES-5: designate ${required === 1 ? 'the supervisor' : `${required} supervisors`} of the destruction (supervisorIds)`;
  if (new Set(supervisorIds).size !== supervisorIds.length) return 'DES-5: the supervisors must be different people';
  if (supervisorIds.length < required) return `DES-5: the policy requires ${required} supervisors; ${supervisorIds.length} designated`;
  if (supervisorIds.length > destructionSettings.maxSupervisors) return `DES-5: at most ${destructionSettings.maxSupervisors} supervisors`;
  for (const id of supervisorIds) {
    const person = people[id];
    if (!person) return `DES-5: no user ${id}`;
    if (!person.active) return `DES-5: ${id} is no longer active`;
    if (person.archivist) return `DES-5: ${id} is an Archivist; the supervisor must be someone other than the Archivist`;
    if (approvers.includes(id)) return `SOD-2: ${id} approved this destruction; the supervisor must be someone other than its approvers`;
  }
  return undefined;
}

/** SOD-2: the people who approved a request (each approval step's decider and the principal a delegate acted for). */
export function approversOf(decisions: readonly { step: DestructionStep; outcome: string; decidedBy: string; onBehalfOf: string | null }[]): string[] {
  return decisions.filter((d) => (d.step === 'office_review' || d.step === 'gm_approval') && d.outcome === 'approve').flatMap((d) => (d.onBehalfOf ? [d.decidedBy, d.onBehalfOf] : [d.decidedBy]));
}

/**
 * DES-4: the Archivist's item-by-item check against the approved list. Items held since the
 * approval leave the destruction anyway (they are withdrawn before execution), so they may be
 * checked or not; every other approved item must be checked, and nothing else.
 */
export function verificationMismatch(input: { approvedIds: readonly string[]; heldIds: readonly string[]; checkedIds: readonly string[] }): {
  missing: string[];
  unexpected: string[];
} {
  const approved = new Set(input.approvedIds);
  const held = new Set(input.heldIds);
  const checked = new Set(input.checkedIds);
  return {
    missing: input.approvedIds.filter((id) => !held.has(id) && !checked.has(id)),
    unexpected: [...checked].filter((id) => !approved.has(id)),
  };
}

// ------------------------------------------------------------------ filing (DES-1/2)

/**
 * DES-2: the documents of a new request, in the order named, when every one exists and may enter
 * destruction on `today`: 404 for a document that does not exist, 422 naming each one that may not.
 */
export function checkFiling<D extends DestructionCandidate & { reference: string }>(documentIds: readonly string[], found: readonly D[], today: string): D[] {
  const byId = new Map(found.map((document) => [document.id, document]));
  const unknown = documentIds.filter((documentId) => !byId.has(documentId));
  if (unknown.length) throw new NotFound('DOCUMENT_NOT_FOUND', `No document ${unknown.join(', ')}.`);
  const documents = documentIds.map((documentId) => byId.get(documentId)!);
  const refusals = documents.flatMap((document, index) => {
    const blocker = destructionBlocker(document, today);
    return blocker ? [{ path: `documentIds.${index}`, message: `${document.id} (${document.reference}): ${blocker}` }] : [];
  });
  if (refusals.length) {
    throw new PolicyViolation('NOT_DESTRUCTIBLE', 'DES-2', `${refusals.length} of the documents cannot enter destruction: ${refusals.map((r) => r.message).join('; ')}.`, refusals);
  }
  return documents;
}

/** A hold keeps material out of destruction; there is nothing to hold once it is destroyed. */
export function checkHoldable(documentId: string, status: DocumentStatus): void {
  if (status === 'destroyed') throw new StateConflict('DOCUMENT_DESTROYED', `Document ${documentId} has been destroyed; there is nothing left to hold.`);
}

// ------------------------------------------------------------------ who may do what

/** The roles behind each step a person takes in retention and destruction. */
export const destructionRoles = {
  /** Holds on archive material. */
  holds: ['office_director'],
  /** DES-2: the retention review. */
  retentionReview: ['archivist', 'office_director'],
  /** DES-1: filing a destruction request; DES-4: the item check. */
  archivist: ['archivist'],
  /** DES-4: the register and every request: the archive's staff and its executives. */
  archiveReaders: ['archivist', 'office_director', 'gm', 'deputy_gm'],
} as const satisfies Record<string, readonly Role[]>;

export function holdsRole(user: Pick<User, 'roles'>, wanted: readonly Role[]): boolean {
  return user.roles.some((grant) => wanted.includes(grant.role));
}

/** Refuses (403 `code`) a user who holds none of `roles`. */
export function checkRole(user: Pick<User, 'roles'>, roles: readonly Role[], code: string, detail: string, ruleId?: string): void {
  if (!holdsRole(user, roles)) throw new Forbidden(code, detail, ruleId);
}

/** Who sees a request: the archive's staff and executives, and whoever decides or supervises it. */
export function mayViewDestructionRequest(
  user: Pick<User, 'id' | 'roles'>,
  request: { requestedBy: string; supervisorIds: readonly string[] | null; decisions: readonly { decidedBy: string; onBehalfOf: string | null }[] },
): boolean {
  return (
    holdsRole(user, destructionRoles.archiveReaders) ||
    request.requestedBy === user.id ||
    (request.supervisorIds ?? []).includes(user.id) ||
    request.decisions.some((d) => d.decidedBy === user.id || d.onBehalfOf === user.id)
  );
}

// ------------------------------------------------------------------ the register (DES-4)

export interface RegisterItem {
  documentId: string;
  reference: string;
  title: string;
  category: DocumentCategory;
  secrecy: SecrecyLevel;
  outcome: 'destroyed' | 'withdrawn';
  /** The hold that withdrew it. */
  hold?: { id: string; reason: string };
}

export interface RegisterApprover {
  step: 'office_review' | 'gm_approval';
  decidedBy: string;
  onBehalfOf: string | null;
  comment: string | null;
  at: string;
}

/** What the register entry is made from: the approved form as filed and decided. */
export interface ApprovedForm {
  id: string;
  requestedBy: string;
  createdAt: Date;
  reason: string;
  secrecy: SecrecyLevel;
  supervisorIds: string[] | null;
  designatedBy: string | null;
  designatedOnBehalfOf: string | null;
  items: readonly { documentId: string; reference: string; title: string; category: DocumentCategory; secrecy: SecrecyLevel; retentionEndsOn: string }[];
  decisions: readonly { step: DestructionStep; outcome: string; decidedBy: string; onBehalfOf: string | null; comment: string | null; detail: Record<string, unknown>; at: Date }[];
}

/**
 * DES-1/4: the register entry of an execution: each pending item destroyed, or withdrawn when a
 * hold stands on it at execution; the approvers whose approval stands; the approval form
 * 《公司档案资料销毁审批表》 as approved; the supervisors designated and those who confirmed.
 */
export function registerRecord(
  form: ApprovedForm,
  pending: readonly ApprovedForm['items'][number][],
  holds: ReadonlyMap<string, { id: string; reason: string }>,
  confirmedBy: string[],
) {
  const items: RegisterItem[] = pending.map((item) => {
    const hold = holds.get(item.documentId);
    return {
      documentId: item.documentId,
      reference: item.reference,
      title: item.title,
      category: item.category,
      secrecy: item.secrecy,
      ...(hold ? { outcome: 'withdrawn' as const, hold: { id: hold.id, reason: hold.reason } } : { outcome: 'destroyed' as const }),
    };
  });
  const latest = (step: DestructionStep) => form.decisions.filter((d) => d.step === step).at(-1);
  const approvers: RegisterApprover[] = (['office_review', 'gm_approval'] as const).flatMap((step) => {
    const decision = latest(step);
    return decision && decision.outcome === 'approve'
      ? [{ step, decidedBy: decision.decidedBy, onBehalfOf: decision.onBehalfOf, comment: decision.comment, at: decision.at.toISOString() }]
      : [];
  });
  const verification = latest('verification');
  const approvalForm = {
    form: '公司档案资料销毁审批表',
    requestId: form.id,
    requestedBy: form.requestedBy,
    requestedAt: form.createdAt.toISOString(),
    reason: form.reason,
    secrecy: form.secrecy,
    items: form.items.map((i) => ({ documentId: i.documentId, reference: i.reference, title: i.title, category: i.category, secrecy: i.secrecy, retentionEndsOn: i.retentionEndsOn })),
    designation: { supervisorIds: form.supervisorIds, designatedBy: form.designatedBy, onBehalfOf: form.designatedOnBehalfOf },
    verification: verification && { verifiedBy: verification.decidedBy, at: verification.at.toISOString(), checkedIds: verification.detail.checkedIds },
  };
  const supervisors = {
    designated: form.supervisorIds ?? [],
    designatedBy: form.designatedBy,
    designatedOnBehalfOf: form.designatedOnBehalfOf,
    confirmedBy,
  };
  return { items, approvers, approvalForm, supervisors };
}

export interface ExecutionResult {
  registerSeq: number;
  destroyed: number;
  withdrawn: number;
}

export function executionSummary(seq: number, items: readonly RegisterItem[]): ExecutionResult {
  return {
    registerSeq: seq,
    destroyed: items.filter((i) => i.outcome === 'destroyed').length,
    withdrawn: items.filter((i) => i.outcome === 'withdrawn').length,
  };
}
