// Orders 订单 and intent orders 意向单 over HTTP: filing (REG-2, OVL-8), reading, listing.
import { createRoute, z } from '@hono/zod-openapi';
import { startsAsynchronously } from '../../engine/outbox.ts';
import { requireUser } from '../../platform/http/auth.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import { createRouter } from '../../platform/http/router.ts';
import { dateInput, idempotencyHeaders, idParam, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';
import type { RouteDeps } from '../area.ts';
import { marginSignatureProcessId, needsMarginSignature, orderChannels, orderKinds, orderStatuses } from './rules.ts';
import { createSalesService } from './service.ts';
import type { Order } from './sql.ts';

const yuan = (description: string) => z.number().min(0).max(999_999_999_999).multipleOf(0.01).openapi({ description, example: 1280 });
const place = z.string().trim().min(1).max(100);

const credit = z
  .object({
    userId: identifier(100),
    share: z.number().gt(0).lte(1).multipleOf(0.0001).openapi({ description: 'Commission share, 0 < share ≤ 1; the shares of an order add up to 1 (OVL-5..7: 5:5 is 0.5 each).' }),
    rateDepartmentId: identifier(100).optional().openapi({ description: "Whose commission rate applies (OVL-6, OVL-7: the Business Dept's); the salesperson's own department when absent." }),
  })
  .strict();

const newOrder = z
  .object({
    kind: z.enum(orderKinds).openapi({ description: 'intent: an intent order 意向单 (OVL-8: ends a running protection with the customer kept); order: a sale.' }),
    customerId: identifier(200),
    channel: z.enum(orderChannels).openapi({ description: 'showroom 展厅 · business 业务部 · region 区域 (Market Dept, Out-of-Province Expansion Dept)' }),
    departmentId: identifier(100).optional().openapi({ description: "The department whose results it counts towards; the filer's when absent." }),
    region: place.optional().openapi({ description: "The customer's region when absent." }),
    city: place.optional().openapi({ description: "The customer's city when absent." }),
    productKind: place.optional(),
    promotion: z.string().trim().min(1).max(200).optional().openapi({ description: 'The campaign or promotion the order came through (CRM-1 Promotion).' }),
    amount: yuan('Yuan, to the fen; more than 0.').refine((value) => value > 0, 'more than 0'),
    cost: yuan('Yuan, to the fen.'),
    orderedOn: dateInput.optional().openapi({ description: 'Today (Asia/Shanghai) when absent; never ahead.' }),
    credits: z.array(credit).min(1).max(10).optional().openapi({ description: 'The salespeople credited; the filer alone (share 1) when absent.' }),
  })
  .strict()
  .openapi('NewOrder');

const orderSchema = z
  .object({
    id: z.string(),
    kind: z.enum(orderKinds),
    customerId: z.string(),
    channel: z.enum(orderChannels),
    departmentId: z.string(),
    region: z.string(),
    city: z.string(),
    productKind: z.string().nullable(),
    promotion: z.string().nullable(),
    amount: z.string().openapi({ description: 'Yuan, a decimal string', example: '1280.00' }),
    cost: z.string().openapi({ example: '800.00' }),
    margin: z.string().nullable().openapi({ description: '(amount − cost) / amount, to 4 places', example: '0.3750' }),
    orderedOn: z.string().openapi({ format: 'date' }),
    status: z.enum(orderStatuses).openapi({ description: 'REG-2: awaiting_signature until the Showroom Manager or the GM signs (final) or refuses (cancelled).' }),
    signedBy: z.string().nullable(),
    signedAt: z.string().nullable().openapi({ format: 'date-time' }),
    signatureProcessId: z.string().nullable().openapi({ description: "REG-2: the signature's process, for a showroom sale below 40% margin." }),
    createdBy: z.string(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    credits: z.array(z.object({ userId: z.string(), share: z.number(), rateDepartmentId: z.string() })),
  })
  .openapi('Order');

function orderBody(order: Order): z.infer<typeof orderSchema> {
  return {
    ...order,
    signedAt: order.signedAt?.toISOString() ?? null,
    createdAt: order.createdAt.toISOString(),
    signatureProcessId: needsMarginSignature(order) ? marginSignatureProcessId(order.id) : null,
  };
}

const orderKey = keysetCursor('date', 'text');
const orderParams = idParam();

const orderQuery = z.object({
  customer: identifier(200).optional(),
  salesperson: identifier(100).optional().openapi({ description: 'Orders crediting this salesperson.' }),
  channel: z.enum(orderChannels).optional(),
  department: identifier(100).optional(),
  from: dateInput.optional().openapi({ description: 'Ordered on or after this day.' }),
  to: dateInput.optional().openapi({ description: 'Ordered on or before this day.' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: orderKey.query,
});

const whoReads =
  'The GM and the Marketing Director read every order; a Deputy GM the orders of the departments in their charge; a Department Manager their department\'s; the Showroom Manager the showroom\'s; ' +
  'everyone the orders they filed or are credited in. Any other order is a 404.';

export function orderRoutes(deps: RouteDeps) {
  const service = createSalesService({ ...deps, signatureDeadlineDays: deps.salesSignatureDeadlineDays });
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/orders',
      tags: ['sales'],
      summary: 'File an order or an intent order 意向单 (REG-2, OVL-8)',
      description:
        'By the salesperson who owns or protects the customer, its Department Manager, or, for a showroom sale, the showroom staff. REG-2: a showroom sale below 40% margin is stored ' +
        '`awaiting_signature` and opens a task for the Showroom Manager or the GM; unsigned after SALES_SIGNATURE_DEADLINE_DAYS ([interpretation], default 3) the filer\'s 200-yuan fine is proposed once. ' +
        `OVL-8: an intent order ends the customer's running protection with the customer kept. ${startsAsynchronously}`,
      middleware: [authenticated] as const,
      request: {
        headers: idempotencyHeaders('the same key from the same filer returns the order it created (200).'),
        body: { required: true, content: { 'application/json': { schema: newOrder } } },
      },
      responses: {
        201: { description: 'Filed', content: { 'application/json': { schema: orderSchema } } },
        200: { description: 'The order this Idempotency-Key already filed', content: { 'application/json': { schema: orderSchema } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'MAY_NOT_FILE_ORDER (OVL-8) (problem+json)' },
        422: { description: 'UNKNOWN_CUSTOMER, UNKNOWN_DEPARTMENT, USER_NOT_FOUND, DUPLICATE_SALESPERSON, SHARES_NOT_ONE (OVL-5), ORDER_DATE_IN_FUTURE, IDEMPOTENCY_KEY_REUSED (problem+json)' },
      },
    }),
    async (c) => {
      const { order, created } = await service.fileOrder(c.var.user, c.req.valid('json'), c.req.valid('header')['idempotency-key']);
      c.header('location', `/api/v1/orders/${order.id}`);
      return c.json(orderBody(order), created ? 201 : 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/orders',
      tags: ['sales'],
      summary: 'Orders and intent orders, the latest first (keyset pages)',
      description: whoReads,
      middleware: [authenticated] as const,
      request: { query: orderQuery },
      responses: {
        200: { description: 'A page of orders', content: { 'application/json': { schema: z.object({ orders: z.array(orderSchema), nextCursor: z.string().nullable() }).openapi('OrderPage') } } },
        400: invalidInput,
        401: unauthorized,
      },
    }),
    async (c) => {
      const { customer, salesperson, channel, department, from, to, limit, cursor } = c.req.valid('query');
      const after = cursor === undefined ? undefined : orderKey.parse(cursor);
      const page = await service.listOrders(c.var.user, {
        customerId: customer,
        salespersonId: salesperson,
        channel,
        departmentId: department,
        from,
        to,
        limit,
        after: after && { orderedOn: after[0], id: after[1] },
      });
      return c.json({ orders: page.orders.map(orderBody), nextCursor: page.next && orderKey.format([page.next.orderedOn, page.next.id]) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/orders/{id}',
      tags: ['sales'],
      summary: 'One order',
      description: whoReads,
      middleware: [authenticated] as const,
      request: { params: orderParams },
      responses: {
        200: { description: 'The order', content: { 'application/json': { schema: orderSchema } } },
        401: unauthorized,
        404: { description: 'ORDER_NOT_FOUND, also for an order the caller may not read (problem+json)' },
      },
    }),
    async (c) => c.json(orderBody(await service.getOrder(c.var.user, c.req.valid('param').id)), 200),
  );

  return router;
}
