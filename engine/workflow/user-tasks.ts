// User tasks: opening them, decisions, votes (会签/或签) and their deciding vote, delegations
// (BOR-7), boundary messages and boundary timers (reminders, escalation, automatic outcome).
import type { ItemInstances, NodeOf, VoteInstances } from '../definition/definition.ts';
import { evaluateDurationMs } from '../definition/feel.ts';
import { ITEMS_COMPLETED, itemsComplete, multiInstanceOutcome, voteResult } from '../definition/multi-instance.ts';
import { withinSecrecy } from '../../platform/organisation/secrecy.ts';
import { notice } from '../../platform/notifications/texts.ts';
import type { CandidatesChange, Decision, DelegationNotice, Message, TaskRecord, TaskTimers, Token } from './types.ts';

type ResolvedCandidates = Awaited<ReturnType<Projections['resolve']>>;
import { Projections } from './projections.ts';
import { SYSTEM_ACTOR, forCandidates, withoutVoters } from './state.ts';

export abstract class UserTasks extends Projections {
  /** Where a task sent back goes, once the requester has resubmitted if it went to them (task-actions.ts, #16). */
  protected abstract followSendBack(token: Token): Promise<string>;

  /** A single task's outcome with the signers added to it (task-actions.ts, #16); `open`: open the next signer's task. */
  protected abstract signedOutcome(node: NodeOf<'userTask'>, token: Token, open: boolean): string | undefined;

  /** Waits for `ready` or until `untilMs` (elements.ts). */
  protected abstract waitFor(token: Token, ready: () => boolean, untilMs?: number): Promise<{ ready: boolean; timedOut: boolean }>;

  /** Who a decision by `actorId` is made as: in their own right, or for a principal (BOR-7). */
  protected authority(task: TaskRecord, actorId: string): { onBehalfOf: string | null; delegationId: string | null } | undefined {
    if (task.candidateIds.includes(actorId)) return { onBehalfOf: null, delegationId: null };
    const delegate = task.delegates[actorId];
    // The delegation's end is checked here too: its ending signal may still be on its way.
    if (delegate && delegate.validTo > Date.now() && task.candidateIds.includes(delegate.principalId)) {
      return { onBehalfOf: delegate.principalId, delegationId: delegate.delegationId };
    }
    return undefined;
  }

  protected decide(task: TaskRecord, decision: Decision): void {
    task.state = 'completed';
    task.decision = decision;
    task.revision += 1;
    this.decisions.push(decision);
    this.saveTask(task, [
      this.auditEntry('task.completed', {
        taskId: task.id,
        actorId: decision.actorId,
        onBehalfOf: decision.onBehalfOf,
        delegationId: decision.delegationId,
        ruleId: this.node(task.nodeId).ruleId,
        detail: { outcome: decision.outcome, comment: decision.comment, data: decision.data },
      }),
    ]);
  }

  protected async applyDelegation(notice: DelegationNotice): Promise<void> {
    const inScope =
      (!notice.processKeys || notice.processKeys.includes(this.definition.key)) && withinSecrecy(this.secrecy, notice.maxSecrecy);
    // Every task changes before any is saved: a decision arriving while the projections are
    // written must already see the delegation as it now is.
    const changed: TaskRecord[] = [];
    for (const task of this.tasks.values()) {
      if (task.state !== 'open' || !task.candidateIds.includes(notice.principalId)) continue;
      const holds = task.delegates[notice.delegateId]?.delegationId === notice.delegationId;
      if (notice.active && inScope && !holds && notice.delegateId !== this.input.initiator.id && !this.isVoter(task.tokenId, notice.delegateId)) {
        task.delegates = { ...task.delegates, [notice.delegateId]: { delegationId: notice.delegationId, principalId: notice.principalId, validTo: notice.validTo } };
      } else if (!notice.active && holds) {
        const { [notice.delegateId]: _removed, ...rest } = task.delegates;
        task.delegates = rest;
      } else continue;
      task.revision += 1;
      changed.push(task);
    }
    // Voters of a sequential vote whose turn has not come get the delegation as it now is (#22.7).
    for (const token of this.fixed ? this.tokens.values() : []) {
      if (!token.voters?.includes(notice.principalId)) continue;
      const { [notice.delegateId]: held, ...rest } = token.delegates ?? {};
      if (notice.active && inScope && notice.delegateId !== this.input.initiator.id && !token.voters.includes(notice.delegateId)) {
        token.delegates = { ...rest, [notice.delegateId]: { delegationId: notice.delegationId, principalId: notice.principalId, validTo: notice.validTo } };
      } else if (!notice.active && held?.delegationId === notice.delegationId) token.delegates = rest;
    }
    for (const task of changed) {
      this.saveTask(task, [
        this.auditEntry(notice.active ? 'task.delegate_added' : 'task.delegate_removed', {
          taskId: task.id,
          actorId: notice.delegateId,
          onBehalfOf: notice.principalId,
          delegationId: notice.delegationId,
          ruleId: 'BOR-7',
        }),
      ]);
    }
    await this.flush();
  }

