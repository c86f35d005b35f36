// The BPMN elements a token runs through, and the tokens themselves: spawning, waiting, joins,
// timers, receive tasks, service tasks and child processes.
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
} from '@temporalio/workflow';
import type { EngineActivities } from '../activities/engine-types.ts';
import type { NodeOf, ProcessDefinition, ProcessNode } from '../definition/definition.ts';
import { definitionRef } from '../definition/graph.ts';
import { evaluateCondition, evaluateDurationMs, evaluateInstantMs, evaluateValue } from '../definition/feel.ts';
import { childWaitingSignal } from './messages.ts';
import type { Message, ProcessResult, Token } from './types.ts';
import type { runProcess } from './interpreter.ts';
import { UserTasks } from './user-tasks.ts';
import { Terminated } from './state.ts';

// Service tasks may be slow or call other systems: ordinary activities with their own retries.
const services = proxyActivities<EngineActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' },
});

export abstract class Elements extends UserTasks {
  protected spawn(token: Token): void {
    this.tokens.set(token.id, token);
    this.progress.set(token.id, { step: 0, waiting: false });
    this.runToken(token).then(
      () => this.progress.delete(token.id),
      (error: unknown) => {
        this.progress.delete(token.id);
        if (error instanceof Terminated || (this.terminating && isCancellation(error))) return;
        this.failure ??= error;
      },
    );
  }

  protected async runToken(token: Token): Promise<void> {
    for (;;) {
      const next = await this.execute(this.node(token.nodeId), token);
      if (next === undefined) {
        this.tokens.delete(token.id);
        // A path that ends (or waits at a join) while others go on writes what it did now.
        if (this.fixed && this.tokens.size > 0) await this.flush();
        return;
      }
      this.tokens.set(token.id, { id: token.id, nodeId: next, enteredAt: Date.now() });
      token = this.tokens.get(token.id)!;
      // A token that took a path away from a join it could have reached no longer holds it up;
      // one on its way to an end event ends the instance instead, as before.
      if (this.fixed && this.node(next).type !== 'endEvent') this.releaseJoins();
      if (this.fixed) this.expireMessages();
    }
  }

  /**
   * Waits for `ready` or until `untilMs`. `ready`: it was true when the wait ended; `timedOut`:
   * the wait ended because its time came, not because something woke it (#22.1). Ends the token
   * if the instance is ending.
   */
  protected async waitFor(token: Token, ready: () => boolean, untilMs?: number): Promise<{ ready: boolean; timedOut: boolean }> {
    const progress = this.progress.get(token.id)!;
    const timeout = untilMs === undefined ? undefined : untilMs - Date.now();
    let happened = ready();
    if (!happened && (timeout === undefined || timeout > 0)) {
      await this.flush();
      happened = ready();
    }
    if (!happened && (timeout === undefined || timeout > 0)) {
      if (this.fixed && !this.toldParent && this.input.parentId) this.tellParent(this.input.parentId);
      progress.waiting = true;
      happened = await condition(() => ready() || this.terminating !== undefined, timeout);
      progress.waiting = false;
      progress.step += 1;
    } else {
      progress.step += 1;
    }
    if (this.terminating) throw new Terminated();
    return { ready: happened && ready(), timedOut: !happened };
  }

  /** Tells the parent that this child waits, its tasks written, once per child (#22.9). */
  protected tellParent(parentId: string): void {
    this.toldParent = true;
    getExternalWorkflowHandle(parentId)
      .signal(childWaitingSignal, { childId: this.processId, openTasks: this.openTaskList() })
      .catch(() => undefined);
  }

  protected async execute(node: ProcessNode, token: Token): Promise<string | undefined> {
    if (this.terminating) throw new Terminated();
    switch (node.type) {
      case 'startEvent':
        return node.next;
      case 'endEvent':
        this.status = node.status;
        if (node.terminate) this.terminating = { status: node.status, actorId: null, reason: null };
        return undefined;
      case 'exclusiveGateway':
        return node.branches.find((branch) => evaluateCondition(branch.when, this.variables, this.zone))?.to ?? node.default;
      case 'parallelGateway':
        return this.fixed ? this.join(node, token) : this.parallelGateway(node);
      case 'timerEvent': {
        token.fireAt ??= node.duration
          ? token.enteredAt + evaluateDurationMs(node.duration, this.variables, token.enteredAt, this.zone)
          : evaluateInstantMs(node.date!, this.variables, this.zone);
        await this.waitFor(token, () => false, token.fireAt);
        this.audit([this.auditEntry('timer.fired', { ruleId: node.ruleId, detail: { nodeId: node.id, due: new Date(token.fireAt).toISOString() } })]);
        return node.next;
      }
      case 'receiveTask':
        return this.receiveTask(node, token);
      case 'serviceTask': {
        // An ending instance cancels a service still retrying, so the end is not held up by it.
        const result = await this.runService(node, this.variables, this.fixed);
        this.variables = { ...this.variables, [node.resultVariable ?? node.id]: result };
        return node.next;
      }
      case 'callActivity':
        return this.callActivity(node, token);
      case 'userTask':
        return this.userTask(node, token);
    }
  }

