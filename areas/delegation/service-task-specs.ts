import type { ServiceSpec } from '../../engine/definition/service-spec.ts';

export const delegationServices = {
  announceDelegation: {
    description:
      'BOR-7: tell the running instances with a task open for the principal that a power of attorney has started (active) or ended (not active), so the delegate is added to or removed from those tasks.',
    input: {
      delegationId: { type: 'string', required: true, maxLength: 200 },
      active: { type: 'boolean', required: true },
    },
    result: {
      notified: { type: 'number', required: true, integer: true, min: 0 },
    },
  },
} satisfies Record<string, ServiceSpec>;
