// The inbox's filters and other views (issue 16.2): what narrows GET /api/v1/tasks and its
// counts (GET /api/v1/tasks/counts), and "my requests" (GET /api/v1/me/requests). Mounted before
// the task routes, so /api/v1/tasks/counts is not read as a task id.
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../platform/db/client.ts';
import { inboxService, type MyRequest } from './inbox-service.ts';
import type { InboxFilters } from '../sql/tasks.ts';
import { definitionKey } from '../definition/definition.ts';
import { requireUser, type Authenticator } from '../../platform/http/auth.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import { createRouter } from '../../platform/http/router.ts';
import { dateTimeInput, identifier, unauthorized } from '../../platform/http/schemas.ts';

const timestamp = z.string().openapi({ format: 'date-time', example: '2026-03-01T08:00:00.000Z' });
const yesNo = z.enum(['true', 'false']).transform((value) => value === 'true');

/** The filters GET /api/v1/tasks and GET /api/v1/tasks/counts take. */
export const inboxFilterQuery = z.object({
  processKey: definitionKey.max(200).optional().openapi({ description: "The task's process definition key, e.g. archive.borrow.secret.", example: 'archive.borrow.department' }),
  businessKey: z.string().min(1).max(200).optional().openapi({ description: "The process's business key (a request id)." }),
  requester: identifier().optional().openapi({ description: "The user who started the task's process." }),
  dueBefore: dateTimeInput.optional().openapi({ description: 'Tasks due before this time (tasks without a due date are left out).' }),
  overdue: yesNo.optional().openapi({ description: 'true: open tasks past due now, or completed ones decided after they were due; false: the others.' }),
  via: z.enum(['direct', 'delegation']).optional().openapi({ description: 'direct: mine as a candidate; delegation: mine only as a delegate (BOR-7).' }),
});

type FilterQuery = z.infer<typeof inboxFilterQuery>;

export function inboxFilters(query: FilterQuery): InboxFilters {
  return {
    processKey: query.processKey,
    businessKey: query.businessKey,
    requesterId: query.requester,
    dueBefore: query.dueBefore === undefined ? undefined : new Date(query.dueBefore),
    overdue: query.overdue,
    via: query.via,
  };
}

const counts = z
  .object({
    open: z.number().int().openapi({ description: 'Open tasks I may decide.' }),
    overdue: z.number().int().openapi({ description: 'Of those, past due.' }),
    viaDelegation: z.number().int().openapi({ description: 'Of those, mine only as a delegate (BOR-7).' }),
    completed: z.number().int().openapi({ description: 'Tasks I decided.' }),
  })
  .openapi('TaskCounts');

const requestKey = keysetCursor('timestamp', 'text');

const myRequest = z
  .object({
    processId: z.string(),
    definition: z.object({ key: z.string(), version: z.number().int() }),
    businessKey: z.string().nullable(),
    status: z.string().openapi({ example: 'running' }),
    startedAt: timestamp,
    endedAt: timestamp.nullable(),
    openTasks: z
      .array(z.object({ id: z.string(), nodeId: z.string(), name: z.object({ en: z.string(), zh: z.string() }), candidateIds: z.array(z.string()), createdAt: timestamp, dueAt: timestamp.nullable() }))
      .openapi({ description: 'What it waits for now, the oldest first.' }),
  })
  .openapi('MyRequest');

const requestPage = z
  .object({ requests: z.array(myRequest), nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' }) })
  .openapi('MyRequestPage');

const requestQuery = z.object({
  status: z.enum(['running', 'ended']).optional(),
  processKey: inboxFilterQuery.shape.processKey,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: requestKey.query,
});

function requestBody(request: MyRequest): z.infer<typeof myRequest> {
  return {
    ...request,
    startedAt: request.startedAt.toISOString(),
    endedAt: request.endedAt && request.endedAt.toISOString(),
    openTasks: request.openTasks.map((t) => ({ ...t, createdAt: t.createdAt.toISOString(), dueAt: t.dueAt && t.dueAt.toISOString() })),
  };
}

export function inboxRoutes(deps: { sql: Sql; authenticator: Authenticator }) {
  const router = createRouter();
  const inbox = inboxService(deps.sql);
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tasks/counts',
      tags: ['tasks'],
      summary: 'How many tasks I have, per state: open, overdue, mine by delegation, completed',
      middleware: [authenticated] as const,
      request: { query: inboxFilterQuery.omit({ overdue: true, via: true }) },
      responses: {
        200: { description: 'The counts under the filters given', content: { 'application/json': { schema: counts } } },
        400: { description: 'INVALID_INPUT: a bad filter (problem+json)' },
        401: unauthorized,
      },
    }),
    async (c) => c.json(await inbox.counts(c.var.user, inboxFilters(c.req.valid('query'))), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/me/requests',
      tags: ['tasks'],
      summary: 'My requests: the processes I started, the newest first, with what each waits for',
      middleware: [authenticated] as const,
      request: { query: requestQuery },
      responses: {
        200: { description: 'A page of my requests', content: { 'application/json': { schema: requestPage } } },
        400: { description: 'INVALID_INPUT or INVALID_CURSOR: a bad status, process key, limit or cursor (problem+json)' },
        401: unauthorized,
      },
    }),
    async (c) => {
      const { limit, status, processKey, cursor } = c.req.valid('query');
      const parts = cursor === undefined ? undefined : requestKey.parse(cursor)!;
      const page = await inbox.requests(c.var.user, { limit, status, processKey, cursor: parts && { at: parts[0], id: parts[1] } });
      return c.json({ requests: page.requests.map(requestBody), nextCursor: page.nextCursor && requestKey.format([page.nextCursor.at, page.nextCursor.id]) }, 200);
    },
  );
  return router;
}