  /** The first buffered message with one of these names, taken out of the inbox. */
  protected takeMessage(names: string[]): Message | undefined {
    const index = this.inbox.findIndex((m) => names.includes(m.name));
    if (index < 0) return undefined;
    const message = this.inbox[index]!;
    this.inbox = this.inbox.filter((_, i) => i !== index);
    return message;
  }

  protected async userTask(node: NodeOf<'userTask'>, token: Token): Promise<string> {
    if (!token.taskIds) await this.openTasks(node, token);
    let outcome: string | undefined;
    const boundaryMessages = (node.messages ?? []).map((m) => m.message);
    const takeBoundaryMessage = (): string | undefined => {
      const message = this.takeMessage(boundaryMessages);
      if (!message) return undefined;
      const closing = node.messages!.find((m) => m.message === message.name)!.outcome;
      this.closeByMessage(token, closing, message);
      return closing;
    };
    for (;;) {
      if (token.sentBack) return this.followSendBack(token);
      // Decisions already accepted come first; then a message that came before the tasks opened (#22.3).
      outcome = token.closedBy ?? this.advanceVotes(node, token) ?? (this.fixed ? takeBoundaryMessage() : undefined);
      if (outcome) break;
      const timer = this.nextBoundaryTimer(token);
      const mine = () => token.taskIds!.map((id) => this.tasks.get(id)!);
      const decided = mine().filter((task) => task.state === 'completed').length;
      const wake = await this.waitFor(
        token,
        () =>
          token.closedBy !== undefined ||
          token.sentBack !== undefined ||
          mine().filter((task) => task.state === 'completed').length > decided ||
          this.inbox.some((m) => boundaryMessages.includes(m.name)),
        timer?.at,
      );
      if (this.fixed) {
        // Woken by something that was not for this task (a message a sibling took): the timer is not due (#22.1).
        if (!wake.timedOut || !timer || Date.now() < timer.at) continue;
      } else {
        outcome = takeBoundaryMessage();
        if (outcome) break;
        if (wake.ready || !timer) continue;
      }
      outcome = await this.fireBoundaryTimer(node, token, timer.kind, timer.index);
      if (outcome) break;
    }
    this.closeRemaining(token);
    const decisions = this.votesOf(token);
    const deciding = this.fixed ? this.decidingVote(node, token, decisions) : decisions.at(-1);
    this.variables = {
      ...this.variables,
      [node.resultVariable ?? node.id]: {
        outcome,
        data: deciding?.data ?? {},
        decidedBy: deciding?.actorId ?? null,
        onBehalfOf: deciding?.onBehalfOf ?? null,
        comment: deciding?.comment ?? null,
        votes: decisions.map((d) => ({ actorId: d.actorId, outcome: d.outcome, onBehalfOf: d.onBehalfOf, data: d.data })),
        ...(this.itemsOf(node) ? { items: this.itemResults(token) } : {}),
      },
    };
    return typeof node.next === 'string' ? node.next : node.next[outcome]!;
  }

