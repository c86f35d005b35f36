// The engine's application service for the HTTP API: published definitions, who may see an
// instance or a task, what an instance looks like (live from its workflow while it runs, from
// the projection otherwise), and delivering a decision. Routes map its results to bodies.
import type { Sql } from '../../platform/db/client.ts';
import { NotFound, StateConflict } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { definitionToBpmn } from '../definition/bpmn.ts';
import type { ProcessDefinition } from '../definition/definition.ts';
import { definitionRef } from '../definition/graph.ts';
import type { CompleteTaskInput, ProcessView } from '../workflow/types.ts';
import { completeTask, processState, type EngineClient } from '../client.ts';
import { findDefinition, listDefinitions } from '../sql/definitions.ts';
import {
  auditTrailOf,
  findProcessInstance,
  findTask,
  listMyTasksJson,
  mayViewTask,
  openNodesOf,
  openTasksOf,
  processTaskPage,
  type AuditEvent,
  type MyTasksQuery,
  type ProcessInstance,
  type ProcessTaskCursor,
  type Task,
  type TaskCursor,
} from '../sql/tasks.ts';
import { guardDecision, type DecisionGuard } from './decision-guards.ts';
import { knowsTask, mayViewProcess as mayView, type ConfidentialProcesses } from './process-visibility.ts';
import { resubmitForm } from '../definition/actions.ts';

export type { AuditEvent, ProcessInstance, ProcessTaskCursor, Task, TaskCursor };

/** A page of an instance's audit trail, and where the next starts (null on the last). */
export interface AuditPage {
  events: AuditEvent[];
  next: number | null;
}

/** A page of an instance's open tasks or decisions. */
export interface TaskPage {
  tasks: Task[];
  next: ProcessTaskCursor | null;
}

/** An instance as the caller sees it: live from its running workflow, or from the projection. */
export type ProcessReading =
  | { source: 'workflow'; view: ProcessView; businessKey: string | null; trail: AuditPage; openTasksNext: ProcessTaskCursor | null; decisionsNext: ProcessTaskCursor | null }
  | { source: 'projection'; instance: ProcessInstance; activeNodes: string[]; trail: AuditPage; open: TaskPage; decided: TaskPage };

