// The archive registry (ARC-1..3) and its retention schedule: documents, their secrecy and where
// they are, and how long each category is kept.
import type { Area } from '../area.ts';
import { retentionRoutes } from './retention-routes.ts';
import { documentRoutes } from './routes.ts';

export const archiveArea: Area = {
  name: 'archive',
  routes: (deps) => [documentRoutes(deps), retentionRoutes(deps)],
};

// What other areas use of the registry (archiving campaigns register the accepted items, CYC-2).
export { documentCategories, documentCategoryIds, requiresOriginal, type DocumentCategory, type DocumentStatus } from './rules.ts';
export { documentRefusal, insertDocument } from './sql.ts';
