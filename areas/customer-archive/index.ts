// The customer archive regime (客户档案管理制度): cards in the four groups of CUS-3 on the two card
// types of CUS-4, the same-day upkeep of CUS-5 with its fines, the SEC-1 tiers, viewing requests
// (SEC-3) and a record of every view. Ownership and protection are the customers area's.
import type { Area } from '../area.ts';
import { customerArchiveProcesses } from './definitions.ts';
import { customerArchiveRoutes } from './routes.ts';
import { deletionRoutes } from './deletion-routes.ts';
import { customerArchiveSchedules } from './schedules.ts';
import { customerArchiveServices } from './service-task-specs.ts';
import { customerArchiveServiceHandlers } from './service-tasks.ts';
import { customerArchiveAccess } from './access.ts';

export { cardContentSchema, cardFieldCount, cardGroups, completeness, type CardContent } from './rules.ts';
export { importCard } from './service.ts';

export const customerArchiveArea: Area = {
  name: 'customer-archive',
  definitions: customerArchiveProcesses,
  serviceSpecs: customerArchiveServices,
  serviceHandlers: customerArchiveServiceHandlers,
  routes: (deps) => [customerArchiveRoutes(deps), deletionRoutes(deps)],
  schedules: customerArchiveSchedules,
  access: customerArchiveAccess,
};
