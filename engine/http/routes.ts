// Process definitions, instances and the task inbox: what people read and how they decide.
// A decision goes to the instance's workflow as an Update, whose validator answers at once;
// everything read comes from the PostgreSQL projections, or from the workflow while it runs.
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../platform/db/client.ts';
import { findDefinition, listDefinitions } from '../sql/definitions.ts';
import {
  auditTrailOf,
  findProcessInstance,
  findTask,
  listMyTasks,
  mayViewTask,
  openNodesOf,
  openTasksOf,
  processTaskPage,
  type Task,
  type AuditEvent,
  type TaskCursor,
} from '../sql/tasks.ts';
import { NotFound, StateConflict } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { definitionToBpmn } from '../definition/bpmn.ts';
import { definitionRef, type ProcessDefinition } from '../definition/definition.ts';
import type { ProcessView } from '../workflow/types.ts';
import { requireUser, type Authenticator } from '../../platform/http/auth.ts';
import { completeTask, processState, type EngineClient } from '../client.ts';
import { guardDecision, type DecisionGuard } from './decision-guards.ts';
import { createRouter } from '../../platform/http/router.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import { accepted, idempotencyHeaders, idParam, identifier, INT4_MAX, unauthorized } from '../../platform/http/schemas.ts';
import { resubmitForm } from '../definition/actions.ts';
import { mayViewProcess as mayView, visibleInstance as visible } from './process-visibility.ts';
import { inboxFilterQuery, inboxFilters } from './inbox-routes.ts';

// ------------------------------------------------------------------ schemas

const label = z.object({ en: z.string(), zh: z.string() }).openapi('Label');
const timestamp = z.string().openapi({ format: 'date-time', example: '2026-03-01T08:00:00.000Z' });
const iso = (date: Date | number) => new Date(date).toISOString();

const definitionSummary = z
  .object({ key: z.string().openapi({ example: 'archive.borrow' }), version: z.number().int(), name: label, publishedAt: timestamp })
  .openapi('ProcessDefinitionSummary');

// The definition schema is recursive (candidate fallbacks), so the document describes only its
// outline here; domain/process/definition.ts is the full contract.
const definitionDocument = z
  .looseObject({ key: z.string(), version: z.number().int(), name: label, nodes: z.array(z.looseObject({ id: z.string(), type: z.string() })) })
  .openapi('ProcessDefinition', { description: 'A published definition, as validated by domain/process/definition.ts.' });

const definitionParams = idParam('key', { example: 'archive.borrow' }).extend({
  version: z.coerce.number().int().min(1).max(INT4_MAX).openapi({ param: { name: 'version', in: 'path' }, example: 1 }),
});

const decision = z
  .object({
    outcome: z.string(),
    decidedBy: z.string(),
    onBehalfOf: z.string().nullable().openapi({ description: 'The principal a delegate decided for (BOR-7).' }),
    delegationId: z.string().nullable(),
    comment: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    at: timestamp,
  })
  .openapi('TaskDecision');

const task = z
  .object({
    id: z.string(),
    processId: z.string(),
    nodeId: z.string(),
    name: label,
    state: z.enum(['open', 'completed', 'cancelled']),
    candidateIds: z.array(z.string()),
    delegateIds: z.array(z.string()),
    outcomes: z.array(z.string()),
    dueAt: timestamp.nullable(),
    createdAt: timestamp,
    completedAt: timestamp.nullable(),
    decision: decision.nullable(),
    process: z.object({ key: z.string(), version: z.number().int(), businessKey: z.string().nullable(), initiatorId: z.string() }),
  })
  .openapi('Task');

const myTask = task
  .extend({ via: z.enum(['direct', 'delegation']).openapi({ description: 'Whether I decide as a candidate or as a delegate (BOR-7).' }) })
  .openapi('MyTask');

const taskPage = z
  .object({ tasks: z.array(myTask), nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' }) })
  .openapi('TaskPage');

const taskDetail = task
  .extend({ form: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'The fields `data` may carry when deciding.' }) })
  .openapi('TaskDetail');

/**
 * Pages of "my tasks": the state they were listed in, then the time as PostgreSQL printed it (so
 * microseconds survive the round trip and the next page starts exactly after the last row), then id.
 */
const taskKey = keysetCursor(['open', 'completed'], ['default', 'due'], 'timestamp', 'text');

