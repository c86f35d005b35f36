// The showroom 展厅: visits and whose customer a visitor is, the commission split of a sale closed
// there (OVL-5..7), the regional hand-over of gift-trade customers from outside Linyi (REG-1), and
// the orders a region protects from showroom quotes (REG-3).
import type { Area } from '../area.ts';
import { showroomAccess } from './access.ts';
import { showroomProcesses } from './definitions.ts';
import { protectedOrderRoutes } from './protected-order-routes.ts';
import { showroomRoutes } from './routes.ts';
import { showroomServices } from './service-task-specs.ts';
import { showroomServiceHandlers } from './service-tasks.ts';

export { regionalHandoverProcessKey } from './rules.ts';

export const showroomArea: Area = {
  name: 'showroom',
  definitions: showroomProcesses,
  serviceSpecs: showroomServices,
  serviceHandlers: showroomServiceHandlers,
  routes: (deps) => [showroomRoutes(deps), protectedOrderRoutes(deps)],
  access: showroomAccess,
};
