// Who may call the borrowing routes (docs/access.md).
import { permission, signedIn, type AccessDeclaration } from '../../platform/access.ts';
import { hasArchiveRole, isArchivist, mayKnowDocument } from '../archive/index.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';

export interface BorrowFacts {
  requesterId: string;
  /** Whoever is or was asked to decide one of its tasks. */
  participantIds: readonly string[];
  secrecy: SecrecyLevel;
}

/** The requester, whoever is or was asked to decide one of its tasks, and those with a role in the archive; 404 for anyone else. */
export const borrowViewers = permission<BorrowFacts>({
  id: 'borrowing.request.view',
  ruleIds: ['BOR-1', 'BOR-2', 'ARC-2'],
  who: 'its requester, whoever is or was asked to decide one of its tasks, the Archivist, the Office Director and the GM',
  allows: (subject, request) => request.requesterId === subject.id || hasArchiveRole(subject.roles) || request.participantIds.includes(subject.id),
});

export const borrowers = permission<{ secrecy: SecrecyLevel }>({
  id: 'borrowing.request',
  ruleIds: ['BOR-1', 'BOR-2', 'BOR-3'],
  who: 'everyone signed in, for a document they may know of (the route follows from who asks and the secrecy, BOR-1..6)',
  allows: (subject, document) => mayKnowDocument(subject.roles, document.secrecy),
});

export const borrowRequester = permission<BorrowFacts>({ id: 'borrowing.cancel', ruleIds: ['BOR-2'], who: 'its requester', allows: (subject, request) => request.requesterId === subject.id });

export const returnTakers = permission<BorrowFacts>({ id: 'borrowing.return', ruleIds: ['BOR-8'], who: 'the Archivist', allows: (subject) => isArchivist(subject.roles) });

export const borrowingAccess: AccessDeclaration = {
  routes: [
    { method: 'POST', path: '/api/v1/borrow-requests', permission: borrowers, knownTo: borrowers },
    { method: 'GET', path: '/api/v1/borrow-requests', permission: signedIn },
    { method: 'GET', path: '/api/v1/borrow-requests/{id}', permission: borrowViewers, knownTo: borrowViewers },
    { method: 'POST', path: '/api/v1/borrow-requests/{id}/cancel', permission: borrowRequester, knownTo: borrowViewers },
    { method: 'POST', path: '/api/v1/borrow-requests/{id}/return', permission: returnTakers },
  ],
};
