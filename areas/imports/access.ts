// Who may call the register imports' routes (docs/access.md).
import { permission, type AccessDeclaration } from '../../platform/access.ts';
import { mayImport, type ImportKind } from './rules.ts';

export const importers = (kind: ImportKind) =>
  permission({
    id: `imports.${kind}`,
    ruleIds: kind === 'documents' ? ['ARC-2'] : ['SEC-1', 'CUS-2'],
    who: kind === 'documents' ? 'the Archivist' : 'the GM, the Marketing Director and the Marketing VP',
    allows: (subject) => mayImport(kind, subject),
  });

export const importViewers = permission<{ kind: ImportKind; createdBy: string }>({
  id: 'imports.view',
  ruleIds: ['ARC-2', 'SEC-1'],
  who: 'whoever started it, and whoever may import its kind',
  allows: (subject, job) => job.createdBy === subject.id || mayImport(job.kind, subject),
});

export const importsAccess: AccessDeclaration = {
  routes: [
    { method: 'POST', path: '/api/v1/imports/documents', permission: importers('documents') },
    { method: 'POST', path: '/api/v1/imports/customers', permission: importers('customers') },
    { method: 'GET', path: '/api/v1/imports/{id}', permission: importViewers, knownTo: importViewers },
  ],
};
