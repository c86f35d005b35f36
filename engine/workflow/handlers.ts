// The interpreter's messages: decisions and cancels (updates, with validators that see every
// decision already accepted in the activation), messages, delegations and children waiting.
import { condition, currentUpdateInfo, setHandler } from '@temporalio/workflow';
import type { NodeOf } from '../definition/definition.ts';
import { cancelUpdate, candidatesChangedSignal, childWaitingSignal, completeTaskUpdate, delegationSignal, messageSignal, refusalCodes, stateQuery } from './messages.ts';
import type { CompleteTaskInput, CompleteTaskResult, Decision, ProcessView } from './types.ts';
import { refusal } from './state.ts';
import { TaskActionLayer } from './task-actions.ts';

export abstract class Handlers extends TaskActionLayer {
  /** What the `state` query answers (interpreter.ts). */
  protected abstract view(): ProcessView;

  protected installHandlers(): void {
    setHandler(stateQuery, () => this.view());
    this.installActionHandlers();

    setHandler(
      completeTaskUpdate,
      async (decision) => {
        const requestId = this.fixed ? currentUpdateInfo()?.id : undefined;
        const earlier = requestId === undefined ? undefined : this.answers.get(requestId);
        if (earlier) return earlier;
        const task = this.tasks.get(decision.taskId)!;
        const authority = this.authority(task, decision.actorId)!;
        const record: Decision = {
          taskId: task.id,
          nodeId: task.nodeId,
          outcome: decision.outcome,
          actorId: decision.actorId,
          onBehalfOf: authority.onBehalfOf,
          delegationId: authority.delegationId,
          comment: decision.comment ?? null,
          data: decision.data ?? {},
          at: Date.now(),
        };
        const settled = this.effects(task.tokenId);
        this.decide(task, record);
        // Answer once the instance has acted on the decision (next task open, a child's
        // included, or ended) and the inbox shows it.
        await settled();
        const answer: CompleteTaskResult = {
          taskId: task.id,
          outcome: record.outcome,
          decidedBy: record.actorId,
          onBehalfOf: record.onBehalfOf,
          delegationId: record.delegationId,
          status: this.status,
          openTasks: this.openTaskList(),
        };
        if (requestId !== undefined) this.answers.set(requestId, answer);
        return answer;
      },
      { validator: (decision) => this.validateDecision(decision) },
    );

    setHandler(
      cancelUpdate,
      async ({ actorId, reason }) => {
        this.terminating = { status: 'cancelled', actorId, reason: reason ?? null };
        await condition(() => this.ended);
        return { status: this.status };
      },
      {
        validator: ({ actorId }) => {
          if (this.terminating || this.tokens.size === 0) throw refusal(refusalCodes.PROCESS_ENDED, 'the process has already ended');
          if (actorId !== this.input.initiator.id) throw refusal(refusalCodes.NOT_THE_INITIATOR, 'only the initiator may cancel this process');
          const allowed = this.definition.cancellableAt;
          // A token whose task has a decision accepted is past its node, though it has not moved yet (#22.4).
          if (allowed && [...this.tokens.values()].some((token) => !allowed.includes(token.nodeId) || (this.fixed && this.hasDecision(token)))) {
            throw refusal(refusalCodes.NOT_CANCELLABLE, `the process can no longer be cancelled at ${this.activeNodes().join(', ')}`);
          }
        },
      },
    );

    setHandler(messageSignal, async (message) => {
      if (this.seenMessageIds.has(message.id)) return;
      this.seenMessageIds.add(message.id);
      if (this.fixed && !this.mayBeTaken(message)) {
        // No path waits for it or can still reach a node that does: it is refused on the record, not kept for ever.
        this.audit([this.auditEntry('message.ignored', { actorId: message.actorId, detail: { message: message.name } })]);
        await this.flush();
        return;
      }
      // A boundary message closes a waiting task the moment it arrives, in order with the
      // decisions around it (#22.1, #22.3); other messages wait in the inbox.
      if (this.fixed && !this.terminating && this.closeByBoundaryMessage(message)) return;
      this.inbox.push(message);
    });

    setHandler(delegationSignal, async (notice) => {
      this.delegations = [...this.delegations.filter((d) => d.delegationId !== notice.delegationId), ...(notice.active ? [notice] : [])];
      await this.applyDelegation(notice);
    });

    setHandler(candidatesChangedSignal, (change) => this.reresolveCandidates(change));

    setHandler(childWaitingSignal, ({ childId, openTasks }) => {
      const perItem = [...this.tokens.values()].find((t) => t.childIds?.includes(childId));
      if (perItem) {
        if (this.runningChildren.get(perItem.id)?.has(childId)) this.childTasks.set(childId, openTasks);
        this.childrenWaiting(perItem);
        return;
      }
      const token = [...this.tokens.values()].find((t) => t.childId === childId);
      const progress = token && this.progress.get(token.id);
      if (!token || !progress || progress.waiting) return;
      this.childTasks.set(token.id, openTasks);
      progress.waiting = true;
      progress.step += 1;
    });
  }

  protected validateDecision(decision: CompleteTaskInput): void {
    const requestId = this.fixed ? currentUpdateInfo()?.id : undefined;
    // A retried request (after continue-as-new, where Temporal no longer knows its id) gets the first answer (#22.13).
    if (requestId !== undefined && this.answers.has(requestId)) return;
    const task = this.tasks.get(decision.taskId);
    if (!task) {
      const closed = this.fixed ? this.closedTasks.get(decision.taskId) : undefined;
      if (closed) throw refusal(refusalCodes.TASK_ALREADY_COMPLETED, `task ${decision.taskId} is already ${closed}`);
      throw refusal(refusalCodes.TASK_NOT_FOUND, `no task ${decision.taskId} in this process`);
    }
    if (this.terminating || this.ended) throw refusal(refusalCodes.PROCESS_ENDED, 'the process has ended');
    if (task.state !== 'open') throw refusal(refusalCodes.TASK_ALREADY_COMPLETED, `task ${task.id} is already ${task.state}`);
    // Votes accepted earlier in this activation may already decide the task's node (#22.2).
    if (this.fixed && this.nodeDecided(task.tokenId)) throw refusal(refusalCodes.TASK_ALREADY_COMPLETED, `the vote that task ${task.id} is part of is already decided`);
    if (!this.authority(task, decision.actorId)) throw refusal(refusalCodes.NOT_A_CANDIDATE, `${decision.actorId} may not decide task ${task.id}`);
    if (!task.outcomes.includes(decision.outcome)) {
      throw refusal(refusalCodes.INVALID_OUTCOME, `outcome "${decision.outcome}" is not one of ${task.outcomes.join(', ')}`);
    }
    const node = this.node(task.nodeId) as NodeOf<'userTask'>;
    const form = (task.kind === 'resubmit' ? this.resubmitValidator() : this.formOf(node)).safeParse(decision.data ?? {});
    if (!form.success) {
      throw refusal(
        refusalCodes.INVALID_TASK_DATA,
        'the task data is invalid',
        form.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      );
    }
  }
}
