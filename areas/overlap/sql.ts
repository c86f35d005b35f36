// The adjudication's tables (platform/db/migrations/0030_overlap.sql) and the evidence of OVL-1,
// computed from the trade record (orders, order_salespeople), the contacts and the card versions of
// the customer archive. SQL only: the rules are applied by the service.
import type { Queryable, TransactionSql } from '../../platform/db/client.ts';
import { evidenceWindows, followUpChannels, type Evidence, type Party } from './rules.ts';

export interface AdjudicationParty extends Party {
  evidence: Evidence | null;
  suggestedScore: number | null;
  signedBy: string | null;
  signedAt: Date | null;
  signNote: string | null;
  averageScore: number | null;
}

export interface AdjudicationScore {
  memberId: string;
  party: string;
  score: number;
  suggestedScore: number;
  reason: string | null;
  scoredAt: Date;
}

export interface Adjudication {
  id: string;
  customerId: string;
  kind: 'claim' | 'dispute';
  ruleId: string;
  raisedBy: string;
  reason: string;
  processId: string;
  status: 'open' | 'decided';
  openedAt: Date;
  winnerKey: string | null;
  tieBrokenBy: string | null;
  decidedAt: Date | null;
}

export type AdjudicationRecord = Adjudication & { parties: AdjudicationParty[]; scores: AdjudicationScore[] };

const adjudicationColumns = (sql: Queryable) => sql`
  id, customer_id as "customerId", kind, rule_id as "ruleId", raised_by as "raisedBy", reason, process_id as "processId", status,
  opened_at as "openedAt", winner_key as "winnerKey", tie_broken_by as "tieBrokenBy", decided_at as "decidedAt"`;

export async function insertAdjudication(tx: TransactionSql, adjudication: Omit<Adjudication, 'status' | 'winnerKey' | 'tieBrokenBy' | 'decidedAt'>, parties: readonly Party[]): Promise<void> {
  await tx`
    insert into adjudications (id, customer_id, kind, rule_id, raised_by, reason, process_id, opened_at)
    values (${adjudication.id}, ${adjudication.customerId}, ${adjudication.kind}, ${adjudication.ruleId}, ${adjudication.raisedBy}, ${adjudication.reason},
            ${adjudication.processId}, ${adjudication.openedAt})`;
  for (const party of parties) {
    await tx`
      insert into adjudication_parties (adjudication_id, party_key, user_id, department_id, claimant)
      values (${adjudication.id}, ${party.key}, ${party.userId}, ${party.departmentId}, ${party.claimant})`;
  }
}

/** Whether the database refused an adjudication because the customer already has one open. */
export function isSecondAdjudication(error: unknown): boolean {
  return (error as { constraint_name?: unknown })?.constraint_name === 'adjudications_one_open';
}

export async function findAdjudication(sql: Queryable, id: string): Promise<AdjudicationRecord | undefined> {
  const [row] = await sql<Adjudication[]>`select ${adjudicationColumns(sql)} from adjudications where id = ${id}`;
  if (!row) return undefined;
  const parties = await sql<(Omit<AdjudicationParty, 'evidence'> & { tradeAmount: string | null; tradeOrders: number | null; contacts: number | null; cardFields: number | null })[]>`
    select party_key as key, user_id as "userId", department_id as "departmentId", claimant,
      trade_amount::text as "tradeAmount", trade_orders as "tradeOrders", contacts, card_fields as "cardFields",
      suggested_score::float8 as "suggestedScore", signed_by as "signedBy", signed_at as "signedAt", sign_note as "signNote", average_score::float8 as "averageScore"
    from adjudication_parties where adjudication_id = ${id} order by claimant, party_key`;
  const scores = await sql<AdjudicationScore[]>`
    select member_id as "memberId", party_key as party, score::float8 as score, suggested_score::float8 as "suggestedScore", reason, scored_at as "scoredAt"
    from adjudication_scores where adjudication_id = ${id} order by member_id, party_key`;
  return {
    ...row,
    parties: parties.map(({ tradeAmount, tradeOrders, contacts, cardFields, ...party }) => ({
      ...party,
      evidence: tradeAmount === null ? null : { tradeAmount, tradeOrders: tradeOrders!, contacts: contacts!, cardFields: cardFields! },
    })),
    scores,
  };
}

export async function openAdjudicationOf(sql: Queryable, customerId: string): Promise<Adjudication | undefined> {
  const [row] = await sql<Adjudication[]>`select ${adjudicationColumns(sql)} from adjudications where customer_id = ${customerId} and status = 'open'`;
  return row;
}

/**
 * OVL-1, per party (a salesperson, or every member of a department): sales credited to them on
 * the customer in the last 6 months (amount × their share; cancelled orders and intent orders do
 * not count), their visits and phone/SMS follow-ups in the last 3 months, and the fields of the
 * current card whose latest value they wrote. Windows end on `today` (Asia/Shanghai).
 */
