// The retention schedule (DES-2): the Office Director keeps a period per ARC-1 category; the
// policy gives none, so a category without one is kept permanently.
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../platform/db/client.ts';
import type { ArchiveService, RetentionPeriod } from './service.ts';
import { documentCategories, documentCategoryIds, type DocumentCategory } from './rules.ts';
import { requireUser, type Authenticator } from '../../platform/http/auth.ts';
import { createRouter } from '../../platform/http/router.ts';
import { invalidInput, unauthorized } from '../../platform/http/schemas.ts';

const retentionPeriod = z
  .object({
    category: z.enum(documentCategoryIds),
    categoryLabel: z.object({ en: z.string(), zh: z.string() }),
    retention: z.union([z.literal('permanent'), z.number().int()]).openapi({ description: 'Years kept after archiving, or `permanent`.' }),
    source: z.enum(['schedule', 'unset']).openapi({ description: 'unset: nobody has set a period, so the category is kept permanently.' }),
    setBy: z.string().nullable(),
    setAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('RetentionPeriod');

const newPeriod = z
  .object({
    retention: z
      .union([z.literal('permanent'), z.number().int().min(1).max(100)])
      .openapi({ description: 'Years the category is kept after archiving, or `permanent`.', example: 30 }),
  })
  .strict()
  .openapi('RetentionPeriodChange');

const categoryParam = z.object({ category: z.enum(documentCategoryIds).openapi({ param: { name: 'category', in: 'path' }, example: 'contract' }) });

function periodBody(category: DocumentCategory, period: RetentionPeriod | undefined): z.infer<typeof retentionPeriod> {
  const { en, zh } = documentCategories[category];
  return {
    category,
    categoryLabel: { en, zh },
    retention: period?.retentionYears ?? 'permanent',
    source: period ? 'schedule' : 'unset',
    setBy: period?.setBy ?? null,
    setAt: period?.setAt.toISOString() ?? null,
  };
}

const interpretation =
  "[interpretation] DES-2 destroys material 当某些档案到了销毁期时 but the policy names no periods: they are the company's, kept by the Office Director (the head of the GM Office the archive belongs to). " +
  "A document registered with a retention of its own keeps it; every other document follows its category's period here, so a change applies to them at once.";

export function retentionRoutes(deps: { archive: ArchiveService; sql: Sql; authenticator: Authenticator }) {
  const { archive } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/retention-periods',
      tags: ['archive'],
      summary: 'DES-2: the retention schedule, one period per ARC-1 category',
      description: interpretation,
      middleware: [authenticated] as const,
      responses: {
        200: { description: 'Every category, with its period or `permanent`', content: { 'application/json': { schema: z.object({ periods: z.array(retentionPeriod) }) } } },
        401: unauthorized,
      },
    }),
    async (c) => c.json({ periods: (await archive.retentionSchedule()).map(({ category, period }) => periodBody(category, period)) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/retention-periods/{category}',
      tags: ['archive'],
      summary: "DES-2: set a category's retention period (the Office Director only; audited)",
      description: `${interpretation} The change is written to the audit trail with the period it replaces; setting the period it already has changes nothing.`,
      middleware: [authenticated] as const,
      request: { params: categoryParam, body: { required: true, content: { 'application/json': { schema: newPeriod } } } },
      responses: {
        200: { description: 'The period now in force', content: { 'application/json': { schema: retentionPeriod } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_OFFICE_DIRECTOR (problem+json)' },
      },
    }),
    async (c) => {
      const { category } = c.req.valid('param');
      return c.json(periodBody(category, await archive.setRetention(c.var.user, category, c.req.valid('json').retention)), 200);
    },
  );

  return router;
}
