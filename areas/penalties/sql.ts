// The penalties ledger's table (platform/db/migrations/0023_penalties.sql). SQL only: the rules
// and the transactions are the service's.
import type { Queryable, TransactionSql } from '../../platform/db/client.ts';
import type { PenaltyKindId, PenaltyState } from './rules.ts';

export interface Penalty {
  id: string;
  kind: PenaltyKindId;
  ruleId: string;
  amountYuan: number;
  dismissal: boolean;
  personId: string;
  evidence: string;
  note: string | null;
  state: PenaltyState;
  proposedBy: string;
  proposedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
}

export interface NewPenalty {
  id: string;
  kind: PenaltyKindId;
  ruleId: string;
  amountYuan: number;
  dismissal: boolean;
  personId: string;
  evidence: string;
  note: string | null;
  sourceKey: string;
  proposedBy: string;
  proposedAt: Date;
}

const columns = (sql: Queryable) => sql`
  id, kind, rule_id as "ruleId", amount_yuan as "amountYuan", dismissal, person_id as "personId", evidence, note, state,
  proposed_by as "proposedBy", proposed_at as "proposedAt", decided_by as "decidedBy", decided_at as "decidedAt",
  decision_reason as "decisionReason"`;

/** Inserts a fine once per source key; the fine that key already proposed otherwise. */
export async function insertPenalty(tx: TransactionSql, penalty: NewPenalty): Promise<{ penalty: Penalty; created: boolean }> {
  const [inserted] = await tx<Penalty[]>`
    insert into penalties (id, kind, rule_id, amount_yuan, dismissal, person_id, evidence, note, source_key, proposed_by, proposed_at)
    values (${penalty.id}, ${penalty.kind}, ${penalty.ruleId}, ${penalty.amountYuan}, ${penalty.dismissal}, ${penalty.personId},
            ${penalty.evidence}, ${penalty.note}, ${penalty.sourceKey}, ${penalty.proposedBy}, ${penalty.proposedAt})
    on conflict (source_key) do nothing
    returning ${columns(tx)}`;
  if (inserted) return { penalty: inserted, created: true };
  const [existing] = await tx<Penalty[]>`select ${columns(tx)} from penalties where source_key = ${penalty.sourceKey}`;
  return { penalty: existing!, created: false };
}

export async function findPenalty(sql: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<Penalty | undefined> {
  const [penalty] = await sql<Penalty[]>`select ${columns(sql)} from penalties where id = ${id} ${options.forUpdate ? sql`for update` : sql``}`;
  return penalty;
}

export async function decidePenalty(tx: TransactionSql, decision: { id: string; state: 'confirmed' | 'waived'; decidedBy: string; at: Date; reason: string | null }): Promise<Penalty> {
  const [penalty] = await tx<Penalty[]>`
    update penalties set state = ${decision.state}, decided_by = ${decision.decidedBy}, decided_at = ${decision.at}, decision_reason = ${decision.reason}
    where id = ${decision.id} and state = 'proposed'
    returning ${columns(tx)}`;
  return penalty!;
}

export interface PenaltyQuery {
  /** Only this person's fines (a reader of their own ledger, or a filter). */
  personId?: string | undefined;
  state?: PenaltyState | undefined;
  ruleId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  after?: { proposedAt: string; id: string } | undefined;
}

/** The newest first, a page at a time (keyset on proposed_at desc, id desc). */
export async function listPenalties(sql: Queryable, query: PenaltyQuery): Promise<{ penalties: Penalty[]; next: { proposedAt: Date; id: string } | null }> {
  const rows = await sql<Penalty[]>`
    select ${columns(sql)} from penalties
    where true
      ${query.personId === undefined ? sql`` : sql`and person_id = ${query.personId}`}
      ${query.state === undefined ? sql`` : sql`and state = ${query.state}`}
      ${query.ruleId === undefined ? sql`` : sql`and rule_id = ${query.ruleId}`}
      ${query.from === undefined ? sql`` : sql`and proposed_at >= (${query.from}::date)::timestamp at time zone 'Asia/Shanghai'`}
      ${query.to === undefined ? sql`` : sql`and proposed_at < ((${query.to}::date) + 1)::timestamp at time zone 'Asia/Shanghai'`}
      ${query.after === undefined ? sql`` : sql`and (proposed_at, id) < (${query.after.proposedAt}::timestamptz, ${query.after.id})`}
    order by proposed_at desc, id desc
    limit ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { penalties: page, next: rows.length > query.limit && last ? { proposedAt: last.proposedAt, id: last.id } : null };
}

/** Totals per person and state, for HR's view. */
export async function penaltyTotals(sql: Queryable): Promise<{ personId: string; state: PenaltyState; count: number; amountYuan: number; dismissal: boolean }[]> {
  return sql`
    select person_id as "personId", state, count(*)::int as count, sum(amount_yuan)::int as "amountYuan", bool_or(dismissal) as dismissal
    from penalties group by person_id, state order by person_id, state`;
}
