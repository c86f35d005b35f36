// The customer archive's application service: the only code that opens its transactions and
// starts its processes. Every read of a card is recorded with the right it was read under.
import { randomUUID } from 'node:crypto';
import { policyDate } from '../../engine/definition/feel.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import { enqueueStart } from '../../engine/sql/outbox.ts';
import { insertAudit, insertNotices } from '../../platform/db/audit.ts';
import { notice } from '../../platform/notifications/texts.ts';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import { holdsRole, type User } from '../../platform/organisation/model.ts';
import { proposePenalty } from '../penalties/index.ts';
import { verifyBackup, writeBackup } from './backup.ts';
import {
  changedFields,
  completeness,
  customerArchiveSettings,
  keepsCard,
  readsCompanyArchives,
  readsViewLog,
  standingRight,
  tierOf,
  viewRequestProcessId,
  viewRequestProcessKey,
  type ArchivedCustomer,
  type CardContent,
  type StandingRight,
  type Tier,
} from './rules.ts';
import {
  cardVersions,
  decideGrant,
  findArchivedCustomer,
  findCard,
  findGrant,
  grantInForce,
  incompleteCards,
  insertContact,
  insertGrant,
  listContacts,
  listViews,
  markChecked,
  missedContacts,
  recordView,
  satisfyContacts,
  setCompanyLevel,
  writeCard,
  type Card,
  type CardVersion,
  type Contact,
  type View,
  type ViewGrant,
} from './sql.ts';

export interface CardView {
  customer: ArchivedCustomer;
  tier: Tier;
  card: Card | undefined;
  /** The right the caller read it under. */
  right: StandingRight | 'approval';
}

const DAY_MS = 86_400_000;

