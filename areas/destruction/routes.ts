// Retention, holds, destruction requests and the destruction register (DES-1..5). A request is
// filed here by the Archivist and then runs as the archive.destruction process: reviews and
// approvals are ordinary tasks (POST /api/v1/tasks/{id}/complete); the Archivist's item check
// comes through this router, since the engine never makes a process's initiator a task candidate.
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../platform/db/client.ts';
import type { DestructionRequest, Hold, RegisterEntry } from './service.ts';
import {
  destructionCandidates,
  fileDestructionRequest,
  holdDocument,
  registerPage,
  registerPages,
  releaseDocumentHold,
  reportVerification,
  visibleDestructionRequest,
} from './service.ts';
import { documentCategories, documentCategoryIds } from '../archive/index.ts';
import { destructionItemStates, destructionRequestStatuses, destructionSettings, destructionSteps, needsGmApproval } from './rules.ts';
import type { User } from '../../platform/organisation/model.ts';
import { secrecyLevels } from '../../platform/organisation/secrecy.ts';
import { requireUser, type Authenticator } from '../../platform/http/auth.ts';
import type { EngineClient } from '../../engine/client.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import { startsAsynchronously, type ProcessOutbox } from '../../engine/outbox.ts';
import { createRouter } from '../../platform/http/router.ts';
import { idempotencyHeaders, idParam, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';
import { csvLine } from '../../platform/csv.ts';
import { csvHeader, languageOf, type Language } from '../../platform/http/messages.ts';

// ------------------------------------------------------------------ schemas

const timestamp = z.string().openapi({ format: 'date-time', example: '2026-03-01T08:00:00.000Z' });
const day = z.string().openapi({ format: 'date', example: '2026-03-01' });
const iso = (date: Date) => date.toISOString();

const documentParams = idParam('id', { example: 'doc-2016-014' });
const holdParams = documentParams.extend(idParam('holdId').shape);
const requestParams = idParam();

const holdRequest = z.object({ reason: z.string().trim().min(1).max(2_000).openapi({ example: 'Tax audit 2026: keep all 2015 vouchers' }) }).strict().openapi('HoldRequest');

const hold = z
  .object({
    id: z.string(),
    documentId: z.string(),
    reason: z.string(),
    placedBy: z.string(),
    placedAt: timestamp,
    releasedBy: z.string().nullable(),
    releasedAt: timestamp.nullable(),
  })
  .openapi('Hold');

const placedHold = z
  .object({
    hold,
    destructionRequestId: z
      .string()
      .nullable()
      .openapi({ description: 'The destruction request the document is in, if any: it will be withdrawn from it before execution.' }),
  })
  .openapi('PlacedHold');

const idempotency = idempotencyHeaders('the same key from the same Archivist returns the same request.');

const uniqueIds = (max: number) =>
  z
    .array(identifier())
    .max(max)
    .refine((ids) => new Set(ids).size === ids.length, 'each document at most once');

const newRequest = z
  .object({
    documentIds: uniqueIds(200).refine((ids) => ids.length > 0, 'at least one document').openapi({ example: ['doc-2016-014', 'doc-2016-015'] }),
    reason: z.string().trim().min(1).max(2_000).openapi({ example: 'Retention of the 2015 operating reports has ended.' }),
  })
  .strict()
  .openapi('DestructionRequestInput');

const verificationRequest = z
  .object({ checkedIds: uniqueIds(200).openapi({ description: 'DES-4: the items the Archivist checked against the approved list.' }) })
  .strict()
  .openapi('DestructionVerification');

const requestItem = z
  .object({
    documentId: z.string(),
    reference: z.string(),
    title: z.string(),
    category: z.enum(documentCategoryIds),
    categoryLabel: z.object({ en: z.string(), zh: z.string() }),
    secrecy: z.enum(secrecyLevels),
    retentionEndsOn: day,
    state: z.enum(destructionItemStates).openapi({ description: 'withdrawn: held before execution; returned: the request was rejected.' }),
    holdId: z.string().nullable(),
  })
  .openapi('DestructionItem');

const requestDecision = z
  .object({
    step: z.enum(destructionSteps),
    outcome: z.string(),
    decidedBy: z.string(),
    onBehalfOf: z.string().nullable().openapi({ description: 'The principal a delegate decided for (BOR-7).' }),
    comment: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
    at: timestamp,
  })
  .openapi('DestructionDecision');

const requestDetail = z
  .object({
    id: z.string(),
    processId: z.string(),
    status: z.enum(destructionRequestStatuses),
    requestedBy: z.string(),
    reason: z.string(),
    secrecy: z.enum(secrecyLevels),
    needsGmApproval: z.boolean().openapi({ description: 'DES-3: classified material needs the GM; general material is final at the Office Director.' }),
    supervisorsRequired: z.number().int(),
    supervisorIds: z.array(z.string()).nullable(),
    designatedBy: z.string().nullable(),
    designatedOnBehalfOf: z.string().nullable(),
    createdAt: timestamp,
    closedAt: timestamp.nullable(),
    items: z.array(requestItem),
    decisions: z.array(requestDecision),
    registerSeq: z.number().int().nullable().openapi({ description: 'The destruction register entry, once executed.' }),
  })
  .openapi('DestructionRequest');

const candidate = z
  .object({
    id: z.string(),
    reference: z.string(),
    title: z.string(),
    category: z.enum(documentCategoryIds),
    secrecy: z.enum(secrecyLevels),
    retentionEndsOn: day,
  })
  .openapi('DestructionCandidate');

const registerEntry = z
  .object({
    seq: z.number().int(),
    requestId: z.string(),
    processId: z.string(),
    requestedBy: z.string(),
    reason: z.string(),
    approvalForm: z.record(z.string(), z.unknown()).openapi({ description: 'The approval form 《公司档案资料销毁审批表》 as approved.' }),
    approvers: z.array(z.object({ step: z.string(), decidedBy: z.string(), onBehalfOf: z.string().nullable(), comment: z.string().nullable(), at: timestamp })),
    items: z.array(
      z.object({
        documentId: z.string(),
        reference: z.string(),
        title: z.string(),
        category: z.string(),
        secrecy: z.string(),
        outcome: z.enum(['destroyed', 'withdrawn']),
        hold: z.object({ id: z.string(), reason: z.string() }).optional(),
      }),
    ),
    supervisors: z.object({
      designated: z.array(z.string()),
      designatedBy: z.string().nullable(),
      designatedOnBehalfOf: z.string().nullable(),
      confirmedBy: z.array(z.string()),
    }),
    method: z.string(),
    place: z.string(),
    executedAt: timestamp,
    registeredAt: timestamp,
    prevHash: z.string(),
    hash: z.string().openapi({ description: 'sha-256 over the entry and the previous hash (npm run verify:register recomputes the chain).' }),
  })
  .openapi('DestructionRegisterEntry');

/** Pages of the register: in filing order (seq). */
const registerKey = keysetCursor('int');

const registerQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: registerKey.query,
});