  /** Calls an allow-listed service with its input evaluated over `context`; `cancellable` lets an ending instance cancel it. */
  protected async runService(call: { activity: string; input: Record<string, string> }, context: Record<string, unknown>, cancellable: boolean): Promise<Record<string, unknown>> {
    const input = Object.fromEntries(Object.entries(call.input).map(([name, expression]) => [name, evaluateValue(expression, context, this.zone)]));
    // The trail reads in order: what led here is written before the service writes its own.
    await this.flush();
    const run = () => services.runService({ name: call.activity, processId: this.processId, key: this.nextKey(), input, at: Date.now() });
    return this.track(() => (cancellable ? this.cancellable(run) : run()));
  }

  /**
   * A parallel gateway fires once no other token can still reach it, taking every token waiting
   * there; a gateway no other token can reach (a fork, or a rework flow back into it) fires at
   * once (#22.8). The tokens that wait are counted in `joins`.
   */
  protected join(node: NodeOf<'parallelGateway'>, token: Token): string | undefined {
    if ([...this.tokens.values()].some((other) => other.id !== token.id && this.canReach(other, node.id))) {
      this.joins = { ...this.joins, [node.id]: (this.joins[node.id] ?? 0) + 1 };
      return undefined;
    }
    const { [node.id]: _done, ...rest } = this.joins;
    this.joins = rest;
    for (const branch of node.next.slice(1)) this.spawn({ id: `t${++this.sequence}`, nodeId: branch, enteredAt: Date.now() });
    return node.next[0];
  }

  /** Fires the joins with tokens waiting that no token can reach any more. */
  protected releaseJoins(): void {
    for (const id of Object.keys(this.joins)) {
      if ([...this.tokens.values()].some((token) => this.canReach(token, id))) continue;
      const { [id]: _released, ...rest } = this.joins;
      this.joins = rest;
      for (const branch of (this.node(id) as NodeOf<'parallelGateway'>).next) this.spawn({ id: `t${++this.sequence}`, nodeId: branch, enteredAt: Date.now() });
    }
  }

  /** Whether a path waits for the message at a node it is at or can still reach. */
  protected mayBeTaken(message: Message): boolean {
    const nodes = this.awaitedAt.get(message.name) ?? [];
    return [...this.tokens.values()].some((token) => nodes.some((nodeId) => this.canReach(token, nodeId)));
  }

  /** Drops the kept messages no path can take any more (the nodes waiting for them are behind every path). */
  protected expireMessages(): void {
    const expired = this.inbox.filter((message) => !this.mayBeTaken(message));
    if (expired.length === 0) return;
    this.inbox = this.inbox.filter((message) => !expired.includes(message));
    this.audit(expired.map((message) => this.auditEntry('message.expired', { actorId: message.actorId, detail: { message: message.name } })));
  }

  protected parallelGateway(node: NodeOf<'parallelGateway'>): string | undefined {
    const expected = this.incoming.get(node.id) ?? 1;
    if (expected > 1) {
      const arrived = (this.joins[node.id] ?? 0) + 1;
      if (arrived < expected) {
        this.joins = { ...this.joins, [node.id]: arrived };
        return undefined;
      }
      const { [node.id]: _done, ...rest } = this.joins;
      this.joins = rest;
    }
    for (const branch of node.next.slice(1)) {
      this.spawn({ id: `t${++this.sequence}`, nodeId: branch, enteredAt: Date.now() });
    }
    return node.next[0];
  }

  protected async receiveTask(node: NodeOf<'receiveTask'>, token: Token): Promise<string> {
    if (!token.timers) {
      const opened = token.enteredAt;
      const deadline = node.deadline ? opened + evaluateDurationMs(node.deadline.after, this.variables, opened, this.zone) : null;
      token.fireAt = deadline ?? undefined;
      token.timers = { reminders: this.reminderTimes(node.reminders, opened, deadline), escalateAt: null, autoAt: null };
      token.remindersSent = token.timers.reminders.map(() => 0);
    }
    let message: Message | undefined;
    for (;;) {
      const reminder = this.nextBoundaryTimer(token);
      const wakeAt = Math.min(reminder?.at ?? Infinity, token.fireAt ?? Infinity);
      await this.waitFor(token, () => this.inbox.some((m) => m.name === node.message), Number.isFinite(wakeAt) ? wakeAt : undefined);
      message = this.takeMessage([node.message]);
      if (message && node.form && !this.formOf(node).safeParse(message.payload).success) {
        // A malformed message must not fail the instance: it is refused on the record and ignored.
        this.audit([this.auditEntry('message.refused', { actorId: message.actorId, ruleId: node.ruleId, detail: { nodeId: node.id, message: node.message, payload: message.payload } })]);
        continue;
      }
      if (message) break;
      if (token.fireAt !== undefined && Date.now() >= token.fireAt) {
        this.audit([this.auditEntry('receive.deadline', { ruleId: node.ruleId, detail: { nodeId: node.id, message: node.message } })]);
        return node.deadline!.to;
      }
      // Woken by a message a sibling took: the reminder is not due yet (#22.1).
      if (reminder && (!this.fixed || Date.now() >= reminder.at)) await this.remind(node, token, reminder.index, () => []);
    }
    this.variables = { ...this.variables, [node.resultVariable ?? node.id]: message.payload };
    this.audit([this.auditEntry('message.received', { actorId: message.actorId, ruleId: node.ruleId, detail: { nodeId: node.id, message: node.message, payload: message.payload } })]);
    return node.next;
  }