export function createCustomerArchiveService(deps: { sql: Sql; outbox: ProcessOutbox }) {
  const { sql, outbox } = deps;

  const customerOf = async (customerId: string): Promise<ArchivedCustomer> => {
    const customer = await findArchivedCustomer(sql, customerId);
    if (!customer) throw new NotFound('CUSTOMER_NOT_FOUND', `No customer ${customerId}.`);
    return customer;
  };

  /** SEC-1/SEC-3: the caller's right to read the card, recorded as a view; refused without one. */
  const readRight = async (user: User, customer: ArchivedCustomer): Promise<{ right: StandingRight | 'approval'; grantId: string | null }> => {
    const at = new Date();
    const standing = standingRight(user, customer);
    const grant = standing ? undefined : await grantInForce(sql, customer.id, user.id, at);
    if (!standing && !grant) {
      throw new Forbidden(
        'VIEW_NEEDS_APPROVAL',
        `Customer archives are confidential (SEC-1): file a viewing request (POST /api/v1/customers/${customer.id}/view-requests) to read this ${tierOf(customer)}-level card.`,
        'SEC-3',
      );
    }
    const right = standing ?? 'approval';
    await recordView(sql, { customerId: customer.id, viewerId: user.id, at, right, grantId: grant?.id ?? null });
    return { right, grantId: grant?.id ?? null };
  };

  const keeperOf = (user: User, customer: ArchivedCustomer) => {
    if (!keepsCard(user, customer)) {
      throw new Forbidden('NOT_THE_KEEPER', `Only the keeper of this ${tierOf(customer)}-level card changes it or records contacts (SEC-4: 严禁擅自修改).`, 'SEC-4');
    }
  };

  return {
    async readCard(user: User, customerId: string): Promise<CardView> {
      const customer = await customerOf(customerId);
      const { right } = await readRight(user, customer);
      return { customer, tier: tierOf(customer), card: await findCard(sql, customerId), right };
    },

    async cardHistory(user: User, customerId: string): Promise<CardVersion[]> {
      const customer = await customerOf(customerId);
      await readRight(user, customer);
      return cardVersions(sql, customerId);
    },

    /** CUS-3/CUS-5: a new version of the card (nothing when nothing changed); today's contacts with the customer are satisfied by it. */
    async updateCard(user: User, customerId: string, content: CardContent, expectedVersion: number | undefined): Promise<{ card: Card; changed: string[] }> {
      return sql.begin(async (tx) => {
        const customer = await findArchivedCustomer(tx, customerId, { forUpdate: true });
        if (!customer) throw new NotFound('CUSTOMER_NOT_FOUND', `No customer ${customerId}.`);
        keeperOf(user, customer);
        const current = await findCard(tx, customerId);
        const version = current?.version ?? 0;
        if (expectedVersion !== undefined && expectedVersion !== version) {
          throw new StateConflict('CARD_VERSION_CONFLICT', `The card is at version ${version}, not ${expectedVersion}: read it again and reapply the change.`);
        }
        const changed = changedFields(current?.content ?? {}, content);
        if (current && changed.length === 0) return { card: current, changed };
        const at = new Date();
        const card: Card = { customerId, version: version + 1, content, completeness: completeness(content), updatedBy: user.id, updatedAt: at };
        await writeCard(tx, card, changed);
        const satisfied = await satisfyContacts(tx, customerId, policyDate(at.getTime()), card.version);
        await insertAudit(tx, [
          {
            key: `customer-card:${customerId}:${card.version}`,
            at: at.getTime(),
            processId: null,
            event: 'customer.card_updated',
            actorId: user.id,
            ruleId: 'CUS-5',
            detail: { customerId, version: card.version, changedFields: changed, completeness: card.completeness, contactsSatisfied: satisfied },
          },
        ]);
        return { card, changed };
      });
    },

    /** CUS-5 / CRM-3: a contact with the customer; the card is then due by the end of that day. */
    async recordContact(user: User, customerId: string, contact: { channel: string; contactedOn?: string | undefined; summary: string }): Promise<Contact> {
      const now = Date.now();
      const today = policyDate(now);
      const contactedOn = contact.contactedOn ?? today;
      if (contactedOn > today || contactedOn < policyDate(now - 31 * DAY_MS)) {
        throw new PolicyViolation('CONTACT_DATE_OUT_OF_RANGE', 'CUS-5', 'A contact is recorded on its day, or within the month after it; never ahead.', [
          { path: 'contactedOn', message: `between ${policyDate(now - 31 * DAY_MS)} and ${today}` },
        ]);
      }
      return sql.begin(async (tx) => {
        const customer = await findArchivedCustomer(tx, customerId, { forUpdate: true });
        if (!customer) throw new NotFound('CUSTOMER_NOT_FOUND', `No customer ${customerId}.`);
        keeperOf(user, customer);
        return insertContact(tx, { id: randomUUID(), customerId, salespersonId: user.id, channel: contact.channel, contactedOn, summary: contact.summary, recordedAt: new Date(now), cardVersion: null });
      });
    },

    async contacts(user: User, customerId: string, limit: number): Promise<Contact[]> {
      const customer = await customerOf(customerId);
      await readRight(user, customer);
      return listContacts(sql, customerId, limit);
    },

    /** SEC-3: a viewing request 《查阅档案审批表》, run as a process (customers.view-request). */
    async requestView(user: User, customerId: string, reason: string): Promise<ViewGrant> {
      const customer = await customerOf(customerId);
      if (standingRight(user, customer)) throw new StateConflict('ALREADY_MAY_VIEW', 'You read this card without a viewing request (SEC-1).', 'SEC-3');
      const id = randomUUID();
      const processId = viewRequestProcessId(id);
      const grant = await sql.begin(async (tx) => {
        const filed = await insertGrant(tx, { id, customerId, granteeId: user.id, tier: tierOf(customer), reason, processId, requestedAt: new Date() });
        await enqueueStart(tx, {
          key: viewRequestProcessKey,
          processId,
          initiator: { id: user.id, departmentId: user.departmentId },
          variables: { grantId: id, customerId, tier: filed.tier, keeperDepartmentId: customer.departmentId, reason },
        });
        return filed;
      });
      await outbox.deliver([processId]);
      return grant;
    },

    async viewRequest(user: User, id: string): Promise<ViewGrant> {
      const grant = await findGrant(sql, id);
      if (!grant || (grant.granteeId !== user.id && !readsViewLog(user) && !readsCompanyArchives(user))) throw new NotFound('VIEW_REQUEST_NOT_FOUND', `No viewing request ${id}.`);
      return grant;
    },

    /** The record of views, for HR (CUS-2) and the Marketing Director. */
    async views(user: User, query: { customerId?: string | undefined; viewerId?: string | undefined; limit: number; beforeSeq?: string | undefined }): Promise<View[]> {
      if (!readsViewLog(user)) throw new Forbidden('NOT_A_VIEW_LOG_READER', 'HR and the Marketing Director review the record of views.', 'CUS-2');
      return listViews(sql, query);
    },

    /** SEC-1: the Marketing Director makes a customer's archive company-level (or returns it to its department). */
    async setCompanyLevel(user: User, customerId: string, companyLevel: boolean): Promise<ArchivedCustomer> {
      if (!holdsRole(user.roles, ['marketing_director'])) {
        throw new Forbidden('NOT_THE_MARKETING_DIRECTOR', 'The Marketing Director keeps the company-level customer archives.', 'SEC-1');
      }
      return sql.begin(async (tx) => {
        const customer = await findArchivedCustomer(tx, customerId, { forUpdate: true });
        if (!customer) throw new NotFound('CUSTOMER_NOT_FOUND', `No customer ${customerId}.`);
        if (customer.companyLevel !== companyLevel) {
          await setCompanyLevel(tx, customerId, companyLevel);
          await insertAudit(tx, [
            { key: `customer-tier:${customerId}:${randomUUID()}`, at: Date.now(), processId: null, event: 'customer.tier_set', actorId: user.id, ruleId: 'SEC-1', detail: { customerId, companyLevel } },
          ]);
        }
        return { ...customer, companyLevel };
      });
    },
  };
}

