// What the interpreter asks of the outside world. Workflows import these types only.
import type { AuditEntry, NotifyInput } from '../../platform/db/audit.ts';

export type { AuditEntry, NotifyInput };
export type { ResolvedRule, ResolvedSpec } from '../definition/candidates.ts';
import type { ResolvedRule } from '../definition/candidates.ts';
import type { CommentWrite, WatcherWrite } from '../sql/task-actions.ts';
import type { TaskState } from '../workflow/types.ts';



/** Projection writes gathered by the workflow and written in one transaction. */
export interface ProjectionBatch {
  tasks: TaskWrite[];
  instances: InstanceWrite[];
  audit: AuditEntry[];
  notices: NotifyInput[];
  /** People copied in and comments (#16); absent in batches of instances that have none. */
  watchers?: WatcherWrite[];
  comments?: CommentWrite[];
}

export interface ResolveCandidatesInput {
  /** Written first, in the same transaction: the workflow's pending projections. */
  batch?: ProjectionBatch;
  /**
   * A task to open with whoever is found, in the same transaction (the common single-task
   * case): its candidates and delegates are filled in here, and its `task.opened` entry.
   */
  open?: { task: Omit<TaskWrite, 'candidateIds' | 'delegateIds' | 'audit'>; audit: AuditEntry };
  processKey: string;
  /** The definition's `powerOfAttorney`: whether delegates are looked up at all (BOR-7). */
  powerOfAttorney?: boolean;
  secrecy: string | null;
  /** Left out of the candidates (nobody approves their own request); null to keep everyone. */
  initiatorId: string | null;
  rule: ResolvedRule;
  at: number;
}

export interface ResolvedCandidates {
  candidateIds: string[];
  delegates: Record<string, { delegationId: string; principalId: string; validTo: number }>;
  /** How many fallbacks were followed to find anyone (0: the rule itself). */
  fallbackDepth: number;
}

export interface TaskWrite {
  id: string;
  processId: string;
  nodeId: string;
  name: { en: string; zh: string };
  state: TaskState;
  candidateIds: string[];
  delegateIds: string[];
  outcomes: string[];
  dueAt: number | null;
  createdAt: number;
  revision: number;
  decision?: DecisionRecord;
  audit: AuditEntry[];
}

/** A decision on a task as the inbox records it. */
export interface DecisionRecord {
  outcome: string;
  actorId: string;
  /** The principal a delegate decided for (BOR-7), with the power of attorney's id. */
  onBehalfOf: string | null;
  delegationId: string | null;
  comment: string | null;
  data: Record<string, unknown>;
  at: number;
}

export interface InstanceWrite {
  processId: string;
  key: string;
  version: number;
  businessKey: string | null;
  initiatorId: string;
  status: string;
  startedAt: number;
  endedAt: number | null;
  audit: AuditEntry[];
}


export interface EngineActivities {
  resolveCandidates(input: ResolveCandidatesInput): Promise<ResolvedCandidates>;
  /** Writes a batch of projections (task inbox, instances, audit trail, notices) in one transaction. */
  project(batch: ProjectionBatch): Promise<void>;
  /** Allow-listed service tasks (domain/process/services.ts). */
  runService(input: { name: string; processId: string; key: string; input: Record<string, unknown>; at: number }): Promise<Record<string, unknown>>;
}