  protected async callActivity(node: NodeOf<'callActivity'>, token: Token): Promise<string> {
    const ref = definitionRef(node.process);
    const definition = this.input.library?.[ref];
    if (!definition) throw ApplicationFailure.nonRetryable(`definition ${ref} was not pinned at start`, 'DEFINITION_NOT_PINNED');
    if (node.multiInstance) return this.callPerItem(node, node.multiInstance, token, definition);
    token.childId ??= `${this.processId}.${node.id}.${++this.sequence}`;
    const childId = token.childId;
    const variables = Object.fromEntries(Object.entries(node.input).map(([name, expression]) => [name, evaluateValue(expression, this.variables, this.zone)]));
    await this.flush();
    try {
      const result = await this.track(() =>
        this.cancellable(() =>
          executeChild<typeof runProcess>('runProcess', {
            workflowId: childId,
            args: [{ processId: childId, definition, library: this.input.library, initiator: this.input.initiator, variables, parentId: this.processId }],
          }),
        ),
      );
      this.variables = { ...this.variables, [node.resultVariable ?? node.id]: result };
    } finally {
      this.childTasks.delete(token.id);
      const progress = this.progress.get(token.id);
      if (progress) progress.waiting = false;
    }
    if (this.terminating) throw new Terminated();
    return node.next;
  }

  /**
   * One child process per item (all at once, or one after another), each given its item under
   * `as` when its input is evaluated; the result lists each item with its child's result.
   */
  protected async callPerItem(
    node: NodeOf<'callActivity'>,
    multi: NonNullable<NodeOf<'callActivity'>['multiInstance']>,
    token: Token,
    definition: ProcessDefinition,
  ): Promise<string> {
    const items = (token.items ??= this.itemList(multi.items));
    const childIds = (token.childIds ??= items.map(() => `${this.processId}.${node.id}.${++this.sequence}`));
    const running = new Set<string>();
    this.runningChildren.set(token.id, running);
    const call = async (index: number): Promise<ProcessResult> => {
      const childId = childIds[index]!;
      const scope = { ...this.variables, [multi.as]: items[index] };
      const variables = Object.fromEntries(Object.entries(node.input).map(([name, expression]) => [name, evaluateValue(expression, scope, this.zone)]));
      running.add(childId);
      try {
        return await this.track(() =>
          this.cancellable(() =>
            executeChild<typeof runProcess>('runProcess', {
              workflowId: childId,
              args: [{ processId: childId, definition, library: this.input.library, initiator: this.input.initiator, variables, parentId: this.processId }],
            }),
          ),
        );
      } finally {
        running.delete(childId);
        this.childTasks.delete(childId);
        // The path waits while every child still running waits.
        const progress = this.progress.get(token.id);
        if (progress) progress.waiting = false;
        this.childrenWaiting(token);
      }
    };
    await this.flush();
    const results: ProcessResult[] = [];
    try {
      if (multi.mode === 'parallel') results.push(...(await Promise.all(items.map((_, index) => call(index)))));
      else for (const index of items.keys()) results.push(await call(index));
    } finally {
      this.runningChildren.delete(token.id);
    }
    if (this.terminating) throw new Terminated();
    this.variables = { ...this.variables, [node.resultVariable ?? node.id]: { items: items.map((item, index) => ({ item, ...results[index] })) } };
    return node.next;
  }

  /** A callActivity over items waits once every child it is running waits (its tasks known). */
  protected childrenWaiting(token: Token): void {
    const progress = this.progress.get(token.id);
    const running = this.runningChildren.get(token.id);
    if (!progress || progress.waiting || !running?.size || ![...running].every((id) => this.childTasks.has(id))) return;
    progress.waiting = true;
    progress.step += 1;
  }

  /** Runs work that an ending instance cancels (a child process; a service task, in fixed runs). */
  protected async cancellable<T>(work: () => Promise<T>): Promise<T> {
    const scope = new CancellationScope();
    this.children.add(scope);
    try {
      return await scope.run(work);
    } finally {
      this.children.delete(scope);
    }
  }
}