  /** Each item with what its task decided, in item order (no decision: an `any` task another item completed). */
  protected itemResults(token: Token): Record<string, unknown>[] {
    const tasks = (token.taskIds ?? []).map((id) => this.tasks.get(id)!);
    return (token.items ?? []).map((item, index) => {
      const decision = tasks.find((task) => task.item?.index === index)?.decision;
      return {
        item,
        outcome: decision?.outcome ?? null,
        data: decision?.data ?? {},
        decidedBy: decision?.actorId ?? null,
        onBehalfOf: decision?.onBehalfOf ?? null,
        comment: decision?.comment ?? null,
      };
    });
  }

  /** The vote rule of a multi-instance task that is a vote (会签/或签). */
  protected voteOf(node: NodeOf<'userTask'>): VoteInstances | undefined {
    const multi = node.multiInstance;
    return multi && !('items' in multi) ? multi : undefined;
  }

  /** The rule of a task with one instance per item of a list. */
  protected itemsOf(node: NodeOf<'userTask'>): ItemInstances | undefined {
    const multi = node.multiInstance;
    return multi && 'items' in multi ? multi : undefined;
  }

  /** What a task's FEEL reads: the instance's variables, and its item under the node's name for it. */
  protected itemScope(items: { as: string }, task: TaskRecord): Record<string, unknown> {
    return { ...this.variables, [items.as]: task.item?.value ?? null };
  }

  /** The decisions on the token's tasks: in the order they were accepted (task order in runs before #22). */
  protected votesOf(token: Token): Decision[] {
    const decisions = (token.taskIds ?? []).map((id) => this.tasks.get(id)!.decision).filter((d): d is Decision => d !== undefined);
    if (!this.fixed) return decisions;
    const order = new Map(this.decisions.map((d, i) => [d.taskId, i]));
    return decisions.sort((a, b) => (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0));
  }

  /** The decision that carries the outcome: the message's, the deciding vote (#22.5), or the one decision. */
  protected decidingVote(node: NodeOf<'userTask'>, token: Token, decisions: Decision[]): Decision | undefined {
    const multi = this.voteOf(node);
    if (token.closedBy !== undefined || !multi) return decisions.at(-1);
    const result = voteResult(multi.completion, this.voterCount(token), decisions.map((d) => (d.outcome === multi.approve ? 'approve' : 'reject')));
    return result ? decisions[result.deciding] : decisions.at(-1);
  }

  /** The outcome the token's accepted decisions give its node, before the token moves on. */
  protected verdict(node: NodeOf<'userTask'>, token: Token): string | undefined {
    if (token.closedBy !== undefined) return token.closedBy;
    const decisions = this.votesOf(token);
    const items = this.itemsOf(node);
    if (items) return itemsComplete(items.completion, token.items?.length ?? 0, decisions.length) ? ITEMS_COMPLETED : undefined;
    const multi = this.voteOf(node);
    if (!multi) return this.withActions ? this.signedOutcome(node, token, false) : decisions[0]?.outcome;
    const result = voteResult(multi.completion, this.voterCount(token), decisions.map((d) => (d.outcome === multi.approve ? 'approve' : 'reject')));
    return result && (result.verdict === 'approve' ? multi.approve : multi.reject);
  }

  protected voterCount(token: Token): number {
    return token.voters?.length ?? token.taskIds?.length ?? 0;
  }

  /** Whether decisions accepted so far decide the node the token waits at (it may not have moved yet). */
  protected nodeDecided(tokenId: string): boolean {
    const token = this.tokens.get(tokenId);
    const node = token && this.nodes.get(token.nodeId);
    return node?.type === 'userTask' && token!.taskIds !== undefined && this.verdict(node, token!) !== undefined;
  }

  /** Whether any decision on the token's tasks (or a closing message) has been accepted. */
  protected hasDecision(token: Token): boolean {
    return token.closedBy !== undefined || (token.taskIds ?? []).some((id) => this.tasks.get(id)?.decision !== undefined);
  }

  /** Whether `userId` votes in the multi-instance task the token waits at: they may not also vote for another voter. */
  protected isVoter(tokenId: string, userId: string): boolean {
    if (!this.fixed) return false;
    const token = this.tokens.get(tokenId);
    const node = token && this.nodes.get(token.nodeId);
    if (node?.type !== 'userTask' || !this.voteOf(node)) return false;
    return (token!.voters ?? (token!.taskIds ?? []).flatMap((id) => this.tasks.get(id)?.candidateIds ?? [])).includes(userId);
  }

