// Task actions (issue #16): transfer 转交, add a signer 加签, send back 退回, withdraw 撤回,
// urge 催办, copy 抄送 and comments. Each is an update whose validator refuses it with a stable
// code before it enters history; each is audited with whom the actor acted for (BOR-7). Only runs
// that carry TASK_ACTIONS_PATCH take them, so histories recorded before replay unchanged.
import { condition, setHandler } from '@temporalio/workflow';
import { COMMENT_MAX_LENGTH, URGE_INTERVAL_MS, resubmitForm, taskActions, type TaskActions as Allowed } from '../definition/actions.ts';
import type { NodeOf } from '../definition/definition.ts';
import { formValidator } from '../definition/forms.ts';
import { notice } from '../../platform/notifications/texts.ts';
import { TO_REQUESTER, type TaskActionResult } from './action-types.ts';
import { Elements } from './elements.ts';
import { addSignerUpdate, commentUpdate, copyUpdate, refusalCodes, sendBackUpdate, transferTaskUpdate, urgeUpdate, withdrawUpdate } from './messages.ts';
import { forCandidates, refusal } from './state.ts';
import type { TaskRecord, Token } from './types.ts';

/** The status of an instance its requester withdrew. */
export const WITHDRAWN = 'withdrawn';

const RESUBMIT_OUTCOME = 'resubmit';
const RESUBMIT_NAME = { en: 'Change and resubmit your request', zh: '修改并重新提交申请' };

/** Who acts, and for whom (a delegate for their principal, BOR-7). */
interface Acting {
  task: TaskRecord;
  node: NodeOf<'userTask'>;
  token: Token;
  onBehalfOf: string | null;
  delegationId: string | null;
}

export abstract class TaskActionLayer extends Elements {
  /**
   * Returns a wait for the instance to act on a change made after this call: the token's path
   * waits again (or has ended), and so has every path the change started; then the inbox shows it.
   */
  protected effects(tokenId: string): () => Promise<void> {
    const step = this.progress.get(tokenId)?.step ?? 0;
    const before = new Set(this.progress.keys());
    return async () => {
      await condition(() => {
        const now = this.progress.get(tokenId);
        const moved = now === undefined || (now.step > step && now.waiting) || this.tokens.size === 0;
        // Tokens the change started (a fork) wait too before the answer.
        return moved && (!this.fixed || this.tokens.size === 0 || [...this.progress].every(([id, p]) => before.has(id) || p.waiting));
      });
      await this.flush();
    };
  }

