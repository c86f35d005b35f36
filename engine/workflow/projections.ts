// The projection outbox: task inbox, instance rows, audit trail and notices gathered and handed
// to PostgreSQL in one local activity per step (or with the next candidate look-up).
import { ApplicationFailure, proxyLocalActivities, setCurrentDetails } from '@temporalio/workflow';
import type {
  AuditEntry,
  EngineActivities,
  ProjectionBatch,
  ResolveCandidatesInput,
  ResolvedRule,
  ResolvedSpec,
  TaskWrite,
} from '../activities/engine-types.ts';
import type { CandidateRule } from '../definition/definition.ts';
import { evaluateFeel } from '../definition/feel.ts';
import { withinSecrecy } from '../../platform/organisation/secrecy.ts';
import type { TaskRecord } from './types.ts';
import { currentDetails } from './details.ts';
import { InterpreterState, emptyBatch, isEmpty } from './state.ts';

// Projection writes are short and idempotent: local activities keep them off the task queue.
const projection = proxyLocalActivities<EngineActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export abstract class Projections extends InterpreterState {
  /**
   * Evaluates a rule's FEEL and asks the organisation who fits it. `allowInitiator`: the
   * initiator may be among them (notices; tasks that are the initiator's own duty).
   * `allowNobody`: for notices, where finding nobody (a user who has left) is no reason to fail.
   * `variables`: what the rule's FEEL reads, when not the instance's own (a task's item added).
   */
  protected async resolve(
    rule: CandidateRule,
    options: { allowInitiator?: boolean; allowNobody?: boolean; open?: ResolveCandidatesInput['open']; variables?: Record<string, unknown> } = {},
  ) {
    const variables = options.variables ?? this.variables;
    const evaluate = (r: CandidateRule): ResolvedRule => ({
      anyOf: r.anyOf.flatMap((spec): ResolvedSpec[] => {
        if ('user' in spec) return [{ user: String(evaluateFeel(spec.user, variables, this.zone)) }];
        if ('users' in spec) {
          const users = evaluateFeel(spec.users, variables, this.zone);
          return (Array.isArray(users) ? users : []).filter((user) => typeof user === 'string' && user !== '').map((user) => ({ user: String(user) }));
        }
        return [spec.department === undefined ? { role: spec.role } : { role: spec.role, department: String(evaluateFeel(spec.department, variables, this.zone)) }];
      }),
      fallback: r.fallback ? evaluate(r.fallback) : undefined,
    });
    // Pending projections ride along: the look-up's transaction writes them first.
    const batch = this.takeOutbox();
    const resolved = await this.track(() =>
      projection.resolveCandidates({
        batch,
        open: options.open,
        processKey: this.definition.key,
        powerOfAttorney: this.definition.powerOfAttorney ?? false,
        secrecy: this.secrecy,
        // Nobody decides their own request, unless the definition says the task is their own duty.
        initiatorId: options.allowInitiator ? null : this.input.initiator.id,
        rule: evaluate(rule),
        at: Date.now(),
      }),
    );
    if (resolved.candidateIds.length === 0 && !options.allowNobody) {
      throw ApplicationFailure.nonRetryable('no one is eligible to decide this task, and no fallback found anyone', 'NO_CANDIDATES');
    }
    // Delegations announced to this instance before the task opened apply to it as well.
    const delegates = { ...resolved.delegates };
    for (const notice of this.delegations) {
      if (resolved.candidateIds.includes(notice.principalId) && notice.validTo > Date.now() && withinSecrecy(this.secrecy, notice.maxSecrecy)) {
        if (!notice.processKeys || notice.processKeys.includes(this.definition.key)) {
          delegates[notice.delegateId] ??= { delegationId: notice.delegationId, principalId: notice.principalId, validTo: notice.validTo };
        }
      }
    }
    return { ...resolved, delegates, announced: Object.keys(delegates).length > Object.keys(resolved.delegates).length };
  }

  protected async track<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
    }
  }

  protected nextKey(): string {
    return `${this.processId}#${++this.sequence}`;
  }

  protected auditEntry(event: string, fields: Omit<AuditEntry, 'key' | 'at' | 'processId' | 'event'> = {}): AuditEntry {
    return { key: this.nextKey(), at: Date.now(), processId: this.processId, event, ...fields };
  }

  /** Hands every pending projection write to PostgreSQL in one local activity. */
  protected async flush(): Promise<void> {
    // Every wait, step and end flushes first: the moment to tell operators what the instance waits for.
    setCurrentDetails(currentDetails({ status: this.status, tokens: [...this.tokens.values()], tasks: [...this.tasks.values()], node: (id) => this.nodes.get(id) }));
    const batch = this.takeOutbox();
    if (batch) await this.track(() => projection.project(batch));
  }

  /** The pending projection writes, if any, leaving the outbox empty. */
  protected takeOutbox(): ProjectionBatch | undefined {
    if (isEmpty(this.outbox)) return undefined;
    const batch = this.outbox;
    this.outbox = emptyBatch();
    return batch;
  }

  protected audit(entries: AuditEntry[]): void {
    this.outbox.audit.push(...entries);
  }

  protected saveTask(task: TaskRecord, audit: AuditEntry[]): void {
    // A later write of the same task in this batch supersedes an earlier one (its audit is kept).
    const previous = this.outbox.tasks.findIndex((write) => write.id === task.id);
    const carried = previous >= 0 ? this.outbox.tasks.splice(previous, 1)[0]!.audit : [];
    this.outbox.tasks.push(this.taskWrite(task, [...carried, ...audit]));
  }

  protected taskWrite(task: TaskRecord, audit: AuditEntry[]): TaskWrite {
    const decision = task.decision;
    return {
      id: task.id,
      processId: this.processId,
      nodeId: task.nodeId,
      name: task.name,
      state: task.state,
      candidateIds: task.candidateIds,
      delegateIds: Object.keys(task.delegates),
      outcomes: task.outcomes,
      dueAt: task.dueAt,
      createdAt: task.openedAt,
      revision: task.revision,
      decision: decision && {
        outcome: decision.outcome,
        actorId: decision.actorId,
        onBehalfOf: decision.onBehalfOf,
        delegationId: decision.delegationId,
        comment: decision.comment,
        data: decision.data,
        at: decision.at,
      },
      audit,
    };
  }

  protected saveInstance(event: 'process.started' | 'process.ended', actorId: string | null = this.input.initiator.id, reason: string | null = null): void {
    const ended = event === 'process.ended';
    this.outbox.instances.push({
      processId: this.processId,
      key: this.definition.key,
      version: this.definition.version,
      businessKey: this.definition.businessKey ? String(evaluateFeel(this.definition.businessKey, this.variables, this.zone) ?? '') : null,
      initiatorId: this.input.initiator.id,
      status: this.status,
      startedAt: this.startedAt,
      endedAt: ended ? Date.now() : null,
      audit: [this.auditEntry(event, { actorId, detail: { status: this.status, ...(reason ? { reason } : {}) } })],
    });
  }
}
