// Retention, holds, destruction requests and the destruction register (DES-1..5). A request is
// filed here by the Archivist and then runs as the archive.destruction process: reviews and
// approvals are ordinary tasks (POST /api/v1/tasks/{id}/complete); the Archivist's item check
// comes through this router, since the engine never makes a process's initiator a task candidate.
import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.ts';
import { enqueueMessage, enqueueStart } from '../../db/outbox.ts';
import {
  findDestructionRequest,
  findHold,
  insertDestructionRequest,
  listRegister,
  lockCandidates,
  placeHold,
  releaseHold,
  requestIdForKey,
  retentionDue,
  startVerification,
  type DestructionRequest,
  type Hold,
  type RegisterEntry,
} from '../../db/destruction.ts';
import { documentCategories, documentCategoryIds } from '../../domain/archive.ts';
import {
  destructionBlocker,
  destructionItemStates,
  destructionProcessId,
  destructionProcessKey,
  destructionRequestStatuses,
  destructionSettings,
  destructionSteps,
  highestSecrecy,
  needsGmApproval,
  policyDate,
} from '../../domain/destruction.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../domain/errors.ts';
import type { Role, User } from '../../domain/organisation.ts';
import { secrecyLevels } from '../../domain/secrecy.ts';
import { requireUser, type Authenticator } from '../auth.ts';
import type { EngineClient } from '../engine-client.ts';
import { keysetCursor } from '../cursor.ts';
import { startsAsynchronously, type ProcessOutbox } from '../outbox.ts';
import { csvHeader, languageOf, type Language } from '../messages.ts';
import { createRouter } from '../router.ts';
import { idempotencyHeaders, idParam, identifier, invalidInput, unauthorized } from '../schemas.ts';

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

function holds(user: User, ...wanted: Role[]): boolean {
  return user.roles.some((grant) => wanted.includes(grant.role));
}

function requireRole(user: User, roles: Role[], code: string, detail: string, ruleId?: string): void {
  if (!holds(user, ...roles)) throw new Forbidden(code, detail, ruleId);
}

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

/** Who sees a request: the archive's staff and executives, and whoever decides or supervises it. */
function mayViewRequest(user: User, request: DestructionRequest): boolean {
  return (
    holds(user, 'archivist', 'office_director', 'gm', 'deputy_gm') ||
    request.requestedBy === user.id ||
    (request.supervisorIds ?? []).includes(user.id) ||
    request.decisions.some((d) => d.decidedBy === user.id || d.onBehalfOf === user.id)
  );
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

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

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
    return csvColumns.map((column) => csvField(values[column])).join(',');
  });
  return rows.map((line) => `${line}\r\n`).join('');
}

/**
 * The whole register as CSV, read and sent a page at a time, so that its size (it only grows)
 * never sits in memory at once.
 */
