// The interpreter's input, its durable state, and the shapes its messages carry.
import type { DecisionRecord } from '../activities/engine-types.ts';
import type { ProcessDefinition } from '../definition/definition.ts';

export interface ProcessInput {
  /** Workflow id, also the instance id people see (e.g. borrow-<request id>). */
  processId: string;
  /** The definition the instance runs, pinned at start: later versions never change it. */
  definition: ProcessDefinition;
  /** Definitions its callActivity nodes start, by key@version, pinned the same way. */
  library?: Record<string, ProcessDefinition>;
  initiator: { id: string; departmentId: string };
  variables: Record<string, unknown>;
  /** Set by continue-as-new: the state to resume from. */
  resume?: ProcessSnapshot;
  /** Continue-as-new after this many history events (default 10,000; Temporal's limit is 51,200). */
  historyLimit?: number;
  /** The parent instance, for a process started by a callActivity. */
  parentId?: string;
}

export interface ProcessResult {
  status: string;
  variables: Record<string, unknown>;
}

export interface Delegate {
  delegationId: string;
  principalId: string;
  validTo: number;
}

/** A task's states, declared once: the workflow's records, the projection (tasks.state) and the API read them. */
export const taskStates = ['open', 'completed', 'cancelled'] as const;
export type TaskState = (typeof taskStates)[number];

export interface TaskRecord {
  id: string;
  nodeId: string;
  tokenId: string;
  name: { en: string; zh: string };
  state: TaskState;
  candidateIds: string[];
  /** Delegates who may decide for a candidate, by delegate user id. */
  delegates: Record<string, Delegate>;
  outcomes: string[];
  openedAt: number;
  dueAt: number | null;
  revision: number;
  decision?: Decision;
  /** A task of a multi-instance over items: which item it is for. */
  item?: { index: number; value: unknown };
  /** The people its candidate rule found when it opened: whom a policy-bound task may go to (#16). */
  eligibleIds?: string[];
  /** When the requester last urged it (#16). */
  urgedAt?: number;
  /** The requester's resubmission of a request sent back to them (#16). */
  kind?: 'resubmit';
}

export interface Decision extends DecisionRecord {
  taskId: string;
  nodeId: string;
}

/** One thread of control: where it is and what it has done there so far. */
export interface Token {
  id: string;
  nodeId: string;
  enteredAt: number;
  /** Task ids opened at this node (multi-instance: one per voter). */
  taskIds?: string[];
  /** Absolute times, so a resumed instance fires its timers exactly when they were due. */
  fireAt?: number;
  /** Sequential multi-instance: the voters in order. */
  voters?: string[];
  /** Sequential multi-instance: delegates of all voters, for the tasks still to open. */
  delegates?: Record<string, Delegate>;
  timers?: TaskTimers;
  remindersSent?: number[];
  escalated?: boolean;
  childId?: string;
  /** Multi-instance over items: the list, evaluated once when the token entered the node. */
  items?: unknown[];
  /** Sequential tasks over items: each item's candidates, found when the node opened. */
  itemCandidates?: string[][];
  /** A callActivity over items: one child process per item, in item order. */
  childIds?: string[];
  /** The outcome a boundary message closed the token's tasks with, taken the moment it arrived. */
  closedBy?: string;
  /** Signers added to the task still to decide after the open one, in order (#16). */
  signers?: { candidateIds: string[]; delegates: Record<string, Delegate> }[];
  /** Sent back to an earlier user task, or to the requester (#16). */
  sentBack?: { to: string };
}

export interface TaskTimers {
  reminders: { at: number; everyMs: number | null }[];
  escalateAt: number | null;
  autoAt: number | null;
}

export interface Message {
  id: string;
  name: string;
  payload: Record<string, unknown>;
  actorId: string;
}

export interface ProcessSnapshot {
  status: string;
  variables: Record<string, unknown>;
  tokens: Token[];
  tasks: TaskRecord[];
  decisions: Decision[];
  joins: Record<string, number>;
  inbox: Message[];
  seenMessageIds: string[];
  delegations: DelegationNotice[];
  sequence: number;
  startedAt: number;
  /** Answers to recent decisions by update id: a request retried after continue-as-new gets the first answer. */
  answers?: Record<string, CompleteTaskResult>;
  /** Recent tasks that are no longer open, by id, with their state. */
  closedTasks?: Record<string, TaskState>;
  /** People copied in (#16). */
  watchers?: string[];
}

export interface ChildWaiting {
  childId: string;
  openTasks: CompleteTaskResult['openTasks'];
}

export interface CompleteTaskInput {
  taskId: string;
  actorId: string;
  outcome: string;
  comment?: string;
  data?: Record<string, unknown>;
}

export interface CompleteTaskResult {
  taskId: string;
  outcome: string;
  decidedBy: string;
  onBehalfOf: string | null;
  delegationId: string | null;
  status: string;
  /** The instance's open tasks once it has acted on the decision. */
  openTasks: { id: string; nodeId: string; candidateIds: string[] }[];
}

export interface CancelInput {
  actorId: string;
  reason?: string;
}

/** A power of attorney starting or ending, told to every running instance in its scope. */
export interface DelegationNotice {
  delegationId: string;
  principalId: string;
  delegateId: string;
  /** Process keys it covers; absent means all. */
  processKeys?: string[];
  /** The highest secrecy level it covers (BOR-7 scope). */
  maxSecrecy: string;
  validFrom: number;
  validTo: number;
  active: boolean;
}

/**
 * The organisation changed (a role given or taken, a department's manager, a Deputy GM's charge, a
 * user deactivated or moved): the instance finds its open tasks' candidates again.
 */
export interface CandidatesChange {
  /** The organisation change's id, for the audit trail. */
  changeId: string;
  /** The administrator who made the change. */
  actorId: string;
  reason: string;
}

export interface ProcessView {
  processId: string;
  definition: { key: string; version: number };
  status: string;
  initiatorId: string;
  activeNodes: string[];
  /** Child processes running for callActivity nodes. */
  children: { nodeId: string; processId: string }[];
  openTasks: TaskRecord[];
  variables: Record<string, unknown>;
  decisions: Decision[];
  startedAt: number;
}
