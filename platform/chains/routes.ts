// Issue 17: the hash chains verified by the running system, for the Office Director and the GM.
// `npm run verify:register` and `verify:audit` call this in local mode, where the embedded
// database's one connection belongs to the system and a second client cannot read it.
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../db/client.ts';
import { chainNames } from './rules.ts';
import { Forbidden } from '../errors.ts';
import { demand } from '../access.ts';
import { chainVerifiers } from '../http/access-routes.ts';
import { verifyAnchored } from '../../scripts/verify-chain.ts';
import { requireUser, type Authenticator } from '../http/auth.ts';
import type { EngineClient } from '../../engine/client.ts';
import { createRouter } from '../http/router.ts';
import { unauthorized } from '../http/schemas.ts';

const chainParam = z.object({ chain: z.enum(chainNames).openapi({ param: { name: 'chain', in: 'path' }, example: 'register' }) });

const verification = z
  .object({
    chain: z.enum(chainNames),
    table: z.string(),
    rows: z.number().int().openapi({ description: 'Rows walked (up to the broken one, when the chain is broken).' }),
    head: z.object({ seq: z.string(), hash: z.string() }).nullable(),
    intact: z.boolean(),
    broken: z.object({ seq: z.string(), reason: z.string() }).nullable(),
    checkpoint: z
      .object({ checkedAt: z.string().openapi({ format: 'date-time' }), lastSeq: z.string(), rowCount: z.number().int(), headHash: z.string() })
      .nullable()
      .openapi({ description: 'The latest daily checkpoint the chain was compared with.' }),
    checkpointNote: z.string().nullable().openapi({ description: 'Why the chain was not compared with a checkpoint, when it was not.' }),
  })
  .openapi('ChainVerification');

/** Who may verify: the Office Director (who keeps the archive) and the GM. */

export function verificationRoutes(deps: { sql: Sql; authenticator: Authenticator; engine: EngineClient; checkpointKey?: string }) {
  const router = createRouter();
  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/verification/{chain}',
      tags: ['archive'],
      summary: 'Verify the destruction register (DES-4) or the audit trail: the hash chain, its numbering, and the latest daily checkpoint',
      description:
        'Recomputes every row\'s hash, checks that no number is missing, and compares the chain with the latest checkpoint the daily ' +
        'chain-checkpoint workflow recorded in Temporal (a deleted tail or a chain recomputed from scratch disagrees with it). ' +
        'The Office Director and the GM only.',
      middleware: [requireUser(deps)] as const,
      request: { params: chainParam },
      responses: {
        200: { description: 'What the verification found', content: { 'application/json': { schema: verification } } },
        400: { description: 'INVALID_INPUT: no such chain (problem+json)' },
        401: unauthorized,
        403: { description: 'NOT_A_VERIFIER (problem+json)' },
      },
    }),
    async (c) => {
      demand(chainVerifiers, c.var.user, undefined, () => new Forbidden('NOT_A_VERIFIER', 'Only the Office Director and the GM verify the register and the audit trail.'));
      const { chain } = c.req.valid('param');
      const report = await verifyAnchored({ sql: deps.sql, name: chain, client: deps.engine.client, checkpointKey: deps.checkpointKey });
      const { checkpoint } = report;
      return c.json(
        {
          chain,
          table: report.table,
          rows: report.rows,
          head: report.head ?? null,
          intact: report.broken === undefined,
          broken: report.broken ? { seq: report.broken.seq, reason: report.broken.reason } : null,
          checkpoint: checkpoint ? { checkedAt: checkpoint.checkedAt, lastSeq: checkpoint.lastSeq, rowCount: checkpoint.rowCount, headHash: checkpoint.headHash } : null,
          checkpointNote: report.checkpointNote ?? null,
        },
        200,
      );
    },
  );
  return router;
}