  protected installActionHandlers(): void {
    setHandler(
      transferTaskUpdate,
      async ({ taskId, actorId, toUserId, comment }) => {
        const acting = this.acting(taskId, actorId);
        const { task } = acting;
        const from = task.candidateIds;
        task.candidateIds = [toUserId];
        task.delegates = forCandidates(task.delegates, [toUserId]);
        task.revision += 1;
        this.saveTask(task, [this.actionEntry('task.transferred', acting, actorId, { from, to: toUserId, comment: comment ?? null })]);
        await this.flush();
        return this.actionResult(acting, actorId);
      },
      {
        validator: ({ taskId, actorId, toUserId }) => {
          const { task, node } = this.mayAct(taskId, actorId, 'transfer');
          this.checkPerson(task, node, toUserId, taskActions(node).transfer);
          if (toUserId === actorId || (task.candidateIds.length === 1 && task.candidateIds[0] === toUserId)) {
            throw refusal(refusalCodes.ALREADY_A_CANDIDATE, `${toUserId} already decides task ${taskId} alone`);
          }
        },
      },
    );

    setHandler(
      addSignerUpdate,
      async ({ taskId, actorId, userId, position, comment }) => {
        const acting = this.acting(taskId, actorId);
        const { task, node, token } = acting;
        const entry = this.actionEntry('task.signer_added', acting, actorId, { userId, position, comment: comment ?? null });
        if (position === 'after') {
          token.signers = [{ candidateIds: [userId], delegates: {} }, ...(token.signers ?? [])];
          this.audit([entry]);
        } else {
          // They decide first; then the task comes back to the one who added them.
          const me = acting.onBehalfOf ?? actorId;
          token.signers = [{ candidateIds: [me], delegates: forCandidates(task.delegates, [me]) }, ...(token.signers ?? [])];
          task.state = 'cancelled';
          task.revision += 1;
          this.saveTask(task, [entry]);
          this.openSigner(node, token, task, { candidateIds: [userId], delegates: {} });
        }
        await this.flush();
        return this.actionResult(acting, actorId);
      },
      {
        validator: ({ taskId, actorId, userId }) => {
          const { task, node, token } = this.mayAct(taskId, actorId, 'addSigner');
          this.checkPerson(task, node, userId, taskActions(node).addSigner);
          const pending = (token.signers ?? []).flatMap((signer) => signer.candidateIds);
          if (userId === actorId || pending.includes(userId)) throw refusal(refusalCodes.ALREADY_A_SIGNER, `${userId} already signs task ${taskId}`);
        },
      },
    );

    setHandler(
      sendBackUpdate,
      async ({ taskId, actorId, to, comment }) => {
        const acting = this.acting(taskId, actorId);
        const { task, token } = acting;
        const settled = this.effects(token.id);
        for (const id of token.taskIds ?? []) {
          const open = this.tasks.get(id)!;
          if (open.state !== 'open') continue;
          open.state = 'cancelled';
          open.revision += 1;
          this.saveTask(open, open === task ? [this.actionEntry('task.sent_back', acting, actorId, { to, comment: comment ?? null })] : []);
        }
        token.sentBack = { to };
        await settled();
        return this.actionResult(acting, actorId);
      },
      {
        validator: ({ taskId, actorId, to }) => {
          const { node } = this.mayAct(taskId, actorId, 'sendBack');
          const allowed = taskActions(node).sendBack as Exclude<Allowed['sendBack'], false>;
          if (this.tokens.size > 1) throw refusal(refusalCodes.PARALLEL_PATHS, 'a task is sent back only while the instance runs one path');
          if (to === TO_REQUESTER) {
            if (!allowed.requester) throw refusal(refusalCodes.ACTION_NOT_ALLOWED, `task ${taskId} may not be sent back to the requester`, { ruleId: node.ruleId });
            return;
          }
          const target = this.nodes.get(to);
          const earlier = target?.type === 'userTask' && to !== node.id && this.reach.get(to)?.has(node.id) === true;
          if (!earlier || (allowed.to !== 'earlier' && !allowed.to.includes(to))) {
            throw refusal(refusalCodes.NOT_AN_EARLIER_TASK, `"${to}" is not an earlier task that task ${taskId} may be sent back to`);
          }
        },
      },
    );

    setHandler(
      withdrawUpdate,
      async ({ actorId, reason }) => {
        this.audit([this.auditEntry('process.withdrawn', { actorId, detail: { reason: reason ?? null } })]);
        this.terminating = { status: WITHDRAWN, actorId, reason: reason ?? null };
        await condition(() => this.ended);
        return { status: this.status };
      },
      {
        validator: ({ actorId }) => {
          this.checkActions();
          if (this.terminating || this.tokens.size === 0) throw refusal(refusalCodes.PROCESS_ENDED, 'the process has already ended');
          if (actorId !== this.input.initiator.id) throw refusal(refusalCodes.NOT_THE_INITIATOR, 'only the requester may withdraw this process');
          this.checkEveryWaitAllows('withdraw');
          if (!this.undecided()) throw refusal(refusalCodes.ALREADY_DECIDED, 'the request has a decision: it can no longer be withdrawn');
        },
      },
    );

    setHandler(
      urgeUpdate,
      async ({ taskId, actorId }) => {
        const task = this.tasks.get(taskId)!;
        const node = this.node(task.nodeId) as NodeOf<'userTask'>;
        task.urgedAt = Date.now();
        const notified = [...new Set([...task.candidateIds, ...Object.keys(task.delegates)])];
        this.outbox.notices.push({
          key: this.nextKey(),
          processId: this.processId,
          taskId,
          userIds: notified,
          ...notice('task.urged', { task: node.name }),
          at: task.urgedAt,
        });
        this.audit([this.auditEntry('task.urged', { taskId, actorId, ruleId: node.ruleId, detail: { notified } })]);
        await this.flush();
        return { taskId, notified };
      },
      {
        validator: ({ taskId, actorId }) => {
          const { task, node } = this.actionableTask(taskId);
          if (actorId !== this.input.initiator.id) throw refusal(refusalCodes.NOT_THE_INITIATOR, 'only the requester may urge a task');
          if (task.kind === 'resubmit' || !taskActions(node).urge) throw refusal(refusalCodes.ACTION_NOT_ALLOWED, `task ${taskId} may not be urged`);
          const wait = task.urgedAt === undefined ? 0 : task.urgedAt + URGE_INTERVAL_MS - Date.now();
          if (wait > 0) {
            throw refusal(refusalCodes.URGED_TOO_RECENTLY, `task ${taskId} was urged less than an hour ago`, { retryAfterSeconds: Math.ceil(wait / 1000) });
          }
        },
      },
    );

    setHandler(
      copyUpdate,
      async ({ actorId, userIds }) => {
        const added = userIds.filter((id) => !this.watchers.has(id));
        this.addWatchers(added, actorId);
        this.notify(added, notice('process.copied', { actorId, processId: this.processId }));
        this.audit([this.auditEntry('process.copied', { actorId, onBehalfOf: this.principalOf(actorId), detail: { userIds: added } })]);
        await this.flush();
        return { added };
      },
      {
        validator: ({ actorId, userIds }) => {
          this.checkRunning();
          this.checkEveryWaitAllows('copy');
          if (!this.isParticipant(actorId)) throw refusal(refusalCodes.NOT_A_PARTICIPANT, `${actorId} takes no part in this process`);
          if (userIds.every((id: string) => this.watchers.has(id))) throw refusal(refusalCodes.ALREADY_WATCHING, 'everyone named is already copied in');
        },
      },
    );

    setHandler(
      commentUpdate,
      async ({ commentId, actorId, text, mentions }) => {
        const at = Date.now();
        (this.outbox.comments ??= []).push({ id: commentId, processId: this.processId, authorId: actorId, text, mentions, at });
        // Whoever is mentioned may read the instance, as a watcher.
        this.addWatchers(mentions.filter((id) => !this.watchers.has(id)), actorId);
        this.notify(mentions, notice('comment.mention', { actorId, processId: this.processId, text: text.slice(0, 200) }));
        this.audit([this.auditEntry('comment.added', { actorId, onBehalfOf: this.principalOf(actorId), detail: { commentId, mentions } })]);
        await this.flush();
        return { commentId };
      },
      {
        validator: ({ text }) => {
          this.checkRunning();
          this.checkEveryWaitAllows('comment');
          if (text.trim().length === 0 || text.length > COMMENT_MAX_LENGTH) {
            throw refusal(refusalCodes.INVALID_COMMENT, `a comment has 1 to ${COMMENT_MAX_LENGTH} characters`);
          }
        },
      },
    );
  }

