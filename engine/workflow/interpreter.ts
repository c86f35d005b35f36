// The one workflow that runs every process definition. Deterministic: all I/O goes through
// activities, time comes from the workflow clock, and every wait is resumable after
// continue-as-new because tokens keep absolute times and the ids of what they opened.
import { CancellationScope, allHandlersFinished, condition, continueAsNew, patched } from '@temporalio/workflow';
import { evaluateFeel } from '../definition/feel.ts';
import type { ProcessInput, ProcessResult, ProcessSnapshot, ProcessView } from './types.ts';
import { Handlers } from './handlers.ts';
import { CORRECTNESS_PATCH, REMEMBERED_ANSWERS, REMEMBERED_CLOSED_TASKS, TASK_ACTIONS_PATCH, isEmpty } from './state.ts';
import { WITHDRAWN } from './task-actions.ts';

export { CORRECTNESS_PATCH, SYSTEM_ACTOR } from './state.ts';

export async function runProcess(input: ProcessInput): Promise<ProcessResult> {
  return new Interpreter(input).run();
}

class Interpreter extends Handlers {
  async run(): Promise<ProcessResult> {
    this.fixed = patched(CORRECTNESS_PATCH);
    // Asked once a run starts, after the #22 marker: histories recorded before it replay unchanged.
    this.withActions = this.fixed && patched(TASK_ACTIONS_PATCH);
    if (!this.fixed) return this.main();
    // Cancelled through Temporal (its parent was cancelled, or an operator cancelled it): it ends
    // like a cancel, tasks and instance closed, then reports the cancellation (#22.10). Its own
    // work runs in a scope the cancellation does not reach, so closing the projections can run.
    let cancellation: unknown;
    CancellationScope.current().cancelRequested.catch((error: unknown) => {
      cancellation = error;
      this.terminating ??= { status: 'cancelled', actorId: null, reason: 'the process was cancelled' };
    });
    const result = await CancellationScope.nonCancellable(() => this.main());
    if (cancellation !== undefined) throw cancellation;
    return result;
  }

  protected async main(): Promise<ProcessResult> {
    this.installHandlers();
    this.secrecy = this.definition.secrecy ? String(evaluateFeel(this.definition.secrecy, this.variables, this.zone) ?? '') || null : null;
    if (!this.input.resume) {
      const start = this.definition.nodes.find((node) => node.type === 'startEvent')!;
      this.tokens.set('t0', { id: 't0', nodeId: start.id, enteredAt: Date.now() });
      this.saveInstance('process.started');
    }
    for (const token of [...this.tokens.values()]) this.spawn(token);

    for (;;) {
      await condition(() => this.tokens.size === 0 || this.terminating !== undefined || this.failure !== undefined || this.historyFull());
      if (this.failure !== undefined) {
        if (!this.fixed) throw this.failure;
        // A failure ends the instance like a cancel, so its tasks and instance row close (#22.11).
        this.terminating ??= { status: 'failed', actorId: null, reason: this.failure instanceof Error ? this.failure.message : String(this.failure) };
        break;
      }
      if (this.tokens.size === 0 || this.terminating) break;
      // Continue-as-new only between steps, with no activity or update half done.
      await this.flush();
      await condition(() => this.inFlight === 0 && allHandlersFinished() && isEmpty(this.outbox));
      if (this.tokens.size === 0 || this.terminating || this.failure !== undefined) continue;
      await continueAsNew<typeof runProcess>({ ...this.input, resume: this.snapshot() });
    }
    await this.finish();
    await condition(allHandlersFinished);
    if (this.fixed && this.terminating?.status === 'failed' && this.failure !== undefined) throw this.failure;
    return { status: this.status, variables: this.variables };
  }

  protected async finish(): Promise<void> {
    for (const scope of this.children) scope.cancel();
    if (this.terminating) {
      this.status = this.terminating.status;
      // Tokens unwind once they see `terminating`; let them, so none opens a task after this.
      await condition(() => this.progress.size === 0);
      for (const token of this.tokens.values()) this.closeRemaining(token);
      this.tokens.clear();
      // The record's side of a cancel is the instance's to write, as every other change of it is.
      // Only definitions that name a service run one, so instances of older ones replay as before.
      const onCancel = this.definition.onCancel;
      if (onCancel && (this.terminating.status === 'cancelled' || this.terminating.status === WITHDRAWN)) {
        // Cancelled through Temporal (an operator, a parent) names nobody: the system did it.
        const cancel = { actorId: this.terminating.actorId ?? 'system', reason: this.terminating.reason ?? '' };
        await this.runService(onCancel, { ...this.variables, cancel }, false);
      }
    }
    this.saveInstance('process.ended', this.terminating?.actorId ?? null, this.terminating?.reason ?? null);
    await this.flush();
    this.ended = true;
  }

  protected snapshot(): ProcessSnapshot {
    // Open tasks, and decided ones a token still counts votes from.
    const kept = [...this.tasks.values()].filter((task) => task.state === 'open' || this.tokens.get(task.tokenId)?.taskIds?.includes(task.id));
    const keptIds = new Set(kept.map((task) => task.id));
    for (const task of this.tasks.values()) if (!keptIds.has(task.id)) this.closedTasks.set(task.id, task.state);
    return {
      status: this.status,
      variables: this.variables,
      tokens: [...this.tokens.values()],
      tasks: kept,
      ...(this.fixed
        ? {
            answers: Object.fromEntries([...this.answers].slice(-REMEMBERED_ANSWERS)),
            closedTasks: Object.fromEntries([...this.closedTasks].slice(-REMEMBERED_CLOSED_TASKS)),
          }
        : {}),
      ...(this.watchers.size > 0 ? { watchers: [...this.watchers] } : {}),
      decisions: this.decisions,
      joins: this.joins,
      inbox: this.inbox,
      seenMessageIds: [...this.seenMessageIds].slice(-1_000),
      delegations: this.delegations.filter((d) => d.validTo > Date.now()),
      sequence: this.sequence,
      startedAt: this.startedAt,
    };
  }

  protected view(): ProcessView {
    return {
      processId: this.processId,
      definition: { key: this.definition.key, version: this.definition.version },
      status: this.status,
      initiatorId: this.input.initiator.id,
      activeNodes: this.activeNodes(),
      children: [...this.tokens.values()].flatMap((token) =>
        [...(token.childId ? [token.childId] : []), ...(this.runningChildren.get(token.id) ?? [])].map((processId) => ({ nodeId: token.nodeId, processId })),
      ),
      openTasks: [...this.tasks.values()].filter((task) => task.state === 'open'),
      variables: this.variables,
      decisions: this.decisions,
      startedAt: this.startedAt,
    };
  }
}
