import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../router.ts';

/** Resolves when a dependency answers; rejects (or times out) when it does not. */
export type Probe = () => Promise<void>;

const PROBE_TIMEOUT_MS = 2_000;

async function check(probe: Probe): Promise<'up' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

const readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ database: z.enum(['up', 'down']), temporal: z.enum(['up', 'down']) }),
});

export function healthRoutes(deps: { database: Probe; temporal: Probe }) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['operations'],
      summary: 'The process is up',
      responses: { 200: { description: 'Up', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      tags: ['operations'],
      summary: 'PostgreSQL and Temporal are reachable',
      responses: {
        200: { description: 'Ready', content: { 'application/json': { schema: readiness } } },
        503: { description: 'A dependency is down', content: { 'application/json': { schema: readiness } } },
      },
    }),
    async (c) => {
      const [database, temporal] = await Promise.all([check(deps.database), check(deps.temporal)]);
      const ready = database === 'up' && temporal === 'up';
      if (!ready) c.header('retry-after', '5');
      return c.json({ status: ready ? ('ready' as const) : ('unavailable' as const), checks: { database, temporal } }, ready ? 200 : 503);
    },
  );
  return router;
}
