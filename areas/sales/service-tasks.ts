// The handlers of the sales area's service tasks: each input parsed and typed from its spec
// (service-task-specs.ts), then handed to the service's step.
import { typedServiceHandlers, type ServiceDeps, type ServiceHandlers } from '../../engine/activities/services.ts';
import { decideLowMarginOrder, fineUnsignedOrder } from './service.ts';
import { salesServices } from './service-task-specs.ts';

export function salesServiceHandlers({ sql }: ServiceDeps): ServiceHandlers<typeof salesServices> {
  return typedServiceHandlers(salesServices, {
    signLowMarginOrder: async ({ orderId, decidedBy }, { at, key, processId }) => ({ applied: await decideLowMarginOrder(sql, { orderId, signed: true, decidedBy, at, key, processId }) }),
    refuseLowMarginOrder: async ({ orderId, decidedBy }, { at, key, processId }) => ({ applied: await decideLowMarginOrder(sql, { orderId, signed: false, decidedBy, at, key, processId }) }),
    fineUnsignedOrder: async ({ orderId }, { at }) => ({ fined: await fineUnsignedOrder(sql, orderId, at) }),
  });
}
