// REG-3 over HTTP: a region announces the order it protects to the Showroom Manager; the showroom's
// quotes that undercut it for a terminal customer of that region are flagged.
import { createRoute, z } from '@hono/zod-openapi';
import { requireUser } from '../../platform/http/auth.ts';
import { createRouter } from '../../platform/http/router.ts';
import { dateInput, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';
import type { RouteDeps } from '../area.ts';
import { createProtectedOrderService } from './protected-orders.ts';
import type { ProtectedOrder, Quote } from './sql.ts';

const price = (description: string) => z.number().min(0).max(999_999_999_999).multipleOf(0.01).openapi({ description });

const newProtectedOrder = z
  .object({
    customerId: identifier(200).openapi({ description: "The region's customer whose order is protected; its region is the one covered." }),
    products: z.array(z.string().trim().min(1).max(200)).min(1).max(50),
    priceFloor: price('No showroom quote to a terminal customer of the region goes below this (yuan).').refine((v) => v > 0, 'above 0'),
    until: dateInput.openapi({ description: 'The last day of the protection.' }),
    note: z.string().trim().min(1).max(2_000).optional(),
  })
  .strict()
  .openapi('NewProtectedOrder');

const protectedOrder = z
  .object({ id: z.string(), departmentId: z.string(), customerId: z.string(), region: z.string(), products: z.array(z.string()), priceFloor: z.string(), until: z.string(), note: z.string().nullable(), announcedBy: z.string(), announcedAt: z.string() })
  .openapi('ProtectedOrder');

const newQuote = z
  .object({
    customerId: identifier(200).optional().openapi({ description: 'A known customer; or `customer` for a visitor not on file.' }),
    customer: z.object({ name: z.string().trim().min(1).max(200), city: z.string().trim().min(1).max(100), region: z.string().trim().min(1).max(100) }).strict().optional(),
    product: z.string().trim().min(1).max(200),
    price: price('The price quoted (yuan).'),
  })
  .strict()
  .refine((q) => (q.customerId === undefined) !== (q.customer === undefined), { message: 'either customerId or customer', path: ['customerId'] })
  .openapi('NewShowroomQuote');

const quote = z
  .object({
    id: z.string(),
    customerId: z.string().nullable(),
    customerName: z.string(),
    city: z.string(),
    region: z.string(),
    product: z.string(),
    price: z.string(),
    quotedBy: z.string(),
    quotedAt: z.string(),
    flagged: z.boolean().openapi({ description: 'REG-3: the price undercuts an order the region protects.' }),
    undercuts: z.object({ protectedOrderId: z.string(), departmentId: z.string() }).nullable(),
  })
  .openapi('ShowroomQuote');

const orderBody = (o: ProtectedOrder): z.infer<typeof protectedOrder> => ({ ...o, announcedAt: o.announcedAt.toISOString() });
const quoteBody = (q: Quote): z.infer<typeof quote> => ({
  id: q.id,
  customerId: q.customerId,
  customerName: q.customerName,
  city: q.city,
  region: q.region,
  product: q.product,
  price: q.price,
  quotedBy: q.quotedBy,
  quotedAt: q.quotedAt.toISOString(),
  flagged: q.undercutOrderId !== null,
  undercuts: q.undercutOrderId ? { protectedOrderId: q.undercutOrderId, departmentId: q.undercutDepartmentId! } : null,
});

const limit = z.coerce.number().int().min(1).max(200).default(50);
const readers = 'The Showroom Manager and the Marketing Director read all; a region its own; showroom staff the protected orders in force and their own quotes.';
const tags = ['showroom'];

export function protectedOrderRoutes(deps: RouteDeps) {
  const service = createProtectedOrderService(deps);
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/showroom/protected-orders',
      tags,
      summary: 'REG-3: a region announces an order it protects to the Showroom Manager',
      middleware: [authenticated] as const,
      request: { body: { required: true, content: { 'application/json': { schema: newProtectedOrder } } } },
      responses: {
        201: { description: 'Announced; the Showroom Manager is told', content: { 'application/json': { schema: protectedOrder } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_A_REGION (problem+json)' },
        422: { description: 'UNKNOWN_CUSTOMER, PROTECTED_UNTIL_PAST (problem+json)' },
      },
    }),
    async (c) => c.json(orderBody(await service.announce(c.var.user, c.req.valid('json'))), 201),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/showroom/protected-orders',
      tags,
      summary: 'REG-3: the orders the regions protect (in force today, or all)',
      description: readers,
      middleware: [authenticated] as const,
      request: { query: z.object({ all: z.enum(['true', 'false']).default('false').openapi({ description: '`true`: ended ones too.' }), limit }) },
      responses: {
        200: { description: 'The protected orders, the latest first', content: { 'application/json': { schema: z.object({ protectedOrders: z.array(protectedOrder) }) } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_SHOWROOM_OR_REGION (problem+json)' },
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      return c.json({ protectedOrders: (await service.protectedOrders(c.var.user, { all: query.all === 'true', limit: query.limit })).map(orderBody) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/showroom/quotes',
      tags,
      summary: 'REG-3: a price quoted at the showroom, flagged when it undercuts an order the region protects',
      middleware: [authenticated] as const,
      request: { body: { required: true, content: { 'application/json': { schema: newQuote } } } },
      responses: {
        201: { description: 'Recorded; a flagged quote is told to the Showroom Manager and the region', content: { 'application/json': { schema: quote } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_SHOWROOM_STAFF (problem+json)' },
        422: { description: 'UNKNOWN_CUSTOMER (problem+json)' },
      },
    }),
    async (c) => c.json(quoteBody(await service.quote(c.var.user, c.req.valid('json'))), 201),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/showroom/quotes',
      tags,
      summary: 'REG-3: showroom quotes, the latest first (`flagged=true`: those undercutting a protected order)',
      description: `${readers} A region sees only the flagged quotes against its own protected orders.`,
      middleware: [authenticated] as const,
      request: { query: z.object({ flagged: z.enum(['true', 'false']).default('false'), limit }) },
      responses: {
        200: { description: 'The quotes', content: { 'application/json': { schema: z.object({ quotes: z.array(quote) }) } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_SHOWROOM_OR_REGION (problem+json)' },
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      return c.json({ quotes: (await service.quotes(c.var.user, { flagged: query.flagged === 'true', limit: query.limit })).map(quoteBody) }, 200);
    },
  );

  return router;
}
