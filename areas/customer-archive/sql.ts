// The customer archive's tables (platform/db/migrations/0024_customer_archive.sql). SQL only.
import type { Queryable, TransactionSql } from '../../platform/db/client.ts';
import type { ArchivedCustomer, CardContent, StandingRight, Tier } from './rules.ts';

/** The customer a card belongs to, as the tiers need it (the customers area owns the row). */
export async function findArchivedCustomer(sql: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<ArchivedCustomer | undefined> {
  const [customer] = await sql<ArchivedCustomer[]>`
    select id, name, department_id as "departmentId", owner_id as "ownerId", company_level as "companyLevel"
    from customers where id = ${id} ${options.forUpdate ? sql`for update` : sql``}`;
  return customer;
}

export async function setCompanyLevel(tx: TransactionSql, customerId: string, companyLevel: boolean): Promise<void> {
  await tx`update customers set company_level = ${companyLevel}, updated_at = now() where id = ${customerId}`;
}

export interface Card {
  customerId: string;
  version: number;
  content: CardContent;
  completeness: number;
  updatedBy: string;
  updatedAt: Date;
}

export async function findCard(sql: Queryable, customerId: string): Promise<Card | undefined> {
  const [card] = await sql<Card[]>`
    select customer_id as "customerId", version, content, completeness, updated_by as "updatedBy", updated_at as "updatedAt"
    from customer_cards where customer_id = ${customerId}`;
  return card;
}

/** Writes the card's new version and keeps it in the history. */
export async function writeCard(tx: TransactionSql, card: Card, changed: string[]): Promise<void> {
  await tx`
    insert into customer_cards (customer_id, version, content, completeness, updated_by, updated_at)
    values (${card.customerId}, ${card.version}, ${tx.json(card.content as never)}, ${card.completeness}, ${card.updatedBy}, ${card.updatedAt})
    on conflict (customer_id) do update set version = excluded.version, content = excluded.content, completeness = excluded.completeness,
      updated_by = excluded.updated_by, updated_at = excluded.updated_at`;
  await tx`
    insert into customer_card_versions (customer_id, version, content, changed_fields, changed_by, changed_at)
    values (${card.customerId}, ${card.version}, ${tx.json(card.content as never)}, ${changed}, ${card.updatedBy}, ${card.updatedAt})`;
}

export interface CardVersion {
  version: number;
  changedFields: string[];
  changedBy: string;
  changedAt: Date;
  content: CardContent;
}

export async function cardVersions(sql: Queryable, customerId: string): Promise<CardVersion[]> {
  return sql<CardVersion[]>`
    select version, changed_fields as "changedFields", changed_by as "changedBy", changed_at as "changedAt", content
    from customer_card_versions where customer_id = ${customerId} order by version desc`;
}

export interface Contact {
  id: string;
  customerId: string;
  salespersonId: string;
  channel: string;
  contactedOn: string;
  summary: string;
  recordedAt: Date;
  cardVersion: number | null;
  penaltyId: string | null;
}

const contactColumns = (sql: Queryable) => sql`
  id, customer_id as "customerId", salesperson_id as "salespersonId", channel, to_char(contacted_on, 'YYYY-MM-DD') as "contactedOn",
  summary, recorded_at as "recordedAt", card_version as "cardVersion", penalty_id as "penaltyId"`;

export async function insertContact(tx: TransactionSql, contact: Omit<Contact, 'cardVersion' | 'penaltyId'> & { cardVersion: number | null }): Promise<Contact> {
  const [inserted] = await tx<Contact[]>`
    insert into customer_contacts (id, customer_id, salesperson_id, channel, contacted_on, summary, recorded_at, card_version)
    values (${contact.id}, ${contact.customerId}, ${contact.salespersonId}, ${contact.channel}, ${contact.contactedOn}, ${contact.summary}, ${contact.recordedAt}, ${contact.cardVersion})
    returning ${contactColumns(tx)}`;
  return inserted!;
}

/** CUS-5: a card version written on the day of a contact satisfies that contact's duty. */
export async function satisfyContacts(tx: TransactionSql, customerId: string, day: string, version: number): Promise<number> {
  const rows = await tx`
    update customer_contacts set card_version = ${version}
    where customer_id = ${customerId} and contacted_on = ${day}::date and card_version is null and checked_at is null
    returning id`;
  return rows.length;
}

export async function listContacts(sql: Queryable, customerId: string, limit: number): Promise<Contact[]> {
  return sql<Contact[]>`select ${contactColumns(sql)} from customer_contacts where customer_id = ${customerId} and deleted_by is null order by contacted_on desc, recorded_at desc limit ${limit}`;
}

/** Contacts of days before `today` whose card was not updated the same day and that no check has seen yet. */
export async function missedContacts(tx: TransactionSql, today: string, limit: number): Promise<Contact[]> {
  return tx<Contact[]>`
    select ${contactColumns(tx)} from customer_contacts
    where contacted_on < ${today}::date and card_version is null and checked_at is null and deleted_by is null
    order by contacted_on, id limit ${limit} for update skip locked`;
}

export async function markChecked(tx: TransactionSql, contactId: string, at: Date, penaltyId: string): Promise<void> {
  await tx`update customer_contacts set checked_at = ${at}, penalty_id = ${penaltyId} where id = ${contactId}`;
}

/** Cards below 100% completeness of customers someone keeps, with the person who should complete them. */
export async function incompleteCards(sql: Queryable): Promise<{ customerId: string; name: string; completeness: number; keeperId: string }[]> {
  return sql`
    select c.id as "customerId", c.name, coalesce(k.completeness, 0) as completeness,
      coalesce(c.owner_id, (select r.user_id from user_roles r join users u on u.id = r.user_id
                             where r.role = 'department_manager' and r.department_id = c.department_id and u.active order by r.user_id limit 1)) as "keeperId"
    from customers c left join customer_cards k on k.customer_id = c.id
    where coalesce(k.completeness, 0) < 100 and not c.company_level
    order by c.id`;
}

export interface ViewGrant {
  id: string;
  customerId: string;
  granteeId: string;
  tier: Tier;
  reason: string;
  processId: string;
  status: 'requested' | 'granted' | 'refused';
  requestedAt: Date;
  validFrom: Date | null;
  validTo: Date | null;
}

const grantColumns = (sql: Queryable) => sql`
  id, customer_id as "customerId", grantee_id as "granteeId", tier, reason, process_id as "processId", status,
  requested_at as "requestedAt", valid_from as "validFrom", valid_to as "validTo"`;

export async function insertGrant(tx: TransactionSql, grant: Omit<ViewGrant, 'status' | 'validFrom' | 'validTo'>): Promise<ViewGrant> {
  const [inserted] = await tx<ViewGrant[]>`
    insert into customer_view_grants (id, customer_id, grantee_id, tier, reason, process_id, requested_at)
    values (${grant.id}, ${grant.customerId}, ${grant.granteeId}, ${grant.tier}, ${grant.reason}, ${grant.processId}, ${grant.requestedAt})
    returning ${grantColumns(tx)}`;
  return inserted!;
}

export async function findGrant(sql: Queryable, id: string): Promise<ViewGrant | undefined> {
  const [grant] = await sql<ViewGrant[]>`select ${grantColumns(sql)} from customer_view_grants where id = ${id}`;
  return grant;
}

/** Decides a requested grant once; a second decision changes nothing. */
export async function decideGrant(sql: Queryable, id: string, decision: { status: 'granted' | 'refused'; validFrom?: Date; validTo?: Date }): Promise<ViewGrant | undefined> {
  const [grant] = await sql<ViewGrant[]>`
    update customer_view_grants set status = ${decision.status}, valid_from = ${decision.validFrom ?? null}, valid_to = ${decision.validTo ?? null}
    where id = ${id} and status = 'requested' returning ${grantColumns(sql)}`;
  return grant;
}

/** A grant in force for the user on the customer at `at`. */
export async function grantInForce(sql: Queryable, customerId: string, granteeId: string, at: Date): Promise<ViewGrant | undefined> {
  const [grant] = await sql<ViewGrant[]>`
    select ${grantColumns(sql)} from customer_view_grants
    where customer_id = ${customerId} and grantee_id = ${granteeId} and status = 'granted' and valid_from <= ${at} and valid_to > ${at}
    order by valid_to desc limit 1`;
  return grant;
}

export async function recordView(sql: Queryable, view: { customerId: string; viewerId: string; at: Date; right: StandingRight | 'approval'; grantId: string | null }): Promise<void> {
  await sql`insert into customer_views (customer_id, viewer_id, viewed_at, right_kind, grant_id) values (${view.customerId}, ${view.viewerId}, ${view.at}, ${view.right}, ${view.grantId})`;
}

export interface View {
  seq: string;
  customerId: string;
  viewerId: string;
  viewedAt: Date;
  right: string;
  grantId: string | null;
}

export async function listViews(sql: Queryable, query: { customerId?: string | undefined; viewerId?: string | undefined; limit: number; beforeSeq?: string | undefined }): Promise<View[]> {
  return sql<View[]>`
    select seq::text as seq, customer_id as "customerId", viewer_id as "viewerId", viewed_at as "viewedAt", right_kind as right, grant_id as "grantId"
    from customer_views
    where true
      ${query.customerId === undefined ? sql`` : sql`and customer_id = ${query.customerId}`}
      ${query.viewerId === undefined ? sql`` : sql`and viewer_id = ${query.viewerId}`}
      ${query.beforeSeq === undefined ? sql`` : sql`and seq < ${query.beforeSeq}::bigint`}
    order by seq desc limit ${query.limit}`;
}
