// The interpreter's state: the definition it runs, its tokens, tasks, decisions and inbox, and
// what it keeps for continue-as-new. The layers above it (projections, user tasks, elements,
// message handlers, the run loop) each add one concern.
import { ApplicationFailure, CancellationScope, workflowInfo } from '@temporalio/workflow';
import type { ProjectionBatch } from '../activities/engine-types.ts';
import type { NodeOf, ProcessDefinition, ProcessNode } from '../definition/definition.ts';
import { evaluateValue, type FeelZone } from '../definition/feel.ts';
import { formValidator } from '../definition/forms.ts';
import { definitionRef, incomingCounts, reachableFrom } from '../definition/graph.ts';
import { initialVariables } from '../definition/variables.ts';
import type { CompleteTaskResult, Decision, DelegationNotice, Message, ProcessInput, TaskRecord, TaskState, Token } from './types.ts';

const DEFAULT_HISTORY_LIMIT = 10_000;
/**
 * Issue #22 (engine correctness) changed the commands the interpreter issues. Runs that record
 * this marker take the fixed paths; runs started before it replay the old ones unchanged.
 */
export const CORRECTNESS_PATCH = 'engine-correctness-22';
/**
 * Issue #16 (task actions): runs that record this marker take transfers, added signers,
 * send-backs, withdrawals, urges, copies and comments; runs started before refuse them.
 */
export const TASK_ACTIONS_PATCH = 'task-actions-16';
/** How many answered decisions and closed task ids a continue-as-new carries over. */
export const REMEMBERED_ANSWERS = 200;
export const REMEMBERED_CLOSED_TASKS = 1_000;
/** The actor recorded for decisions the engine takes itself (automatic outcomes). */
export const SYSTEM_ACTOR = 'system';

/** Thrown inside a token when the instance is ending, to unwind it. */
export class Terminated extends Error {}

/** The delegates who are not themselves among the voters. */
export function withoutVoters(delegates: TaskRecord['delegates'], voters: string[]): TaskRecord['delegates'] {
  return Object.fromEntries(Object.entries(delegates).filter(([delegateId]) => !voters.includes(delegateId)));
}

/** The delegates whose principal is among the candidates. */
export function forCandidates(delegates: TaskRecord['delegates'], candidateIds: string[]): TaskRecord['delegates'] {
  return Object.fromEntries(Object.entries(delegates).filter(([, d]) => candidateIds.includes(d.principalId)));
}

export function emptyBatch(): ProjectionBatch {
  return { tasks: [], instances: [], audit: [], notices: [] };
}

export function isEmpty(batch: ProjectionBatch): boolean {
  return batch.tasks.length + batch.instances.length + batch.audit.length + batch.notices.length + (batch.watchers?.length ?? 0) + (batch.comments?.length ?? 0) === 0;
}

export function refusal(code: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, code, ...(details === undefined ? [] : [details]));
}

export abstract class InterpreterState {
  protected readonly definition: ProcessDefinition;

  protected readonly nodes: Map<string, ProcessNode>;

  protected readonly incoming: Map<string, number>;

  protected readonly reach: Map<string, Set<string>>;

  /** For each message name, the nodes that wait for it. */
  protected readonly awaitedAt: Map<string, string[]>;

  /** True in runs that carry CORRECTNESS_PATCH: every #22 fix is taken only then. */
  protected fixed = false;

  /** True in runs that carry TASK_ACTIONS_PATCH (#16). */
  protected withActions = false;

  /** People copied in (#16). */
  protected readonly watchers: Set<string>;

  protected readonly answers: Map<string, CompleteTaskResult>;

  protected readonly closedTasks: Map<string, TaskState>;

  /** The open tasks of a child process that waits, by the token of its callActivity (by child id for one child per item). */
  protected readonly childTasks = new Map<string, CompleteTaskResult['openTasks']>();

  /** A callActivity over items: the children running now, by token. */
  protected readonly runningChildren = new Map<string, Set<string>>();

  protected toldParent: boolean;

  protected readonly processId: string;

  protected status: string;

  protected variables: Record<string, unknown>;

  protected readonly tokens = new Map<string, Token>();

  protected readonly tasks = new Map<string, TaskRecord>();

  protected decisions: Decision[];

  protected joins: Record<string, number>;

  protected inbox: Message[];

  protected readonly seenMessageIds: Set<string>;

  protected delegations: DelegationNotice[];

  protected sequence: number;

  protected readonly startedAt: number;

  protected secrecy: string | null = null;

  /** Activities and child processes under way: continue-as-new waits for none. */
  protected inFlight = 0;

  protected terminating: { status: string; actorId: string | null; reason: string | null } | undefined;

  protected failure: unknown;

  /** Each token's count of wake-ups and whether it is waiting now, so a decision can wait for its effects. */
  protected readonly progress = new Map<string, { step: number; waiting: boolean }>();

  protected readonly children = new Set<CancellationScope>();

  protected ended = false;

  protected readonly forms = new Map<string, ReturnType<typeof formValidator>>();

  /**
   * Projection writes not yet handed to PostgreSQL. They go in one local activity when a token
   * is about to wait (or with the next candidate look-up), so a step costs one round trip, not
   * one per row; whoever next reads the inbox after the step finds them written.
   */
  protected outbox: ProjectionBatch = emptyBatch();

  constructor(protected readonly input: ProcessInput) {
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
    this.watchers = new Set(resume?.watchers ?? []);
    // A resumed child told its parent in its first run.
    this.toldParent = resume !== undefined;
  }

  /** Which zone FEEL reads the calendar in (#22.12). */
  protected get zone(): FeelZone {
    return this.fixed ? 'policy' : 'host';
  }

  /** The open tasks, a waiting child's included, as a decision's answer lists them. */
  protected openTaskList(): CompleteTaskResult['openTasks'] {
    const own = [...this.tasks.values()].filter((t) => t.state === 'open').map((t) => ({ id: t.id, nodeId: t.nodeId, candidateIds: t.candidateIds }));
    return [...own, ...[...this.childTasks.values()].flat()];
  }

  protected canReach(token: Token, nodeId: string): boolean {
    return token.nodeId === nodeId || this.reach.get(token.nodeId)?.has(nodeId) === true;
  }

  protected node(id: string): ProcessNode {
    const node = this.nodes.get(id);
    if (!node) throw ApplicationFailure.nonRetryable(`definition ${definitionRef(this.definition)} has no node ${id}`, 'UNKNOWN_NODE');
    return node;
  }

  /** Each task's form validator, built once per node: zod schemas are costly to build per decision. */
  protected formOf(node: NodeOf<'userTask'> | NodeOf<'receiveTask'>) {
    let validator = this.forms.get(node.id);
    if (!validator) {
      validator = formValidator(node.form ?? {});
      this.forms.set(node.id, validator);
    }
    return validator;
  }

  /** The list a multi-instance over items runs over: null is no items; anything but a list fails the instance. */
  protected itemList(expression: string): unknown[] {
    const value = evaluateValue(expression, this.variables, this.zone);
    if (value === null) return [];
    if (!Array.isArray(value)) throw ApplicationFailure.nonRetryable(`the multi-instance items \`${expression}\` are not a list`, 'ITEMS_NOT_A_LIST');
    return value;
  }

  protected activeNodes(): string[] {
    return [...this.tokens.values()].map((token) => token.nodeId);
  }

  protected historyFull(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= (this.input.historyLimit ?? DEFAULT_HISTORY_LIMIT);
  }
}
