// The showroom over HTTP: visits (OVL-5..7, REG-1), the sale closed on a visit with its commission
// split, and the commission rates. REG-3's protected orders and quotes: protected-order-routes.ts.
import { createRoute, z } from '@hono/zod-openapi';
import { requireUser } from '../../platform/http/auth.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import { createRouter } from '../../platform/http/router.ts';
import { dateInput, idempotencyHeaders, idParam, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';
import type { RouteDeps } from '../area.ts';
import { contactOutcomes, contactSteps, giftTrades, namedOutcomes, trades } from './rules.ts';
import { createShowroomService, type VisitView } from './service.ts';

const visitParams = idParam();
const departmentParams = idParam('departmentId');
const visitKey = keysetCursor('timestamp', 'text');
const yuan = (description: string) => z.number().min(0).max(999_999_999_999).multipleOf(0.01).openapi({ description });

const attempt = z
  .object({
    step: z.enum(contactSteps).openapi({ description: 'OVL-6: `salesperson` (the one asked for, first), then `colleague` (another of the Business Dept).' }),
    userId: identifier(100),
    outcome: z.enum(contactOutcomes).openapi({ description: '`serves`: they came or took the customer; `unavailable`: they could not.' }),
  })
  .strict()
  .openapi('ShowroomContactAttempt');

const newVisit = z
  .object({
    customerId: identifier(200).optional().openapi({ description: 'An existing customer; or `prospect` for a new one.' }),
    prospect: z
      .object({ name: z.string().trim().min(1).max(200), city: z.string().trim().min(1).max(100), region: z.string().trim().min(1).max(100) })
      .strict()
      .optional()
      .openapi({ description: 'A new prospect met at the showroom: kept by the Sales Floor Dept until someone protects it (OVL-8) or REG-1 hands it to a region.' }),
    trade: z.enum(trades).optional().openapi({ description: `REG-1: the customer's trade; the gift trades (${Object.entries(giftTrades).map(([id, t]) => `${id} ${t.zh}`).join(', ')}) from outside Linyi are regional customers.` }),
    receivedBy: identifier(100).optional().openapi({ description: 'The showroom staff who received the customer; the caller when absent.' }),
    namedSalespersonId: identifier(100).optional().openapi({ description: 'OVL-5: the salesperson the customer named; OVL-6: the Business Dept salesperson they asked for.' }),
    namedOutcome: z.enum(namedOutcomes).optional().openapi({ description: 'OVL-5: handed over to the named one, the named one absent, or not handed over.' }),
    askedForSalesperson: z.boolean().optional().openapi({ description: 'OVL-6: a Business Dept customer asked whether their salesperson is in.' }),
    contactAttempts: z.array(attempt).max(20).optional(),
    note: z.string().trim().min(1).max(2_000).optional(),
  })
  .strict()
  .refine((v) => (v.customerId === undefined) !== (v.prospect === undefined), { message: 'either customerId or prospect', path: ['customerId'] })
  .openapi('NewShowroomVisit');

const newSale = z
  .object({
    amount: yuan('The sale in yuan.'),
    cost: yuan('Its cost in yuan.'),
    productKind: z.string().trim().min(1).max(100),
    orderedOn: dateInput,
    closedBy: identifier(100).optional().openapi({ description: 'Who closed it: the receiver (default), the named salesperson, or a Business Dept colleague who served (OVL-6).' }),
    disputed: z.boolean().optional().openapi({ description: 'OVL-7: the ownership is disputed; the adjudication (overlap area) decides it.' }),
  })
  .strict()
  .openapi('NewShowroomSale');

const credit = z.object({ userId: z.string(), share: z.number(), rateDepartmentId: z.string(), rate: z.number(), commission: z.string().openapi({ description: 'Yuan: amount × rate × share.' }) });

const visit = z
  .object({
    id: z.string(),
    customerId: z.string(),
    customerName: z.string(),
    receivedBy: z.string(),
    visitedAt: z.string(),
    namedSalespersonId: z.string().nullable(),
    namedOutcome: z.enum(namedOutcomes).nullable(),
    askedForSalesperson: z.boolean(),
    contactAttempts: z.array(attempt.extend({ seq: z.number().int(), at: z.string(), recordedBy: z.string() })),
    trade: z.enum(trades).nullable(),
    city: z.string(),
    regionalHandover: z
      .object({ processId: z.string(), status: z.enum(['pending', 'handed_over', 'missed']), departmentId: z.string().nullable(), at: z.string().nullable() })
      .nullable()
      .openapi({ description: 'REG-1: the hand-over of a regional customer to the Market Dept or the Out-of-Province Expansion Dept.' }),
    note: z.string().nullable(),
    recordedBy: z.string(),
    sale: z
      .object({
        orderId: z.string(),
        amount: z.string(),
        cost: z.string(),
        margin: z.string().nullable(),
        productKind: z.string().nullable(),
        orderedOn: z.string(),
        status: z.string(),
        rule: z.enum(['OVL-5', 'OVL-6', 'OVL-7']).nullable().openapi({ description: 'The rule that decided the split; null: the closer alone.' }),
        credits: z.array(credit),
        disputed: z.boolean(),
        adjudication: z.string().nullable().openapi({ description: 'OVL-7: where the disputed ownership is adjudicated.' }),
      })
      .nullable(),
  })
  .openapi('ShowroomVisit');

function visitBody({ visit: v, sale }: VisitView): z.infer<typeof visit> {
  return {
    id: v.id,
    customerId: v.customerId,
    customerName: v.customerName,
    receivedBy: v.receivedBy,
    visitedAt: v.visitedAt.toISOString(),
    namedSalespersonId: v.namedSalespersonId,
    namedOutcome: v.namedOutcome,
    askedForSalesperson: v.askedForSalesperson,
    contactAttempts: v.attempts.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
    trade: v.trade,
    city: v.city,
    regionalHandover: v.handoverProcessId ? { processId: v.handoverProcessId, status: v.handoverStatus!, departmentId: v.handedToDepartmentId, at: v.handedOverAt?.toISOString() ?? null } : null,
    note: v.note,
    recordedBy: v.recordedBy,
    sale: sale && {
      orderId: sale.order.id,
      amount: sale.order.amount,
      cost: sale.order.cost,
      margin: sale.order.margin,
      productKind: sale.order.productKind,
      orderedOn: sale.order.orderedOn,
      status: sale.order.status,
      rule: v.attributionRule,
      credits: sale.credits,
      disputed: v.disputed,
      adjudication: sale.adjudication,
    },
  };
}

const commissionRate = z.object({ departmentId: z.string(), rate: z.number(), setBy: z.string().nullable(), setAt: z.string().nullable() }).openapi('CommissionRate');
const rateBody = (r: { departmentId: string; rate: number; setBy: string | null; setAt: Date | null }) => ({ ...r, setAt: r.setAt?.toISOString() ?? null });

const readers = 'The Showroom Manager and the Marketing Director read every visit; the staff involved (received, named, contacted, credited) read theirs; anyone else gets 404.';
const tags = ['showroom'];

export function showroomRoutes(deps: RouteDeps) {
  const service = createShowroomService(deps);
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/showroom/visits',
      tags,
      summary: 'OVL-5..7, REG-1: record a customer at the showroom (a regional customer starts its hand-over)',
      description: 'By showroom staff. A gift-trade customer from outside Linyi (REG-1) starts showroom.regional-handover: a task to hand it to the Market Dept or the Out-of-Province Expansion Dept by the deadline.',
      middleware: [authenticated] as const,
      request: { headers: idempotencyHeaders('the same key from the same recorder returns the visit it created (200).'), body: { required: true, content: { 'application/json': { schema: newVisit } } } },
      responses: {
        200: { description: 'The visit this Idempotency-Key already recorded', content: { 'application/json': { schema: visit } } },
        201: { description: 'Recorded', content: { 'application/json': { schema: visit } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_SHOWROOM_STAFF (problem+json)' },
        422: { description: 'UNKNOWN_CUSTOMER, UNKNOWN_PERSON, NOT_A_SALESPERSON, NAMED_OUTCOME_REQUIRED, NOT_A_BUSINESS_DEPT_CUSTOMER, ... (problem+json)' },
      },
    }),
    async (c) => {
      const { view, created } = await service.recordVisit(c.var.user, c.req.valid('json'), c.req.valid('header')['idempotency-key']);
      return c.json(visitBody(view), created ? 201 : 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/showroom/visits',
      tags,
      summary: 'Showroom visits, the latest first',
      description: readers,
      middleware: [authenticated] as const,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: visitKey.query }) },
      responses: {
        200: { description: 'A page of visits', content: { 'application/json': { schema: z.object({ visits: z.array(visit), nextCursor: z.string().nullable() }).openapi('ShowroomVisitPage') } } },
        400: invalidInput,
        401: unauthorized,
      },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const parts = cursor === undefined ? undefined : visitKey.parse(cursor);
      const page = await service.listVisits(c.var.user, { limit, after: parts && { visitedAt: parts[0], id: parts[1] } });
      return c.json({ visits: page.views.map(visitBody), nextCursor: page.next && visitKey.format([page.next.visitedAt, page.next.id]) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/showroom/visits/{id}',
      tags,
      summary: 'One showroom visit, with its sale and each credit’s commission',
      description: readers,
      middleware: [authenticated] as const,
      request: { params: visitParams },
      responses: {
        200: { description: 'The visit', content: { 'application/json': { schema: visit } } },
        401: unauthorized,
        404: { description: 'VISIT_NOT_FOUND, also for a visit the caller may not read (problem+json)' },
      },
    }),
    async (c) => c.json(visitBody(await service.getVisit(c.var.user, c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/showroom/visits/{id}/contact-attempts',
      tags,
      summary: 'OVL-6: a contact made for a Business Dept customer asking for their salesperson (the salesperson first, then a colleague)',
      middleware: [authenticated] as const,
      request: { params: visitParams, body: { required: true, content: { 'application/json': { schema: attempt } } } },
      responses: {
        200: { description: 'The visit with the attempt', content: { 'application/json': { schema: visit } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_SHOWROOM_STAFF (problem+json)' },
        404: { description: 'VISIT_NOT_FOUND (problem+json)' },
        409: { description: 'SALE_ALREADY_CLOSED (problem+json)' },
        422: { description: 'NOT_ASKED_FOR_SALESPERSON, NOT_THE_SALESPERSON, NOT_A_BUSINESS_DEPT_COLLEAGUE (problem+json)' },
      },
    }),
    async (c) => c.json(visitBody(await service.addAttempt(c.var.user, c.req.valid('param').id, c.req.valid('json'))), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/showroom/visits/{id}/sale',
      tags,
      summary: 'OVL-5..7: the sale closed on the visit, with its commission split by rule',
      description:
        'Recorded as a showroom order crediting its salespeople. OVL-5: the named salesperson absent, 5:5 named:receiver; not handed over, all to the named one and a 200-yuan fine proposed for the receiver. OVL-6: 5:5 on the Business Dept rate, only after the salesperson and a colleague were contacted (409 otherwise). OVL-7: an unnamed Business Dept prospect, half and half on the Business Dept rate; a dispute points to the adjudication.',
      middleware: [authenticated] as const,
      request: { params: visitParams, headers: idempotencyHeaders('the same key from the same caller returns the sale it recorded (200).'), body: { required: true, content: { 'application/json': { schema: newSale } } } },
      responses: {
        200: { description: 'The sale this Idempotency-Key already recorded', content: { 'application/json': { schema: visit } } },
        201: { description: 'The visit with its sale', content: { 'application/json': { schema: visit } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_RECEIVER (problem+json)' },
        404: { description: 'VISIT_NOT_FOUND (problem+json)' },
        409: { description: 'BUSINESS_DEPT_NOT_CONTACTED_FIRST (ruleId OVL-6), SALE_ALREADY_CLOSED (problem+json)' },
        422: { description: 'NOT_A_CLOSER, NOT_AN_OVL7_SALE, ORDER_DATE_AHEAD, UNKNOWN_PERSON (problem+json)' },
      },
    }),
    async (c) => {
      const { view, created } = await service.closeSale(c.var.user, c.req.valid('param').id, c.req.valid('json'), c.req.valid('header')['idempotency-key']);
      return c.json(visitBody(view), created ? 201 : 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/showroom/commission-rates',
      tags,
      summary: "Each department's commission rate (a setting: the policy gives none)",
      middleware: [authenticated] as const,
      responses: { 200: { description: 'The rates', content: { 'application/json': { schema: z.object({ rates: z.array(commissionRate) }) } } }, 401: unauthorized },
    }),
    async (c) => c.json({ rates: (await service.commissionRates()).map(rateBody) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/showroom/commission-rates/{departmentId}',
      tags,
      summary: "REG-5: the Marketing Director sets a department's commission rate",
      middleware: [authenticated] as const,
      request: { params: departmentParams, body: { required: true, content: { 'application/json': { schema: z.object({ rate: z.number().min(0).max(1) }).strict().openapi('CommissionRateChange') } } } },
      responses: {
        200: { description: 'The rate', content: { 'application/json': { schema: commissionRate } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_MARKETING_DIRECTOR (problem+json)' },
        404: { description: 'DEPARTMENT_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => c.json(rateBody(await service.setCommissionRate(c.var.user, c.req.valid('param').departmentId, c.req.valid('json').rate)), 200),
  );

  return router;
}
