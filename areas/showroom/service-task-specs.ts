import type { ServiceSpec } from '../../engine/definition/service-spec.ts';

export const showroomServices = {
  handOverRegionalCustomer: {
    description: "REG-1: the regional customer goes to the chosen region's department, owned by its Department Manager; recorded in the ownership history.",
    input: {
      visitId: { type: 'string', required: true, maxLength: 200 },
      departmentId: { type: 'string', required: true, maxLength: 200 },
      decidedBy: { type: 'string', required: true, maxLength: 200 },
    },
    result: { handedOver: { type: 'boolean', required: true } },
  },
  fineRegionalHandoverMissed: {
    description: 'REG-1: the hand-over was not made in time: a 500-yuan fine is proposed for the receiver, once.',
    input: { visitId: { type: 'string', required: true, maxLength: 200 } },
    result: { penaltyId: { type: 'string', required: true, maxLength: 200 } },
  },
} satisfies Record<string, ServiceSpec>;
