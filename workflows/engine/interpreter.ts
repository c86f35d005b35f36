// The one workflow that runs every process definition. Deterministic: all I/O goes through
// activities, time comes from the workflow clock, and every wait is resumable after
// continue-as-new because tokens keep absolute times and the ids of what they opened.
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  AuditEntry,
  EngineActivities,
  ProjectionBatch,
  ResolveCandidatesInput,
  ResolvedRule,
  ResolvedSpec,
  TaskWrite,
} from '../../activities/engine-types.ts';
import type { CandidateRule, NodeOf, ProcessDefinition, ProcessNode } from '../../domain/process/definition.ts';
import { definitionRef } from '../../domain/process/definition.ts';
import { evaluateCondition, evaluateDurationMs, evaluateFeel, evaluateInstantMs, evaluateValue } from '../../domain/process/feel.ts';
import { formValidator } from '../../domain/process/forms.ts';
import { multiInstanceOutcome } from '../../domain/process/multi-instance.ts';
import { incomingCounts } from '../../domain/process/validate.ts';
import { initialVariables } from '../../domain/process/variables.ts';
import { withinSecrecy } from '../../domain/secrecy.ts';
import { cancelUpdate, completeTaskUpdate, delegationSignal, messageSignal, refusalCodes, stateQuery } from './messages.ts';
import type {
  CompleteTaskInput,
  Decision,
  DelegationNotice,
  Message,
  ProcessInput,
  ProcessResult,
  ProcessSnapshot,
  ProcessView,
  TaskRecord,
  TaskTimers,
  Token,
} from './types.ts';

// Projection writes are short and idempotent: local activities keep them off the task queue.
const projection = proxyLocalActivities<EngineActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// Service tasks may be slow or call other systems: ordinary activities with their own retries.
const services = proxyActivities<EngineActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' },
});

const DEFAULT_HISTORY_LIMIT = 10_000;
/** The actor recorded for decisions the engine takes itself (automatic outcomes). */
export const SYSTEM_ACTOR = 'system';

/** Thrown inside a token when the instance is ending, to unwind it. */
class Terminated extends Error {}

export async function runProcess(input: ProcessInput): Promise<ProcessResult> {
  return new Interpreter(input).run();
}

class Interpreter {
  private readonly definition: ProcessDefinition;
  private readonly nodes: Map<string, ProcessNode>;
  private readonly incoming: Map<string, number>;
  private readonly processId: string;
  private status: string;
  private variables: Record<string, unknown>;
  private readonly tokens = new Map<string, Token>();
  private readonly tasks = new Map<string, TaskRecord>();
  private decisions: Decision[];
  private joins: Record<string, number>;
  private inbox: Message[];
  private readonly seenMessageIds: Set<string>;
  private delegations: DelegationNotice[];
  private sequence: number;
  private readonly startedAt: number;
  private secrecy: string | null = null;
  /** Activities and child processes under way: continue-as-new waits for none. */
  private inFlight = 0;
  private terminating: { status: string; actorId: string | null; reason: string | null } | undefined;
  private failure: unknown;
  /** Each token's count of wake-ups and whether it is waiting now, so a decision can wait for its effects. */
  private readonly progress = new Map<string, { step: number; waiting: boolean }>();
  private readonly children = new Set<CancellationScope>();
  private ended = false;
  private readonly forms = new Map<string, ReturnType<typeof formValidator>>();
  /**
   * Projection writes not yet handed to PostgreSQL. They go in one local activity when a token
   * is about to wait (or with the next candidate look-up), so a step costs one round trip, not
   * one per row; whoever next reads the inbox after the step finds them written.
   */
  private outbox: ProjectionBatch = emptyBatch();

