// Overlapping customers 重叠客户的界定 (OVL-1..4, OVL-7): the committee's adjudication of a customer
// claimed by more than one salesperson or department, and deference to the Sales Floor.
import type { Area } from '../area.ts';
import { overlapAccess } from './access.ts';
import { overlapDecisionGuards } from './decision-guards.ts';
import { overlapProcesses } from './definitions.ts';
import { overlapRoutes } from './routes.ts';
import { overlapServices } from './service-task-specs.ts';
import { overlapServiceHandlers } from './service-tasks.ts';

export const overlapArea: Area = {
  name: 'overlap',
  definitions: overlapProcesses,
  serviceSpecs: overlapServices,
  serviceHandlers: overlapServiceHandlers,
  decisionGuards: overlapDecisionGuards,
  routes: (deps) => [overlapRoutes(deps)],
  access: overlapAccess,
};

// What the customers area's claim path uses: a claim that overlaps opens an adjudication (OVL-1, OVL-4).
export { claimOverlap, type OpenedAdjudication } from './service.ts';
export { adjudicationBody, adjudicationSchema } from './routes.ts';
