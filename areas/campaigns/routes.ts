// Archiving campaigns (CYC-1/2), urgent hand-overs (CYC-3) and the register of originals held by
// departments (ARC-3) over HTTP: parse, call the service (service.ts), map the answer. The lists
// themselves are filled in and checked as tasks (POST /api/v1/tasks/{id}/complete).
import { csvDocument } from '../../platform/csv.ts';
import { csvHeaderCells, languageOf, type Language } from '../../platform/http/messages.ts';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { startsAsynchronously } from '../../engine/outbox.ts';
import { requireUser } from '../../platform/http/auth.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import { createRouter } from '../../platform/http/router.ts';
import { idempotencyHeaders, idParam, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';
import { secrecyLevels } from '../../platform/organisation/secrecy.ts';
import { documentCategoryIds } from '../archive/index.ts';
import type { RouteDeps } from '../area.ts';
import { campaignKinds, campaignSettings, heldOriginalLevels, itemUnits, itemVerdicts, type DepartmentReport } from './rules.ts';
import { campaignPage, campaignReport, fileUrgentHandOver, handOverDetail, heldOriginalPage, openCampaign, registerHeldOriginal, type HandOverDetail } from './service.ts';
import type { Campaign, HeldOriginal } from './sql.ts';

const timestamp = z.string().openapi({ format: 'date-time', example: '2026-04-01T01:00:00.000Z' });
const iso = (date: Date) => date.toISOString();
const nextCursor = z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' });
const idParams = idParam();
const pageLimit = z.coerce.number().int().min(1).max(200).default(50);

// ------------------------------------------------------------------ schemas

const campaignSchema = z
  .object({
    id: z.string(),
    processId: z.string().openapi({ description: 'The archive.campaign instance that runs it (GET /api/v1/processes/{id}).' }),
    kind: z.enum(campaignKinds).openapi({ description: 'quarterly and annual: opened by their Schedules (CYC-1); extraordinary: opened through the API.' }),
    period: z.string().openapi({ description: 'What it collects: 2026-Q1, 2025, or the reason an extraordinary campaign was opened.', example: '2026-Q1' }),
    openedBy: z.string(),
    openedAt: timestamp,
    dueAt: timestamp.openapi({ description: `When the departments' lists are due (${campaignSettings.collectionDays} days after it opens).` }),
    status: z.enum(['open', 'closed']).openapi({ description: 'closed once every list is checked.' }),
    closedAt: timestamp.nullable(),
  })
  .openapi('Campaign');

const newCampaign = z
  .object({ reason: z.string().trim().min(1).max(500).openapi({ example: 'Reorganisation of the sales departments' }) })
  .strict()
  .openapi('NewCampaign');

const campaignKey = keysetCursor('timestamp', 'text');
const campaignQuery = z.object({ limit: pageLimit, cursor: campaignKey.query });
const campaignPageSchema = z.object({ campaigns: z.array(campaignSchema), nextCursor }).openapi('CampaignPage');

const departmentRow = z
  .object({
    departmentId: z.string(),
    departmentName: z.string(),
    departmentNameZh: z.string(),
    handOverId: z.string(),
    status: z.enum(['pending', 'submitted', 'checked']),
    dueAt: timestamp.nullable().openapi({ description: 'When the list was due.' }),
    submittedAt: timestamp.nullable(),
    received: z.number().int().openapi({ description: 'Items on the list the department handed over.' }),
    accepted: z.number().int().openapi({ description: 'Items the Archivist accepted (registered as documents).' }),
    returned: z.number().int().openapi({ description: 'Items the Archivist returned, each with a reason.' }),
    late: z.boolean().openapi({ description: 'The list came after the due time, or has not come and the due time has passed.' }),
    daysLate: z.number().int(),
    originalsOutstanding: z.number().int().openapi({ description: 'ARC-3: confidential originals the department still holds.' }),
  })
  .openapi('CampaignDepartmentReport');

const reportSchema = z
  .object({
    campaign: campaignSchema,
    at: timestamp.openapi({ description: 'When the report was drawn up.' }),
    departments: z.array(departmentRow),
    totals: z.object({
      departments: z.number().int(),
      listsReceived: z.number().int(),
      late: z.number().int(),
      received: z.number().int(),
      accepted: z.number().int(),
      returned: z.number().int(),
      originalsOutstanding: z.number().int(),
    }),
  })
  .openapi('CampaignReport');

const reportQuery = z.object({
  format: z.enum(['json', 'csv']).optional().openapi({ description: 'csv: the department rows as CSV (as with `Accept: text/csv`).' }),
});

const itemInput = z
  .object({
    title: z.string().trim().min(1).max(500),
    category: z.enum(documentCategoryIds).openapi({ description: 'ARC-1: the document categories.' }),
    secrecy: z.enum(secrecyLevels),
    original: z.boolean().openapi({ description: 'An original, or a copy (ARC-3: at Confidential and above only the original).' }),
    quantity: z.number().int().min(1).max(1_000_000),
    unit: z.enum(itemUnits).openapi({ description: 'pages, or pieces for material not counted in pages.' }),
    volume: z.string().trim().min(1).max(200).optional().openapi({ description: 'CYC-4: the volume (卷) proposed; the Archivist sets it when accepting.' }),
    heldOriginalId: identifier().optional().openapi({ description: 'ARC-3: the entry of the register of held originals this item deposits.' }),
  })
  .strict()
  .openapi('HandOverItemInput');

const newHandOver = z
  .object({
    departmentId: identifier(100).optional().openapi({ description: 'The department handed over for; may be left out by a manager of one department.' }),
    items: z.array(itemInput).min(1).max(1_000),
  })
  .strict()
  .openapi('NewHandOver');

const heldRef = z.object({ id: z.string(), title: z.string(), secrecy: z.string() });

const handOverSchema = z
  .object({
    id: z.string(),
    campaignId: z.string().nullable().openapi({ description: 'null for urgent material (CYC-3).' }),
    departmentId: z.string(),
    processId: z.string().nullable(),
    status: z.enum(['pending', 'submitted', 'checked']),
    dueAt: timestamp.nullable(),
    submittedBy: z.string().nullable(),
    submittedAt: timestamp.nullable(),
    checkedBy: z.string().nullable(),
    checkedAt: timestamp.nullable(),
    checkProblem: z.string().nullable().openapi({ description: "Why the Archivist's last check could not be registered (the check task is open again)." }),
    items: z.array(
      itemInput.omit({ volume: true, heldOriginalId: true }).extend({
        item: z.number().int(),
        volume: z.string().nullable(),
        heldOriginalId: z.string().nullable(),
        verdict: z.enum(itemVerdicts).nullable(),
        reason: z.string().nullable(),
        documentId: z.string().nullable(),
      }),
    ),
    heldOriginalsAtOpening: z.array(heldRef).openapi({ description: 'ARC-3: the originals the department held when the hand-over opened; the collection task asks for them.' }),
    heldOriginalsOutstanding: z.array(heldRef).openapi({ description: 'ARC-3: those it still holds now.' }),
    createdBy: z.string(),
    createdAt: timestamp,
  })
  .openapi('HandOver');

const heldOriginalSchema = z
  .object({
    id: z.string(),
    departmentId: z.string(),
    title: z.string(),
    secrecy: z.enum(heldOriginalLevels),
    note: z.string().nullable(),
    registeredBy: z.string(),
    registeredAt: timestamp,
    deposited: z.object({ documentId: z.string(), handOverId: z.string().nullable(), at: timestamp }).nullable().openapi({ description: 'Set once a hand-over deposited it.' }),
  })
  .openapi('HeldOriginal');

const newHeldOriginal = z
  .object({
    departmentId: identifier(100).openapi({ example: 'finance' }),
    title: z.string().trim().min(1).max(500),
    secrecy: z.enum(heldOriginalLevels).openapi({ description: 'ARC-3: Confidential 机密 or Top Secret 绝密.' }),
    note: z.string().trim().min(1).max(2_000).optional(),
  })
  .strict()
  .openapi('NewHeldOriginal');

const heldKey = keysetCursor('timestamp', 'text');
const heldQuery = z.object({
  department: identifier(100).optional(),
  state: z.enum(['outstanding', 'deposited', 'all']).default('outstanding'),
  limit: pageLimit,
  cursor: heldKey.query,
});
const heldPage = z.object({ heldOriginals: z.array(heldOriginalSchema), nextCursor }).openapi('HeldOriginalPage');

// ------------------------------------------------------------------ mapping

function campaignBody(campaign: Campaign): z.infer<typeof campaignSchema> {
  return { ...campaign, openedAt: iso(campaign.openedAt), dueAt: iso(campaign.dueAt), closedAt: campaign.closedAt && iso(campaign.closedAt) };
}

function departmentBody(row: DepartmentReport): z.infer<typeof departmentRow> {
  return { ...row, dueAt: row.dueAt && iso(row.dueAt), submittedAt: row.submittedAt && iso(row.submittedAt) };
}

function handOverBody({ handOver, items, outstanding }: HandOverDetail): z.infer<typeof handOverSchema> {
  const { heldOriginals, ...rest } = handOver;
  const at = (date: Date | null) => date && iso(date);
  return {
    ...rest,
    dueAt: at(handOver.dueAt),
    submittedAt: at(handOver.submittedAt),
    checkedAt: at(handOver.checkedAt),
    createdAt: iso(handOver.createdAt),
    items: items.map((item) => ({ ...item, category: item.category as (typeof documentCategoryIds)[number] })),
    heldOriginalsAtOpening: heldOriginals,
    heldOriginalsOutstanding: outstanding,
  };
}

function heldBody(held: HeldOriginal): z.infer<typeof heldOriginalSchema> {
  const { documentId, handOverId, depositedAt, ...rest } = held;
  return { ...rest, registeredAt: iso(held.registeredAt), deposited: documentId && depositedAt ? { documentId, handOverId, at: iso(depositedAt) } : null };
}

const csvColumns = ['department_id', 'department', 'department_zh', 'status', 'due_at', 'submitted_at', 'received', 'accepted', 'returned', 'late', 'days_late', 'originals_outstanding'] as const;

/** CYC-2: the report's department rows as CSV, UTF-8 with a byte-order mark (for spreadsheets). */
function reportCsv(rows: readonly DepartmentReport[], language: Language): string {
  const lines = rows.map((row) =>
    [
      row.departmentId,
      row.departmentName,
      row.departmentNameZh,
      row.status,
      row.dueAt && iso(row.dueAt),
      row.submittedAt && iso(row.submittedAt),
      row.received,
      row.accepted,
      row.returned,
      row.late,
      row.daysLate,
      row.originalsOutstanding,
    ],
  );
  return csvDocument(csvHeaderCells(csvColumns, language), lines);
}

const wantsCsv = (c: Context, format: 'json' | 'csv' | undefined) => format === 'csv' || (format === undefined && /\btext\/csv\b/i.test(c.req.header('accept') ?? ''));

// ------------------------------------------------------------------ routes

export function campaignRoutes(deps: RouteDeps) {
  const service = { sql: deps.sql, outbox: deps.outbox };
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/campaigns',
      tags: ['campaigns'],
      summary: 'Open an archiving campaign now (CYC-1), e.g. after a reorganisation',
      description:
        'The Archivist or the Office Director. Every department with a Department Manager gets a collection task for its hand-over list (CYC-2), ' +
        `due ${campaignSettings.collectionDays} days later; the quarterly and annual campaigns open by themselves (Temporal Schedules).`,
      middleware: [authenticated] as const,
      request: { headers: idempotencyHeaders('a retried request with the same key returns the campaign the first one opened.'), body: { required: true, content: { 'application/json': { schema: newCampaign } } } },
      responses: {
        201: { description: `Opened. ${startsAsynchronously}`, content: { 'application/json': { schema: campaignSchema } } },
        200: { description: 'The campaign this Idempotency-Key already opened', content: { 'application/json': { schema: campaignSchema } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'CAMPAIGN_OPENER_ONLY (CYC-1) (problem+json)' },
        422: { description: 'IDEMPOTENCY_KEY_REUSED with another reason (problem+json)' },
      },
    }),
    async (c) => {
      const { campaign, created } = await openCampaign(service, c.var.user, { reason: c.req.valid('json').reason, idempotencyKey: c.req.valid('header')['idempotency-key'] });
      c.header('location', `/api/v1/campaigns/${campaign.id}/report`);
      return created ? c.json(campaignBody(campaign), 201) : c.json(campaignBody(campaign), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/campaigns',
      tags: ['campaigns'],
      summary: 'Archiving campaigns, the latest opened first',
      description: 'The Archivist, the Office Director, the GM and the Deputy GMs.',
      middleware: [authenticated] as const,
      request: { query: campaignQuery },
      responses: {
        200: { description: 'A page of campaigns', content: { 'application/json': { schema: campaignPageSchema } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'CAMPAIGN_OVERSIGHT_ONLY (problem+json)' },
      },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const parts = cursor === undefined ? undefined : campaignKey.parse(cursor);
      const page = await campaignPage(service, c.var.user, { limit, after: parts && { openedAt: parts[0], id: parts[1] } });
      return c.json({ campaigns: page.campaigns.map(campaignBody), nextCursor: page.next && campaignKey.format([page.next.openedAt, page.next.id]) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/campaigns/{id}/report',
      tags: ['campaigns'],
      summary: "A campaign's report per department: due, received, returned, late (CYC-2)",
      description:
        'JSON, or with `?format=csv` or `Accept: text/csv` the department rows as CSV (UTF-8 with a byte-order mark; a cell starting with = + - @ is prefixed with an apostrophe). ' +
        'The Archivist, the Office Director, the GM and the Deputy GMs; 404 for anyone else.',
      middleware: [authenticated] as const,
      request: { params: idParams, query: reportQuery },
      responses: {
        200: { description: 'The report', content: { 'application/json': { schema: reportSchema }, 'text/csv': { schema: z.string() } } },
        400: invalidInput,
        401: unauthorized,
        404: { description: 'CAMPAIGN_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => {
      const report = await campaignReport(service, c.var.user, c.req.valid('param').id);
      if (wantsCsv(c, c.req.valid('query').format)) {
        return c.body(reportCsv(report.departments, languageOf(c)), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="campaign-${report.campaign.id}.csv"`,
        });
      }
      return c.json({ campaign: campaignBody(report.campaign), at: iso(report.at), departments: report.departments.map(departmentBody), totals: report.totals }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/hand-overs',
      tags: ['campaigns'],
      summary: 'Hand over urgent material outside a campaign (CYC-3)',
      description:
        'A Department Manager, at any time. The Archivist checks the list as in a campaign (accepts or returns each item; accepted items become documents). ' +
        'ARC-3: a copy at Confidential 机密 or above is refused; an item may name the held original it deposits.',
      middleware: [authenticated] as const,
      request: { headers: idempotencyHeaders('a retried request with the same key returns the hand-over the first one filed.'), body: { required: true, content: { 'application/json': { schema: newHandOver } } } },
      responses: {
        201: { description: `Filed; the Archivist has a check task. ${startsAsynchronously}`, content: { 'application/json': { schema: handOverSchema } } },
        200: { description: 'The hand-over this Idempotency-Key already filed', content: { 'application/json': { schema: handOverSchema } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'DEPARTMENT_MANAGER_ONLY (CYC-3) (problem+json)' },
        422: { description: 'ORIGINAL_REQUIRED or UNKNOWN_HELD_ORIGINAL (ARC-3), with the items at fault (problem+json)' },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const items = body.items.map((item) => ({ ...item, volume: item.volume ?? null, heldOriginalId: item.heldOriginalId ?? null }));
      const filed = await fileUrgentHandOver(service, c.var.user, { departmentId: body.departmentId, items, idempotencyKey: c.req.valid('header')['idempotency-key'] });
      c.header('location', `/api/v1/hand-overs/${filed.handOver.id}`);
      const answer = handOverBody(filed);
      return filed.created ? c.json(answer, 201) : c.json(answer, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/hand-overs/{id}',
      tags: ['campaigns'],
      summary: "A department's hand-over list, the Archivist's verdicts, and the originals it holds (ARC-3)",
      description: "The department's manager, the Archivist, the Office Director, the GM and the Deputy GMs; 404 for anyone else.",
      middleware: [authenticated] as const,
      request: { params: idParams },
      responses: {
        200: { description: 'The hand-over', content: { 'application/json': { schema: handOverSchema } } },
        401: unauthorized,
        404: { description: 'HAND_OVER_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => {
      return c.json(handOverBody(await handOverDetail(service, c.var.user, c.req.valid('param').id)), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/held-originals',
      tags: ['campaigns'],
      summary: 'Register an original a department holds (ARC-3: Confidential and above)',
      description: 'The Archivist. Every campaign lists it in that department\'s collection task until a hand-over deposits it.',
      middleware: [authenticated] as const,
      request: { headers: idempotencyHeaders('a retried request with the same key returns the entry the first one registered.'), body: { required: true, content: { 'application/json': { schema: newHeldOriginal } } } },
      responses: {
        201: { description: 'Registered', content: { 'application/json': { schema: heldOriginalSchema } } },
        200: { description: 'The entry this Idempotency-Key already registered', content: { 'application/json': { schema: heldOriginalSchema } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'ARCHIVIST_ONLY (ARC-3) (problem+json)' },
        422: { description: 'UNKNOWN_DEPARTMENT (problem+json)' },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { held, created } = await registerHeldOriginal(service, c.var.user, { ...body, idempotencyKey: c.req.valid('header')['idempotency-key'] });
      return created ? c.json(heldBody(held), 201) : c.json(heldBody(held), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/held-originals',
      tags: ['campaigns'],
      summary: 'The register of originals held by departments (ARC-3), the latest registered first',
      description: 'The Archivist, the Office Director, the GM and the Deputy GMs. `state`: outstanding (default), deposited or all.',
      middleware: [authenticated] as const,
      request: { query: heldQuery },
      responses: {
        200: { description: 'A page of entries', content: { 'application/json': { schema: heldPage } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'CAMPAIGN_OVERSIGHT_ONLY (problem+json)' },
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const parts = query.cursor === undefined ? undefined : heldKey.parse(query.cursor);
      const page = await heldOriginalPage(service, c.var.user, { departmentId: query.department, state: query.state, limit: query.limit, after: parts && { registeredAt: parts[0], id: parts[1] } });
      return c.json({ heldOriginals: page.entries.map(heldBody), nextCursor: page.next && heldKey.format([page.next.registeredAt, page.next.id]) }, 200);
    },
  );

  return router;
}