  constructor(private readonly input: ProcessInput) {
    this.definition = input.definition;
    // The workflow id, not the input's: a Schedule appends the run time to the ids it starts.
    this.processId = workflowInfo().workflowId;
    this.nodes = new Map(this.definition.nodes.map((node) => [node.id, node]));
    this.incoming = incomingCounts(this.definition);
    const resume = input.resume;
    this.status = resume?.status ?? 'running';
    this.startedAt = resume?.startedAt ?? Date.now();
    this.variables = resume?.variables ?? initialVariables(input);
    for (const token of resume?.tokens ?? []) this.tokens.set(token.id, token);
    for (const task of resume?.tasks ?? []) this.tasks.set(task.id, task);
    this.decisions = resume?.decisions ?? [];
    this.joins = resume?.joins ?? {};
    this.inbox = resume?.inbox ?? [];
    this.seenMessageIds = new Set(resume?.seenMessageIds ?? []);
    this.delegations = resume?.delegations ?? [];
    this.sequence = resume?.sequence ?? 0;
  }

  async run(): Promise<ProcessResult> {
    this.installHandlers();
    this.secrecy = this.definition.secrecy ? String(evaluateFeel(this.definition.secrecy, this.variables) ?? '') || null : null;
    if (!this.input.resume) {
      const start = this.definition.nodes.find((node) => node.type === 'startEvent')!;
      this.tokens.set('t0', { id: 't0', nodeId: start.id, enteredAt: Date.now() });
      this.saveInstance('process.started');
    }
    for (const token of [...this.tokens.values()]) this.spawn(token);

    for (;;) {
      await condition(() => this.tokens.size === 0 || this.terminating !== undefined || this.failure !== undefined || this.historyFull());
      if (this.failure !== undefined) throw this.failure;
      if (this.tokens.size === 0 || this.terminating) break;
      // Continue-as-new only between steps, with no activity or update half done.
      await this.flush();
      await condition(() => this.inFlight === 0 && allHandlersFinished() && isEmpty(this.outbox));
      if (this.tokens.size === 0 || this.terminating || this.failure !== undefined) continue;
      await continueAsNew<typeof runProcess>({ ...this.input, resume: this.snapshot() });
    }
    await this.finish();
    await condition(allHandlersFinished);
    return { status: this.status, variables: this.variables };
  }

  // ---------------------------------------------------------------- messages

  private installHandlers(): void {
    setHandler(stateQuery, () => this.view());

    setHandler(
      completeTaskUpdate,
      async (decision) => {
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
        const token = this.progress.get(task.tokenId);
        const step = token?.step ?? 0;
        this.decide(task, record);
        // Answer once the instance has acted on the decision (next task open, or ended) and
        // the inbox shows it.
        await condition(() => {
          const now = this.progress.get(task.tokenId);
          return now === undefined || (now.step > step && now.waiting) || this.tokens.size === 0;
        });
        await this.flush();
        return {
          taskId: task.id,
          outcome: record.outcome,
          decidedBy: record.actorId,
          onBehalfOf: record.onBehalfOf,
          delegationId: record.delegationId,
          status: this.status,
          openTasks: [...this.tasks.values()].filter((t) => t.state === 'open').map((t) => ({ id: t.id, nodeId: t.nodeId, candidateIds: t.candidateIds })),
        };
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
          if (allowed && [...this.tokens.values()].some((token) => !allowed.includes(token.nodeId))) {
            throw refusal(refusalCodes.NOT_CANCELLABLE, `the process can no longer be cancelled at ${this.activeNodes().join(', ')}`);
          }
        },
      },
    );

    setHandler(messageSignal, (message) => {
      if (this.seenMessageIds.has(message.id)) return;
      this.seenMessageIds.add(message.id);
      this.inbox.push(message);
    });

