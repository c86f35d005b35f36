// Who may call the archive's routes (docs/access.md), with the rules its service decides by.
import { permission, signedIn, type AccessDeclaration } from '../../platform/access.ts';
import type { SecrecyLevel } from '../../platform/organisation/secrecy.ts';
import { isArchivist, keepsRetentionSchedule, mayKnowDocument } from './rules.ts';

export const documentReaders = permission<{ secrecy: SecrecyLevel }>({
  id: 'archive.document.read',
  ruleIds: ['BOR-3', 'ARC-2'],
  who: 'everyone signed in; a Top Secret document only the Archivist, the Office Director and the GM (anyone else: 404)',
  allows: (subject, document) => mayKnowDocument(subject.roles, document.secrecy),
});

export const archivists = permission({ id: 'archive.register', ruleIds: ['ARC-2'], who: 'the Archivist', allows: (subject) => isArchivist(subject.roles) });

export const retentionKeepers = permission({ id: 'archive.retention.set', ruleIds: ['DES-2'], who: 'the Office Director', allows: (subject) => keepsRetentionSchedule(subject.roles) });

export const archiveAccess: AccessDeclaration = {
  routes: [
    { method: 'POST', path: '/api/v1/documents', permission: archivists },
    { method: 'GET', path: '/api/v1/documents', permission: signedIn },
    { method: 'GET', path: '/api/v1/documents/{id}', permission: documentReaders, knownTo: documentReaders },
    { method: 'GET', path: '/api/v1/retention-periods', permission: signedIn },
    { method: 'PUT', path: '/api/v1/retention-periods/{category}', permission: retentionKeepers },
  ],
};