  /**
   * A boundary message for a token waiting at a user task closes its open tasks now, unless
   * decisions already accepted decide the task. True when a token took it.
   */
  protected closeByBoundaryMessage(message: Message): boolean {
    for (const token of this.tokens.values()) {
      const node = this.nodes.get(token.nodeId);
      if (node?.type !== 'userTask' || !token.taskIds || this.verdict(node, token) !== undefined) continue;
      const boundary = node.messages?.find((m) => m.message === message.name);
      if (!boundary || !token.taskIds.some((id) => this.tasks.get(id)?.state === 'open')) continue;
      this.closeByMessage(token, boundary.outcome, message);
      token.closedBy = boundary.outcome;
      return true;
    }
    return false;
  }

  protected async openTasks(node: NodeOf<'userTask'>, token: Token): Promise<void> {
    const opened = Date.now();
    const dueAt = node.due ? opened + evaluateDurationMs(node.due, this.variables, opened, this.zone) : null;
    const items = this.itemsOf(node);
    if (items) {
      await this.openItemTasks(node, token, items, dueAt, opened);
      this.startTimers(node, token, opened, dueAt);
      return;
    }
    const mode = node.multiInstance?.mode;
    // A single task is opened by the same activity that finds its candidates: one round trip.
    const single = mode === undefined ? this.newTask(node, token, [], {}, dueAt, opened) : undefined;
    const resolved = await this.resolve(node.candidates, {
      allowInitiator: node.initiatorMayDecide,
      open: single && {
        task: this.taskWrite(single, []),
        audit: this.auditEntry('task.opened', { taskId: single.id, ruleId: node.ruleId, detail: { dueAt: dueAt && new Date(dueAt).toISOString() } }),
      },
    });
    this.startTimers(node, token, opened, dueAt);
    if (single) {
      single.candidateIds = resolved.candidateIds;
      single.delegates = forCandidates(resolved.delegates, resolved.candidateIds);
      if (this.withActions) single.eligibleIds = resolved.candidateIds;
      this.tasks.set(single.id, single);
      token.taskIds = [single.id];
      if (resolved.announced) {
        // Delegates told to this instance but not (yet) in PostgreSQL: the inbox must show them too.
        single.revision += 1;
        this.saveTask(single, []);
      }
      return;
    }
    token.taskIds = [];
    // A voter does not also vote for another voter as their delegate.
    const delegates = this.fixed ? withoutVoters(resolved.delegates, resolved.candidateIds) : resolved.delegates;
    if (mode === 'sequential') {
      token.voters = resolved.candidateIds;
      token.delegates = delegates;
    }
    const groups = mode === 'parallel' ? resolved.candidateIds.map((id) => [id]) : [[resolved.candidateIds[0]!]];
    for (const candidateIds of groups) this.openTask(node, token, candidateIds, delegates, dueAt, opened);
  }

  /** The task's boundary timers, as absolute times from its opening or due time. */
  protected startTimers(node: NodeOf<'userTask'>, token: Token, opened: number, dueAt: number | null): void {
    const from = (timer: { from: 'opened' | 'due' }) => (timer.from === 'due' && dueAt !== null ? dueAt : opened);
    const at = (timer: { after: string; from: 'opened' | 'due' }) => from(timer) + evaluateDurationMs(timer.after, this.variables, from(timer), this.zone);
    const timers: TaskTimers = {
      reminders: this.reminderTimes(node.reminders, opened, dueAt),
      escalateAt: node.escalation ? at(node.escalation) : null,
      autoAt: node.autoOutcome ? at(node.autoOutcome) : null,
    };
    token.timers = timers;
    token.remindersSent = timers.reminders.map(() => 0);
  }

