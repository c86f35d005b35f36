// The power-of-attorney process's service tasks: each input parsed and typed from its spec
// (service-task-specs.ts), then handed to the step of the same name (service.ts delegationSteps).
import { delegationServices } from './service-task-specs.ts';
import { delegationSteps } from './service.ts';
import { typedServiceHandlers, type ServiceDeps, type ServiceHandlers } from '../../engine/activities/services.ts';

export function delegationServiceHandlers(deps: ServiceDeps): ServiceHandlers<typeof delegationServices> {
  return typedServiceHandlers(delegationServices, delegationSteps(deps));
}
