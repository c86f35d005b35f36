// Destruction 销毁 (DES-1..5): when material reaches its destruction date, what keeps it from
// entering destruction, who supervises, how the Archivist's item check is judged, and the
// settings behind them. Pure: no I/O.
import { Temporal } from 'temporal-polyfill';
import type { DocumentStatus } from '../archive/rules.ts';
import { POLICY_TIME_ZONE } from '../../engine/definition/feel.ts';
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

/** The Temporal workflow id of a request's process (also the generated column in 0007). */
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

/** The calendar day of an instant in the company's zone, as YYYY-MM-DD. */
export function policyDate(atMs: number): string {
  return Temporal.Instant.fromEpochMilliseconds(atMs).toZonedDateTimeISO(POLICY_TIME_ZONE).toPlainDate().toString();
}

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
}): string | undefined {
  const { supervisorIds, required, people } = input;
  if (supervisorIds.length === 0) return `DES-5: designate ${required === 1 ? 'the supervisor' : `${required} supervisors`} of the destruction (supervisorIds)`;
  if (new Set(supervisorIds).size !== supervisorIds.length) return 'DES-5: the supervisors must be different people';
  if (supervisorIds.length < required) return `DES-5: the policy requires ${required} supervisors; ${supervisorIds.length} designated`;
  if (supervisorIds.length > destructionSettings.maxSupervisors) return `DES-5: at most ${destructionSettings.maxSupervisors} supervisors`;
  for (const id of supervisorIds) {
    const person = people[id];
    if (!person) return `DES-5: no user ${id}`;
    if (!person.active) return `DES-5: ${id} is no longer active`;
    if (person.archivist) return `DES-5: ${id} is an Archivist; the supervisor must be someone other than the Archivist`;
  }
  return undefined;
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
