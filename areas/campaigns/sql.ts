// The tables of archiving campaigns, hand-overs and held originals (migration 0019). Writes are
// keyed (a campaign by its process, a department's hand-over by its campaign, a list by its
// hand-over), so a retried service task writes once.
import type { Queryable, TransactionSql } from '../../platform/db/client.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';
import type { CampaignKind, HandOverSummary } from './rules.ts';

export interface Campaign {
  id: string;
  processId: string;
  kind: CampaignKind;
  period: string;
  openedBy: string;
  openedAt: Date;
  dueAt: Date;
  status: 'open' | 'closed';
  closedAt: Date | null;
}

const campaignColumns = (sql: Queryable) =>
  sql`id, process_id as "processId", kind, period, opened_by as "openedBy", opened_at as "openedAt", due_at as "dueAt", status, closed_at as "closedAt"`;

export async function insertCampaign(tx: TransactionSql, campaign: Omit<Campaign, 'status' | 'closedAt'> & { idempotencyKey: string | null }): Promise<Campaign | undefined> {
  const [row] = await tx<Campaign[]>`
    insert into campaigns (id, process_id, kind, period, opened_by, opened_at, due_at, idempotency_key)
    values (${campaign.id}, ${campaign.processId}, ${campaign.kind}, ${campaign.period}, ${campaign.openedBy}, ${campaign.openedAt}, ${campaign.dueAt}, ${campaign.idempotencyKey})
    on conflict do nothing
    returning ${campaignColumns(tx)}`;
  return row;
}

export async function findCampaign(sql: Queryable, id: string): Promise<Campaign | undefined> {
  const [row] = await sql<Campaign[]>`select ${campaignColumns(sql)} from campaigns where id = ${id}`;
  return row;
}

export async function findCampaignByProcess(sql: Queryable, processId: string): Promise<Campaign | undefined> {
  const [row] = await sql<Campaign[]>`select ${campaignColumns(sql)} from campaigns where process_id = ${processId}`;
  return row;
}

export async function findCampaignByKey(sql: Queryable, openedBy: string, key: string): Promise<Campaign | undefined> {
  const [row] = await sql<Campaign[]>`select ${campaignColumns(sql)} from campaigns where opened_by = ${openedBy} and idempotency_key = ${key}`;
  return row;
}

/** Campaigns, the latest opened first (keyset on opened_at desc, id desc). */
export async function listCampaigns(sql: Queryable, page: { limit: number; after?: { openedAt: string; id: string } | undefined }) {
  const rows = await sql<(Campaign & { cursorAt: string })[]>`
    select ${campaignColumns(sql)}, opened_at::text as "cursorAt" from campaigns
    ${page.after ? sql`where (opened_at, id) < (${page.after.openedAt}::timestamptz, ${page.after.id})` : sql``}
    order by opened_at desc, id desc
    limit ${page.limit + 1}`;
  const campaigns = rows.slice(0, page.limit);
  const last = campaigns.at(-1);
  return { campaigns, next: rows.length > page.limit && last ? { openedAt: last.cursorAt, id: last.id } : null };
}

export async function closeCampaignRow(sql: Queryable, id: string, at: Date): Promise<void> {
  await sql`update campaigns set status = 'closed', closed_at = ${at} where id = ${id} and status = 'open'`;
}

export interface HandOverItem {
  item: number;
  title: string;
  category: string;
  secrecy: SecrecyLevel;
  original: boolean;
  quantity: number;
  unit: 'pages' | 'pieces';
  volume: string | null;
  heldOriginalId: string | null;
  verdict: 'accepted' | 'returned' | null;
  reason: string | null;
  documentId: string | null;
}

export interface HeldOriginalRef {
  id: string;
  title: string;
  secrecy: string;
}

export interface HandOver {
  id: string;
  campaignId: string | null;
  departmentId: string;
  processId: string | null;
  dueAt: Date | null;
  status: 'pending' | 'submitted' | 'checked';
  submittedBy: string | null;
  submittedAt: Date | null;
  checkedBy: string | null;
  checkedAt: Date | null;
  checkProblem: string | null;
  heldOriginals: HeldOriginalRef[];
  createdBy: string;
  createdAt: Date;
}

const handOverColumns = (sql: Queryable) =>
  sql`id, campaign_id as "campaignId", department_id as "departmentId", process_id as "processId", due_at as "dueAt", status,
    submitted_by as "submittedBy", submitted_at as "submittedAt", checked_by as "checkedBy", checked_at as "checkedAt",
    check_problem as "checkProblem", held_originals as "heldOriginals", created_by as "createdBy", created_at as "createdAt"`;

/** CYC-2: a hand-over per department of a campaign (once), and all of them in department order. */
export async function insertCampaignHandOvers(
  tx: TransactionSql,
  campaign: Campaign,
  departments: readonly { id: string; handOverId: string }[],
): Promise<HandOver[]> {
  for (const department of departments) {
    await tx`
      insert into hand_overs (id, campaign_id, department_id, due_at, created_by, created_at)
      values (${department.handOverId}, ${campaign.id}, ${department.id}, ${campaign.dueAt}, ${campaign.openedBy}, ${campaign.openedAt})
      on conflict (campaign_id, department_id) do nothing`;
  }
  return tx<HandOver[]>`select ${handOverColumns(tx)} from hand_overs where campaign_id = ${campaign.id} order by department_id`;
}

