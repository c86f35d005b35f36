// Bringing a company's existing registers in (#21): the archive register and the customer list
// from CSV or XLSX, with a dry run that reports every row at fault and changes nothing.
import type { Area } from '../area.ts';
import { importRoutes } from './routes.ts';

export { IMPORTS_PATH } from './routes.ts';
export { runImport } from './service.ts';

export const importsArea: Area = {
  name: 'imports',
  routes: (deps) => [importRoutes(deps)],
};
