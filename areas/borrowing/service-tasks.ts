// The borrowing processes' service tasks: each input parsed and typed from its spec
// (service-task-specs.ts), then handed to the step of the same name (service.ts borrowingSteps).
import { borrowingServices } from './service-task-specs.ts';
import { borrowingSteps } from './service.ts';
import { typedServiceHandlers, type ServiceDeps, type ServiceHandlers } from '../../engine/activities/services.ts';

export function borrowingServiceHandlers({ sql }: ServiceDeps): ServiceHandlers<typeof borrowingServices> {
  return typedServiceHandlers(borrowingServices, borrowingSteps(sql));
}
