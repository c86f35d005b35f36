// Importing existing registers (issue 21.2): the archive register and the customer list, from CSV
// or XLSX, through POST /api/v1/imports/{documents,customers}.
import type { Area } from '../area.ts';
import { importRoutes } from './routes.ts';
import { importsAccess } from './access.ts';

export { IMPORTS_PATH } from './routes.ts';
export { runImport } from './service.ts';

export const importsArea: Area = {
  name: 'imports',
  routes: (deps) => [importRoutes(deps)],
  access: importsAccess,
};