export type CustomerArchiveService = ReturnType<typeof createCustomerArchiveService>;

/**
 * Issue 21.2: a card brought in with the customer list, in the transaction that enters its
 * customer. It is the card's first version, kept in the history like any other (CUS-5), written
 * by the importer and audited as imported; nothing is read, so the record of views is untouched.
 */
export async function importCard(tx: TransactionSql, customerId: string, content: CardContent, by: { actorId: string; importId: string; at: Date }): Promise<Card> {
  const card: Card = { customerId, version: 1, content, completeness: completeness(content), updatedBy: by.actorId, updatedAt: by.at };
  const changed = changedFields({}, content);
  await writeCard(tx, card, changed);
  await insertAudit(tx, [
    {
      key: `import:${by.importId}:${customerId}:card`,
      at: by.at.getTime(),
      processId: null,
      event: 'customer.card_imported',
      actorId: by.actorId,
      ruleId: 'CUS-3',
      detail: { importId: by.importId, customerId, version: 1, changedFields: changed, completeness: card.completeness },
    },
  ]);
  return card;
}

// ---- what the area's processes do (service-tasks.ts calls these)

/** SEC-3: the request was approved: access for customerArchiveSettings.viewGrantDays from now. */
export async function grantView(sql: Sql, grantId: string, at: number): Promise<ViewGrant | undefined> {
  const granted = await decideGrant(sql, grantId, { status: 'granted', validFrom: new Date(at), validTo: new Date(at + customerArchiveSettings.viewGrantDays * DAY_MS) });
  const grant = granted ?? (await findGrant(sql, grantId));
  if (granted) {
    await insertNotices(sql, {
      key: `customer-view:${grantId}:granted`,
      processId: granted.processId,
      userIds: [granted.granteeId],
      ...notice('customer.view_granted', { customerId: granted.customerId, validTo: granted.validTo!.toISOString() }),
      at,
    });
  }
  return grant;
}

export async function refuseView(sql: Sql, grantId: string): Promise<ViewGrant | undefined> {
  return (await decideGrant(sql, grantId, { status: 'refused' })) ?? (await findGrant(sql, grantId));
}

/** CUS-5: each contact of an earlier day whose card was not updated that day gets a 20-yuan fine proposed, once. */
export async function checkUpkeep(sql: Sql, at: number): Promise<{ missed: number }> {
  const today = policyDate(at);
  let missed = 0;
  for (;;) {
    const found = await sql.begin(async (tx) => {
      const contacts = await missedContacts(tx, today, 100);
      for (const contact of contacts) {
        const { penalty } = await proposePenalty(tx, {
          kind: 'card-not-updated',
          personId: contact.salespersonId,
          evidence: `customer ${contact.customerId}: ${contact.channel} on ${contact.contactedOn} (contact ${contact.id}), card not updated that day`,
          sourceKey: `customer-contact:${contact.id}`,
          proposedBy: 'system',
          at: new Date(at),
        });
        await markChecked(tx, contact.id, new Date(at), penalty.id);
      }
      return contacts.length;
    });
    missed += found;
    if (found < 100) return { missed };
  }
}

/**
 * SEC-2: the monthly backup, checked by a restore. A failure is a result (verified false, with
 * what failed), not an error: the process gives it to the GM rather than retrying for ever.
 */
export async function backupCustomerArchive(sql: Sql, dir: string, at: number): Promise<{ file: string; sha256: string; verified: boolean; problems: string }> {
  let written: { file: string; sha256: string } | undefined;
  try {
    written = await writeBackup(sql, dir, new Date(at));
    const check = await verifyBackup(written.file);
    return { file: check.file, sha256: check.sha256, verified: check.verified, problems: check.problems.join('; ').slice(0, 4_000) };
  } catch (error) {
    return { file: written?.file ?? '', sha256: written?.sha256 ?? '', verified: false, problems: `the backup failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 4_000) };
  }
}

/** CUS-5: incomplete cards are completed at least monthly: their keepers are reminded. */
export async function remindIncomplete(sql: Sql, key: string, processId: string, at: number): Promise<{ reminded: number }> {
  const cards = await incompleteCards(sql);
  const byKeeper = new Map<string, string[]>();
  for (const card of cards) if (card.keeperId) byKeeper.set(card.keeperId, [...(byKeeper.get(card.keeperId) ?? []), `${card.name} (${card.completeness}%)`]);
  for (const [keeperId, names] of byKeeper) {
    await insertNotices(sql, {
      key: `${key}:${keeperId}`,
      processId,
      userIds: [keeperId],
      ...notice('customer.cards_incomplete', { cards: names.slice(0, 20), more: Math.max(0, names.length - 20) }),
      at,
    });
  }
  return { reminded: byKeeper.size };
}
