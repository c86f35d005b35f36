// The organisation as people use it: who am I (GET /me) and the lists a process can run over. The
// people, departments, roles and clearances themselves are platform/organisation/, which the
// engine and every area read.
import type { Area } from '../area.ts';
import { delegationService } from '../delegation/index.ts';
import { organisationRoutes } from './admin-routes.ts';
import { meRoutes } from './routes.ts';
import { organisationService } from './service.ts';
import { organisationServices } from './service-task-specs.ts';
import { organisationServiceHandlers } from './service-tasks.ts';
import { organisationAccess } from './access.ts';

export const organisationArea: Area = {
  name: 'organisation',
  serviceSpecs: organisationServices,
  serviceHandlers: organisationServiceHandlers,
  routes: (deps) => [meRoutes({ ...deps, organisation: organisationService({ sql: deps.sql, delegations: delegationService(deps) }) }), organisationRoutes(deps)],
  access: organisationAccess,
};

export { listDepartments } from './admin-sql.ts';
