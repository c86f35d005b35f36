// The 7P customer analysis (CRM-1) over HTTP: read-only, one route per analysis, JSON or CSV.
import { createRoute, z } from '@hono/zod-openapi';
import { csvDocument, type CsvValue } from '../../platform/csv.ts';
import { requireUser } from '../../platform/http/auth.ts';
import { createRouter } from '../../platform/http/router.ts';
import { dateInput, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';
import type { RouteDeps } from '../area.ts';
import { createAnalysisService, type AnalysisName } from './analysis-service.ts';

const count = z.number().int();
const yuan = z.number().openapi({ description: 'Yuan' });
const ratio = z.number().nullable().openapi({ description: 'A ratio to 4 places (0.4 is 40%)' });

/** Each analysis: what it answers and the columns of its rows (the CSV header, in this order). */
const analyses = {
  profiling: {
    summary: 'Profiling: customers by card type, archive tier, status, value tier (A/B/C), risk and preference',
    row: { dimension: z.string(), value: z.string(), customers: count, revenue: yuan },
  },
  persistency: {
    summary: 'Persistency: repeat buying, months active and churned customers',
    row: { dimension: z.string(), value: z.string(), customers: count },
  },
  profitability: {
    summary: 'Profitability: gross profit and margin per customer, the most profitable first',
    row: { rank: count, customerId: z.string(), customerName: z.string(), orders: count, revenue: yuan, cost: yuan, grossProfit: yuan, margin: ratio },
  },
  performance: {
    summary: 'Performance: sales by product kind, channel, region, city and department (REG-4 applied)',
    row: { dimension: z.string(), value: z.string(), orders: count, revenue: yuan, grossProfit: yuan },
  },
  prospecting: {
    summary: 'Prospecting: prospects, protections, conversions, intent orders and new buyers by month',
    row: { month: z.string(), newProspects: count, protectionsStarted: count, conversions: count, intentOrders: count, newBuyers: count, cumulativeNewBuyers: count },
  },
  product: {
    summary: 'Product: sales, margin and revenue share per product kind, and the kind most bought with it',
    row: { productKind: z.string(), orders: count, customers: count, revenue: yuan, grossProfit: yuan, margin: ratio, revenueShare: ratio, topRelated: z.string().nullable(), sharedCustomers: count },
  },
  promotion: {
    summary: 'Promotion: orders, customers, new customers, revenue and margin per promotion',
    row: { promotion: z.string(), orders: count, customers: count, newCustomers: count, revenue: yuan, grossProfit: yuan, margin: ratio },
  },
} as const satisfies Record<AnalysisName, { summary: string; row: z.ZodRawShape }>;

const MAX_PERIOD_DAYS = 3_660;

const analysisQuery = z
  .object({
    from: dateInput.optional().openapi({ description: 'The first day of the period; a year before `to` when absent.' }),
    to: dateInput.optional().openapi({ description: 'The last day of the period; today (Asia/Shanghai) when absent.' }),
    department: identifier(100).optional().openapi({ description: 'One department of the caller\'s scope.' }),
    limit: z.coerce.number().int().min(1).max(1_000).default(100).openapi({ description: 'Profitability: how many customers.' }),
    format: z.enum(['json', 'csv']).default('json').openapi({ description: '`csv`: the rows as CSV (UTF-8 with a byte-order mark); also with `Accept: text/csv`.' }),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'from is on or before to', path: ['from'] })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.to) - Date.parse(q.from) <= MAX_PERIOD_DAYS * 86_400_000, { message: 'a period of at most ten years', path: ['from'] });

const readers =
  'CRM-1, read-only: the Marketing Director and the GM read the whole company; a Deputy GM the departments in their charge; a Department Manager their own department (403 NOT_AN_ANALYSIS_READER for anyone else). ' +
  'Sales are final orders of the period (not intent orders, not those awaiting the REG-2 signature, not cancelled).';

export function analysisRoutes(deps: RouteDeps) {
  const service = createAnalysisService(deps);
  const router = createRouter();
  const authenticated = requireUser(deps);

  for (const [name, { summary, row }] of Object.entries(analyses) as [AnalysisName, (typeof analyses)[AnalysisName]][]) {
    const columns = Object.keys(row);
    const page = z.object({
      analysis: z.literal(name),
      ruleId: z.literal('CRM-1'),
      period: z.object({ from: z.string(), to: z.string() }),
      departments: z.array(z.string()).nullable().openapi({ description: 'null: the whole company' }),
      rows: z.array(z.object(row)),
    });
    router.openapi(
      createRoute({
        method: 'get',
        path: `/api/v1/analysis/7p/${name}`,
        tags: ['analysis'],
        summary: `CRM-1 ${summary}`,
        description: readers,
        middleware: [authenticated] as const,
        request: { query: analysisQuery },
        responses: {
          200: { description: 'The analysis', content: { 'application/json': { schema: page.openapi(`Analysis7p${name[0]!.toUpperCase()}${name.slice(1)}`) }, 'text/csv': { schema: z.string() } } },
          400: invalidInput,
          401: unauthorized,
          403: { description: 'NOT_AN_ANALYSIS_READER, DEPARTMENT_NOT_IN_SCOPE (CRM-1) (problem+json)' },
        },
      }),
      async (c) => {
        const { format, ...request } = c.req.valid('query');
        const result = await service[name](c.var.user, request);
        if (format === 'csv' || /\btext\/csv\b/i.test(c.req.header('accept') ?? '')) {
          const rows = (result.rows as object[]).map((r) => columns.map((column) => (r as Record<string, CsvValue>)[column]));
          return c.body(csvDocument(columns, rows), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="7p-${name}-${result.period.from}-${result.period.to}.csv"` });
        }
        return c.json({ analysis: name, ruleId: 'CRM-1' as const, ...result }, 200);
      },
    );
  }
  return router;
}
