// Borrowing archives 借阅 (BOR-1..8). A request is stored, then runs as the process
// `borrow-<id>` chosen by borrowRoute; approvals and the hand-over are tasks of that process
// (POST /api/v1/tasks/{id}/complete), and the return is a message to it.
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../platform/db/client.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import {
  borrowingSettings,
  borrowModes,
  borrowProcessKeys,
  borrowRequestStatuses,
  returnConditions,
  type BorrowApproval,
} from './rules.ts';
import type { BorrowingService, BorrowRequest } from './service.ts';
import { secrecyLevels } from '../../platform/organisation/secrecy.ts';
import { requireUser, type Authenticator } from '../../platform/http/auth.ts';
import { startsAsynchronously } from '../../engine/outbox.ts';
import { createRouter } from '../../platform/http/router.ts';
import { accepted, idempotencyHeaders, idParam, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';

const timestamp = z.string().openapi({ format: 'date-time' });
const approvals = Object.keys(borrowProcessKeys) as [BorrowApproval, ...BorrowApproval[]];

const borrowRequest = z
  .object({
    id: z.string(),
    processId: z.string().openapi({ example: 'borrow-3f6c…', description: 'The process instance that runs the request (GET /api/v1/processes/{id}).' }),
    processKey: z.string().openapi({ example: borrowProcessKeys.secret }),
    approval: z.enum(approvals).openapi({
      description:
        'direct: an executive, no approver (BOR-1) · department: Department Manager then Office Director (BOR-2) · secret: GM or Deputy GM in charge (BOR-5/6) · confidential: the same, reading only (BOR-4)',
    }),
    document: z.object({ id: z.string(), reference: z.string(), title: z.string(), secrecy: z.enum(secrecyLevels) }),
    requesterId: z.string(),
    requesterDepartmentId: z.string(),
    mode: z.enum(borrowModes),
    hours: z.number().nullable(),
    purpose: z.string(),
    status: z.enum(borrowRequestStatuses).openapi({
      description:
        'pending → approved → on_loan | in_reading → (overdue →) returned; or rejected, cancelled (by the requester before the hand-over), unavailable (the document was handed to someone else first).',
    }),
    createdAt: timestamp,
    updatedAt: timestamp,
    handedOverAt: timestamp.nullable(),
    handedOverBy: z.string().nullable(),
    dueAt: timestamp.nullable(),
    returnedAt: timestamp.nullable(),
    returnCondition: z.enum(returnConditions).nullable(),
    returnNote: z.string().nullable(),
    incident: z
      .object({ id: z.string(), condition: z.enum(returnConditions), note: z.string(), openedAt: timestamp })
      .nullable()
      .openapi({ description: 'BOR-8: opened when the document came back in any condition but intact.' }),
  })
  .openapi('BorrowRequest');

const newBorrowRequest = z
  .object({
    documentId: identifier(),
    mode: z.enum(borrowModes).openapi({ description: 'loan: the document leaves the archive room; reading: it is read inside it (the only mode for Confidential, BOR-4).' }),
    hours: z
      .number()
      .positive()
      .max(24 * 366)
      .optional()
      .openapi({
        description:
          `How long. A Secret loan states it, at most ${borrowingSettings.secretBorrowMaxHours} (BOR-5). A non-classified loan lasts ${borrowingSettings.loanDefaultHours} hours unless asked for less. ` +
          `A reading session ends when the archive room closes (${borrowingSettings.readingRoomClosesAt} Asia/Shanghai) at the latest.`,
      }),
    purpose: z.string().trim().min(1).max(2_000),
  })
  .strict()
  .openapi('NewBorrowRequest');

const idempotency = idempotencyHeaders('the same key from the same requester returns the request it created (200) instead of a second one.');

const requestParams = idParam();

/** Pages of borrow requests: the newest first, then by id. */
const requestKey = keysetCursor('timestamp', 'text');

const requestQuery = z.object({
  status: z.enum(borrowRequestStatuses).optional(),
  documentId: identifier().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: requestKey.query,
});

const cancelRequest = z.object({ reason: z.string().trim().min(1).max(2_000).optional() }).strict().openapi('CancelBorrowRequest');

const returnRequest = z
  .object({
    condition: z.enum(returnConditions).openapi({ description: 'BOR-8: anything but intact opens an incident reported to the Office Director.' }),
    note: z.string().trim().max(2_000).optional(),
  })
  .strict()
  .openapi('BorrowReturn');

const requestPage = z
  .object({ requests: z.array(borrowRequest), nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' }) })
  .openapi('BorrowRequestPage');

function requestCursor(text: string): { createdAt: string; id: string } | undefined {
  const parts = requestKey.parse(text);
  return parts && { createdAt: parts[0], id: parts[1] };
}

const iso = (date: Date | null) => date && date.toISOString();

function requestBody(request: BorrowRequest): z.infer<typeof borrowRequest> {
  return {
    id: request.id,
    processId: request.processId,
    processKey: request.processKey,
    approval: approvals.find((approval) => borrowProcessKeys[approval] === request.processKey)!,
    document: { id: request.documentId, ...request.document },
    requesterId: request.requesterId,
    requesterDepartmentId: request.requesterDepartmentId,
    mode: request.mode,
    hours: request.hours,
    purpose: request.purpose,
    status: request.status,
    createdAt: request.createdAt.toISOString(),
    updatedAt: request.updatedAt.toISOString(),
    handedOverAt: iso(request.handedOverAt),
    handedOverBy: request.handedOverBy,
    dueAt: iso(request.dueAt),
    returnedAt: iso(request.returnedAt),
    returnCondition: request.returnCondition,
    returnNote: request.returnNote,
    incident: request.incident && { ...request.incident, openedAt: request.incident.openedAt.toISOString() },
  };
}

const whoSees =
  'Visible to the requester, to whoever is or was asked to decide one of its tasks, and to those with a role in the archive ' +
  '([interpretation] the Archivist, the Office Director and the GM); 404 for anyone else.';

export function borrowingRoutes(deps: { borrowing: BorrowingService; sql: Sql; authenticator: Authenticator }) {
  const { borrowing } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/borrow-requests',
      tags: ['borrowing'],
      summary: 'Ask to borrow a document (a loan, or a reading in the archive room)',
      description:
        'The route follows from the requester and the document\'s secrecy: BOR-1 executives borrow non-classified documents directly; BOR-2 anyone else through their Department Manager and the Office Director; ' +
        'BOR-5/6 Secret: at most 4 hours, approved by the GM or the Deputy GM in charge of the requester\'s department; BOR-4 Confidential: reading only, approved the same way; BOR-3 Top Secret: refused. ' +
        'A document that is lent or in reading is refused with 409 DOCUMENT_UNAVAILABLE. Refusals write nothing. ' +
        '[interpretation] BOR-2: when the requester is their own Department Manager (or the department has none), the Deputy GM in charge of the department submits the application, failing them the Office Director. ' +
        '[interpretation] BOR-4: a reading session ends at the close of the archive room on the day it is handed over; the due time is fixed at the hand-over, not at submission.',
      middleware: [authenticated] as const,
      request: { headers: idempotency, body: { required: true, content: { 'application/json': { schema: newBorrowRequest } } } },
      responses: {
        201: { description: `The request; its process has started. ${startsAsynchronously}`, content: { 'application/json': { schema: borrowRequest } } },
        200: { description: 'The request this Idempotency-Key already created', content: { 'application/json': { schema: borrowRequest } } },
        400: { description: 'INVALID_INPUT: a bad mode, hours that are not a positive number, no purpose (problem+json)' },
        401: unauthorized,
        404: { description: 'DOCUMENT_NOT_FOUND: no such document, or one the caller may not know exists (problem+json)' },
        409: { description: 'DOCUMENT_UNAVAILABLE: the document is lent, in reading, or out of use (problem+json)' },
        422: {
          description:
            'TOP_SECRET_NOT_BORROWABLE (BOR-3), CONFIDENTIAL_READING_ONLY (BOR-4), SECRET_LOAN_HOURS_REQUIRED or SECRET_BORROW_TOO_LONG (BOR-5), LOAN_TOO_LONG, IDEMPOTENCY_KEY_REUSED with another body (problem+json)',
        },
      },
    }),
    async (c) => {
      const { request, created, replayed } = await borrowing.requestToBorrow(c.var.user, c.req.valid('json'), c.req.valid('header')['idempotency-key']);
      if (replayed) return c.json(requestBody(request), 200);
      c.header('location', `/api/v1/borrow-requests/${request.id}`);
      return created ? c.json(requestBody(request), 201) : c.json(requestBody(request), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/borrow-requests/{id}',
      tags: ['borrowing'],
      summary: 'One borrow request',
      description: whoSees,
      middleware: [authenticated] as const,
      request: { params: requestParams },
      responses: {
        200: { description: 'The request', content: { 'application/json': { schema: borrowRequest } } },
        401: unauthorized,
        404: { description: 'BORROW_REQUEST_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => c.json(requestBody(await borrowing.visibleRequest(c.var.user, c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/borrow-requests',
      tags: ['borrowing'],
      summary: 'Borrow requests: my own; every request for those with a role in the archive',
      description: '[interpretation] The Archivist, the Office Director and the GM see every request; anyone else sees their own. The newest first.',
      middleware: [authenticated] as const,
      request: { query: requestQuery },
      responses: {
        200: { description: 'A page of requests', content: { 'application/json': { schema: requestPage } } },
        400: invalidInput,
        401: unauthorized,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const page = await borrowing.listRequests(c.var.user, {
        status: query.status,
        documentId: query.documentId,
        limit: query.limit,
        after: query.cursor === undefined ? undefined : requestCursor(query.cursor),
      });
      return c.json({ requests: page.requests.map(requestBody), nextCursor: page.next && requestKey.format([page.next.createdAt, page.next.id]) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/borrow-requests/{id}/cancel',
      tags: ['borrowing'],
      summary: 'Withdraw a request before the document is handed over (the requester only)',
      description: 'Withdrawing a request that is withdrawn already answers 200 with it: a retry after a 503 is safe.',
      middleware: [authenticated] as const,
      request: { params: requestParams, body: { required: false, content: { 'application/json': { schema: cancelRequest } } } },
      responses: {
        200: { description: 'Cancelled', content: { 'application/json': { schema: borrowRequest } } },
        202: accepted,
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_REQUESTER (problem+json)' },
        404: { description: 'BORROW_REQUEST_NOT_FOUND (problem+json)' },
        409: { description: 'NOT_CANCELLABLE: handed over already, or ended (problem+json)' },
      },
    }),
    async (c) => {
      // An empty body is allowed: the reason is optional.
      const request = await borrowing.withdrawRequest(c.var.user, c.req.valid('param').id, c.req.valid('json')?.reason);
      return c.json(requestBody(request), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/borrow-requests/{id}/return',
      tags: ['borrowing'],
      summary: 'Take the document back and record its condition (the Archivist only, BOR-8)',
      description:
        'Ends a loan or a reading session, on time or overdue. The process records the return; a document that is not intact opens an incident reported to the Office Director (BOR-8). ' +
        'Answers 202: GET the request to see it returned.',
      middleware: [authenticated] as const,
      request: { params: requestParams, body: { required: true, content: { 'application/json': { schema: returnRequest } } } },
      responses: {
        202: { description: 'The return is handed to the process', content: { 'application/json': { schema: borrowRequest } } },
        400: { description: 'INVALID_INPUT: an unknown condition (problem+json)' },
        401: unauthorized,
        403: { description: 'ARCHIVIST_ONLY (problem+json)' },
        404: { description: 'BORROW_REQUEST_NOT_FOUND (problem+json)' },
        409: { description: 'NOT_ON_LOAN: the document is not out on this request (problem+json)' },
      },
    }),
    async (c) => {
      const request = await borrowing.takeBack(c.var.user, c.req.valid('param').id, c.req.valid('json'));
      c.header('location', `/api/v1/borrow-requests/${request.id}`);
      return c.json(requestBody(request), 202);
    },
  );

  return router;
}
