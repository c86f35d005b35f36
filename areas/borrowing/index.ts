// Borrowing and reading archives by secrecy level (BOR-1..8).
import type { Area } from '../area.ts';
import { borrowingDecisionGuards } from './decision-guards.ts';
import { borrowingProcesses } from './definitions.ts';
import { borrowingRoutes } from './routes.ts';
import { borrowingService } from './service.ts';
import { borrowingServices } from './service-task-specs.ts';
import { borrowingServiceHandlers } from './service-tasks.ts';
import { borrowingAccess } from './access.ts';

export const borrowingArea: Area = {
  name: 'borrowing',
  definitions: borrowingProcesses,
  serviceSpecs: borrowingServices,
  serviceHandlers: borrowingServiceHandlers,
  routes: (deps) => [borrowingRoutes({ ...deps, borrowing: borrowingService(deps) })],
  decisionGuards: borrowingDecisionGuards,
  access: borrowingAccess,
};

export { borrowRoute, importedLoanProcessKey, type BorrowMode } from './rules.ts';
export { recordImportedLoan, type ImportedLoan } from './service.ts';
