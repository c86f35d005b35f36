// The handlers of the showroom's service tasks: each input parsed and typed from its spec
// (service-task-specs.ts), then handed to the service's step.
import { typedServiceHandlers, type ServiceDeps, type ServiceHandlers } from '../../engine/activities/services.ts';
import { fineRegionalHandoverMissed, handOverRegionalCustomer } from './service.ts';
import { showroomServices } from './service-task-specs.ts';

export function showroomServiceHandlers({ sql }: ServiceDeps): ServiceHandlers<typeof showroomServices> {
  return typedServiceHandlers(showroomServices, {
    handOverRegionalCustomer: (input, { key, at }) => handOverRegionalCustomer(sql, { ...input, key, at }),
    fineRegionalHandoverMissed: ({ visitId }, { at }) => fineRegionalHandoverMissed(sql, { visitId, at }),
  });
}
