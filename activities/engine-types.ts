// What the interpreter asks of the outside world. Workflows import these types only.
import type { AuditEntry, NotifyInput } from '../db/audit.ts';

export type { AuditEntry, NotifyInput };

/** A candidate spec with its FEEL already evaluated by the workflow. */
export type ResolvedSpec = { user: string } | { role: string; department?: string };
export interface ResolvedRule {
  anyOf: ResolvedSpec[];
  fallback?: ResolvedRule | undefined;
}


export interface ResolveCandidatesInput {
  processKey: string;
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
  state: 'open' | 'completed' | 'cancelled';
  candidateIds: string[];
  delegateIds: string[];
  outcomes: string[];
  dueAt: number | null;
  createdAt: number;
  revision: number;
  decision?: {
    outcome: string;
    actorId: string;
    onBehalfOf: string | null;
    delegationId: string | null;
    comment: string | null;
    data: Record<string, unknown>;
    at: number;
  };
  audit: AuditEntry[];
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
  saveTask(input: TaskWrite): Promise<void>;
  saveInstance(input: InstanceWrite): Promise<void>;
  notify(input: NotifyInput): Promise<void>;
  audit(entries: AuditEntry[]): Promise<void>;
  /** Allow-listed service tasks (domain/process/services.ts). */
  runService(input: { name: string; processId: string; key: string; input: Record<string, unknown>; at: number }): Promise<Record<string, unknown>>;
}