export async function computeEvidence(sql: Queryable, adjudicationId: string, today: string): Promise<(Evidence & { party: string })[]> {
  return sql<(Evidence & { party: string })[]>`
    with adjudication as (select customer_id from adjudications where id = ${adjudicationId}),
    party as (
      select p.party_key,
        case when p.user_id is not null then array[p.user_id] else (select coalesce(array_agg(u.id), '{}') from users u where u.department_id = p.department_id) end as members
      from adjudication_parties p where p.adjudication_id = ${adjudicationId}),
    field_author as (
      select distinct on (f.field) f.field, v.changed_by
      from customer_card_versions v cross join lateral unnest(v.changed_fields) as f(field)
      where v.customer_id = (select customer_id from adjudication)
      order by f.field, v.version desc),
    filled_field as (
      select a.field, a.changed_by from field_author a join customer_cards k on k.customer_id = (select customer_id from adjudication)
      where coalesce(k.content #>> string_to_array(a.field, '.'), '') <> '')
    select p.party_key as party,
      coalesce((select sum(o.amount * s.share) from orders o join order_salespeople s on s.order_id = o.id
                where o.customer_id = (select customer_id from adjudication) and o.kind = 'order' and o.status <> 'cancelled'
                  and s.user_id = any(p.members) and o.ordered_on > ${today}::date - ${`${evidenceWindows.tradeMonths} months`}::interval), 0)::numeric(14, 2)::text as "tradeAmount",
      (select count(distinct o.id)::int from orders o join order_salespeople s on s.order_id = o.id
       where o.customer_id = (select customer_id from adjudication) and o.kind = 'order' and o.status <> 'cancelled'
         and s.user_id = any(p.members) and o.ordered_on > ${today}::date - ${`${evidenceWindows.tradeMonths} months`}::interval) as "tradeOrders",
      (select count(*)::int from customer_contacts c
       where c.customer_id = (select customer_id from adjudication) and c.salesperson_id = any(p.members)
         and c.channel = any(${[...followUpChannels]}::text[]) and c.contacted_on > ${today}::date - ${`${evidenceWindows.contactMonths} months`}::interval
         and c.contacted_on <= ${today}::date) as contacts,
      (select count(*)::int from filled_field f where f.changed_by = any(p.members)) as "cardFields"
    from party p order by p.party_key`;
}

export async function storeEvidence(sql: Queryable, adjudicationId: string, party: string, evidence: Evidence, suggested: number, at: Date): Promise<void> {
  await sql`
    update adjudication_parties set trade_amount = ${evidence.tradeAmount}, trade_orders = ${evidence.tradeOrders}, contacts = ${evidence.contacts},
      card_fields = ${evidence.cardFields}, suggested_score = ${suggested}, evidence_at = ${at}
    where adjudication_id = ${adjudicationId} and party_key = ${party} and evidence_at is null`;
}

/** OVL-2: the party's Department Manager signed its submission; once. */
export async function recordSignature(sql: Queryable, adjudicationId: string, party: string, signature: { by: string; note: string | null; at: Date }): Promise<void> {
  await sql`
    update adjudication_parties set signed_by = ${signature.by}, signed_at = ${signature.at}, sign_note = ${signature.note}
    where adjudication_id = ${adjudicationId} and party_key = ${party} and signed_at is null`;
}

export async function insertScore(tx: TransactionSql, adjudicationId: string, score: Omit<AdjudicationScore, 'scoredAt'> & { at: Date }): Promise<void> {
  await tx`
    insert into adjudication_scores (adjudication_id, member_id, party_key, score, suggested_score, reason, scored_at)
    values (${adjudicationId}, ${score.memberId}, ${score.party}, ${score.score}, ${score.suggestedScore}, ${score.reason}, ${score.at})
    on conflict do nothing`;
}

export async function recordAverage(tx: TransactionSql, adjudicationId: string, party: string, average: number): Promise<void> {
  await tx`update adjudication_parties set average_score = ${average} where adjudication_id = ${adjudicationId} and party_key = ${party}`;
}

/** OVL-2: the adjudication is decided for `winnerKey`; false when it already was. */
export async function closeAdjudication(tx: TransactionSql, adjudicationId: string, decision: { winnerKey: string; tieBrokenBy: string | null; at: Date }): Promise<boolean> {
  const rows = await tx`
    update adjudications set status = 'decided', winner_key = ${decision.winnerKey}, tie_broken_by = ${decision.tieBrokenBy}, decided_at = ${decision.at}
    where id = ${adjudicationId} and status = 'open' returning id`;
  return rows.length > 0;
}

/** OVL-4: the Sales Floor salespeople whose orders with the customer (not cancelled) credit them. */
export async function salesFloorTraders(sql: Queryable, customerId: string, departmentId: string): Promise<string[]> {
  const rows = await sql<{ userId: string }[]>`
    select distinct s.user_id as "userId" from orders o join order_salespeople s on s.order_id = o.id join users u on u.id = s.user_id
    where o.customer_id = ${customerId} and o.kind = 'order' and o.status <> 'cancelled' and u.department_id = ${departmentId}
    order by s.user_id`;
  return rows.map((row) => row.userId);
}

/** The customer an adjudication is about, as a claim sees it (the customers area owns the row). */
export interface ClaimedCustomer {
  id: string;
  name: string;
  departmentId: string;
  ownerId: string | null;
  status: 'open' | 'protected' | 'owned';
}

export async function findClaimedCustomer(sql: Queryable, id: string): Promise<ClaimedCustomer | undefined> {
  const [row] = await sql<ClaimedCustomer[]>`
    select id, name, department_id as "departmentId", owner_id as "ownerId", status from customers where id = ${id}`;
  return row;
}
