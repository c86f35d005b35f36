// Customer protection, co-development and departures (CUS, OVL-8, SEC-5).
import type { Area } from '../area.ts';
import { customerProcesses } from './definitions.ts';
import { coDevelopmentRoutes } from './routes/co-development.ts';
import { customerRoutes } from './routes/customers.ts';
import { departureRoutes } from './routes/departures.ts';
import { protectionRoutes } from './routes/protections.ts';
import { customerServices } from './service-task-specs.ts';
import { customerServiceHandlers } from './service-tasks.ts';
import { customerDecisionGuards } from './decision-guards.ts';
import { customersAccess } from './access.ts';

export const customersArea: Area = {
  name: 'customers',
  definitions: customerProcesses,
  serviceSpecs: customerServices,
  serviceHandlers: customerServiceHandlers,
  routes: (deps) => [customerRoutes(deps), protectionRoutes(deps), coDevelopmentRoutes(deps), departureRoutes(deps)],
  decisionGuards: customerDecisionGuards,
  access: customersAccess,
};

// What the register import uses (areas/imports): the same schema and checks as POST /customers.
export { cardTypeLabels, checkCardKeeper, isSalesperson } from './rules.ts';
export { findCustomer, handCustomerToDepartment, insertCustomer, type Customer, type NewCustomer } from './sql.ts';
// What the overlap adjudication uses (areas/overlap): the committee's result moves the customer (OVL-2).
export { adjudicateOwnership } from './sql.ts';
export { newCustomer } from './routes/schemas.ts';
// What the orders of areas/sales use: OVL-8's intent order, queued with the order.
export { queueIntentOrder } from './service/protections.ts';
export { customerAsKnownTo } from './service/customers.ts';