function registerCsvStream(sql: Sql, language: Language): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  async function* chunks() {
    yield `\uFEFF${csvHeader(csvColumns, language)}\r\n`;
    for (let page = await listRegister(sql, { afterSeq: 0, limit: 500 }); page.length; page = await listRegister(sql, { afterSeq: page.at(-1)!.seq, limit: 500 })) {
      yield registerCsvRows(page);
    }
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
  const { sql, outbox } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

  const requestOr404 = async (user: User, id: string): Promise<DestructionRequest> => {
    const request = await findDestructionRequest(sql, id);
    if (!request || !mayViewRequest(user, request)) throw new NotFound('DESTRUCTION_REQUEST_NOT_FOUND', `No destruction request ${id}.`);
    return request;
  };

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
      requireRole(c.var.user, ['office_director'], 'NOT_THE_OFFICE_DIRECTOR', 'Only the Office Director places holds on archive material.');
      const placed = await placeHold(sql, { id: `hold-${randomUUID()}`, documentId: id, reason, placedBy: c.var.user.id });
      if (!placed) throw new NotFound('DOCUMENT_NOT_FOUND', `No document ${id}.`);
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
      requireRole(c.var.user, ['office_director'], 'NOT_THE_OFFICE_DIRECTOR', 'Only the Office Director releases holds.');
      if (!(await findHold(sql, id, holdId))) throw new NotFound('HOLD_NOT_FOUND', `No hold ${holdId} on document ${id}.`);
      const released = await releaseHold(sql, { id: holdId, releasedBy: c.var.user.id });
      if (!released) throw new StateConflict('HOLD_ALREADY_RELEASED', `Hold ${holdId} has already been released.`);
      return c.json(holdBody(released), 200);
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
      requireRole(c.var.user, ['archivist', 'office_director'], 'NOT_ARCHIVE_STAFF', 'Only the Archivist and the Office Director review retention.');
      const due = await retentionDue(sql, policyDate(Date.now()));
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
      const user = c.var.user;
      requireRole(user, ['archivist'], 'NOT_THE_ARCHIVIST', 'DES-1: only the Archivist files a destruction request; nothing is destroyed any other way.', 'DES-1');
      const replay = async () => {
        const existingId = key === null ? undefined : await requestIdForKey(sql, user.id, key);
        if (existingId === undefined) return undefined;
        const existing = (await findDestructionRequest(sql, existingId))!;
        const same = existing.reason === reason && existing.items.map((item) => item.documentId).join('\n') === documentIds.join('\n');
        if (!same) throw new PolicyViolation('IDEMPOTENCY_KEY_REUSED', undefined, 'This Idempotency-Key was used for a different destruction request.');
        await outbox.deliver([existing.processId]);
        return c.json(requestBody(existing), 200);
      };
      const replayed = await replay();
      if (replayed) return replayed;

      const id = randomUUID();
      const today = policyDate(Date.now());
      try {
        await sql.begin(async (tx) => {
          const found = await lockCandidates(tx, documentIds);
          const byId = new Map(found.map((document) => [document.id, document]));
          const unknown = documentIds.filter((documentId) => !byId.has(documentId));
          if (unknown.length) throw new NotFound('DOCUMENT_NOT_FOUND', `No document ${unknown.join(', ')}.`);
          const documents = documentIds.map((documentId) => byId.get(documentId)!);
          const refusals = documents.flatMap((document, index) => {
            const blocker = destructionBlocker(document, today);
            return blocker ? [{ path: `documentIds.${index}`, message: `${document.id} (${document.reference}): ${blocker}` }] : [];
          });
          if (refusals.length) {
            throw new PolicyViolation(
              'NOT_DESTRUCTIBLE',
              'DES-2',
              `${refusals.length} of the documents cannot enter destruction: ${refusals.map((r) => r.message).join('; ')}.`,
              refusals,
            );
          }
          const secrecy = highestSecrecy(documents.map((d) => d.secrecy));
          await insertDestructionRequest(tx, {
            id,
            requestedBy: user.id,
            reason,
            secrecy,
            supervisorsRequired: destructionSettings.supervisorsRequired,
            idempotencyKey: key,
            // destructionBlocker let only documents with a retention end through
            documents: documents.map((d) => ({ ...d, retentionEndsOn: d.retentionEndsOn! })),
          });
          // Queued with the request: the process starts after the commit, or once Temporal is back.
          await enqueueStart(tx, {
            key: destructionProcessKey,
            processId: destructionProcessId(id),
            initiator: { id: user.id, departmentId: user.departmentId },
            variables: { requestId: id, secrecy, classified: needsGmApproval(secrecy), supervisorsRequired: destructionSettings.supervisorsRequired },
          });
        });
      } catch (error) {
        // The same key sent twice at once: the second waits for the first and finds its request.
        if ((error as { code?: string }).code === '23505' && key !== null) {
          const existing = await replay();
          if (existing) return existing;
        }
        throw error;
      }
      await outbox.deliver([destructionProcessId(id)]);
      return c.json(requestBody((await findDestructionRequest(sql, id))!), 201);
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
    async (c) => c.json(requestBody(await requestOr404(c.var.user, c.req.valid('param').id)), 200),
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
      const user = c.var.user;
      const request = await requestOr404(user, id);
      requireRole(user, ['archivist'], 'NOT_THE_ARCHIVIST', 'DES-4: the Archivist checks the material item by item.', 'DES-4');
      // One report per approval (a second one would wait in the process for a later check), and
      // it reaches the process: the status and the message are committed together.
      const started = await sql.begin(async (tx) => {
        if (!(await startVerification(tx, id))) return false;
        const message = { id: `verification-${randomUUID()}`, name: 'destruction.verified', payload: { checkedIds, verifiedBy: user.id }, actorId: user.id };
        await enqueueMessage(tx, request.processId, message);
        return true;
      });
      if (!started) throw new StateConflict('NOT_AWAITING_VERIFICATION', `Destruction request ${id} is ${request.status}, not awaiting the item check.`, 'DES-4');
      await outbox.deliver([request.processId]);
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
      requireRole(c.var.user, ['archivist', 'office_director', 'gm', 'deputy_gm'], 'NOT_ARCHIVE_STAFF', 'The destruction register is kept by the archive and read by its executives.', 'DES-4');
      const { limit, cursor } = c.req.valid('query');
      if (/\btext\/csv\b/i.test(c.req.header('accept') ?? '')) {
        return c.body(registerCsvStream(sql, languageOf(c)), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': 'attachment; filename="destruction-register.csv"',
        });
      }
      const page = await listRegister(sql, { afterSeq: cursor === undefined ? 0 : Number(registerKey.parse(cursor)![0]), limit: limit + 1 });
      const entries = page.slice(0, limit);
      return c.json({ entries: entries.map(registerBody), nextCursor: page.length > limit ? registerKey.format([String(entries.at(-1)!.seq)]) : null }, 200);
    },
  );

  return router;
}
