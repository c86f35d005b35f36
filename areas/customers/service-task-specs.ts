// The service tasks of the customer processes (workflows/processes/customers.ts): their inputs and
// results, checked when a definition is registered. Handlers: activities/customers.ts.
import { customerSettings } from './rules.ts';
import type { ServiceSpec } from '../../engine/definition/service-spec.ts';

const protectionId = { type: 'string', required: true, maxLength: 200 } as const;
const applied = { applied: { type: 'boolean', required: true } } as const;
const dateTime = { type: 'dateTime', required: true } as const;

export const customerServices = {
  beginProtection: {
    description:
      'OVL-8: the protection starts now: the customer becomes the protector\'s (status protected), the months are fixed from this instant, the ownership history records it.',
    input: { protectionId, grantedBy: { type: 'string', required: true, maxLength: 200 } },
    // month1EndsAt .. month4EndsAt: when each protection month ends (the last is the release day)
    result: {
      startedAt: dateTime,
      ...Object.fromEntries(Array.from({ length: customerSettings.protectionMonths }, (_, i) => [`month${i + 1}EndsAt`, dateTime])),
    },
  },
  declineProtection: {
    description: 'OVL-8: the Department Manager declined the protection request; the customer stays in the pool.',
    input: { protectionId },
    result: {},
  },
  remindProtector: {
    description: 'OVL-8: tells the current protector that a protection month ends soon without a progress report.',
    input: { protectionId, month: { type: 'number', required: true, integer: true, min: 1 } },
    result: {},
  },
  recordMissedReport: {
    description:
      'OVL-8: a protection month ended without a progress report: the miss is recorded in the audit trail (HR is copied in), the protector and the Department Manager ' +
      'are told; earlyRelease says whether the company allows the protection to end early for it.',
    input: { protectionId, month: { type: 'number', required: true, integer: true, min: 1 } },
    result: { earlyRelease: { type: 'boolean', required: true } },
  },
  convertProtection: {
    description: 'OVL-8: an intent order 意向单 ends the protection successfully; the customer stays the protector\'s (status owned).',
    input: { protectionId, reference: { type: 'string', required: true, maxLength: 200 }, filedBy: { type: 'string', required: true, maxLength: 200 } },
    result: applied,
  },
  releaseProtection: {
    description: 'OVL-8: the customer goes to the open pool 公海 (at expiry, or early on the manager\'s decision) and the department is told.',
    input: {
      protectionId,
      reason: { type: 'enum', required: true, values: ['expired', 'released_early'] },
      decidedBy: { type: 'string', required: false, maxLength: 200 },
    },
    result: applied,
  },
  settleCoDevelopment: {
    description: 'OVL-8: the protector accepted or declined working the customer together; an acceptance records the commission share.',
    input: { requestId: { type: 'string', required: true, maxLength: 200 }, outcome: { type: 'enum', required: true, values: ['accepted', 'declined'] } },
    result: {},
  },
  // customer.departure@1 (its running instances): the pairs as `customerId=salespersonId` strings.
  reassignCustomers: {
    description:
      'SEC-5: gives the leaver\'s customers to the salespeople named (`customerId=salespersonId`), keeping any protection running; returns how many the leaver still holds.',
    input: {
      departureId: { type: 'string', required: true, maxLength: 200 },
      assignments: { type: 'stringList', required: true },
      decidedBy: { type: 'string', required: false, maxLength: 200 },
    },
    result: { remaining: { type: 'number', required: true, integer: true, min: 0 } },
  },
  reassignCustomerRecords: {
    description:
      'SEC-5: gives the leaver\'s customers to the salespeople named (records { customerId, salespersonId }), keeping any protection running; returns how many the leaver still holds.',
    input: {
      departureId: { type: 'string', required: true, maxLength: 200 },
      assignments: {
        type: 'recordList',
        required: true,
        fields: { customerId: { type: 'string', required: true, maxLength: 200 }, salespersonId: { type: 'string', required: true, maxLength: 200 } },
        maxItems: 1_000,
      },
      decidedBy: { type: 'string', required: false, maxLength: 200 },
    },
    result: { remaining: { type: 'number', required: true, integer: true, min: 0 } },
  },
  completeDeparture: {
    description: 'SEC-5: every customer of the leaver is reassigned: the departure is complete and the leaver\'s account is closed.',
    input: { departureId: { type: 'string', required: true, maxLength: 200 } },
    result: {},
  },
} satisfies Record<string, ServiceSpec>;