  /**
   * One task per item of the list (all at once, or the first of a sequence), each for the
   * candidates its item names. Every item's candidates are found now: a sequence knows whom it
   * waits for, and an item nobody can decide fails the instance before any task opens.
   */
  protected async openItemTasks(node: NodeOf<'userTask'>, token: Token, items: ItemInstances, dueAt: number | null, opened: number): Promise<void> {
    token.items ??= this.itemList(items.items);
    const resolved: ResolvedCandidates[] = [];
    for (const item of token.items) {
      resolved.push(await this.resolve(node.candidates, { allowInitiator: node.initiatorMayDecide, variables: { ...this.variables, [items.as]: item } }));
    }
    token.taskIds = [];
    if (items.mode === 'sequential') {
      token.itemCandidates = resolved.map((r) => r.candidateIds);
      token.delegates = Object.assign({}, ...resolved.map((r) => r.delegates)) as TaskRecord['delegates'];
    }
    const opening = items.mode === 'parallel' ? resolved : resolved.slice(0, 1);
    opening.forEach((r, index) => this.openTask(node, token, r.candidateIds, r.delegates, dueAt, opened, { index, value: token.items![index] }));
  }

  /** Opens one task and queues its projection (multi-instance voters, one task each). */
  protected openTask(
    node: NodeOf<'userTask'>,
    token: Token,
    candidateIds: string[],
    delegates: TaskRecord['delegates'],
    dueAt: number | null,
    openedAt = Date.now(),
    item?: TaskRecord['item'],
  ): void {
    const task = { ...this.newTask(node, token, candidateIds, delegates, dueAt, openedAt), ...(item ? { item } : {}) };
    this.tasks.set(task.id, task);
    token.taskIds = [...(token.taskIds ?? []), task.id];
    const detail = { candidateIds, dueAt: dueAt && new Date(dueAt).toISOString(), ...(item ? { item: item.value } : {}) };
    this.saveTask(task, [this.auditEntry('task.opened', { taskId: task.id, ruleId: node.ruleId, detail })]);
  }

  protected newTask(
    node: NodeOf<'userTask'>,
    token: Token,
    candidateIds: string[],
    delegates: TaskRecord['delegates'],
    dueAt: number | null,
    openedAt: number,
  ): TaskRecord {
    return {
      id: `${this.processId}:${node.id}:${++this.sequence}`,
      nodeId: node.id,
      tokenId: token.id,
      name: node.name,
      state: 'open',
      candidateIds,
      delegates: forCandidates(delegates, candidateIds),
      outcomes: node.outcomes,
      openedAt,
      dueAt,
      revision: 1,
    };
  }

  /** When each reminder first fires (and how often it repeats), from the opening or the due time. */
  protected reminderTimes(reminders: { after: string; from: 'opened' | 'due'; every?: string | undefined }[] | undefined, opened: number, dueAt: number | null): TaskTimers['reminders'] {
    return (reminders ?? []).map((reminder) => {
      const from = reminder.from === 'due' && dueAt !== null ? dueAt : opened;
      const at = from + evaluateDurationMs(reminder.after, this.variables, from, this.zone);
      return { at, everyMs: reminder.every ? evaluateDurationMs(reminder.every, this.variables, at, this.zone) : null };
    });
  }

  /**
   * Sends reminder `index`: to the users `recipients` gives and to whoever the reminder names.
   * The users are read after the look-up of the named ones, so a task decided meanwhile is not
   * reminded (in runs before #22, before it).
   */
  protected async remind(node: NodeOf<'userTask'> | NodeOf<'receiveTask'>, token: Token, index: number, recipients: () => string[], taskId?: string): Promise<void> {
    token.remindersSent = token.remindersSent!.map((sent, i) => (i === index ? sent + 1 : sent));
    const notify = node.reminders![index]!.notify;
    const before = this.fixed ? [] : recipients();
    const extra = notify ? (await this.resolve({ anyOf: notify }, { allowInitiator: true, allowNobody: true })).candidateIds : [];
    const userIds = [...new Set([...before, ...(this.fixed ? recipients() : []), ...extra])];
    const task = node.name ?? { en: node.id, zh: node.id };
    this.outbox.notices.push({
      key: this.nextKey(),
      processId: this.processId,
      taskId,
      userIds,
      ...notice(node.type === 'userTask' ? 'task.reminder' : 'process.reminder', { task }),
      at: Date.now(),
    });
    this.audit([this.auditEntry('reminder.sent', { taskId, ruleId: node.ruleId, detail: { nodeId: node.id, userIds, count: token.remindersSent[index] } })]);
  }