// ------------------------------------------------------------------ mapping

function holdBody(value: Hold): z.infer<typeof hold> {
  return { ...value, placedAt: iso(value.placedAt), releasedAt: value.releasedAt && iso(value.releasedAt) };
}

function requestBody(request: DestructionRequest): z.infer<typeof requestDetail> {
  return {
    ...request,
    needsGmApproval: needsGmApproval(request.secrecy),
    createdAt: iso(request.createdAt),
    closedAt: request.closedAt && iso(request.closedAt),
    items: request.items.map((item) => ({ ...item, categoryLabel: { en: documentCategories[item.category].en, zh: documentCategories[item.category].zh } })),
    decisions: request.decisions.map((decision) => ({ ...decision, at: iso(decision.at) })),
  };
}

function registerBody(entry: RegisterEntry): z.infer<typeof registerEntry> {
  return { ...entry, executedAt: iso(entry.executedAt), registeredAt: iso(entry.registeredAt) };
}

const csvColumns = [
  'seq',
  'registered_at',
  'request_id',
  'requested_by',
  'reason',
  'destroyed',
  'withdrawn',
  'approvers',
  'supervisors',
  'method',
  'place',
  'executed_at',
  'prev_hash',
  'hash',
] as const;

/** The register as CSV (RFC 4180), one line per entry; lists inside a field are separated by "; ". */
export function registerCsv(entries: readonly RegisterEntry[]): string {
  return `${csvColumns.join(',')}\r\n${registerCsvRows(entries)}`;
}

/** The CSV lines of some entries, without the header. */
function registerCsvRows(entries: readonly RegisterEntry[]): string {
  const rows = entries.map((entry) => {
    const references = (outcome: 'destroyed' | 'withdrawn') =>
      entry.items
        .filter((item) => item.outcome === outcome)
        .map((item) => `${item.reference}${item.hold ? ` (held: ${item.hold.reason})` : ''}`)
        .join('; ');
    const approvers = entry.approvers.map((a) => `${a.step}: ${a.decidedBy}${a.onBehalfOf ? ` for ${a.onBehalfOf}` : ''}`).join('; ');
    const values: Record<(typeof csvColumns)[number], string | number> = {
      seq: entry.seq,
      registered_at: iso(entry.registeredAt),
      request_id: entry.requestId,
      requested_by: entry.requestedBy,
      reason: entry.reason,
      destroyed: references('destroyed'),
      withdrawn: references('withdrawn'),
      approvers,
      supervisors: entry.supervisors.confirmedBy.join('; '),
      method: entry.method,
      place: entry.place,
      executed_at: iso(entry.executedAt),
      prev_hash: entry.prevHash,
      hash: entry.hash,
    };
    return csvLine(csvColumns.map((column) => values[column]));
  });
  return rows.join('');
}