export function engineService(deps: { sql: Sql; engine: EngineClient; decisionGuards: readonly DecisionGuard[]; confidentialProcesses: ConfidentialProcesses; auditPage: number; taskPage: number }) {
  const { sql, engine } = deps;
  // A published key@version never changes, so its rendering never does either.
  const bpmnByRef = new Map<string, Promise<string>>();

  const mayViewProcess = (user: User, process: { id: string; key: string; initiatorId: string }): Promise<boolean> => mayView(sql, user, process, deps.confidentialProcesses);

  const notFound = (id: string) => new NotFound('PROCESS_NOT_FOUND', `No process ${id}.`);

  /** The instance, if the user may see it; otherwise 404, as if there were none. */
  async function visibleInstance(user: User, id: string): Promise<ProcessInstance> {
    const instance = await findProcessInstance(sql, id);
    if (!instance || !(await mayViewProcess(user, instance))) throw notFound(id);
    return instance;
  }

  async function definition(key: string, version: number): Promise<ProcessDefinition> {
    const found = await findDefinition(sql, key, version);
    if (!found) throw new NotFound('DEFINITION_NOT_FOUND', `No process definition ${key}@${version}.`);
    return found;
  }

  /** The definition as BPMN 2.0 XML, and its key@version. */
  async function definitionBpmn(key: string, version: number): Promise<{ ref: string; xml: string }> {
    const published = await definition(key, version);
    const ref = definitionRef(published);
    let rendering = bpmnByRef.get(ref);
    if (!rendering) {
      rendering = definitionToBpmn(published);
      bpmnByRef.set(ref, rendering);
      // A failed rendering is not remembered: the next request tries again.
      rendering.catch(() => bpmnByRef.delete(ref));
    }
    return { ref, xml: await rendering };
  }

  /** A page of the instance's open tasks or decisions (the caller has checked it may see it). */
  function tasksOf(id: string, kind: 'open' | 'decided', page: { limit: number; after?: ProcessTaskCursor | undefined }): Promise<TaskPage> {
    return processTaskPage(sql, id, { kind, ...page });
  }

  /** An instance the user may see, live while its workflow runs and answers, else from the projection. */
  async function readProcess(user: User, id: string): Promise<ProcessReading> {
    const live = () => processState(engine, id).catch(() => undefined);
    const instance = await findProcessInstance(sql, id);
    // The projection row is written by the workflow's first step; until then only the workflow knows it.
    let view = instance ? undefined : await live();
    const initiatorId = instance?.initiatorId ?? view?.initiatorId;
    const key = instance?.key ?? view?.definition.key;
    if (initiatorId === undefined || key === undefined) throw notFound(id);
    if (!(await mayViewProcess(user, { id, key, initiatorId }))) throw notFound(id);
    if (instance && instance.endedAt === null) view = await live();

    const trail = await auditTrailOf(sql, id, { limit: deps.auditPage });
    if (view && view.status === 'running') {
      // The workflow's lists are cut at a page; the rest is paged from the projection.
      const beyond = async (list: unknown[], kind: 'open' | 'decided') => (list.length > deps.taskPage ? (await tasksOf(id, kind, { limit: deps.taskPage })).next : null);
      return {
        source: 'workflow',
        view,
        businessKey: instance?.businessKey ?? null,
        trail,
        openTasksNext: await beyond(view.openTasks, 'open'),
        decisionsNext: await beyond(view.decisions, 'decided'),
      };
    }
    // Ended, or the workflow did not answer: the projection holds the same facts.
    if (!instance) throw notFound(id);
    const open = await tasksOf(id, 'open', { limit: deps.taskPage });
    const decided = await tasksOf(id, 'decided', { limit: deps.taskPage });
    return { source: 'projection', instance, activeNodes: instance.endedAt ? [] : await openNodesOf(sql, id), trail, open, decided };
  }

  async function auditTrail(user: User, id: string, page: { afterSeq: number; limit: number }): Promise<AuditPage> {
    await visibleInstance(user, id);
    return auditTrailOf(sql, id, page);
  }

  async function processTasks(user: User, id: string, kind: 'open' | 'decided', page: { limit: number; after?: ProcessTaskCursor | undefined }): Promise<TaskPage> {
    await visibleInstance(user, id);
    return tasksOf(id, kind, page);
  }

  /** A page of the user's tasks, as the API's JSON text. */
  function myTasks(user: User, query: MyTasksQuery) {
    return listMyTasksJson(sql, user.id, query);
  }

  /** A task the user may see, with the form its decision may carry (null for a task that is not a userTask). */
  async function visibleTask(user: User, id: string): Promise<{ task: Task; form: Record<string, unknown> | null }> {
    const found = await findTask(sql, id);
    if (!found || !mayViewTask(found, user.id)) throw new NotFound('TASK_NOT_FOUND', `No task ${id}.`);
    const published = await findDefinition(sql, found.process.key, found.process.version);
    const node = published?.nodes.find((n) => n.id === found.nodeId);
    // A task at the start event is the requester's resubmission of a request sent back to them (#16).
    const form = node?.type === 'userTask' ? (node.form ?? {}) : node?.type === 'startEvent' && published ? resubmitForm(published) : null;
    return { task: found, form };
  }

  /**
   * Delivers a decision to the task's instance, after the area's decision guards; the instance's
   * workflow checks it before accepting it. Answers with the instance's open tasks after it.
   */
  async function decide(user: User, id: string, decision: Pick<CompleteTaskInput, 'outcome' | 'comment' | 'data'>, idempotencyKey: string | undefined) {
    const found = await findTask(sql, id);
    // ACC-1: a task the caller may not know of answers 404, never 403 or 409 (which would reveal it and its state).
    if (!found || !(await knowsTask(sql, user, found, deps.confidentialProcesses))) throw new NotFound('TASK_NOT_FOUND', `No task ${id}.`);
    await guardDecision(sql, deps.decisionGuards, found, { actorId: user.id, outcome: decision.outcome, data: decision.data });
    // Scoped to the caller and the task, so one person's key never answers for another's request.
    const requestId = idempotencyKey === undefined ? undefined : `complete:${user.id}:${id}:${idempotencyKey}`;
    let result;
    try {
      result = await completeTask(engine, found.processId, { taskId: id, actorId: user.id, ...decision }, requestId);
    } catch (error) {
      // A decided task may be gone from a workflow that has moved on or ended (then the
      // refusal speaks of the process): the projection says the task was decided, which is
      // the answer the caller needs.
      if (found.state !== 'open' && (error instanceof NotFound || error instanceof StateConflict)) {
        throw new StateConflict('TASK_ALREADY_COMPLETED', `Task ${id} is already ${found.state}.`);
      }
      throw error;
    }
    return { result, nextTasks: await openTasksOf(sql, found.processId) };
  }

  return {
    definitions: () => listDefinitions(sql),
    definition,
    definitionBpmn,
    readProcess,
    auditTrail,
    processTasks,
    myTasks,
    visibleTask,
    decide,
  };
}

export type EngineService = ReturnType<typeof engineService>;