  /** An interrupting message boundary event: the message decides every open task of the token. */
  protected closeByMessage(token: Token, outcome: string, message: Message): void {
    for (const id of token.taskIds ?? []) {
      const task = this.tasks.get(id)!;
      if (task.state !== 'open') continue;
      this.decide(task, {
        taskId: task.id,
        nodeId: task.nodeId,
        outcome,
        actorId: message.actorId,
        onBehalfOf: null,
        delegationId: null,
        comment: `closed by message ${message.name}`,
        data: message.payload,
        at: Date.now(),
      });
    }
  }

  /** The task's outcome once its votes decide it; opens the next sequential voter's task. */
  protected advanceVotes(node: NodeOf<'userTask'>, token: Token): string | undefined {
    const tasks = token.taskIds!.map((id) => this.tasks.get(id)!);
    const multi = node.multiInstance;
    if (!multi) return this.withActions ? this.signedOutcome(node, token, true) : tasks[0]!.decision?.outcome;
    const vote = this.voteOf(node);
    // Tasks over items are new: every run counts them by the fixed rule.
    const outcome = this.fixed || !vote ? this.verdict(node, token) : this.legacyTally(vote, token, tasks);
    if (outcome) return outcome;
    if (multi.mode === 'sequential' && token.items && tasks.every((t) => t.state !== 'open')) {
      const index = tasks.length;
      const candidateIds = token.itemCandidates![index]!;
      const delegates = Object.fromEntries(Object.entries(token.delegates ?? {}).filter(([, d]) => d.validTo > Date.now()));
      this.openTask(node, token, candidateIds, delegates, tasks[0]!.dueAt, Date.now(), { index, value: token.items[index] });
    } else if (multi.mode === 'sequential' && tasks.every((t) => t.state !== 'open')) {
      const nextVoter = token.voters![tasks.length]!;
      // The delegations as they are at this voter's turn, not when the vote opened (#22.7, BOR-7).
      const delegates = this.fixed ? Object.fromEntries(Object.entries(token.delegates ?? {}).filter(([, d]) => d.validTo > Date.now())) : (token.delegates ?? {});
      this.openTask(node, token, [nextVoter], delegates, tasks[0]!.dueAt);
    }
    return undefined;
  }

  /** Runs before #22 counted the votes regardless of their order. */
  protected legacyTally(multi: VoteInstances, token: Token, tasks: TaskRecord[]): string | undefined {
    const tally = {
      total: token.voters?.length ?? tasks.length,
      approvals: tasks.filter((t) => t.decision?.outcome === multi.approve).length,
      rejections: tasks.filter((t) => t.decision?.outcome === multi.reject).length,
    };
    const verdict = multiInstanceOutcome(multi.completion, tally);
    return verdict && (verdict === 'approve' ? multi.approve : multi.reject);
  }

  protected nextBoundaryTimer(token: Token): { at: number; kind: 'reminder' | 'escalation' | 'auto'; index: number } | undefined {
    const timers = token.timers!;
    const candidates: { at: number; kind: 'reminder' | 'escalation' | 'auto'; index: number }[] = [];
    timers.reminders.forEach((reminder, index) => {
      const sent = token.remindersSent![index]!;
      if (sent === 0) candidates.push({ at: reminder.at, kind: 'reminder', index });
      else if (reminder.everyMs && reminder.everyMs > 0) candidates.push({ at: reminder.at + sent * reminder.everyMs, kind: 'reminder', index });
    });
    if (timers.escalateAt !== null && !token.escalated) candidates.push({ at: timers.escalateAt, kind: 'escalation', index: 0 });
    if (timers.autoAt !== null) candidates.push({ at: timers.autoAt, kind: 'auto', index: 0 });
    return candidates.sort((a, b) => a.at - b.at)[0];
  }