  /** A single task's outcome: the last signer's decision; a go-ahead (its first outcome) with signers still to come decides nothing yet. */
  protected signedOutcome(node: NodeOf<'userTask'>, token: Token, open: boolean): string | undefined {
    const tasks = token.taskIds!.map((id) => this.tasks.get(id)!);
    const last = tasks.at(-1)!;
    const outcome = last.decision?.outcome;
    const next = token.signers?.[0];
    if (outcome === undefined || outcome !== node.outcomes[0] || !next) return outcome;
    if (open) {
      token.signers = token.signers!.slice(1);
      this.openSigner(node, token, last, next);
    }
    return undefined;
  }

  protected async followSendBack(token: Token): Promise<string> {
    const { to } = token.sentBack!;
    if (to !== TO_REQUESTER) return to;
    const start = this.definition.nodes.find((node) => node.type === 'startEvent')!;
    let resubmission = (token.taskIds ?? []).map((id) => this.tasks.get(id)!).find((task) => task.kind === 'resubmit');
    if (!resubmission) {
      resubmission = {
        id: `${this.processId}:${start.id}:${++this.sequence}`,
        nodeId: start.id,
        tokenId: token.id,
        name: RESUBMIT_NAME,
        state: 'open',
        candidateIds: [this.input.initiator.id],
        delegates: {},
        outcomes: [RESUBMIT_OUTCOME],
        openedAt: Date.now(),
        dueAt: null,
        revision: 1,
        kind: 'resubmit',
      };
      this.tasks.set(resubmission.id, resubmission);
      token.taskIds = [resubmission.id];
      this.saveTask(resubmission, [this.auditEntry('task.opened', { taskId: resubmission.id, detail: { candidateIds: resubmission.candidateIds, resubmit: true } })]);
    }
    const task = resubmission;
    await this.waitFor(token, () => task.state !== 'open');
    const data = task.decision?.data ?? {};
    this.variables = { ...this.variables, ...data };
    this.audit([this.auditEntry('process.resubmitted', { taskId: task.id, actorId: task.decision?.actorId ?? null, detail: { changed: data } })]);
    // The path runs again from the start.
    return start.next;
  }

