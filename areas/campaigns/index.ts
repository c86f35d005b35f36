// Archiving campaigns (CYC-1..4): the quarterly and annual campaigns and those opened through the
// API, the departments' hand-over lists checked by the Archivist, urgent material (CYC-3), and the
// register of confidential originals departments still hold (ARC-3).
import type { Area } from '../area.ts';
import { campaignProcesses } from './definitions.ts';
import { campaignRoutes } from './routes.ts';
import { campaignSchedules } from './schedules.ts';
import { campaignServices } from './service-task-specs.ts';
import { campaignServiceHandlers } from './service-tasks.ts';
import { campaignsAccess } from './access.ts';

export const campaignsArea: Area = {
  name: 'campaigns',
  definitions: campaignProcesses,
  serviceSpecs: campaignServices,
  serviceHandlers: campaignServiceHandlers,
  routes: (deps) => [campaignRoutes(deps)],
  schedules: campaignSchedules,
  access: campaignsAccess,
};
