// Powers of attorney while the GM is away (BOR-7). Other areas use delegations through this file.
import type { Area } from '../area.ts';
import { delegationProcesses } from './definitions.ts';
import { delegationRoutes } from './routes.ts';
import { delegationService } from './service.ts';
import { delegationServices } from './service-task-specs.ts';
import { delegationServiceHandlers } from './service-tasks.ts';
import { delegationAccess } from './access.ts';

export const delegationArea: Area = {
  name: 'delegation',
  definitions: delegationProcesses,
  serviceSpecs: delegationServices,
  serviceHandlers: delegationServiceHandlers,
  routes: (deps) => [delegationRoutes({ ...deps, delegations: delegationService(deps) })],
  access: delegationAccess,
};
export { archiveDate } from './rules.ts';

export { delegationService, type Delegation, type DelegationService } from './service.ts';
export { delegationBody, delegationSchema, type DelegationBody } from './routes.ts';
export { delegationProcessId, delegationStatus } from './rules.ts';