  /** The validator of a resubmission's data, built once. */
  protected resubmitValidator() {
    const key = '#resubmit';
    let validator = this.forms.get(key);
    if (!validator) {
      validator = formValidator(resubmitForm(this.definition));
      this.forms.set(key, validator);
    }
    return validator;
  }

  /** Opens the task of the next signer of a single task, for the people the first one was eligible for. */
  protected openSigner(node: NodeOf<'userTask'>, token: Token, previous: TaskRecord, signer: NonNullable<Token['signers']>[number]): void {
    this.openTask(node, token, signer.candidateIds, signer.delegates, previous.dueAt);
    this.tasks.get(token.taskIds!.at(-1)!)!.eligibleIds = previous.eligibleIds ?? previous.candidateIds;
  }

  private actionResult(acting: Acting, actorId: string): TaskActionResult {
    return { taskId: acting.task.id, actorId, onBehalfOf: acting.onBehalfOf, status: this.status, openTasks: this.openTaskList() };
  }

  private actionEntry(event: string, acting: Acting, actorId: string, detail: Record<string, unknown>) {
    return this.auditEntry(event, { taskId: acting.task.id, actorId, onBehalfOf: acting.onBehalfOf, delegationId: acting.delegationId, ruleId: acting.node.ruleId, detail });
  }

  /** The task the actor acts on, with the authority they act with (checked by the validator). */
  private acting(taskId: string, actorId: string): Acting {
    const task = this.tasks.get(taskId)!;
    const authority = this.authority(task, actorId)!;
    return { task, node: this.node(task.nodeId) as NodeOf<'userTask'>, token: this.tokens.get(task.tokenId)!, ...authority };
  }

  private checkActions(): void {
    if (!this.withActions) throw refusal(refusalCodes.ACTIONS_NOT_AVAILABLE, 'this instance started before task actions existed; only decisions and cancels reach it');
  }

  private checkRunning(): void {
    this.checkActions();
    if (this.terminating || this.ended || this.tokens.size === 0) throw refusal(refusalCodes.PROCESS_ENDED, 'the process has ended');
  }

  /** An open task of this instance, and its node. */
  private actionableTask(taskId: string): { task: TaskRecord; node: NodeOf<'userTask'> } {
    this.checkActions();
    const task = this.tasks.get(taskId);
    if (!task) {
      if (this.closedTasks.has(taskId)) throw refusal(refusalCodes.TASK_ALREADY_COMPLETED, `task ${taskId} is already ${this.closedTasks.get(taskId)}`);
      throw refusal(refusalCodes.TASK_NOT_FOUND, `no task ${taskId} in this process`);
    }
    this.checkRunning();
    if (task.state !== 'open' || this.nodeDecided(task.tokenId)) throw refusal(refusalCodes.TASK_ALREADY_COMPLETED, `task ${taskId} is already decided`);
    return { task, node: this.node(task.nodeId) as NodeOf<'userTask'> };
  }

