// Retention review and supervised destruction, with the register kept forever (DES-1..6).
import type { Area } from '../area.ts';
import { destructionProcesses } from './definitions.ts';
import { destructionRoutes } from './routes.ts';
import { destructionDecisionGuards } from './decision-guards.ts';
import { destructionAccess } from './access.ts';
import { destructionSchedules } from './schedules.ts';
import { destructionServices } from './service-task-specs.ts';
import { destructionServiceHandlers } from './service-tasks.ts';

export const destructionArea: Area = {
  name: 'destruction',
  definitions: destructionProcesses,
  serviceSpecs: destructionServices,
  serviceHandlers: destructionServiceHandlers,
  routes: (deps) => [destructionRoutes(deps)],
  schedules: destructionSchedules,
  decisionGuards: destructionDecisionGuards,
  access: destructionAccess,
};
