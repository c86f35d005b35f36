// Process instances: what one looks like (live from its workflow while it runs, else from the
// projection), its audit trail, open tasks and decisions, a page at a time.
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../platform/db/client.ts';
import { requireUser, type Authenticator } from '../../platform/http/auth.ts';
import { createRouter } from '../../platform/http/router.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import { idParam, unauthorized } from '../../platform/http/schemas.ts';
import type { ProcessView } from '../workflow/types.ts';
import { decision, iso, label, timestamp } from './bodies.ts';
import type { AuditEvent, EngineService, ProcessReading, ProcessTaskCursor, Task } from './service.ts';

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
export const AUDIT_PAGE = 200;
export const TASK_PAGE = 200;

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

const formatTaskKey = (cursor: ProcessTaskCursor | null) => cursor && processTaskKey.format([cursor.at, cursor.id]);

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


/** The instance's body from what the service read. */
function processBody(reading: ProcessReading): ProcessDetail {
  const auditTrail = reading.trail.events.map(auditBody);
  const auditTrailNext = reading.trail.next === null ? null : auditKey.format([String(reading.trail.next)]);
  if (reading.source === 'workflow') {
    const detail = liveDetail(reading.view, reading.businessKey);
    return {
      ...detail,
      openTasks: detail.openTasks.slice(0, TASK_PAGE),
      openTasksNext: formatTaskKey(reading.openTasksNext),
      decisions: detail.decisions.slice(0, TASK_PAGE),
      decisionsNext: formatTaskKey(reading.decisionsNext),
      endedAt: null,
      auditTrail,
      auditTrailNext,
    };
  }
  const { instance, open, decided } = reading;
  return {
    id: instance.id,
    definition: { key: instance.key, version: instance.version },
    businessKey: instance.businessKey,
    status: instance.status,
    initiatorId: instance.initiatorId,
    startedAt: iso(instance.startedAt),
    endedAt: instance.endedAt && iso(instance.endedAt),
    activeNodes: reading.activeNodes,
    openTasks: open.tasks.map(openTaskBody),
    openTasksNext: formatTaskKey(open.next),
    decisions: decided.tasks.flatMap((t) => decisionEntryBody(t) ?? []),
    decisionsNext: formatTaskKey(decided.next),
    auditTrail,
    auditTrailNext,
    source: 'projection',
  };
}

export function processInstanceRoutes(deps: { service: EngineService; sql: Sql; authenticator: Authenticator }) {
  const { service } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

  /** A page of the instance's open tasks or decisions, with the cursor of the next. */
  const processTasks = async (user: Parameters<EngineService['processTasks']>[0], id: string, kind: 'open' | 'decided', query: { limit: number; cursor?: string | undefined }) => {
    const parts = query.cursor === undefined ? undefined : processTaskKey.parse(query.cursor)!;
    const page = await service.processTasks(user, id, kind, { limit: query.limit, after: parts && { at: parts[0], id: parts[1] } });
    return { tasks: page.tasks, nextCursor: formatTaskKey(page.next) };
  };

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
    async (c) => c.json(processBody(await service.readProcess(c.var.user, c.req.valid('param').id)), 200),
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
      const page = await service.auditTrail(c.var.user, id, { afterSeq: cursor === undefined ? 0 : Number(auditKey.parse(cursor)![0]), limit });
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
      const page = await processTasks(c.var.user, id, 'open', c.req.valid('query'));
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
      const page = await processTasks(c.var.user, id, 'decided', c.req.valid('query'));
      return c.json({ decisions: page.tasks.flatMap((t) => decisionEntryBody(t) ?? []), nextCursor: page.nextCursor }, 200);
    },
  );

  return router;
}
