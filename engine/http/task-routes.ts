// The task inbox: my tasks, one task with its form, and deciding one. A decision goes to the
// instance's workflow as an Update, whose validator answers at once.
import { inboxFilterQuery, inboxFilters } from './inbox-routes.ts';
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../platform/db/client.ts';
import { requireUser, type Authenticator } from '../../platform/http/auth.ts';
import { createRouter } from '../../platform/http/router.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import { accepted, idempotencyHeaders, idParam, identifier, unauthorized } from '../../platform/http/schemas.ts';
import { taskStates } from '../workflow/types.ts';
import { decision, iso, label, timestamp } from './bodies.ts';
import type { EngineService, Task, TaskCursor } from './service.ts';

const task = z
  .object({
    id: z.string(),
    processId: z.string(),
    nodeId: z.string(),
    name: label,
    state: z.enum(taskStates),
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

export function taskRoutes(deps: { service: EngineService; sql: Sql; authenticator: Authenticator }) {
  const { service } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

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
      const page = await service.myTasks(c.var.user, { state, sort, limit, filters: inboxFilters(filters), cursor: cursor === undefined ? undefined : parseTaskCursor(cursor) });
      // The tasks come as JSON from PostgreSQL (issue 20): spliced in, not parsed and written again.
      const body = `{"tasks":${page.tasksJson},"nextCursor":${JSON.stringify(page.nextCursor && formatTaskCursor(page.nextCursor))}}`;
      return c.body(body, 200, { 'content-type': 'application/json' });
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
      const { task: found, form } = await service.visibleTask(c.var.user, c.req.valid('param').id);
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
      const { result, nextTasks } = await service.decide(
        c.var.user,
        id,
        { outcome: body.outcome, ...(body.comment !== undefined ? { comment: body.comment } : {}), ...(body.data !== undefined ? { data: body.data } : {}) },
        key,
      );
      return c.json({ ...result, nextTasks: nextTasks.map(taskBody) }, 200);
    },
  );

  return router;
}