/** The whole register as CSV, sent a page at a time as the service reads it. */
function registerCsvStream(sql: Sql, user: User, language: Language): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pages = registerPages(sql, user);
  async function* chunks() {
    yield `\uFEFF${csvHeader(csvColumns, language)}\r\n`;
    for await (const page of pages) yield registerCsvRows(page);
  }
  const iterator = chunks();
  return new ReadableStream({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
}

// ------------------------------------------------------------------ routes

export function destructionRoutes(deps: { sql: Sql; engine: EngineClient; outbox: ProcessOutbox; authenticator: Authenticator }) {
  const { sql } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/documents/{id}/holds',
      tags: ['destruction'],
      summary: 'Hold a document: it cannot enter destruction, and leaves any destruction under way before execution',
      description:
        'Office Director only. A hold placed while the document is in a destruction request withdraws it from that request at execution; the register records it as withdrawn. ' +
        '[interpretation] Holds are not in the policy documents; they follow DoD 5015.2 (legal and audit holds suspend disposition).',
      middleware: [authenticated] as const,
      request: { params: documentParams, body: { required: true, content: { 'application/json': { schema: holdRequest } } } },
      responses: {
        201: { description: 'The hold', content: { 'application/json': { schema: placedHold } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_OFFICE_DIRECTOR (problem+json)' },
        404: { description: 'DOCUMENT_NOT_FOUND (problem+json)' },
        409: { description: 'DOCUMENT_DESTROYED (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const placed = await holdDocument(sql, c.var.user, id, reason);
      return c.json({ hold: holdBody(placed.hold), destructionRequestId: placed.destructionRequestId }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/documents/{id}/holds/{holdId}/release',
      tags: ['destruction'],
      summary: 'Release a hold',
      middleware: [authenticated] as const,
      request: { params: holdParams },
      responses: {
        200: { description: 'The released hold', content: { 'application/json': { schema: hold } } },
        401: unauthorized,
        403: { description: 'NOT_THE_OFFICE_DIRECTOR (problem+json)' },
        404: { description: 'HOLD_NOT_FOUND (problem+json)' },
        409: { description: 'HOLD_ALREADY_RELEASED (problem+json)' },
      },
    }),
    async (c) => {
      const { id, holdId } = c.req.valid('param');
      return c.json(holdBody(await releaseDocumentHold(sql, c.var.user, id, holdId)), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/destruction-candidates',
      tags: ['destruction'],
      summary: 'DES-2: documents whose retention has ended and that may enter destruction today',
      description: 'What the daily retention review lists for the Archivist. Permanent, held, lent and already requested material never appears.',
      middleware: [authenticated] as const,
      responses: {
        200: { description: 'The documents, earliest destruction date first', content: { 'application/json': { schema: z.object({ documents: z.array(candidate) }) } } },
        401: unauthorized,
        403: { description: 'NOT_ARCHIVE_STAFF (problem+json)' },
      },
    }),
    async (c) => {
      const due = await destructionCandidates(sql, c.var.user);
      return c.json(
        { documents: due.map((d) => ({ id: d.id, reference: d.reference, title: d.title, category: d.category, secrecy: d.secrecy, retentionEndsOn: d.retentionEndsOn! })) },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/destruction-requests',
      tags: ['destruction'],
      summary: 'DES-2: the Archivist files a destruction approval form 《公司档案资料销毁审批表》',
      description:
        'Archivist only (DES-1: there is no other way to destroy anything). Every document must be in the archive, past its retention and not held; ' +
        'otherwise 422 names each document and why. The documents become pending_destruction (not lendable) and the archive.destruction process starts: ' +
        'the Office Director reviews, the GM approves classified material (DES-3), the final approver designates the supervisor(s) in the task form ' +
        `(\`supervisorIds\`; ${destructionSettings.supervisorsRequired} required by the current setting, DES-5), the Archivist reports the item check ` +
        '(POST /api/v1/destruction-requests/{id}/verification, DES-4), the supervisors confirm method, place and time, and the entry is written to the register. ' +
        'A rejection at any step returns the documents to the archive. ' +
        '[interpretation] DES-2/3: general material is final at the Office Director, who then designates; for classified material the GM himself approves and designates (a power of attorney covers borrowing approvals only, BOR-7). ' +
        '[interpretation] DES-5: an Archivist never supervises; several supervisors must be different people.',
      middleware: [authenticated] as const,
      request: { headers: idempotency, body: { required: true, content: { 'application/json': { schema: newRequest } } } },
      responses: {
        201: { description: `Filed; the process has started. ${startsAsynchronously}`, content: { 'application/json': { schema: requestDetail } } },
        200: { description: 'The request this Idempotency-Key already filed', content: { 'application/json': { schema: requestDetail } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_ARCHIVIST (problem+json, DES-1)' },
        404: { description: 'DOCUMENT_NOT_FOUND (problem+json)' },
        422: { description: 'NOT_DESTRUCTIBLE: `errors` names each document and the reason (problem+json, DES-2); IDEMPOTENCY_KEY_REUSED with another body' },
      },
    }),
    async (c) => {
      const { documentIds, reason } = c.req.valid('json');
      const key = c.req.valid('header')['idempotency-key'] ?? null;
      const { request, created } = await fileDestructionRequest(deps, c.var.user, { documentIds, reason, idempotencyKey: key });
      return created ? c.json(requestBody(request), 201) : c.json(requestBody(request), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/destruction-requests/{id}',
      tags: ['destruction'],
      summary: 'A destruction request: its items, decisions (with on-behalf-of), designation and register entry',
      description: 'Visible to the Archivist, the Office Director, the GM and Deputy GMs, and whoever decided or supervises it; 404 for anyone else.',
      middleware: [authenticated] as const,
      request: { params: requestParams },
      responses: {
        200: { description: 'The request', content: { 'application/json': { schema: requestDetail } } },
        401: unauthorized,
        404: { description: 'DESTRUCTION_REQUEST_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => c.json(requestBody(await visibleDestructionRequest(sql, c.var.user, c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/destruction-requests/{id}/verification',
      tags: ['destruction'],
      summary: 'DES-4: the Archivist reports the item-by-item check against the approved list',
      description:
        'Archivist only, once the request is approved. A list that does not match the approved items stops the destruction and returns the form to the Office Director. ' +
        '[interpretation] Items held since the approval may be left out (or not): they are withdrawn at execution either way.',
      middleware: [authenticated] as const,
      request: { params: requestParams, body: { required: true, content: { 'application/json': { schema: verificationRequest } } } },
      responses: {
        202: { description: 'Handed to the process, which compares it with the approved list. Should Temporal be momentarily unavailable, it is delivered as soon as it answers again.', content: { 'application/json': { schema: z.object({ requestId: z.string(), status: z.literal('verifying') }) } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_ARCHIVIST (problem+json)' },
        404: { description: 'DESTRUCTION_REQUEST_NOT_FOUND (problem+json)' },
        409: { description: 'NOT_AWAITING_VERIFICATION: the request is not approved, or its check is already in (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { checkedIds } = c.req.valid('json');
      await reportVerification(deps, c.var.user, id, checkedIds);
      return c.json({ requestId: id, status: 'verifying' as const }, 202);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/destruction-register',
      tags: ['destruction'],
      summary: 'DES-4: the destruction register, kept permanently, in filing order',
      description:
        'JSON: a page of entries. With `Accept: text/csv`: the whole register as CSV (UTF-8 with a byte-order mark, for spreadsheets), ' +
        'whatever the paging parameters. Visible to the Archivist, the Office Director, the GM and Deputy GMs.',
      middleware: [authenticated] as const,
      request: { query: registerQuery },
      responses: {
        200: {
          description: 'The register',
          content: {
            'application/json': { schema: z.object({ entries: z.array(registerEntry), nextCursor: z.string().nullable() }).openapi('DestructionRegisterPage') },
            'text/csv': { schema: z.string() },
          },
        },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_ARCHIVE_STAFF (problem+json)' },
      },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid('query');
      if (/\btext\/csv\b/i.test(c.req.header('accept') ?? '')) {
        return c.body(registerCsvStream(sql, c.var.user, languageOf(c)), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': 'attachment; filename="destruction-register.csv"',
        });
      }
      const page = await registerPage(sql, c.var.user, { afterSeq: cursor === undefined ? 0 : Number(registerKey.parse(cursor)![0]), limit: limit + 1 });
      const entries = page.slice(0, limit);
      return c.json({ entries: entries.map(registerBody), nextCursor: page.length > limit ? registerKey.format([String(entries.at(-1)!.seq)]) : null }, 200);
    },
  );

  return router;
}
