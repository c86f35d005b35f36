// Customer protection, co-development and departures (CUS, OVL-8, SEC-5).
import type { Area } from '../area.ts';
import { customerProcesses } from './definitions.ts';
import { customerRoutes } from './routes.ts';
import { customerServices } from './service-task-specs.ts';
import { customerServiceHandlers } from './service-tasks.ts';

export const customersArea: Area = {
  name: 'customers',
  definitions: customerProcesses,
  serviceSpecs: customerServices,
  serviceHandlers: customerServiceHandlers,
  routes: (deps) => [customerRoutes(deps)],
};
