// Who may call the customer archive's routes (docs/access.md). Reading a card without a right of
// one's own (SEC-1) is 403 VIEW_NEEDS_APPROVAL: the way to a viewing request (SEC-3).
import { holdsRole } from '../../platform/organisation/model.ts';
import { permission, type AccessDeclaration } from '../../platform/access.ts';
import { keepsCard, mayRequestDeletion, readsCompanyArchives, readsDeletion, readsViewLog, standingRight, type ArchivedCustomer } from './rules.ts';
import { backupProcessKey, incompleteReminderProcessKey, upkeepCheckProcessKey, viewRequestProcessKey } from './rules.ts';

export type CardFacts = ArchivedCustomer & { grantees: readonly string[] };

export const cardReaders = permission<CardFacts>({
  id: 'customer-archive.card.read',
  ruleIds: ['SEC-1', 'SEC-3'],
  who: 'its tier (SEC-1: the owner; the Department Manager and, for the pool, its salespeople; the Marketing Director, Marketing VP and GM), or whoever holds a viewing approval in force',
  allows: (subject, customer) => standingRight(subject, customer) !== undefined || customer.grantees.includes(subject.id),
});

export const cardKeepers = permission<CardFacts>({
  id: 'customer-archive.card.write',
  ruleIds: ['SEC-4', 'CUS-5'],
  who: 'its keeper: the Marketing Director (company level), the owner (personal), the Department Manager and the department\'s salespeople (pool)',
  allows: (subject, customer) => keepsCard(subject, customer),
});

export const tierKeepers = permission({ id: 'customer-archive.tier', ruleIds: ['SEC-1'], who: 'the Marketing Director', allows: (subject) => holdsRole(subject.roles, ['marketing_director']) });

export const viewRequesters = permission<CardFacts>({
  id: 'customer-archive.view-request',
  ruleIds: ['SEC-3'],
  who: 'everyone signed in (who already reads the card is told so: 409 ALREADY_MAY_VIEW)',
  allows: () => true,
});

export const grantViewers = permission<{ granteeId: string }>({
  id: 'customer-archive.view-request.read',
  ruleIds: ['SEC-3', 'CUS-2'],
  who: 'its requester, HR and the Marketing Director, the Marketing VP and the GM',
  allows: (subject, grant) => grant.granteeId === subject.id || readsViewLog(subject) || readsCompanyArchives(subject),
});

export const viewLogReaders = permission({ id: 'customer-archive.views', ruleIds: ['CUS-2', 'SEC-4'], who: 'HR and the Marketing Director', allows: (subject) => readsViewLog(subject) });

export const deletionRequesters = permission<CardFacts>({
  id: 'customer-archive.deletion.request',
  ruleIds: ['SEC-4'],
  who: "the card's keeper and the Marketing Director",
  allows: (subject, customer) => mayRequestDeletion(subject, customer),
});

export const deletionReaders = permission<{ requestedBy: string }>({
  id: 'customer-archive.deletion.read',
  ruleIds: ['SEC-4', 'CUS-2'],
  who: 'its requester, the Marketing Director, HR and the GM',
  allows: (subject, request) => readsDeletion(subject, request.requestedBy),
});

/** SEC-4: nobody deletes a card or contact records directly (403 DELETION_NEEDS_APPROVAL, in the audit trail). */
export const directDeleters = permission({ id: 'customer-archive.delete', ruleIds: ['SEC-4'], who: 'nobody: only through an approved deletion request (403 DELETION_NEEDS_APPROVAL)', allows: () => false });

export const customerArchiveAccess: AccessDeclaration = {
  routes: [
    { method: 'GET', path: '/api/v1/customers/{id}/card', permission: cardReaders },
    { method: 'PUT', path: '/api/v1/customers/{id}/card', permission: cardKeepers },
    { method: 'GET', path: '/api/v1/customers/{id}/card/versions', permission: cardReaders },
    { method: 'POST', path: '/api/v1/customers/{id}/contacts', permission: cardKeepers },
    { method: 'GET', path: '/api/v1/customers/{id}/contacts', permission: cardReaders },
    { method: 'PUT', path: '/api/v1/customers/{id}/tier', permission: tierKeepers },
    { method: 'POST', path: '/api/v1/customers/{id}/view-requests', permission: viewRequesters },
    { method: 'GET', path: '/api/v1/view-requests/{id}', permission: grantViewers, knownTo: grantViewers },
    { method: 'GET', path: '/api/v1/customer-views', permission: viewLogReaders },
    { method: 'POST', path: '/api/v1/customers/{id}/deletion-requests', permission: deletionRequesters },
    { method: 'GET', path: '/api/v1/customer-archive-deletions/{id}', permission: deletionReaders, knownTo: deletionReaders },
    { method: 'DELETE', path: '/api/v1/customers/{id}/card', permission: directDeleters },
    { method: 'DELETE', path: '/api/v1/customers/{id}/contacts', permission: directDeleters },
  ],
  // ACC-2: customer archives are confidential (SEC-1); their processes are not the Office Director's to oversee.
  confidentialProcesses: [viewRequestProcessKey, backupProcessKey, upkeepCheckProcessKey, incompleteReminderProcessKey],
};
