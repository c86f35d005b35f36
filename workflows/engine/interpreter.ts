// The one workflow that runs every process definition. Deterministic: all I/O goes through
// activities, time comes from the workflow clock, and every wait is resumable after
// continue-as-new because tokens keep absolute times and the ids of what they opened.
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
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
import { evaluateCondition, evaluateDurationMs, evaluateFeel, evaluateInstantMs, evaluateValue, type FeelZone } from '../../domain/process/feel.ts';
import { formValidator } from '../../domain/process/forms.ts';
import { multiInstanceOutcome, voteResult } from '../../domain/process/multi-instance.ts';
import { incomingCounts, reachableFrom } from '../../domain/process/validate.ts';
import { initialVariables } from '../../domain/process/variables.ts';
import { withinSecrecy } from '../../domain/secrecy.ts';
import { cancelUpdate, childWaitingSignal, completeTaskUpdate, delegationSignal, messageSignal, refusalCodes, stateQuery } from './messages.ts';
import type {
  CompleteTaskInput,
  CompleteTaskResult,
  Decision,
  DelegationNotice,
  Message,
  ProcessInput,
  ProcessResult,
  ProcessSnapshot,
  ProcessView,
  TaskRecord,
  TaskState,
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
/**
 * Issue #22 (engine correctness) changed the commands the interpreter issues. Runs that record
 * this marker take the fixed paths; runs started before it replay the old ones unchanged.
 */
export const CORRECTNESS_PATCH = 'engine-correctness-22';
/** How many answered decisions and closed task ids a continue-as-new carries over. */
const REMEMBERED_ANSWERS = 200;
const REMEMBERED_CLOSED_TASKS = 1_000;
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
  private readonly reach: Map<string, Set<string>>;
  /** For each message name, the nodes that wait for it. */
  private readonly awaitedAt: Map<string, string[]>;
  /** True in runs that carry CORRECTNESS_PATCH: every #22 fix is taken only then. */
  private fixed = false;
  private readonly answers: Map<string, CompleteTaskResult>;
  private readonly closedTasks: Map<string, TaskState>;
  /** The open tasks of a child process that waits, by the token of its callActivity. */
  private readonly childTasks = new Map<string, CompleteTaskResult['openTasks']>();
  private toldParent: boolean;
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
    this.reach = reachableFrom(this.definition);
    this.awaitedAt = new Map();
    for (const node of this.definition.nodes) {
      const names = node.type === 'receiveTask' ? [node.message] : node.type === 'userTask' ? (node.messages ?? []).map((m) => m.message) : [];
      for (const name of names) this.awaitedAt.set(name, [...(this.awaitedAt.get(name) ?? []), node.id]);
    }
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
    this.answers = new Map(Object.entries(resume?.answers ?? {}));
    this.closedTasks = new Map(Object.entries(resume?.closedTasks ?? {}));
    // A resumed child told its parent in its first run.
    this.toldParent = resume !== undefined;
  }

  async run(): Promise<ProcessResult> {
    this.fixed = patched(CORRECTNESS_PATCH);
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

  /** Which zone FEEL reads the calendar in (#22.12). */
  private get zone(): FeelZone {
    return this.fixed ? 'policy' : 'host';
  }

  private async main(): Promise<ProcessResult> {
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

  // ---------------------------------------------------------------- messages

  private installHandlers(): void {
    setHandler(stateQuery, () => this.view());

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
        const token = this.progress.get(task.tokenId);
        const step = token?.step ?? 0;
        const before = new Set(this.progress.keys());
        this.decide(task, record);
        // Answer once the instance has acted on the decision (next task open, a child's
        // included, or ended) and the inbox shows it.
        await condition(() => {
          const now = this.progress.get(task.tokenId);
          const moved = now === undefined || (now.step > step && now.waiting) || this.tokens.size === 0;
          // Tokens the decision started (a fork) wait too before the answer.
          return moved && (!this.fixed || this.tokens.size === 0 || [...this.progress].every(([id, p]) => before.has(id) || p.waiting));
        });
        await this.flush();
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

    setHandler(childWaitingSignal, ({ childId, openTasks }) => {
      const token = [...this.tokens.values()].find((t) => t.childId === childId);
      const progress = token && this.progress.get(token.id);
      if (!token || !progress || progress.waiting) return;
      this.childTasks.set(token.id, openTasks);
      progress.waiting = true;
      progress.step += 1;
    });
  }

  /** The open tasks, a waiting child's included, as a decision's answer lists them. */
  private openTaskList(): CompleteTaskResult['openTasks'] {
    const own = [...this.tasks.values()].filter((t) => t.state === 'open').map((t) => ({ id: t.id, nodeId: t.nodeId, candidateIds: t.candidateIds }));
    return [...own, ...[...this.childTasks.values()].flat()];
  }

  private validateDecision(decision: CompleteTaskInput): void {
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
  private async waitFor(token: Token, ready: () => boolean, untilMs?: number): Promise<{ ready: boolean; timedOut: boolean }> {
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
  private tellParent(parentId: string): void {
    this.toldParent = true;
    getExternalWorkflowHandle(parentId)
      .signal(childWaitingSignal, { childId: this.processId, openTasks: this.openTaskList() })
      .catch(() => undefined);
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
        const input = Object.fromEntries(Object.entries(node.input).map(([name, expression]) => [name, evaluateValue(expression, this.variables, this.zone)]));
        // The trail reads in order: what led here is written before the service writes its own.
        await this.flush();
        const run = () => services.runService({ name: node.activity, processId: this.processId, key: this.nextKey(), input, at: Date.now() });
        // An ending instance cancels a service still retrying, so the end is not held up by it.
        const result = await this.track(() => (this.fixed ? this.cancellable(run) : run()));
        this.variables = { ...this.variables, [node.resultVariable ?? node.id]: result };
        return node.next;
      }
      case 'callActivity':
        return this.callActivity(node, token);
      case 'userTask':
        return this.userTask(node, token);
    }
  }

  /**
   * A parallel gateway fires once no other token can still reach it, taking every token waiting
   * there; a gateway no other token can reach (a fork, or a rework flow back into it) fires at
   * once (#22.8). The tokens that wait are counted in `joins`.
   */
  private join(node: NodeOf<'parallelGateway'>, token: Token): string | undefined {
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
  private releaseJoins(): void {
    for (const id of Object.keys(this.joins)) {
      if ([...this.tokens.values()].some((token) => this.canReach(token, id))) continue;
      const { [id]: _released, ...rest } = this.joins;
      this.joins = rest;
      for (const branch of (this.node(id) as NodeOf<'parallelGateway'>).next) this.spawn({ id: `t${++this.sequence}`, nodeId: branch, enteredAt: Date.now() });
    }
  }

  /** Whether a path waits for the message at a node it is at or can still reach. */
  private mayBeTaken(message: Message): boolean {
    const nodes = this.awaitedAt.get(message.name) ?? [];
    return [...this.tokens.values()].some((token) => nodes.some((nodeId) => this.canReach(token, nodeId)));
  }

  /** Drops the kept messages no path can take any more (the nodes waiting for them are behind every path). */
  private expireMessages(): void {
    const expired = this.inbox.filter((message) => !this.mayBeTaken(message));
    if (expired.length === 0) return;
    this.inbox = this.inbox.filter((message) => !expired.includes(message));
    this.audit(expired.map((message) => this.auditEntry('message.expired', { actorId: message.actorId, detail: { message: message.name } })));
  }

  private canReach(token: Token, nodeId: string): boolean {
    return token.nodeId === nodeId || this.reach.get(token.nodeId)?.has(nodeId) === true;
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
    const variables = Object.fromEntries(Object.entries(node.input).map(([name, expression]) => [name, evaluateValue(expression, this.variables, this.zone)]));
    await this.flush();
    try {
      const result = await this.track(() =>
        this.cancellable(() =>
          executeChild(runProcess, {
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

  /** Runs work that an ending instance cancels (a child process; a service task, in fixed runs). */
  private async cancellable<T>(work: () => Promise<T>): Promise<T> {
    const scope = new CancellationScope();
    this.children.add(scope);
    try {
      return await scope.run(work);
    } finally {
      this.children.delete(scope);
    }
  }

  // ---------------------------------------------------------------- user tasks

  private async userTask(node: NodeOf<'userTask'>, token: Token): Promise<string> {
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
      },
    };
    return typeof node.next === 'string' ? node.next : node.next[outcome]!;
  }

  /** The decisions on the token's tasks: in the order they were accepted (task order in runs before #22). */
  private votesOf(token: Token): Decision[] {
    const decisions = (token.taskIds ?? []).map((id) => this.tasks.get(id)!.decision).filter((d): d is Decision => d !== undefined);
    if (!this.fixed) return decisions;
    const order = new Map(this.decisions.map((d, i) => [d.taskId, i]));
    return decisions.sort((a, b) => (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0));
  }

  /** The decision that carries the outcome: the message's, the deciding vote (#22.5), or the one decision. */
  private decidingVote(node: NodeOf<'userTask'>, token: Token, decisions: Decision[]): Decision | undefined {
    const multi = node.multiInstance;
    if (token.closedBy !== undefined || !multi) return decisions.at(-1);
    const result = voteResult(multi.completion, this.voterCount(token), decisions.map((d) => (d.outcome === multi.approve ? 'approve' : 'reject')));
    return result ? decisions[result.deciding] : decisions.at(-1);
  }

  /** The outcome the token's accepted decisions give its node, before the token moves on. */
  private verdict(node: NodeOf<'userTask'>, token: Token): string | undefined {
    if (token.closedBy !== undefined) return token.closedBy;
    const decisions = this.votesOf(token);
    const multi = node.multiInstance;
    if (!multi) return decisions[0]?.outcome;
    const result = voteResult(multi.completion, this.voterCount(token), decisions.map((d) => (d.outcome === multi.approve ? 'approve' : 'reject')));
    return result && (result.verdict === 'approve' ? multi.approve : multi.reject);
  }

  private voterCount(token: Token): number {
    return token.voters?.length ?? token.taskIds?.length ?? 0;
  }

  /** Whether decisions accepted so far decide the node the token waits at (it may not have moved yet). */
  private nodeDecided(tokenId: string): boolean {
    const token = this.tokens.get(tokenId);
    const node = token && this.nodes.get(token.nodeId);
    return node?.type === 'userTask' && token!.taskIds !== undefined && this.verdict(node, token!) !== undefined;
  }

  /** Whether any decision on the token's tasks (or a closing message) has been accepted. */
  private hasDecision(token: Token): boolean {
    return token.closedBy !== undefined || (token.taskIds ?? []).some((id) => this.tasks.get(id)?.decision !== undefined);
  }

  /** Whether `userId` votes in the multi-instance task the token waits at: they may not also vote for another voter. */
  private isVoter(tokenId: string, userId: string): boolean {
    if (!this.fixed) return false;
    const token = this.tokens.get(tokenId);
    const node = token && this.nodes.get(token.nodeId);
    if (node?.type !== 'userTask' || !node.multiInstance) return false;
    return (token!.voters ?? (token!.taskIds ?? []).flatMap((id) => this.tasks.get(id)?.candidateIds ?? [])).includes(userId);
  }

  /**
   * A boundary message for a token waiting at a user task closes its open tasks now, unless
   * decisions already accepted decide the task. True when a token took it.
   */
  private closeByBoundaryMessage(message: Message): boolean {
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

  private async openTasks(node: NodeOf<'userTask'>, token: Token): Promise<void> {
    const opened = Date.now();
    const dueAt = node.due ? opened + evaluateDurationMs(node.due, this.variables, opened, this.zone) : null;
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
    const at = (timer: { after: string; from: 'opened' | 'due' }) => from(timer) + evaluateDurationMs(timer.after, this.variables, from(timer), this.zone);
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
    // A voter does not also vote for another voter as their delegate.
    const delegates = this.fixed ? withoutVoters(resolved.delegates, resolved.candidateIds) : resolved.delegates;
    if (mode === 'sequential') {
      token.voters = resolved.candidateIds;
      token.delegates = delegates;
    }
    const groups = mode === 'parallel' ? resolved.candidateIds.map((id) => [id]) : [[resolved.candidateIds[0]!]];
    for (const candidateIds of groups) this.openTask(node, token, candidateIds, delegates, dueAt, opened);
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
      const at = from + evaluateDurationMs(reminder.after, this.variables, from, this.zone);
      return { at, everyMs: reminder.every ? evaluateDurationMs(reminder.every, this.variables, at, this.zone) : null };
    });
  }

  /**
   * Sends reminder `index`: to the users `recipients` gives and to whoever the reminder names.
   * The users are read after the look-up of the named ones, so a task decided meanwhile is not
   * reminded (in runs before #22, before it).
   */
  private async remind(node: NodeOf<'userTask'> | NodeOf<'receiveTask'>, token: Token, index: number, recipients: () => string[], taskId?: string): Promise<void> {
    token.remindersSent = token.remindersSent!.map((sent, i) => (i === index ? sent + 1 : sent));
    const notify = node.reminders![index]!.notify;
    const before = this.fixed ? [] : recipients();
    const extra = notify ? (await this.resolve({ anyOf: notify }, { allowInitiator: true, allowNobody: true })).candidateIds : [];
    const userIds = [...new Set([...before, ...(this.fixed ? recipients() : []), ...extra])];
    const label = node.name ? `"${node.name.en}" (${node.name.zh})` : node.id;
    this.outbox.notices.push({
      key: this.nextKey(),
      processId: this.processId,
      taskId,
      userIds,
      kind: node.type === 'userTask' ? 'task.reminder' : 'process.reminder',
      text: node.type === 'userTask' ? `Reminder: ${label} is waiting for your decision.` : `Reminder: ${label} is due.`,
      at: Date.now(),
    });
    this.audit([this.auditEntry('reminder.sent', { taskId, ruleId: node.ruleId, detail: { nodeId: node.id, userIds, count: token.remindersSent[index] } })]);
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
    const outcome = this.fixed ? this.verdict(node, token) : this.legacyTally(multi, token, tasks);
    if (outcome) return outcome;
    if (multi.mode === 'sequential' && tasks.every((t) => t.state !== 'open')) {
      const nextVoter = token.voters![tasks.length]!;
      // The delegations as they are at this voter's turn, not when the vote opened (#22.7, BOR-7).
      const delegates = this.fixed ? Object.fromEntries(Object.entries(token.delegates ?? {}).filter(([, d]) => d.validTo > Date.now())) : (token.delegates ?? {});
      this.openTask(node, token, [nextVoter], delegates, tasks[0]!.dueAt);
    }
    return undefined;
  }

  /** Runs before #22 counted the votes regardless of their order. */
  private legacyTally(multi: NonNullable<NodeOf<'userTask'>['multiInstance']>, token: Token, tasks: TaskRecord[]): string | undefined {
    const tally = {
      total: token.voters?.length ?? tasks.length,
      approvals: tasks.filter((t) => t.decision?.outcome === multi.approve).length,
      rejections: tasks.filter((t) => t.decision?.outcome === multi.reject).length,
    };
    const verdict = multiInstanceOutcome(multi.completion, tally);
    return verdict && (verdict === 'approve' ? multi.approve : multi.reject);
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
    const openNow = () => token.taskIds!.map((id) => this.tasks.get(id)!).filter((task) => task.state === 'open');
    let open = openNow();
    if (kind === 'reminder') {
      await this.remind(node, token, index, () => openNow().flatMap((task) => task.candidateIds), open[0]?.id);
      return undefined;
    }
    if (kind === 'escalation') {
      token.escalated = true;
      const resolved = await this.resolve(node.escalation!.to);
      // A task decided while the look-up ran is not escalated.
      if (this.fixed) open = openNow();
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
    // The automatic outcome is a vote like the others: the completion rule counts it (#22.6).
    return this.fixed && node.multiInstance ? this.advanceVotes(node, token) : outcome;
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
        if ('user' in spec) return [{ user: String(evaluateFeel(spec.user, this.variables, this.zone)) }];
        if ('users' in spec) {
          const users = evaluateFeel(spec.users, this.variables, this.zone);
          return (Array.isArray(users) ? users : []).filter((user) => typeof user === 'string' && user !== '').map((user) => ({ user: String(user) }));
        }
        return [spec.department === undefined ? { role: spec.role } : { role: spec.role, department: String(evaluateFeel(spec.department, this.variables, this.zone)) }];
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
      businessKey: this.definition.businessKey ? String(evaluateFeel(this.definition.businessKey, this.variables, this.zone) ?? '') : null,
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

/** The delegates who are not themselves among the voters. */
function withoutVoters(delegates: TaskRecord['delegates'], voters: string[]): TaskRecord['delegates'] {
  return Object.fromEntries(Object.entries(delegates).filter(([delegateId]) => !voters.includes(delegateId)));
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