  /** The checks every action of a decider passes: an open task they may decide, whose definition allows the action. */
  private mayAct(taskId: string, actorId: string, action: 'transfer' | 'addSigner' | 'sendBack'): { task: TaskRecord; node: NodeOf<'userTask'>; token: Token } {
    const { task, node } = this.actionableTask(taskId);
    if (!this.authority(task, actorId)) throw refusal(refusalCodes.NOT_A_CANDIDATE, `${actorId} may not act on task ${taskId}`);
    const allowed = taskActions(node)[action];
    if (task.kind === 'resubmit' || allowed === 'never' || allowed === false) {
      throw refusal(refusalCodes.ACTION_NOT_ALLOWED, `task ${taskId} allows no ${action}`, { ruleId: node.ruleId });
    }
    return { task, node, token: this.tokens.get(task.tokenId)! };
  }

  /** Whether `userId` may be handed the task or sign it: never the requester (unless it is their duty); within the eligible people when the task is policy-bound. */
  private checkPerson(task: TaskRecord, node: NodeOf<'userTask'>, userId: string, scope: Allowed['transfer']): void {
    const requester = userId === this.input.initiator.id && !node.initiatorMayDecide;
    const outside = scope === 'candidates' && !(task.eligibleIds ?? task.candidateIds).includes(userId);
    if (requester || outside) {
      const why = requester ? 'the requester never decides their own request' : `${node.ruleId ?? 'the definition'} allows only ${(task.eligibleIds ?? task.candidateIds).join(', ')}`;
      throw refusal(refusalCodes.TARGET_NOT_ELIGIBLE, `${userId} may not decide task ${task.id}: ${why}`, { ruleId: node.ruleId });
    }
  }

  /** Refuses the action when a user task the instance waits at forbids it. */
  private checkEveryWaitAllows(action: 'withdraw' | 'copy' | 'comment'): void {
    for (const token of this.tokens.values()) {
      const node = this.nodes.get(token.nodeId);
      if (node?.type === 'userTask' && !taskActions(node)[action]) {
        throw refusal(refusalCodes.ACTION_NOT_ALLOWED, `${action} is not allowed while the process waits at ${node.id}`, { ruleId: node.ruleId });
      }
    }
  }

  /** No decision yet, or none since the requester resubmitted, or it waits for their resubmission. */
  private undecided(): boolean {
    // A resubmission is the only decision taken at the start event.
    const start = this.definition.nodes.find((node) => node.type === 'startEvent')!.id;
    let resubmitted = -1;
    this.decisions.forEach((d, index) => {
      if (d.nodeId === start) resubmitted = index;
    });
    const waitsForRequester = [...this.tokens.values()].some((token) => token.sentBack?.to === TO_REQUESTER);
    return waitsForRequester || this.decisions.length === resubmitted + 1;
  }

  /** The requester, anyone who may decide an open task, and the people copied in. */
  private isParticipant(userId: string): boolean {
    if (userId === this.input.initiator.id || this.watchers.has(userId)) return true;
    return [...this.tasks.values()].some((task) => task.state === 'open' && this.authority(task, userId) !== undefined);
  }

  /** The principal `userId` acts for, when they may decide an open task only as a delegate. */
  private principalOf(userId: string): string | null {
    const open = [...this.tasks.values()].filter((task) => task.state === 'open');
    if (open.some((task) => task.candidateIds.includes(userId))) return null;
    for (const task of open) {
      const authority = this.authority(task, userId);
      if (authority?.onBehalfOf) return authority.onBehalfOf;
    }
    return null;
  }

  private addWatchers(userIds: string[], addedBy: string): void {
    if (userIds.length === 0) return;
    for (const id of userIds) this.watchers.add(id);
    (this.outbox.watchers ??= []).push(...userIds.map((userId) => ({ processId: this.processId, userId, addedBy, at: Date.now() })));
  }

  private notify(userIds: string[], text: { kind: string; text: string; params: unknown }): void {
    if (userIds.length > 0) this.outbox.notices.push({ key: this.nextKey(), processId: this.processId, userIds, ...text, at: Date.now() });
  }
}
