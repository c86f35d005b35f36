import type { ServiceSpec } from '../../engine/definition/service-spec.ts';

const decision = { orderId: { type: 'string', required: true, maxLength: 200 }, decidedBy: { type: 'string', required: true, maxLength: 200 } } as const;

export const salesServices = {
  signLowMarginOrder: {
    description: 'REG-2: the Showroom Manager or the GM signed the showroom order below 40% margin: it is final, with who signed and when.',
    input: decision,
    result: { applied: { type: 'boolean', required: true } },
  },
  refuseLowMarginOrder: {
    description: 'REG-2: the Showroom Manager or the GM refused to sign: the order is cancelled and its filer told.',
    input: decision,
    result: { applied: { type: 'boolean', required: true } },
  },
  fineUnsignedOrder: {
    description: "REG-2: the order is still unsigned at the signature deadline: the filer's 200-yuan fine is proposed to HR, once.",
    input: { orderId: { type: 'string', required: true, maxLength: 200 } },
    result: { fined: { type: 'boolean', required: true } },
  },
} satisfies Record<string, ServiceSpec>;