    setHandler(delegationSignal, async (notice) => {
      this.delegations = [...this.delegations.filter((d) => d.delegationId !== notice.delegationId), ...(notice.active ? [notice] : [])];
      await this.applyDelegation(notice);
    });
  }

  private validateDecision(decision: CompleteTaskInput): void {
    const task = this.tasks.get(decision.taskId);
    if (!task) throw refusal(refusalCodes.TASK_NOT_FOUND, `no task ${decision.taskId} in this process`);
    if (this.terminating || this.ended) throw refusal(refusalCodes.PROCESS_ENDED, 'the process has ended');
    if (task.state !== 'open') throw refusal(refusalCodes.TASK_ALREADY_COMPLETED, `task ${task.id} is already ${task.state}`);
    if (!this.authority(task, decision.actorId)) throw refusal(refusalCodes.NOT_A_CANDIDATE, `${decision.actorId} may not decide task ${task.id}`);
    if (!task.outcomes.includes(decision.outcome)) {
      throw refusal(refusalCodes.INVALID_OUTCOME, `outcome "${decision.outcome}" is not one of ${task.outcomes.join(', ')}`);
    }
    const node = this.node(task.nodeId) as NodeOf<'userTask'>;
    const form = this.formOf(node).safeParse(decision.data ?? {});
    if (!form.success) {
      throw refusal(
        refusalCodes.INVALID_TASK_DATA,
        'the task data is invalid',
        form.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      );
    }
  }

  /** Who a decision by `actorId` is made as: in their own right, or for a principal (BOR-7). */
  private authority(task: TaskRecord, actorId: string): { onBehalfOf: string | null; delegationId: string | null } | undefined {
    if (task.candidateIds.includes(actorId)) return { onBehalfOf: null, delegationId: null };
    const delegate = task.delegates[actorId];
    // The delegation's end is checked here too: its ending signal may still be on its way.
    if (delegate && delegate.validTo > Date.now() && task.candidateIds.includes(delegate.principalId)) {
      return { onBehalfOf: delegate.principalId, delegationId: delegate.delegationId };
    }
    return undefined;
  }

  private decide(task: TaskRecord, decision: Decision): void {
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

  private async applyDelegation(notice: DelegationNotice): Promise<void> {
    const inScope =
      (!notice.processKeys || notice.processKeys.includes(this.definition.key)) && withinSecrecy(this.secrecy, notice.maxSecrecy);
    // Every task changes before any is saved: a decision arriving while the projections are
    // written must already see the delegation as it now is.
    const changed: TaskRecord[] = [];
    for (const task of this.tasks.values()) {
      if (task.state !== 'open' || !task.candidateIds.includes(notice.principalId)) continue;
      const holds = task.delegates[notice.delegateId]?.delegationId === notice.delegationId;
      if (notice.active && inScope && !holds && notice.delegateId !== this.input.initiator.id) {
        task.delegates = { ...task.delegates, [notice.delegateId]: { delegationId: notice.delegationId, principalId: notice.principalId, validTo: notice.validTo } };
      } else if (!notice.active && holds) {
        const { [notice.delegateId]: _removed, ...rest } = task.delegates;
        task.delegates = rest;
      } else continue;
      task.revision += 1;
      changed.push(task);
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

  // ---------------------------------------------------------------- tokens

  private spawn(token: Token): void {
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

  private async runToken(token: Token): Promise<void> {
    for (;;) {
      const next = await this.execute(this.node(token.nodeId), token);
      if (next === undefined) {
        this.tokens.delete(token.id);
        return;
      }
      this.tokens.set(token.id, { id: token.id, nodeId: next, enteredAt: Date.now() });
      token = this.tokens.get(token.id)!;
    }
  }

  /** Waits for `ready` or until `untilMs`; false on timeout. Ends the token if the instance is ending. */
  private async waitFor(token: Token, ready: () => boolean, untilMs?: number): Promise<boolean> {
    const progress = this.progress.get(token.id)!;
    const timeout = untilMs === undefined ? undefined : untilMs - Date.now();
    let happened = ready();
    if (!happened && (timeout === undefined || timeout > 0)) {
      await this.flush();
      happened = ready();
    }
    if (!happened && (timeout === undefined || timeout > 0)) {
      progress.waiting = true;
      happened = await condition(() => ready() || this.terminating !== undefined, timeout);
      progress.waiting = false;
      progress.step += 1;
    } else {
      progress.step += 1;
    }
    if (this.terminating) throw new Terminated();
    return happened && ready();
  }

  private async execute(node: ProcessNode, token: Token): Promise<string | undefined> {
    if (this.terminating) throw new Terminated();
    switch (node.type) {
      case 'startEvent':
        return node.next;
      case 'endEvent':
        this.status = node.status;
        if (node.terminate) this.terminating = { status: node.status, actorId: null, reason: null };
        return undefined;
      case 'exclusiveGateway':
        return node.branches.find((branch) => evaluateCondition(branch.when, this.variables))?.to ?? node.default;
      case 'parallelGateway':
        return this.parallelGateway(node);
      case 'timerEvent': {
        token.fireAt ??= node.duration
          ? token.enteredAt + evaluateDurationMs(node.duration, this.variables, token.enteredAt)
          : evaluateInstantMs(node.date!, this.variables);
        await this.waitFor(token, () => false, token.fireAt);
        this.audit([this.auditEntry('timer.fired', { ruleId: node.ruleId, detail: { nodeId: node.id, due: new Date(token.fireAt).toISOString() } })]);
        return node.next;
      }
      case 'receiveTask':
        return this.receiveTask(node, token);
      case 'serviceTask': {
        const result = await this.runService(node, this.variables);
        this.variables = { ...this.variables, [node.resultVariable ?? node.id]: result };
        return node.next;
      }
      case 'callActivity':
        return this.callActivity(node, token);
      case 'userTask':
        return this.userTask(node, token);
    }
  }

  /** Calls an allow-listed service with its input evaluated over `context`. */
  private async runService(call: { activity: string; input: Record<string, string> }, context: Record<string, unknown>): Promise<Record<string, unknown>> {
    const input = Object.fromEntries(Object.entries(call.input).map(([name, expression]) => [name, evaluateValue(expression, context)]));
    // The trail reads in order: what led here is written before the service writes its own.
    await this.flush();
    return this.track(() => services.runService({ name: call.activity, processId: this.processId, key: this.nextKey(), input, at: Date.now() }));
  }

  private parallelGateway(node: NodeOf<'parallelGateway'>): string | undefined {
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

  private async receiveTask(node: NodeOf<'receiveTask'>, token: Token): Promise<string> {
    if (!token.timers) {
      const opened = token.enteredAt;
      const deadline = node.deadline ? opened + evaluateDurationMs(node.deadline.after, this.variables, opened) : null;
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
      if (reminder) await this.remind(node, token, reminder.index, []);
    }
    this.variables = { ...this.variables, [node.resultVariable ?? node.id]: message.payload };
    this.audit([this.auditEntry('message.received', { actorId: message.actorId, ruleId: node.ruleId, detail: { nodeId: node.id, message: node.message, payload: message.payload } })]);
    return node.next;
  }

  /** The first buffered message with one of these names, taken out of the inbox. */
  private takeMessage(names: string[]): Message | undefined {
    const index = this.inbox.findIndex((m) => names.includes(m.name));
    if (index < 0) return undefined;
    const message = this.inbox[index]!;
    this.inbox = this.inbox.filter((_, i) => i !== index);
    return message;
  }

  private async callActivity(node: NodeOf<'callActivity'>, token: Token): Promise<string> {
    const ref = definitionRef(node.process);
    const definition = this.input.library?.[ref];
    if (!definition) throw ApplicationFailure.nonRetryable(`definition ${ref} was not pinned at start`, 'DEFINITION_NOT_PINNED');
    token.childId ??= `${this.processId}.${node.id}.${++this.sequence}`;
    const childId = token.childId;
    const variables = Object.fromEntries(Object.entries(node.input).map(([name, expression]) => [name, evaluateValue(expression, this.variables)]));
    await this.flush();
    const scope = new CancellationScope();
    this.children.add(scope);
    try {
      const result = await this.track(() =>
        scope.run(() =>
          executeChild(runProcess, {
            workflowId: childId,
            args: [{ processId: childId, definition, library: this.input.library, initiator: this.input.initiator, variables, parentId: this.processId }],
          }),
        ),
      );
      this.variables = { ...this.variables, [node.resultVariable ?? node.id]: result };
    } finally {
      this.children.delete(scope);
    }
    if (this.terminating) throw new Terminated();
    return node.next;
  }

  // ---------------------------------------------------------------- user tasks

  private async userTask(node: NodeOf<'userTask'>, token: Token): Promise<string> {
    if (!token.taskIds) await this.openTasks(node, token);
    let outcome: string | undefined;
    for (;;) {
      outcome = this.advanceVotes(node, token);
      if (outcome) break;
      const timer = this.nextBoundaryTimer(token);
      const mine = () => token.taskIds!.map((id) => this.tasks.get(id)!);
      const decided = mine().filter((task) => task.state === 'completed').length;
      const boundaryMessages = (node.messages ?? []).map((m) => m.message);
      const changed = await this.waitFor(
        token,
        () => mine().filter((task) => task.state === 'completed').length > decided || this.inbox.some((m) => boundaryMessages.includes(m.name)),
        timer?.at,
      );
      const message = this.takeMessage(boundaryMessages);
      if (message) {
        outcome = node.messages!.find((m) => m.message === message.name)!.outcome;
        this.closeByMessage(token, outcome, message);
        break;
      }
      if (!changed && timer) {
        outcome = await this.fireBoundaryTimer(node, token, timer.kind, timer.index);
        if (outcome) break;
      }
    }
    this.closeRemaining(token);
    const decisions = token.taskIds!.map((id) => this.tasks.get(id)!.decision).filter((d): d is Decision => d !== undefined);
    const last = decisions.at(-1);
    this.variables = {
      ...this.variables,
      [node.resultVariable ?? node.id]: {
        outcome,
        data: last?.data ?? {},
        decidedBy: last?.actorId ?? null,
        onBehalfOf: last?.onBehalfOf ?? null,
        comment: last?.comment ?? null,
        votes: decisions.map((d) => ({ actorId: d.actorId, outcome: d.outcome, onBehalfOf: d.onBehalfOf, data: d.data })),
      },
    };
    return typeof node.next === 'string' ? node.next : node.next[outcome]!;
  }

  private async openTasks(node: NodeOf<'userTask'>, token: Token): Promise<void> {
    const opened = Date.now();
    const dueAt = node.due ? opened + evaluateDurationMs(node.due, this.variables, opened) : null;
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
    const from = (timer: { from: 'opened' | 'due' }) => (timer.from === 'due' && dueAt !== null ? dueAt : opened);
    const at = (timer: { after: string; from: 'opened' | 'due' }) => from(timer) + evaluateDurationMs(timer.after, this.variables, from(timer));
    const timers: TaskTimers = {
      reminders: this.reminderTimes(node.reminders, opened, dueAt),
      escalateAt: node.escalation ? at(node.escalation) : null,
      autoAt: node.autoOutcome ? at(node.autoOutcome) : null,
    };
    token.timers = timers;
    token.remindersSent = timers.reminders.map(() => 0);
    if (single) {
      single.candidateIds = resolved.candidateIds;
      single.delegates = forCandidates(resolved.delegates, resolved.candidateIds);
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
    if (mode === 'sequential') {
      token.voters = resolved.candidateIds;
      token.delegates = resolved.delegates;
    }
    const groups = mode === 'parallel' ? resolved.candidateIds.map((id) => [id]) : [[resolved.candidateIds[0]!]];
    for (const candidateIds of groups) this.openTask(node, token, candidateIds, resolved.delegates, dueAt, opened);
  }

  /** Opens one task and queues its projection (multi-instance voters, one task each). */
  private openTask(
    node: NodeOf<'userTask'>,
    token: Token,
    candidateIds: string[],
    delegates: TaskRecord['delegates'],
    dueAt: number | null,
    openedAt = Date.now(),
  ): void {
    const task = this.newTask(node, token, candidateIds, delegates, dueAt, openedAt);
    this.tasks.set(task.id, task);
    token.taskIds = [...(token.taskIds ?? []), task.id];
    this.saveTask(task, [this.auditEntry('task.opened', { taskId: task.id, ruleId: node.ruleId, detail: { candidateIds, dueAt: dueAt && new Date(dueAt).toISOString() } })]);
  }

  private newTask(
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
  private reminderTimes(reminders: { after: string; from: 'opened' | 'due'; every?: string | undefined }[] | undefined, opened: number, dueAt: number | null): TaskTimers['reminders'] {
    return (reminders ?? []).map((reminder) => {
      const from = reminder.from === 'due' && dueAt !== null ? dueAt : opened;
      const at = from + evaluateDurationMs(reminder.after, this.variables, from);
      return { at, everyMs: reminder.every ? evaluateDurationMs(reminder.every, this.variables, at) : null };
    });
  }

  /** Sends reminder `index`: to the given users and to whoever the reminder names. */
  private async remind(node: NodeOf<'userTask'> | NodeOf<'receiveTask'>, token: Token, index: number, userIds: string[], taskId?: string): Promise<void> {
    token.remindersSent = token.remindersSent!.map((sent, i) => (i === index ? sent + 1 : sent));
    const notify = node.reminders![index]!.notify;
    const extra = notify ? (await this.resolve({ anyOf: notify }, { allowInitiator: true, allowNobody: true })).candidateIds : [];
    const recipients = [...new Set([...userIds, ...extra])];
    const label = node.name ? `"${node.name.en}" (${node.name.zh})` : node.id;
    this.outbox.notices.push({
      key: this.nextKey(),
      processId: this.processId,
      taskId,
      userIds: recipients,
      kind: node.type === 'userTask' ? 'task.reminder' : 'process.reminder',
      text: node.type === 'userTask' ? `Reminder: ${label} is waiting for your decision.` : `Reminder: ${label} is due.`,
      at: Date.now(),
    });
    this.audit([this.auditEntry('reminder.sent', { taskId, ruleId: node.ruleId, detail: { nodeId: node.id, userIds: recipients, count: token.remindersSent[index] } })]);
  }

  /** An interrupting message boundary event: the message decides every open task of the token. */
  private closeByMessage(token: Token, outcome: string, message: Message): void {
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
  private advanceVotes(node: NodeOf<'userTask'>, token: Token): string | undefined {
    const tasks = token.taskIds!.map((id) => this.tasks.get(id)!);
    const multi = node.multiInstance;
    if (!multi) return tasks[0]!.decision?.outcome;
    const voters = token.voters?.length ?? tasks.length;
    const tally = {
      total: voters,
      approvals: tasks.filter((t) => t.decision?.outcome === multi.approve).length,
      rejections: tasks.filter((t) => t.decision?.outcome === multi.reject).length,
    };
    const verdict = multiInstanceOutcome(multi.completion, tally);
    if (verdict) return verdict === 'approve' ? multi.approve : multi.reject;
    if (multi.mode === 'sequential' && tasks.every((t) => t.state !== 'open')) {
      const nextVoter = token.voters![tasks.length]!;
      this.openTask(node, token, [nextVoter], token.delegates ?? {}, tasks[0]!.dueAt);
    }
    return undefined;
  }

  private nextBoundaryTimer(token: Token): { at: number; kind: 'reminder' | 'escalation' | 'auto'; index: number } | undefined {
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

  private async fireBoundaryTimer(node: NodeOf<'userTask'>, token: Token, kind: 'reminder' | 'escalation' | 'auto', index: number): Promise<string | undefined> {
    const open = token.taskIds!.map((id) => this.tasks.get(id)!).filter((task) => task.state === 'open');
    if (kind === 'reminder') {
      await this.remind(node, token, index, open.flatMap((task) => task.candidateIds), open[0]?.id);
      return undefined;
    }
    if (kind === 'escalation') {
      token.escalated = true;
      const resolved = await this.resolve(node.escalation!.to);
      for (const task of open) {
        task.candidateIds = resolved.candidateIds;
        task.delegates = forCandidates(resolved.delegates, resolved.candidateIds);
        task.revision += 1;
        this.saveTask(task, [this.auditEntry('task.escalated', { taskId: task.id, ruleId: node.ruleId, detail: { candidateIds: resolved.candidateIds } })]);
      }
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
    return outcome;
  }

  /** Cancels the token's tasks nobody decided (the other voters of an `any` vote, an ending instance). */
  private closeRemaining(token: Token): void {
    for (const id of token.taskIds ?? []) {
      const task = this.tasks.get(id)!;
      if (task.state !== 'open') continue;
      task.state = 'cancelled';
      task.revision += 1;
      this.saveTask(task, [this.auditEntry('task.cancelled', { taskId: task.id })]);
    }
  }

  /**
   * Evaluates a rule's FEEL and asks the organisation who fits it. `allowInitiator`: the
   * initiator may be among them (notices; tasks that are the initiator's own duty).
   * `allowNobody`: for notices, where finding nobody (a user who has left) is no reason to fail.
   */
  private async resolve(
    rule: CandidateRule,
    options: { allowInitiator?: boolean; allowNobody?: boolean; open?: ResolveCandidatesInput['open'] } = {},
  ) {
    const evaluate = (r: CandidateRule): ResolvedRule => ({
      anyOf: r.anyOf.flatMap((spec): ResolvedSpec[] => {
        if ('user' in spec) return [{ user: String(evaluateFeel(spec.user, this.variables)) }];
        if ('users' in spec) {
          const users = evaluateFeel(spec.users, this.variables);
          return (Array.isArray(users) ? users : []).filter((user) => typeof user === 'string' && user !== '').map((user) => ({ user: String(user) }));
        }
        return [spec.department === undefined ? { role: spec.role } : { role: spec.role, department: String(evaluateFeel(spec.department, this.variables)) }];
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

  // ---------------------------------------------------------------- ending

  private async finish(): Promise<void> {
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
      if (onCancel && this.terminating.status === 'cancelled') {
        await this.runService(onCancel, { ...this.variables, cancel: { actorId: this.terminating.actorId, reason: this.terminating.reason ?? '' } });
      }
    }
    this.saveInstance('process.ended', this.terminating?.actorId ?? null, this.terminating?.reason ?? null);
    await this.flush();
    this.ended = true;
  }

  // ---------------------------------------------------------------- projections

  private async track<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
    }
  }

  private nextKey(): string {
    return `${this.processId}#${++this.sequence}`;
  }

  private auditEntry(event: string, fields: Omit<AuditEntry, 'key' | 'at' | 'processId' | 'event'> = {}): AuditEntry {
    return { key: this.nextKey(), at: Date.now(), processId: this.processId, event, ...fields };
  }

  /** Hands every pending projection write to PostgreSQL in one local activity. */
  private async flush(): Promise<void> {
    const batch = this.takeOutbox();
    if (batch) await this.track(() => projection.project(batch));
  }

  /** The pending projection writes, if any, leaving the outbox empty. */
  private takeOutbox(): ProjectionBatch | undefined {
    if (isEmpty(this.outbox)) return undefined;
    const batch = this.outbox;
    this.outbox = emptyBatch();
    return batch;
  }

  private audit(entries: AuditEntry[]): void {
    this.outbox.audit.push(...entries);
  }

  private saveTask(task: TaskRecord, audit: AuditEntry[]): void {
    // A later write of the same task in this batch supersedes an earlier one (its audit is kept).
    const previous = this.outbox.tasks.findIndex((write) => write.id === task.id);
    const carried = previous >= 0 ? this.outbox.tasks.splice(previous, 1)[0]!.audit : [];
    this.outbox.tasks.push(this.taskWrite(task, [...carried, ...audit]));
  }

  private taskWrite(task: TaskRecord, audit: AuditEntry[]): TaskWrite {
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

  private saveInstance(event: 'process.started' | 'process.ended', actorId: string | null = this.input.initiator.id, reason: string | null = null): void {
    const ended = event === 'process.ended';
    this.outbox.instances.push({
      processId: this.processId,
      key: this.definition.key,
      version: this.definition.version,
      businessKey: this.definition.businessKey ? String(evaluateFeel(this.definition.businessKey, this.variables) ?? '') : null,
      initiatorId: this.input.initiator.id,
      status: this.status,
      startedAt: this.startedAt,
      endedAt: ended ? Date.now() : null,
      audit: [this.auditEntry(event, { actorId, detail: { status: this.status, ...(reason ? { reason } : {}) } })],
    });
  }

  // ---------------------------------------------------------------- state

  private node(id: string): ProcessNode {
    const node = this.nodes.get(id);
    if (!node) throw ApplicationFailure.nonRetryable(`definition ${definitionRef(this.definition)} has no node ${id}`, 'UNKNOWN_NODE');
    return node;
  }

  /** Each task's form validator, built once per node: zod schemas are costly to build per decision. */
  private formOf(node: NodeOf<'userTask'> | NodeOf<'receiveTask'>) {
    let validator = this.forms.get(node.id);
    if (!validator) {
      validator = formValidator(node.form ?? {});
      this.forms.set(node.id, validator);
    }
    return validator;
  }

  private activeNodes(): string[] {
    return [...this.tokens.values()].map((token) => token.nodeId);
  }

  private historyFull(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= (this.input.historyLimit ?? DEFAULT_HISTORY_LIMIT);
  }

  private snapshot(): ProcessSnapshot {
    return {
      status: this.status,
      variables: this.variables,
      tokens: [...this.tokens.values()],
      // Open tasks, and decided ones a token still counts votes from.
      tasks: [...this.tasks.values()].filter((task) => task.state === 'open' || this.tokens.get(task.tokenId)?.taskIds?.includes(task.id)),
      decisions: this.decisions,
      joins: this.joins,
      inbox: this.inbox,
      seenMessageIds: [...this.seenMessageIds].slice(-1_000),
      delegations: this.delegations.filter((d) => d.validTo > Date.now()),
      sequence: this.sequence,
      startedAt: this.startedAt,
    };
  }

  private view(): ProcessView {
    return {
      processId: this.processId,
      definition: { key: this.definition.key, version: this.definition.version },
      status: this.status,
      initiatorId: this.input.initiator.id,
      activeNodes: this.activeNodes(),
      children: [...this.tokens.values()].flatMap((token) => (token.childId ? [{ nodeId: token.nodeId, processId: token.childId }] : [])),
      openTasks: [...this.tasks.values()].filter((task) => task.state === 'open'),
      variables: this.variables,
      decisions: this.decisions,
      startedAt: this.startedAt,
    };
  }
}

/** The delegates whose principal is among the candidates. */
function forCandidates(delegates: TaskRecord['delegates'], candidateIds: string[]): TaskRecord['delegates'] {
  return Object.fromEntries(Object.entries(delegates).filter(([, d]) => candidateIds.includes(d.principalId)));
}

function emptyBatch(): ProjectionBatch {
  return { tasks: [], instances: [], audit: [], notices: [] };
}

function isEmpty(batch: ProjectionBatch): boolean {
  return batch.tasks.length + batch.instances.length + batch.audit.length + batch.notices.length === 0;
}

function refusal(code: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, code, ...(details === undefined ? [] : [details]));
}
