// Orders 订单 and intent orders 意向单 (the trade record the overlap, showroom and regional rules
// stand on), REG-2's signature on low-margin showroom orders, and the 7P analysis (CRM-1). Other
// areas record a sale inside their own transaction with insertOrder.
import type { Area } from '../area.ts';
import { salesAccess } from './access.ts';
import { analysisRoutes } from './analysis-routes.ts';
import { salesProcesses } from './definitions.ts';
import { orderRoutes } from './routes.ts';
import { salesServices } from './service-task-specs.ts';
import { salesServiceHandlers } from './service-tasks.ts';

export { findOrder, insertOrder, type NewOrder, type Order, type OrderChannel, type OrderCredit, type OrderKind } from './sql.ts';
export { isShowroomStaff, needsMarginSignature, marginSignatureProcessId } from './rules.ts';
// REG-2 and OVL-8 for a sale filed elsewhere (the showroom): the order with what it asks of Temporal.
export { recordOrder } from './service.ts';

export const salesArea: Area = {
  name: 'sales',
  definitions: salesProcesses,
  serviceSpecs: salesServices,
  serviceHandlers: salesServiceHandlers,
  routes: (deps) => [orderRoutes(deps), analysisRoutes(deps)],
  access: salesAccess,
};