export type NewItem = Omit<HandOverItem, 'item' | 'verdict' | 'reason' | 'documentId'>;

/** CYC-3: an urgent hand-over with its list, submitted by the manager who files it. */
export async function insertUrgentHandOver(
  tx: TransactionSql,
  handOver: { id: string; departmentId: string; processId: string; createdBy: string; createdAt: Date; idempotencyKey: string | null; items: readonly NewItem[] },
): Promise<HandOver> {
  const [row] = await tx<HandOver[]>`
    insert into hand_overs (id, department_id, process_id, status, submitted_by, submitted_at, created_by, created_at, idempotency_key)
    values (${handOver.id}, ${handOver.departmentId}, ${handOver.processId}, 'submitted', ${handOver.createdBy}, ${handOver.createdAt}, ${handOver.createdBy}, ${handOver.createdAt}, ${handOver.idempotencyKey})
    returning ${handOverColumns(tx)}`;
  await insertItems(tx, handOver.id, handOver.items);
  return row!;
}

async function insertItems(tx: TransactionSql, handOverId: string, items: readonly NewItem[]): Promise<void> {
  for (const [index, item] of items.entries()) {
    await tx`
      insert into hand_over_items (hand_over_id, item, title, category, secrecy, original, quantity, unit, volume, held_original_id)
      values (${handOverId}, ${index + 1}, ${item.title}, ${item.category}, ${item.secrecy}, ${item.original}, ${item.quantity}, ${item.unit}, ${item.volume}, ${item.heldOriginalId})`;
  }
}

/** CYC-2: the manager's list, stored once; the count of items on record. */
export async function submitList(tx: TransactionSql, handOverId: string, list: { items: readonly NewItem[]; submittedBy: string; at: Date }): Promise<number> {
  const [pending] = await tx<{ id: string }[]>`
    update hand_overs set status = 'submitted', submitted_by = ${list.submittedBy}, submitted_at = ${list.at}
    where id = ${handOverId} and status = 'pending' returning id`;
  if (pending) await insertItems(tx, handOverId, list.items);
  const [row] = await tx<{ n: number }[]>`select count(*)::int as n from hand_over_items where hand_over_id = ${handOverId}`;
  return row!.n;
}

export async function findHandOver(sql: Queryable, id: string): Promise<HandOver | undefined> {
  const [row] = await sql<HandOver[]>`select ${handOverColumns(sql)} from hand_overs where id = ${id}`;
  return row;
}

export async function findHandOverByKey(sql: Queryable, createdBy: string, key: string): Promise<HandOver | undefined> {
  const [row] = await sql<HandOver[]>`select ${handOverColumns(sql)} from hand_overs where created_by = ${createdBy} and idempotency_key = ${key}`;
  return row;
}

/** The hand-over, locked for its check. */
export async function lockHandOver(tx: TransactionSql, id: string): Promise<HandOver | undefined> {
  const [row] = await tx<HandOver[]>`select ${handOverColumns(tx)} from hand_overs where id = ${id} for update`;
  return row;
}

export async function itemsOf(sql: Queryable, handOverId: string): Promise<HandOverItem[]> {
  return sql<HandOverItem[]>`
    select item, title, category, secrecy, original, quantity, unit, volume, held_original_id as "heldOriginalId", verdict, reason, document_id as "documentId"
    from hand_over_items where hand_over_id = ${handOverId} order by item`;
}

/** ARC-3: links the hand-over to its process and keeps the originals outstanding as it opens. */
export async function beginHandOverRow(sql: Queryable, id: string, processId: string, held: readonly HeldOriginalRef[]): Promise<void> {
  await sql`update hand_overs set process_id = ${processId}, held_originals = ${sql.json(held as never)} where id = ${id} and (process_id is null or process_id = ${processId})`;
}

export async function saveVerdict(
  tx: TransactionSql,
  handOverId: string,
  verdict: { item: number; verdict: 'accepted' | 'returned'; reason: string | null; volume: string | null; documentId: string | null },
): Promise<void> {
  await tx`
    update hand_over_items set verdict = ${verdict.verdict}, reason = ${verdict.reason}, volume = coalesce(${verdict.volume}, volume), document_id = ${verdict.documentId}
    where hand_over_id = ${handOverId} and item = ${verdict.item}`;
}

export async function markChecked(tx: TransactionSql, handOverId: string, checkedBy: string, at: Date): Promise<void> {
  await tx`update hand_overs set status = 'checked', checked_by = ${checkedBy}, checked_at = ${at}, check_problem = null where id = ${handOverId}`;
}

export async function setCheckProblem(sql: Queryable, handOverId: string, problem: string): Promise<void> {
  await sql`update hand_overs set check_problem = ${problem} where id = ${handOverId} and status <> 'checked'`;
}