  protected async fireBoundaryTimer(node: NodeOf<'userTask'>, token: Token, kind: 'reminder' | 'escalation' | 'auto', index: number): Promise<string | undefined> {
    const openNow = () => token.taskIds!.map((id) => this.tasks.get(id)!).filter((task) => task.state === 'open');
    let open = openNow();
    if (kind === 'reminder') {
      await this.remind(node, token, index, () => openNow().flatMap((task) => task.candidateIds), open[0]?.id);
      return undefined;
    }
    if (kind === 'escalation') {
      token.escalated = true;
      const items = this.itemsOf(node);
      if (items) {
        // Each item's task goes to whoever the rule names for its item (its department's Deputy GM).
        for (const task of open) {
          const resolved = await this.resolve(node.escalation!.to, { variables: this.itemScope(items, task) });
          if (task.state === 'open') this.reassign(node, task, resolved);
        }
        return undefined;
      }
      const resolved = await this.resolve(node.escalation!.to);
      // A task decided while the look-up ran is not escalated.
      if (this.fixed) open = openNow();
      for (const task of open) this.reassign(node, task, resolved);
      return undefined;
    }
    const outcome = node.autoOutcome!.outcome;
    for (const task of open) {
      this.decide(task, {
        taskId: task.id,
        nodeId: task.nodeId,
        outcome,
        actorId: SYSTEM_ACTOR,
        onBehalfOf: null,
        delegationId: null,
        comment: 'automatic outcome when the task timed out',
        data: {},
        at: Date.now(),
      });
    }
    // The automatic outcome is a vote like the others: the completion rule counts it (#22.6).
    return (this.fixed && node.multiInstance) || this.itemsOf(node) ? this.advanceVotes(node, token) : outcome;
  }

  /** Hands an open task to the candidates an escalation found. */
  protected reassign(node: NodeOf<'userTask'>, task: TaskRecord, resolved: ResolvedCandidates): void {
    task.candidateIds = resolved.candidateIds;
    task.delegates = forCandidates(resolved.delegates, resolved.candidateIds);
    task.revision += 1;
    this.saveTask(task, [this.auditEntry('task.escalated', { taskId: task.id, ruleId: node.ruleId, detail: { candidateIds: resolved.candidateIds } })]);
  }

  /**
   * The organisation changed: each open task finds its candidates again by the rule that named
   * them (the escalation's, once escalated), so whoever now fits it gets it and whoever no longer
   * fits loses it. A vote's voters are people, fixed when it opened, and stay as they are; a rule
   * that now finds nobody leaves the task with those it had, rather than with no one.
   */
  protected async reresolveCandidates(change: CandidatesChange): Promise<void> {
    for (const task of [...this.tasks.values()]) {
      const node = this.nodes.get(task.nodeId);
      if (task.state !== 'open' || node?.type !== 'userTask' || this.voteOf(node)) continue;
      const escalated = this.tokens.get(task.tokenId)?.escalated === true && node.escalation !== undefined;
      const items = this.itemsOf(node);
      const resolved = await this.resolve(escalated ? node.escalation!.to : node.candidates, {
        allowInitiator: !escalated && node.initiatorMayDecide,
        allowNobody: true,
        ...(items ? { variables: this.itemScope(items, task) } : {}),
      });
      // A decision may have landed while the look-up ran.
      if (task.state !== 'open' || resolved.candidateIds.length === 0) continue;
      const before = task.candidateIds;
      const after = resolved.candidateIds;
      if (before.length === after.length && before.every((id) => after.includes(id))) continue;
      task.candidateIds = after;
      task.delegates = forCandidates(resolved.delegates, after);
      task.revision += 1;
      this.saveTask(task, [
        this.auditEntry('task.candidates_changed', {
          taskId: task.id,
          actorId: change.actorId,
          ruleId: node.ruleId,
          detail: {
            candidateIds: after,
            added: after.filter((id) => !before.includes(id)),
            removed: before.filter((id) => !after.includes(id)),
            changeId: change.changeId,
            reason: change.reason,
          },
        }),
      ]);
    }
    await this.flush();
  }

  /** Cancels the token's tasks nobody decided (the other voters of an `any` vote, an ending instance). */
  protected closeRemaining(token: Token): void {
    for (const id of token.taskIds ?? []) {
      const task = this.tasks.get(id)!;
      if (task.state !== 'open') continue;
      task.state = 'cancelled';
      task.revision += 1;
      this.saveTask(task, [this.auditEntry('task.cancelled', { taskId: task.id })]);
    }
  }
}
