// Powers of attorney while the GM is away (BOR-7).
import type { Area } from '../area.ts';
import { delegationProcesses } from './definitions.ts';
import { delegationRoutes } from './routes.ts';
import { delegationServices } from './service-task-specs.ts';
import { delegationServiceHandlers } from './service-tasks.ts';

export const delegationArea: Area = {
  name: 'delegation',
  definitions: delegationProcesses,
  serviceSpecs: delegationServices,
  serviceHandlers: delegationServiceHandlers,
  routes: (deps) => [delegationRoutes(deps)],
};
export { archiveDate } from './rules.ts';