function parseTaskCursor(text: string): TaskCursor | undefined {
  const parts = taskKey.parse(text);
  return parts && { state: parts[0] as TaskCursor['state'], sort: parts[1] as TaskCursor['sort'], at: parts[2], id: parts[3] };
}

const formatTaskCursor = (cursor: TaskCursor) => taskKey.format([cursor.state, cursor.sort, cursor.at, cursor.id]);

const taskQuery = inboxFilterQuery.extend({
  state: z.enum(['open', 'completed']).default('open').openapi({ description: 'open: tasks I may decide; completed: tasks I decided.' }),
  sort: z
    .enum(['default', 'due'])
    .default('default')
    .openapi({ description: 'default: open tasks the longest-waiting first, completed ones the latest first; due: the soonest due first, tasks without a due date last.' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: taskKey.query,
});

const taskParams = idParam('id', { max: 500 });


const completeRequest = z
  .object({
    outcome: identifier(100).openapi({ example: 'approve' }),
    comment: z.string().max(2_000).optional(),
    data: z.record(z.string(), z.unknown()).optional().openapi({ description: "Values for the task's form." }),
  })
  .strict()
  .openapi('CompleteTaskRequest');

const completeHeaders = idempotencyHeaders('a retried request with the same key returns the first answer and decides once.');

const completeResult = z
  .object({
    taskId: z.string(),
    outcome: z.string(),
    decidedBy: z.string(),
    onBehalfOf: z.string().nullable(),
    delegationId: z.string().nullable(),
    status: z.string().openapi({ description: "The instance's status after the decision." }),
    nextTasks: z.array(task).openapi({ description: 'The tasks of the instance open now.' }),
  })
  .openapi('CompleteTaskResult');

const processTask = z
  .object({
    id: z.string(),
    nodeId: z.string(),
    name: label,
    candidateIds: z.array(z.string()),
    delegateIds: z.array(z.string()),
    outcomes: z.array(z.string()),
    createdAt: timestamp,
    dueAt: timestamp.nullable(),
  })
  .openapi('OpenTask');

const decisionEntry = decision.extend({ taskId: z.string(), nodeId: z.string() }).openapi('DecisionEntry');

const auditEvent = z
  .object({
    seq: z.number().int(),
    at: timestamp,
    event: z.string(),
    taskId: z.string().nullable(),
    actorId: z.string().nullable(),
    onBehalfOf: z.string().nullable(),
    delegationId: z.string().nullable(),
    ruleId: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEvent');

/**
 * Audit events, open tasks and decisions a process detail carries of each; the rest are paged
 * (GET /api/v1/processes/{id}/audit-trail, /open-tasks, /decisions).
 */
const AUDIT_PAGE = 200;
const TASK_PAGE = 200;

const processDetail = z
  .object({
    id: z.string(),
    definition: z.object({ key: z.string(), version: z.number().int() }),
    businessKey: z.string().nullable(),
    status: z.string(),
    initiatorId: z.string(),
    startedAt: timestamp,
    endedAt: timestamp.nullable(),
    activeNodes: z.array(z.string()).openapi({ description: 'Where the instance is waiting; empty once it has ended.' }),
    openTasks: z.array(processTask).openapi({ description: `The first ${TASK_PAGE} open tasks, in the order they opened.` }),
    openTasksNext: z
      .string()
      .nullable()
      .openapi({ description: 'When there are more: pass as `cursor` to GET /api/v1/processes/{id}/open-tasks for the rest; null otherwise.' }),
    decisions: z.array(decisionEntry).openapi({ description: `The first ${TASK_PAGE} decisions, in the order taken.` }),
    decisionsNext: z
      .string()
      .nullable()
      .openapi({ description: 'When there are more: pass as `cursor` to GET /api/v1/processes/{id}/decisions for the rest; null otherwise.' }),
    auditTrail: z.array(auditEvent).openapi({ description: `The first ${AUDIT_PAGE} events, oldest first.` }),
    auditTrailNext: z
      .string()
      .nullable()
      .openapi({ description: 'When the trail is longer: pass as `cursor` to GET /api/v1/processes/{id}/audit-trail for the rest; null otherwise.' }),
    source: z.enum(['workflow', 'projection']).openapi({ description: 'workflow: live state of a running instance; projection: PostgreSQL.' }),
  })
  .openapi('ProcessDetail');

const processParams = idParam('id', { max: 500, example: 'borrow-42' });

/** Pages of an audit trail: by seq. */
const auditKey = keysetCursor('int');

const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE).default(AUDIT_PAGE),
  cursor: auditKey.query,
});

/** Pages of an instance's open tasks or decisions: their time as PostgreSQL printed it, then the task id. */
const processTaskKey = keysetCursor('timestamp', 'text');

const processTaskQuery = z.object({
  limit: z.coerce.number().int().min(1).max(TASK_PAGE).default(TASK_PAGE),
  cursor: processTaskKey.query,
});

const nextCursorField = z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' });

const openTaskPage = z.object({ openTasks: z.array(processTask), nextCursor: nextCursorField }).openapi('OpenTaskPage');

const decisionPage = z.object({ decisions: z.array(decisionEntry), nextCursor: nextCursorField }).openapi('DecisionPage');

const auditPage = z
  .object({ events: z.array(auditEvent), nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' }) })
  .openapi('AuditTrailPage');

// ------------------------------------------------------------------ mapping

const auditBody = (event: AuditEvent): z.infer<typeof auditEvent> => ({ ...event, at: iso(event.at) });

function openTaskBody(t: Task): z.infer<typeof processTask> {
  return { id: t.id, nodeId: t.nodeId, name: t.name, candidateIds: t.candidateIds, delegateIds: t.delegateIds, outcomes: t.outcomes, createdAt: iso(t.createdAt), dueAt: t.dueAt && iso(t.dueAt) };
}

/** A decided task's decision; undefined for a task not decided. */
function decisionEntryBody(t: Task): z.infer<typeof decisionEntry> | undefined {
  return t.decision ? { taskId: t.id, nodeId: t.nodeId, ...t.decision, at: iso(t.decision.at) } : undefined;
}

function taskBody(value: Task): z.infer<typeof task> {
  return {
    id: value.id,
    processId: value.processId,
    nodeId: value.nodeId,
    name: value.name,
    state: value.state,
    candidateIds: value.candidateIds,
    delegateIds: value.delegateIds,
    outcomes: value.outcomes,
    dueAt: value.dueAt && iso(value.dueAt),
    createdAt: iso(value.createdAt),
    completedAt: value.completedAt && iso(value.completedAt),
    decision: value.decision && { ...value.decision, at: iso(value.decision.at) },
    process: value.process,
  };
}

type ProcessDetail = z.infer<typeof processDetail>;

/** A running instance, as its workflow reports it. */
function liveDetail(view: ProcessView, businessKey: string | null): Omit<ProcessDetail, 'auditTrail' | 'auditTrailNext' | 'endedAt' | 'openTasksNext' | 'decisionsNext'> {
  return {
    id: view.processId,
    definition: view.definition,
    businessKey,
    status: view.status,
    initiatorId: view.initiatorId,
    startedAt: iso(view.startedAt),
    activeNodes: view.activeNodes,
    openTasks: view.openTasks.map((open) => ({
      id: open.id,
      nodeId: open.nodeId,
      name: open.name,
      candidateIds: open.candidateIds,
      delegateIds: Object.keys(open.delegates),
      outcomes: open.outcomes,
      createdAt: iso(open.openedAt),
      dueAt: open.dueAt === null ? null : iso(open.dueAt),
    })),
    decisions: view.decisions.map((d) => ({
      taskId: d.taskId,
      nodeId: d.nodeId,
      outcome: d.outcome,
      decidedBy: d.actorId,
      onBehalfOf: d.onBehalfOf,
      delegationId: d.delegationId,
      comment: d.comment,
      data: d.data,
      at: iso(d.at),
    })),
    source: 'workflow',
  };
}

// ------------------------------------------------------------------ routes

export function processRoutes(deps: { sql: Sql; engine: EngineClient; authenticator: Authenticator; decisionGuards: readonly DecisionGuard[] }) {
  const { sql, engine } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);
  // A published key@version never changes, so its rendering never does either.
  const bpmnByRef = new Map<string, Promise<string>>();

  const mayViewProcess = (user: User, id: string, initiatorId: string) => mayView(sql, user, id, initiatorId);
  const visibleInstance = (id: string, user: User) => visible(sql, id, user);

  /** A page of the instance's open tasks or decisions, from the projection, with the cursor of the next. */
  const processTasks = async (id: string, kind: 'open' | 'decided', query: { limit: number; cursor?: string | undefined }) => {
    const parts = query.cursor === undefined ? undefined : processTaskKey.parse(query.cursor)!;
    const page = await processTaskPage(sql, id, { kind, limit: query.limit, after: parts && { at: parts[0], id: parts[1] } });
    return { tasks: page.tasks, nextCursor: page.next && processTaskKey.format([page.next.at, page.next.id]) };
  };

  const definitionOr404 = async (key: string, version: number): Promise<ProcessDefinition> => {
    const definition = await findDefinition(sql, key, version);
    if (!definition) throw new NotFound('DEFINITION_NOT_FOUND', `No process definition ${key}@${version}.`);
    return definition;
  };

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/process-definitions',
      tags: ['processes'],
      summary: 'Published process definitions, every version',
      middleware: [authenticated] as const,
      responses: {
        200: { description: 'The definitions, by key then version', content: { 'application/json': { schema: z.object({ definitions: z.array(definitionSummary) }) } } },
        401: unauthorized,
      },
    }),
    async (c) => {
      const definitions = await listDefinitions(sql);
      return c.json({ definitions: definitions.map((d) => ({ ...d, publishedAt: iso(d.publishedAt) })) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/process-definitions/{key}/{version}',
      tags: ['processes'],
      summary: 'One published definition',
      middleware: [authenticated] as const,
      request: { params: definitionParams },
      responses: {
        200: { description: 'The definition', content: { 'application/json': { schema: definitionDocument } } },
        401: unauthorized,
        404: { description: 'DEFINITION_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => {
      const { key, version } = c.req.valid('param');
      return c.json((await definitionOr404(key, version)) as z.infer<typeof definitionDocument>, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/process-definitions/{key}/{version}/bpmn',
      tags: ['processes'],
      summary: 'The definition as BPMN 2.0 XML with diagram layout (opens in bpmn.io or Camunda Modeler)',
      middleware: [authenticated] as const,
      request: { params: definitionParams },
      responses: {
        200: { description: 'BPMN 2.0 XML', content: { 'application/xml': { schema: z.string() } } },
        401: unauthorized,
        404: { description: 'DEFINITION_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => {
      const { key, version } = c.req.valid('param');
      const definition = await definitionOr404(key, version);
      const ref = definitionRef(definition);
      let rendering = bpmnByRef.get(ref);
      if (!rendering) {
        rendering = definitionToBpmn(definition);
        bpmnByRef.set(ref, rendering);
        // A failed rendering is not remembered: the next request tries again.
        rendering.catch(() => bpmnByRef.delete(ref));
      }
      return c.body(await rendering, 200, {
        'content-type': 'application/xml; charset=utf-8',
        'content-disposition': `attachment; filename="${ref}.bpmn"`,
      });
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/processes/{id}',
      tags: ['processes'],
      summary: 'An instance: its state, open tasks, decisions and audit trail',
      description:
        'Visible to its initiator, to anyone who is or was a candidate, delegate or decider of one of its tasks, and to the GM and the Office Director; 404 for anyone else.',
      middleware: [authenticated] as const,
      request: { params: processParams },
      responses: {
        200: { description: 'The instance', content: { 'application/json': { schema: processDetail } } },
        401: unauthorized,
        404: { description: 'PROCESS_NOT_FOUND: no such instance, or one the caller may not see (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const user = c.var.user;
      const notFound = () => new NotFound('PROCESS_NOT_FOUND', `No process ${id}.`);
      const live = () => processState(engine, id).catch(() => undefined);
      const instance = await findProcessInstance(sql, id);
      // The projection row is written by the workflow's first step; until then only the workflow knows it.
      let view = instance ? undefined : await live();
      const initiatorId = instance?.initiatorId ?? view?.initiatorId;
      if (initiatorId === undefined) throw notFound();
      if (!(await mayViewProcess(user, id, initiatorId))) throw notFound();
      if (instance && instance.endedAt === null) view = await live();

      const trail = await auditTrailOf(sql, id, { limit: AUDIT_PAGE });
      const auditTrail = trail.events.map(auditBody);
      const auditTrailNext = trail.next === null ? null : auditKey.format([String(trail.next)]);
      if (view && view.status === 'running') {
        const detail = liveDetail(view, instance?.businessKey ?? null);
        // The workflow's lists are cut at a page; the rest is paged from the projection.
        const beyond = async (list: unknown[], kind: 'open' | 'decided') => (list.length > TASK_PAGE ? (await processTasks(id, kind, { limit: TASK_PAGE })).nextCursor : null);
        return c.json(
          {
            ...detail,
            openTasks: detail.openTasks.slice(0, TASK_PAGE),
            openTasksNext: await beyond(detail.openTasks, 'open'),
            decisions: detail.decisions.slice(0, TASK_PAGE),
            decisionsNext: await beyond(detail.decisions, 'decided'),
            endedAt: null,
            auditTrail,
            auditTrailNext,
          },
          200,
        );
      }
      // Ended, or the workflow did not answer: the projection holds the same facts.
      if (!instance) throw notFound();
      const open = await processTasks(id, 'open', { limit: TASK_PAGE });
      const decided = await processTasks(id, 'decided', { limit: TASK_PAGE });
      const body: ProcessDetail = {
        id: instance.id,
        definition: { key: instance.key, version: instance.version },
        businessKey: instance.businessKey,
        status: instance.status,
        initiatorId: instance.initiatorId,
        startedAt: iso(instance.startedAt),
        endedAt: instance.endedAt && iso(instance.endedAt),
        activeNodes: instance.endedAt ? [] : await openNodesOf(sql, id),
        openTasks: open.tasks.map(openTaskBody),
        openTasksNext: open.nextCursor,
        decisions: decided.tasks.flatMap((t) => decisionEntryBody(t) ?? []),
        decisionsNext: decided.nextCursor,
        auditTrail,
        auditTrailNext,
        source: 'projection',
      };
      return c.json(body, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/processes/{id}/audit-trail',
      tags: ['processes'],
      summary: "An instance's audit trail, a page at a time, oldest first",
      description: 'Visible to whoever may see the instance (GET /api/v1/processes/{id}).',
      middleware: [authenticated] as const,
      request: { params: processParams, query: auditQuery },
      responses: {
        200: { description: 'A page of the trail', content: { 'application/json': { schema: auditPage } } },
        401: unauthorized,
        404: { description: 'PROCESS_NOT_FOUND: no such instance, or one the caller may not see (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { limit, cursor } = c.req.valid('query');
      await visibleInstance(id, c.var.user);
      const page = await auditTrailOf(sql, id, { afterSeq: cursor === undefined ? 0 : Number(auditKey.parse(cursor)![0]), limit });
      return c.json({ events: page.events.map(auditBody), nextCursor: page.next === null ? null : auditKey.format([String(page.next)]) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/processes/{id}/open-tasks',
      tags: ['processes'],
      summary: "An instance's open tasks, a page at a time, in the order they opened",
      description: 'Visible to whoever may see the instance (GET /api/v1/processes/{id}). Read from the projection PostgreSQL keeps.',
      middleware: [authenticated] as const,
      request: { params: processParams, query: processTaskQuery },
      responses: {
        200: { description: 'A page of open tasks', content: { 'application/json': { schema: openTaskPage } } },
        401: unauthorized,
        404: { description: 'PROCESS_NOT_FOUND: no such instance, or one the caller may not see (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await visibleInstance(id, c.var.user);
      const page = await processTasks(id, 'open', c.req.valid('query'));
      return c.json({ openTasks: page.tasks.map(openTaskBody), nextCursor: page.nextCursor }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/processes/{id}/decisions',
      tags: ['processes'],
      summary: "An instance's decisions, a page at a time, in the order taken",
      description: 'Visible to whoever may see the instance (GET /api/v1/processes/{id}). Read from the projection PostgreSQL keeps.',
      middleware: [authenticated] as const,
      request: { params: processParams, query: processTaskQuery },
      responses: {
        200: { description: 'A page of decisions', content: { 'application/json': { schema: decisionPage } } },
        401: unauthorized,
        404: { description: 'PROCESS_NOT_FOUND: no such instance, or one the caller may not see (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await visibleInstance(id, c.var.user);
      const page = await processTasks(id, 'decided', c.req.valid('query'));
      return c.json({ decisions: page.tasks.flatMap((t) => decisionEntryBody(t) ?? []), nextCursor: page.nextCursor }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tasks',
      tags: ['tasks'],
      summary: 'My tasks: open ones I may decide (as a candidate or a delegate), or ones I decided; filtered and sorted',
      middleware: [authenticated] as const,
      request: { query: taskQuery },
      responses: {
        200: { description: 'A page of tasks; open: longest-waiting first; completed: latest first', content: { 'application/json': { schema: taskPage } } },
        400: { description: 'INVALID_INPUT or INVALID_CURSOR: a bad state, sort, filter, limit or cursor (problem+json)' },
        401: unauthorized,
      },
    }),
    async (c) => {
      const { state, sort, limit, cursor, ...filters } = c.req.valid('query');
      const page = await listMyTasks(sql, c.var.user.id, { state, sort, limit, filters: inboxFilters(filters), cursor: cursor === undefined ? undefined : parseTaskCursor(cursor) });
      return c.json(
        {
          tasks: page.tasks.map((mine) => ({ ...taskBody(mine), via: mine.via })),
          nextCursor: page.nextCursor && formatTaskCursor(page.nextCursor),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tasks/{id}',
      tags: ['tasks'],
      summary: 'One task, with the form its decision may carry',
      description: "Visible to its candidates and delegates, to whoever decided it, and to the process's initiator; 404 for anyone else.",
      middleware: [authenticated] as const,
      request: { params: taskParams },
      responses: {
        200: { description: 'The task', content: { 'application/json': { schema: taskDetail } } },
        401: unauthorized,
        404: { description: 'TASK_NOT_FOUND: no such task, or one the caller may not see (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const found = await findTask(sql, id);
      if (!found || !mayViewTask(found, c.var.user.id)) throw new NotFound('TASK_NOT_FOUND', `No task ${id}.`);
      const definition = await findDefinition(sql, found.process.key, found.process.version);
      const node = definition?.nodes.find((n) => n.id === found.nodeId);
      // A task at the start event is the requester's resubmission of a request sent back to them (#16).
      const form = node?.type === 'userTask' ? (node.form ?? {}) : node?.type === 'startEvent' && definition ? resubmitForm(definition) : null;
      return c.json({ ...taskBody(found), form }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/tasks/{id}/complete',
      tags: ['tasks'],
      summary: 'Decide a task',
      description:
        "The caller decides in their own right or as a delegate. The instance's workflow checks the decision before accepting it; a refused decision leaves no trace in its history.",
      middleware: [authenticated] as const,
      request: {
        params: taskParams,
        headers: completeHeaders,
        body: { required: true, content: { 'application/json': { schema: completeRequest } } },
      },
      responses: {
        200: { description: 'Decided; the instance has acted on it', content: { 'application/json': { schema: completeResult } } },
        202: accepted,
        400: { description: 'INVALID_INPUT: the body is not {outcome, comment?, data?} (problem+json)' },
        401: unauthorized,
        403: { description: 'NOT_A_CANDIDATE: the caller may not decide this task (problem+json)' },
        404: { description: 'TASK_NOT_FOUND (problem+json)' },
        409: { description: 'TASK_ALREADY_COMPLETED, PROCESS_ENDED, or DOCUMENT_UNAVAILABLE: a hand-over of a document someone else holds (problem+json)' },
        422: { description: 'INVALID_OUTCOME, or INVALID_TASK_DATA with `errors` (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const key = c.req.valid('header')['idempotency-key'];
      const user = c.var.user;
      const found = await findTask(sql, id);
      if (!found) throw new NotFound('TASK_NOT_FOUND', `No task ${id}.`);
      await guardDecision(sql, deps.decisionGuards, found, user.id);
      // Scoped to the caller and the task, so one person's key never answers for another's request.
      const requestId = key === undefined ? undefined : `complete:${user.id}:${id}:${key}`;
      let result;
      try {
        result = await completeTask(
          engine,
          found.processId,
          { taskId: id, actorId: user.id, outcome: body.outcome, ...(body.comment !== undefined ? { comment: body.comment } : {}), ...(body.data !== undefined ? { data: body.data } : {}) },
          requestId,
        );
      } catch (error) {
        // A decided task may be gone from a workflow that has moved on or ended (then the
        // refusal speaks of the process): the projection says the task was decided, which is
        // the answer the caller needs.
        if (found.state !== 'open' && (error instanceof NotFound || error instanceof StateConflict)) {
          throw new StateConflict('TASK_ALREADY_COMPLETED', `Task ${id} is already ${found.state}.`);
        }
        throw error;
      }
      const nextTasks = (await openTasksOf(sql, found.processId)).map(taskBody);
      return c.json({ ...result, nextTasks }, 200);
    },
  );

  return router;
}
