// The customer archive over HTTP: cards (CUS-3/4) with their versions, contacts (CUS-5), the
// SEC-1 tiers, viewing requests (SEC-3), and the record of views (CUS-2).
import { createRoute, z } from '@hono/zod-openapi';
import { csvDocument } from '../../platform/csv.ts';
import { csvHeaderCells, languageOf } from '../../platform/http/messages.ts';
import { requireUser } from '../../platform/http/auth.ts';
import { createRouter } from '../../platform/http/router.ts';
import { dateInput, idParam, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';
import type { RouteDeps } from '../area.ts';
import { cardContentSchema, cardGroups, contactChannels, customerArchiveSettings, tiers, type CardContent } from './rules.ts';
import { createCustomerArchiveService } from './service.ts';
import type { Contact, View, ViewGrant } from './sql.ts';

const customerParams = idParam();
const requestParams = idParam();

const card = z
  .object({
    customerId: z.string(),
    customerName: z.string(),
    tier: z.enum(tiers).openapi({ description: 'SEC-1: company, department or personal level.' }),
    readUnder: z.enum(['owner', 'department', 'company', 'approval']).openapi({ description: 'The right this read was recorded under.' }),
    version: z.number().int().openapi({ description: '0 while nothing has been entered.' }),
    completeness: z.number().int().openapi({ description: 'Percent of the company card format filled in (OVL-1 scores it).' }),
    content: z.record(z.string(), z.record(z.string(), z.unknown())),
    updatedBy: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('CustomerCard');

const cardChange = z
  .object({
    content: cardContentSchema.describe(`The whole card, in the four groups of CUS-3: ${Object.entries(cardGroups).map(([id, g]) => `${id} (${g.label.zh})`).join(', ')}.`),
    expectedVersion: z.number().int().min(0).max(2_147_483_647).optional().openapi({ description: 'The version the change was made on: a card changed meanwhile is a 409.' }),
  })
  .strict()
  .openapi('CustomerCardChange');

const contact = z
  .object({ id: z.string(), customerId: z.string(), salespersonId: z.string(), channel: z.enum(contactChannels), contactedOn: z.string(), summary: z.string(), recordedAt: z.string(), cardUpdated: z.boolean(), penaltyId: z.string().nullable() })
  .openapi('CustomerContact');

const newContact = z
  .object({ channel: z.enum(contactChannels), contactedOn: dateInput.optional().openapi({ description: 'Default today (Asia/Shanghai).' }), summary: z.string().trim().min(1).max(4_000) })
  .strict()
  .openapi('NewCustomerContact');

const viewRequest = z
  .object({ id: z.string(), customerId: z.string(), granteeId: z.string(), tier: z.enum(tiers), reason: z.string(), processId: z.string(), status: z.enum(['requested', 'granted', 'refused']), validFrom: z.string().nullable(), validTo: z.string().nullable() })
  .openapi('CustomerViewRequest');

const view = z.object({ seq: z.string(), customerId: z.string(), viewerId: z.string(), viewedAt: z.string(), right: z.string(), grantId: z.string().nullable() }).openapi('CustomerView');

const contactBody = (c: Contact): z.infer<typeof contact> => ({
  id: c.id,
  customerId: c.customerId,
  salespersonId: c.salespersonId,
  channel: c.channel as (typeof contactChannels)[number],
  contactedOn: c.contactedOn,
  summary: c.summary,
  recordedAt: c.recordedAt.toISOString(),
  cardUpdated: c.cardVersion !== null,
  penaltyId: c.penaltyId,
});

const grantBody = (g: ViewGrant): z.infer<typeof viewRequest> => ({
  id: g.id,
  customerId: g.customerId,
  granteeId: g.granteeId,
  tier: g.tier,
  reason: g.reason,
  processId: g.processId,
  status: g.status,
  validFrom: g.validFrom?.toISOString() ?? null,
  validTo: g.validTo?.toISOString() ?? null,
});

const viewBody = (v: View): z.infer<typeof view> => ({ ...v, viewedAt: v.viewedAt.toISOString() });

const confidential = 'SEC-1: customer archives are confidential. Every read is recorded with the right it was made under (owner, department, company, or approval).';

export function customerArchiveRoutes(deps: RouteDeps) {
  const service = createCustomerArchiveService(deps);
  const router = createRouter();
  const authenticated = requireUser(deps);
  const tags = ['customer archive'];

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/customers/{id}/card',
      tags,
      summary: "CUS-3: the customer's card (four groups), read under a SEC-1 right or an approved viewing request",
      description: confidential,
      middleware: [authenticated] as const,
      request: { params: customerParams },
      responses: {
        200: { description: 'The card', content: { 'application/json': { schema: card } } },
        401: unauthorized,
        403: { description: 'VIEW_NEEDS_APPROVAL (SEC-3): file a viewing request (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => {
      const read = await service.readCard(c.var.user, c.req.valid('param').id);
      return c.json(
        {
          customerId: read.customer.id,
          customerName: read.customer.name,
          tier: read.tier,
          readUnder: read.right,
          version: read.card?.version ?? 0,
          completeness: read.card?.completeness ?? 0,
          content: (read.card?.content ?? {}) as Record<string, Record<string, unknown>>,
          updatedBy: read.card?.updatedBy ?? null,
          updatedAt: read.card?.updatedAt.toISOString() ?? null,
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/customers/{id}/card',
      tags,
      summary: 'CUS-5: write the card (a new version, kept for ever); satisfies the same-day duty of today\'s contacts',
      description: 'SEC-4 (严禁擅自修改): only the keeper changes a card: the Marketing Director at company level, the owner at personal level, the Department Manager (and the department\'s salespeople) for a pool customer.',
      middleware: [authenticated] as const,
      request: { params: customerParams, body: { required: true, content: { 'application/json': { schema: cardChange } } } },
      responses: {
        200: { description: 'The version now in force and the fields changed', content: { 'application/json': { schema: z.object({ version: z.number().int(), completeness: z.number().int(), changedFields: z.array(z.string()) }) } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_KEEPER (SEC-4) (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
        409: { description: 'CARD_VERSION_CONFLICT (problem+json)' },
      },
    }),
    async (c) => {
      const { content, expectedVersion } = c.req.valid('json');
      const { card: written, changed } = await service.updateCard(c.var.user, c.req.valid('param').id, content as CardContent, expectedVersion);
      return c.json({ version: written.version, completeness: written.completeness, changedFields: changed }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/customers/{id}/card/versions',
      tags,
      summary: 'CUS-5: every version of the card: who, when, what changed',
      description: confidential,
      middleware: [authenticated] as const,
      request: { params: customerParams },
      responses: {
        200: {
          description: 'Newest first',
          content: { 'application/json': { schema: z.object({ versions: z.array(z.object({ version: z.number().int(), changedFields: z.array(z.string()), changedBy: z.string(), changedAt: z.string(), content: z.unknown() })) }) } },
        },
        401: unauthorized,
        403: { description: 'VIEW_NEEDS_APPROVAL (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => {
      const versions = await service.cardHistory(c.var.user, c.req.valid('param').id);
      return c.json({ versions: versions.map((v) => ({ ...v, changedAt: v.changedAt.toISOString() })) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers/{id}/contacts',
      tags,
      summary: 'CUS-5 / CRM-3: record a contact (visit, reception, phone, SMS, fax, e-mail, web); the card is due the same day',
      description: 'A contact whose card is not updated by the end of its day (Asia/Shanghai) gets a 20-yuan fine proposed to HR by the day-end check.',
      middleware: [authenticated] as const,
      request: { params: customerParams, body: { required: true, content: { 'application/json': { schema: newContact } } } },
      responses: {
        201: { description: 'Recorded', content: { 'application/json': { schema: contact } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_KEEPER (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
        422: { description: 'CONTACT_DATE_OUT_OF_RANGE (problem+json)' },
      },
    }),
    async (c) => c.json(contactBody(await service.recordContact(c.var.user, c.req.valid('param').id, c.req.valid('json'))), 201),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/customers/{id}/contacts',
      tags,
      summary: 'CUS-5: the contacts with the customer, newest first (the last 200)',
      description: confidential,
      middleware: [authenticated] as const,
      request: { params: customerParams },
      responses: {
        200: { description: 'Contacts', content: { 'application/json': { schema: z.object({ contacts: z.array(contact) }) } } },
        401: unauthorized,
        403: { description: 'VIEW_NEEDS_APPROVAL (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => c.json({ contacts: (await service.contacts(c.var.user, c.req.valid('param').id, 200)).map(contactBody) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/customers/{id}/tier',
      tags,
      summary: "SEC-1: the Marketing Director makes a customer's archive company-level, or returns it to its department",
      middleware: [authenticated] as const,
      request: { params: customerParams, body: { required: true, content: { 'application/json': { schema: z.object({ companyLevel: z.boolean() }).strict() } } } },
      responses: {
        200: { description: 'The tier now', content: { 'application/json': { schema: z.object({ customerId: z.string(), companyLevel: z.boolean() }) } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_MARKETING_DIRECTOR (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => {
      const customer = await service.setCompanyLevel(c.var.user, c.req.valid('param').id, c.req.valid('json').companyLevel);
      return c.json({ customerId: customer.id, companyLevel: customer.companyLevel }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers/{id}/view-requests',
      tags,
      summary: 'SEC-3: file a viewing request 《查阅档案审批表》: your Department Manager signs, then the GM (company level) or the keeping Department Manager or the Marketing VP approves',
      description: `Granted access is scoped to this customer and ends by itself after ${customerArchiveSettings.viewGrantDays} days ([interpretation], a setting).`,
      middleware: [authenticated] as const,
      request: { params: customerParams, body: { required: true, content: { 'application/json': { schema: z.object({ reason: z.string().trim().min(1).max(2_000) }).strict() } } } },
      responses: {
        202: { description: 'Filed; its process is running', content: { 'application/json': { schema: viewRequest } } },
        400: invalidInput,
        401: unauthorized,
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
        409: { description: 'ALREADY_MAY_VIEW (problem+json)' },
      },
    }),
    async (c) => c.json(grantBody(await service.requestView(c.var.user, c.req.valid('param').id, c.req.valid('json').reason)), 202),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/view-requests/{id}',
      tags,
      summary: 'SEC-3: a viewing request and the access it granted',
      middleware: [authenticated] as const,
      request: { params: requestParams },
      responses: {
        200: { description: 'The request', content: { 'application/json': { schema: viewRequest } } },
        401: unauthorized,
        404: { description: 'VIEW_REQUEST_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => c.json(grantBody(await service.viewRequest(c.var.user, c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/customer-views',
      tags,
      summary: 'CUS-2: the record of every card view, newest first, for HR and the Marketing Director (JSON pages or CSV)',
      middleware: [authenticated] as const,
      request: {
        query: z.object({
          customer: identifier(200).optional(),
          viewer: identifier(100).optional(),
          format: z.enum(['json', 'csv']).default('json'),
          limit: z.coerce.number().int().min(1).max(1_000).default(100),
          before: z.string().max(18).regex(/^[1-9]\d{0,17}$/).optional().openapi({ description: 'The `seq` of the last entry of the previous page.' }),
        }),
      },
      responses: {
        200: { description: 'Views', content: { 'application/json': { schema: z.object({ views: z.array(view) }) }, 'text/csv': { schema: z.string() } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_A_VIEW_LOG_READER (problem+json)' },
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const views = await service.views(c.var.user, { customerId: query.customer, viewerId: query.viewer, limit: query.limit, beforeSeq: query.before });
      if (query.format === 'csv') {
        const csv = csvDocument(csvHeaderCells(['seq', 'customer_id', 'viewer_id', 'viewed_at', 'right', 'grant_id'], languageOf(c)), views.map((v) => [v.seq, v.customerId, v.viewerId, v.viewedAt.toISOString(), v.right, v.grantId]));
        return c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8' });
      }
      return c.json({ views: views.map(viewBody) }, 200);
    },
  );

  return router;
}