/** The accepted and returned counts of a checked hand-over. */
export async function verdictCounts(sql: Queryable, handOverId: string): Promise<{ accepted: number; returned: number }> {
  const [row] = await sql<{ accepted: number; returned: number }[]>`
    select count(*) filter (where verdict = 'accepted')::int as accepted, count(*) filter (where verdict = 'returned')::int as returned
    from hand_over_items where hand_over_id = ${handOverId}`;
  return row!;
}

/** CYC-2: each department's part of a campaign, in department order. */
export async function campaignSummaries(sql: Queryable, campaignId: string): Promise<HandOverSummary[]> {
  return sql<HandOverSummary[]>`
    select h.id as "handOverId", h.department_id as "departmentId", d.name as "departmentName", d.name_zh as "departmentNameZh",
      h.status, h.due_at as "dueAt", h.submitted_at as "submittedAt",
      (select count(*) from hand_over_items i where i.hand_over_id = h.id)::int as received,
      (select count(*) from hand_over_items i where i.hand_over_id = h.id and i.verdict = 'accepted')::int as accepted,
      (select count(*) from hand_over_items i where i.hand_over_id = h.id and i.verdict = 'returned')::int as returned,
      (select count(*) from held_originals o where o.department_id = h.department_id and o.document_id is null)::int as "originalsOutstanding"
    from hand_overs h join departments d on d.id = h.department_id
    where h.campaign_id = ${campaignId}
    order by h.department_id`;
}

export interface HeldOriginal {
  id: string;
  departmentId: string;
  title: string;
  secrecy: 'confidential' | 'top_secret';
  note: string | null;
  registeredBy: string;
  registeredAt: Date;
  documentId: string | null;
  handOverId: string | null;
  depositedAt: Date | null;
}

const heldColumns = (sql: Queryable) =>
  sql`id, department_id as "departmentId", title, secrecy, note, registered_by as "registeredBy", registered_at as "registeredAt",
    document_id as "documentId", hand_over_id as "handOverId", deposited_at as "depositedAt"`;

export async function insertHeldOriginal(
  sql: Queryable,
  held: Pick<HeldOriginal, 'id' | 'departmentId' | 'title' | 'secrecy' | 'note' | 'registeredBy' | 'registeredAt'> & { idempotencyKey: string | null },
): Promise<{ held: HeldOriginal; created: boolean }> {
  const [row] = await sql<HeldOriginal[]>`
    insert into held_originals (id, department_id, title, secrecy, note, registered_by, registered_at, idempotency_key)
    values (${held.id}, ${held.departmentId}, ${held.title}, ${held.secrecy}, ${held.note}, ${held.registeredBy}, ${held.registeredAt}, ${held.idempotencyKey})
    on conflict (registered_by, idempotency_key) do nothing
    returning ${heldColumns(sql)}`;
  if (row) return { held: row, created: true };
  const [earlier] = await sql<HeldOriginal[]>`select ${heldColumns(sql)} from held_originals where registered_by = ${held.registeredBy} and idempotency_key = ${held.idempotencyKey}`;
  return { held: earlier!, created: false };
}

/** ARC-3: the originals a department still holds, the oldest entry first. */
export async function outstandingHeldOriginals(sql: Queryable, departmentId: string): Promise<HeldOriginalRef[]> {
  return sql<HeldOriginalRef[]>`
    select id, title, secrecy from held_originals where department_id = ${departmentId} and document_id is null order by registered_at, id`;
}

/** Held originals, the latest registered first (keyset on registered_at desc, id desc). */
export async function listHeldOriginals(
  sql: Queryable,
  query: { departmentId?: string | undefined; state: 'outstanding' | 'deposited' | 'all'; limit: number; after?: { registeredAt: string; id: string } | undefined },
) {
  const rows = await sql<(HeldOriginal & { cursorAt: string })[]>`
    select ${heldColumns(sql)}, registered_at::text as "cursorAt" from held_originals
    where true
      ${query.departmentId === undefined ? sql`` : sql`and department_id = ${query.departmentId}`}
      ${query.state === 'outstanding' ? sql`and document_id is null` : query.state === 'deposited' ? sql`and document_id is not null` : sql``}
      ${query.after ? sql`and (registered_at, id) < (${query.after.registeredAt}::timestamptz, ${query.after.id})` : sql``}
    order by registered_at desc, id desc
    limit ${query.limit + 1}`;
  const entries = rows.slice(0, query.limit);
  const last = entries.at(-1);
  return { entries, next: rows.length > query.limit && last ? { registeredAt: last.cursorAt, id: last.id } : null };
}

/** ARC-3: the entry is closed by the document that deposited it. */
export async function depositHeldOriginal(tx: TransactionSql, entry: { id: string; documentId: string; handOverId: string; at: Date }): Promise<void> {
  await tx`
    update held_originals set document_id = ${entry.documentId}, hand_over_id = ${entry.handOverId}, deposited_at = ${entry.at}
    where id = ${entry.id} and document_id is null`;
}
