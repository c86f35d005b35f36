// Overlapping customers over HTTP: a dispute raised by a Department Manager or the Marketing
// Director (OVL-7), an adjudication with each party's evidence and scores (OVL-1..3), and a
// committee member's scores on a form pre-filled with the suggestions. Thin: parse, call, map.
import { createRoute, z } from '@hono/zod-openapi';
import { requireUser } from '../../platform/http/auth.ts';
import { createRouter } from '../../platform/http/router.ts';
import { idParam, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';
import { startsAsynchronously } from '../../engine/outbox.ts';
import type { RouteDeps } from '../area.ts';
import { evidencePoints, evidenceWindows } from './rules.ts';
import { overlapService } from './service.ts';
import type { AdjudicationRecord } from './sql.ts';

const adjudicationParams = idParam();

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

const party = z
  .object({
    key: z.string().openapi({ description: 'The salesperson\'s id, or `department:<id>` for a department whose pool customer was claimed.' }),
    userId: z.string().nullable(),
    departmentId: z.string(),
    claimant: z.boolean(),
    evidence: z
      .object({
        tradeAmount: z.string().openapi({ description: `OVL-1: yuan credited to the party on the customer in the last ${evidenceWindows.tradeMonths} months (${evidencePoints.trade} points).` }),
        tradeOrders: z.number().int(),
        contacts: z.number().int().openapi({ description: `OVL-1: visits and phone/SMS follow-ups in the last ${evidenceWindows.contactMonths} months (${evidencePoints.contacts} points).` }),
        cardFields: z.number().int().openapi({ description: `OVL-1: fields of the company card format whose current value the party wrote (${evidencePoints.card} points).` }),
      })
      .nullable()
      .openapi({ description: 'Computed by the system when the adjudication opens; null until then.' }),
    suggestedScore: z.number().nullable().openapi({ description: '[interpretation] the suggested score (docs/overlap.md); the committee\'s forms are pre-filled with it.' }),
    signedBy: z.string().nullable().openapi({ description: 'OVL-2: the Department Manager who reviewed and signed.' }),
    signedAt: z.string().nullable(),
    averageScore: z.number().nullable().openapi({ description: 'OVL-2: the average of the committee\'s scores.' }),
  })
  .openapi('AdjudicationParty');

export const adjudicationSchema = z
  .object({
    id: z.string(),
    customerId: z.string(),
    kind: z.enum(['claim', 'dispute']),
    ruleId: z.string(),
    raisedBy: z.string(),
    reason: z.string(),
    processId: z.string(),
    status: z.enum(['open', 'decided']),
    openedAt: z.string(),
    parties: z.array(party),
    scores: z.array(z.object({ memberId: z.string(), party: z.string(), score: z.number(), suggestedScore: z.number(), reason: z.string().nullable(), scoredAt: z.string() })),
    winner: z.string().nullable(),
    tieBrokenBy: z.string().nullable().openapi({ description: '[interpretation] the GM, when the averages were tied.' }),
    decidedAt: z.string().nullable(),
  })
  .openapi('Adjudication');

export function adjudicationBody(a: AdjudicationRecord): z.infer<typeof adjudicationSchema> {
  return {
    id: a.id,
    customerId: a.customerId,
    kind: a.kind,
    ruleId: a.ruleId,
    raisedBy: a.raisedBy,
    reason: a.reason,
    processId: a.processId,
    status: a.status,
    openedAt: a.openedAt.toISOString(),
    parties: a.parties.map((p) => ({
      key: p.key,
      userId: p.userId,
      departmentId: p.departmentId,
      claimant: p.claimant,
      evidence: p.evidence,
      suggestedScore: p.suggestedScore,
      signedBy: p.signedBy,
      signedAt: p.signedAt?.toISOString() ?? null,
      averageScore: p.averageScore,
    })),
    scores: a.scores.map((s) => ({ ...s, scoredAt: s.scoredAt.toISOString() })),
    winner: a.winnerKey,
    tieBrokenBy: a.tieBrokenBy,
    decidedAt: a.decidedAt?.toISOString() ?? null,
  };
}

const dispute = z
  .object({
    parties: z.array(identifier()).min(2).max(10).openapi({ description: 'The salespeople who each claim the customer (e.g. the Business Dept salesperson and the showroom salesperson, OVL-7).' }),
    reason: z.string().trim().min(1).max(2000),
  })
  .strict()
  .openapi('AdjudicationDispute');

const scoring = z
  .object({
    scores: z
      .array(z.object({ party: identifier(), score: z.number().min(0).max(100).optional(), reason: z.string().trim().max(2000).optional() }).strict())
      .max(20)
      .openapi({ description: 'A party left out, or without a score, keeps its suggested score. A score changed from the suggestion needs a reason (OVL-2).' }),
  })
  .strict()
  .openapi('AdjudicationScoring');

export function overlapRoutes(deps: Pick<RouteDeps, 'sql' | 'engine' | 'outbox' | 'authenticator'>) {
  const service = overlapService(deps);
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers/{id}/adjudications',
      tags: ['customers'],
      summary: 'Raise a dispute over a customer between salespeople: the committee decides ownership (OVL-7, OVL-1)',
      description:
        'By the Department Manager of a party, or the Marketing Director; e.g. a Business Dept prospect closed at the showroom without naming anyone (OVL-7). ' +
        'The adjudication computes each party\'s evidence, has each party\'s Department Manager sign, and has the committee score (OVL-2, OVL-3).',
      middleware: [authenticated] as const,
      request: { params: adjudicationParams, body: { required: true, ...json(dispute) } },
      responses: {
        201: { description: `Opened. ${startsAsynchronously}`, ...json(adjudicationSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_A_DISPUTE_RAISER (OVL-7) (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
        409: { description: 'ADJUDICATION_UNDER_WAY (OVL-1) (problem+json)' },
        422: { description: 'TOO_FEW_PARTIES, NOT_AN_ACTIVE_SALESPERSON (problem+json)' },
      },
    }),
    async (c) => {
      const opened = await service.raiseDispute(c.var.user, c.req.valid('param').id, c.req.valid('json'));
      c.header('location', `/api/v1/adjudications/${opened.adjudication.id}`);
      return c.json(adjudicationBody(opened.adjudication), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/adjudications/{id}',
      tags: ['customers'],
      summary: 'An adjudication: each party\'s evidence, suggested score and signature, every member\'s scores, the averages and the result (OVL-1..3)',
      description: 'Visible to its parties, its raiser, the parties\' Department Managers, the GM, the Deputy GMs, the Marketing Director and the Marketing VP; 404 for anyone else.',
      middleware: [authenticated] as const,
      request: { params: adjudicationParams },
      responses: {
        200: { description: 'The adjudication', ...json(adjudicationSchema) },
        401: unauthorized,
        404: { description: 'ADJUDICATION_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => c.json(adjudicationBody(await service.visible(c.var.user, c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/adjudications/{id}/scores',
      tags: ['customers'],
      summary: 'A committee member scores every party, on the form pre-filled with the suggested scores (OVL-2, OVL-3)',
      description: 'Decides the caller\'s scoring task. The same check applies to a decision through POST /api/v1/tasks/{id}/complete: every party once, 0 to 100, a changed score with a reason.',
      middleware: [authenticated] as const,
      request: { params: adjudicationParams, body: { required: true, ...json(scoring) } },
      responses: {
        200: { description: 'Scored: the adjudication as it is now', ...json(adjudicationSchema) },
        400: invalidInput,
        401: unauthorized,
        404: { description: 'ADJUDICATION_NOT_FOUND (problem+json)' },
        409: { description: 'NO_SCORE_TASK: the caller has no open scoring task here (problem+json)' },
        422: { description: 'INVALID_SCORES with `errors` (OVL-2) (problem+json)' },
      },
    }),
    async (c) => c.json(adjudicationBody(await service.score(c.var.user, c.req.valid('param').id, c.req.valid('json').scores)), 200),
  );

  return router;
}
