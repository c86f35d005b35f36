// The archive registry (ARC-1..3) and its retention schedule: documents, their secrecy and where
// they are, and how long each category is kept. Other areas use the archive through this file.
import type { Area } from '../area.ts';
import { retentionRoutes } from './retention-routes.ts';
import { documentRoutes } from './routes.ts';
import { archiveService } from './service.ts';
import { archiveAccess } from './access.ts';

export const archiveArea: Area = {
  name: 'archive',
  routes: (deps) => {
    const archive = archiveService(deps.sql);
    return [documentRoutes({ ...deps, archive }), retentionRoutes({ ...deps, archive })];
  },
  access: archiveAccess,
};

export { newDocument } from './routes.ts';
export { archiveService, checkOriginal, documentRecord, fileDocument, type ArchiveService, type DocumentRegistration, type DocumentSearch } from './service.ts';
export {
  archiveDate,
  archiveRoles,
  documentCategories,
  documentCategoryIds,
  hasArchiveRole,
  isArchivist,
  mayKnowDocument,
  requiresOriginal,
  type DocumentCategory,
  type DocumentStatus,
} from './rules.ts';
// Archiving campaigns register the accepted items of a hand-over in their own transaction (CYC-2).
export { documentRefusal, insertDocument } from './sql.ts';
export type { ArchiveDocument, NewDocument } from './sql.ts';
