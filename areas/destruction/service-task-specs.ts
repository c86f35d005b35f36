// The service tasks of the retention review and the destruction process (DES-1..5).
import { destructionMethodIds, destructionSteps } from './rules.ts';
import type { ServiceSpec } from '../../engine/definition/service-spec.ts';

const text = (required = true) => ({ type: 'string', required, maxLength: 2_000 }) as const;
const ids = (required = true) => ({ type: 'stringList', required }) as const;

export const destructionServices = {
  findRetentionDue: {
    description: 'DES-2: the documents in the archive whose retention has ended, that are neither held nor in a destruction request (the first 1,000, and how many in all).',
    input: {},
    result: { documentIds: ids(), count: { type: 'number', required: true, integer: true, min: 0 } },
  },
  recordDestructionDecision: {
    description: 'DES-2/3/4: records a review or approval of a destruction request (with the principal a delegate acted for).',
    input: {
      requestId: text(),
      step: { type: 'enum', required: true, values: [...destructionSteps] },
      outcome: text(),
      decidedBy: text(),
      /** Empty when the approver acted in their own right. */
      onBehalfOf: text(false),
      comment: text(false),
    },
    result: {},
  },
  designateDestructionSupervisors: {
    description: 'DES-5: checks and records the supervisors the final approver designated; on failure the request is not approved.',
    input: {
      requestId: text(),
      supervisorIds: ids(false),
      designatedBy: text(),
      onBehalfOf: text(false),
    },
    result: { valid: { type: 'boolean', required: true }, problem: text(), supervisorIds: ids() },
  },
  verifyDestructionItems: {
    description: 'DES-4: compares the items the Archivist checked with the approved list; a mismatch returns the request to review.',
    input: { requestId: text(), checkedIds: ids(), verifiedBy: text() },
    result: { matches: { type: 'boolean', required: true }, problem: text() },
  },
  executeDestruction: {
    description: 'DES-1/4: withdraws held items, writes the destruction register entry and marks the documents destroyed.',
    input: {
      requestId: text(),
      /** Who confirmed the destruction they supervised. */
      supervisorIds: ids(),
      method: { type: 'enum', required: true, values: destructionMethodIds },
      place: text(),
      executedAt: { type: 'dateTime', required: true },
    },
    result: {
      registerSeq: { type: 'number', required: true, integer: true, min: 1 },
      destroyed: { type: 'number', required: true, integer: true, min: 0 },
      withdrawn: { type: 'number', required: true, integer: true, min: 0 },
    },
  },
  rejectDestruction: {
    description: 'A destruction request was rejected: its documents return to the archive.',
    input: { requestId: text() },
    result: {},
  },
} satisfies Record<string, ServiceSpec>;
