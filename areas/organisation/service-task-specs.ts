// The organisation's services a definition may call: lists a multi-instance can run over.
import type { ServiceSpec } from '../../engine/definition/service-spec.ts';

/** Lists a multi-instance can run over, for any definition. */
export const organisationServices = {
  departmentsWithManager: {
    description: 'The departments that have an active Department Manager, in id order: one collection task or child process each (CYC-2).',
    input: {},
    result: {
      departments: { type: 'recordList', required: true, maxItems: 1_000, fields: { id: { type: 'string', required: true, maxLength: 200 }, name: { type: 'string', required: true, maxLength: 200 }, nameZh: { type: 'string', required: true, maxLength: 200 } } },
    },
  },
} satisfies Record<string, ServiceSpec>;
