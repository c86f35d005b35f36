// The penalties ledger over HTTP (CUS-2): HR's view and decisions, a person's own fines, CSV.
import { createRoute, z } from '@hono/zod-openapi';
import { csvDocument } from '../../platform/csv.ts';
import { csvHeaderCells, languageOf } from '../../platform/http/messages.ts';
import { requireUser } from '../../platform/http/auth.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import { createRouter } from '../../platform/http/router.ts';
import { dateInput, idempotencyHeaders, idParam, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';
import type { RouteDeps } from '../area.ts';
import { penaltyKindIds, penaltyKinds, penaltyStates } from './rules.ts';
import { createPenaltyService } from './service.ts';
import type { Penalty } from './sql.ts';

const penalty = z
  .object({
    id: z.string(),
    kind: z.enum(penaltyKindIds),
    label: z.object({ en: z.string(), zh: z.string() }),
    ruleId: z.string().openapi({ example: 'CUS-5' }),
    amountYuan: z.number().int(),
    dismissal: z.boolean().openapi({ description: "SEC-4's 500-yuan offences carry dismissal (并予以开除)." }),
    personId: z.string(),
    evidence: z.string(),
    note: z.string().nullable(),
    state: z.enum(penaltyStates),
    proposedBy: z.string(),
    proposedAt: z.string().openapi({ format: 'date-time' }),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable().openapi({ format: 'date-time' }),
    decisionReason: z.string().nullable(),
  })
  .openapi('Penalty');

function penaltyBody(p: Penalty): z.infer<typeof penalty> {
  const { en, zh } = penaltyKinds[p.kind].label;
  return {
    ...p,
    label: { en, zh },
    proposedAt: p.proposedAt.toISOString(),
    decidedAt: p.decidedAt?.toISOString() ?? null,
  };
}

const csvHeader = ['id', 'rule_id', 'kind', 'label_zh', 'amount_yuan', 'dismissal', 'person_id', 'evidence', 'note', 'state', 'proposed_by', 'proposed_at', 'decided_by', 'decided_at', 'decision_reason'];

function csvRow(p: Penalty) {
  return [p.id, p.ruleId, p.kind, penaltyKinds[p.kind].label.zh, p.amountYuan, p.dismissal, p.personId, p.evidence, p.note, p.state, p.proposedBy, p.proposedAt.toISOString(), p.decidedBy, p.decidedAt?.toISOString(), p.decisionReason];
}

const penaltyKey = keysetCursor('timestamp', 'text');
const penaltyParams = idParam();

const penaltyQuery = z.object({
  person: identifier(100).optional(),
  state: z.enum(penaltyStates).optional(),
  ruleId: z.string().max(6).regex(/^[A-Z]{3}-\d{1,2}$/).optional().openapi({ example: 'SEC-4' }),
  from: dateInput.optional().openapi({ description: 'Proposed on or after this day (Asia/Shanghai).' }),
  to: dateInput.optional().openapi({ description: 'Proposed on or before this day (Asia/Shanghai).' }),
  format: z.enum(['json', 'csv']).default('json').openapi({ description: '`csv`: every matching fine as CSV (UTF-8 with a byte-order mark); also with `Accept: text/csv`.' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: penaltyKey.query,
});

const newPenalty = z
  .object({
    kind: z.enum(penaltyKindIds).openapi({ description: 'What the fine is for; the rule, amount and dismissal follow from it.' }),
    personId: identifier(100),
    evidence: z.string().trim().min(1).max(2_000).openapi({ description: 'A link or reference to what shows the offence.' }),
    note: z.string().trim().max(2_000).optional(),
  })
  .strict()
  .openapi('NewPenalty');

const decision = z
  .object({ decision: z.enum(['confirm', 'waive']), reason: z.string().trim().min(1).max(2_000).optional().openapi({ description: 'Required to waive.' }) })
  .strict()
  .openapi('PenaltyDecision');

const ledgerDescription =
  'CUS-2: HR supervises and penalises (人力资源部为本制度的监督、处罚部门). HR, the Marketing Director and the GM read every fine; anyone else reads their own.';

export function penaltyRoutes(deps: RouteDeps) {
  const service = createPenaltyService(deps.sql);
  const router = createRouter();
  const authenticated = requireUser(deps);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/penalties',
      tags: ['penalties'],
      summary: 'CUS-2: the penalties ledger, newest first (JSON pages, or CSV)',
      description: ledgerDescription,
      middleware: [authenticated] as const,
      request: { query: penaltyQuery },
      responses: {
        200: {
          description: 'A page of fines, or all matching fines as CSV',
          content: {
            'application/json': { schema: z.object({ penalties: z.array(penalty), nextCursor: z.string().nullable() }).openapi('PenaltyPage') },
            'text/csv': { schema: z.string() },
          },
        },
        400: invalidInput,
        401: unauthorized,
      },
    }),
    async (c) => {
      const { person, format, cursor, limit, ...filters } = c.req.valid('query');
      const query = { ...filters, personId: person };
      if (format === 'csv' || /\btext\/csv\b/i.test(c.req.header('accept') ?? '')) {
        const rows: Penalty[] = [];
        for (let after: { proposedAt: string; id: string } | undefined; ; ) {
          const page = await service.list(c.var.user, { ...query, limit: 200, after });
          rows.push(...page.penalties);
          if (!page.next) break;
          after = { proposedAt: page.next.proposedAt.toISOString(), id: page.next.id };
        }
        return c.body(csvDocument(csvHeaderCells(csvHeader, languageOf(c)), rows.map(csvRow)), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="penalties.csv"' });
      }
      const parts = cursor === undefined ? undefined : penaltyKey.parse(cursor);
      const page = await service.list(c.var.user, { ...query, limit, after: parts && { proposedAt: parts[0], id: parts[1] } });
      return c.json({ penalties: page.penalties.map(penaltyBody), nextCursor: page.next && penaltyKey.format([page.next.proposedAt.toISOString(), page.next.id]) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/penalties/totals',
      tags: ['penalties'],
      summary: "CUS-2: HR's view: count and amount per person and state, and who faces dismissal (SEC-4)",
      middleware: [authenticated] as const,
      responses: {
        200: {
          description: 'Totals',
          content: {
            'application/json': {
              schema: z.object({ totals: z.array(z.object({ personId: z.string(), state: z.enum(penaltyStates), count: z.number().int(), amountYuan: z.number().int(), dismissal: z.boolean() })) }),
            },
          },
        },
        401: unauthorized,
        403: { description: 'NOT_A_LEDGER_READER (problem+json)' },
      },
    }),
    async (c) => c.json({ totals: await service.totals(c.var.user) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/penalties/{id}',
      tags: ['penalties'],
      summary: 'One fine',
      description: ledgerDescription,
      middleware: [authenticated] as const,
      request: { params: penaltyParams },
      responses: {
        200: { description: 'The fine', content: { 'application/json': { schema: penalty } } },
        401: unauthorized,
        404: { description: 'PENALTY_NOT_FOUND, also for a fine the caller may not read (problem+json)' },
      },
    }),
    async (c) => c.json(penaltyBody(await service.get(c.var.user, c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/penalties',
      tags: ['penalties'],
      summary: 'Propose a fine by hand (HR for anyone; a Department Manager for their own department)',
      description: `${ledgerDescription} The amount, rule and dismissal follow from the kind. Fines that a process finds (a missed card update, an unsigned low-margin order) are proposed by the process itself.`,
      middleware: [authenticated] as const,
      request: { headers: idempotencyHeaders('the same key from the same proposer returns the fine it created (200).'), body: { required: true, content: { 'application/json': { schema: newPenalty } } } },
      responses: {
        200: { description: 'The fine this Idempotency-Key already proposed', content: { 'application/json': { schema: penalty } } },
        201: { description: 'Proposed; the person and HR are told', content: { 'application/json': { schema: penalty } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'MAY_NOT_PROPOSE_PENALTY, OWN_PENALTY (problem+json)' },
        422: { description: 'UNKNOWN_PERSON (problem+json)' },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { penalty: proposed, created } = await service.propose(c.var.user, { ...body, idempotencyKey: c.req.valid('header')['idempotency-key'] });
      return c.json(penaltyBody(proposed), created ? 201 : 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/penalties/{id}/decision',
      tags: ['penalties'],
      summary: 'CUS-2: HR confirms or waives a proposed fine (a waiver needs a reason)',
      middleware: [authenticated] as const,
      request: { params: penaltyParams, body: { required: true, content: { 'application/json': { schema: decision } } } },
      responses: {
        200: { description: 'The fine as decided; the person is told', content: { 'application/json': { schema: penalty } } },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_HR, OWN_PENALTY (problem+json)' },
        404: { description: 'PENALTY_NOT_FOUND (problem+json)' },
        409: { description: 'PENALTY_DECIDED: a decided fine does not change (problem+json)' },
        422: { description: 'REASON_REQUIRED (problem+json)' },
      },
    }),
    async (c) => c.json(penaltyBody(await service.decide(c.var.user, c.req.valid('param').id, c.req.valid('json'))), 200),
  );

  return router;
}
