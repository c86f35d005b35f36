// The allow-list of activities a serviceTask may call: a definition names one of these, and
// its input and result are checked against the schemas here when the definition is registered.
import { borrowingServices } from '../../areas/borrowing/service-task-specs.ts';
import { coreServices } from '../services/core-specs.ts';
import { customerServices } from '../../areas/customers/service-task-specs.ts';
import { delegationServices } from '../../areas/delegation/service-task-specs.ts';
import { destructionServices } from '../../areas/destruction/service-task-specs.ts';
import type { ServiceSpec } from './service-spec.ts';

export type { ServiceSpec };

/** What the engine itself can look up for any definition: lists a multi-instance can run over. */
export const organisationServices = {
  departmentsWithManager: {
    description: 'The departments that have an active Department Manager, in id order: one collection task or child process each (CYC-2).',
    input: {},
    result: {
      departments: { type: 'recordList', required: true, maxItems: 1_000, fields: { id: { type: 'string', required: true, maxLength: 200 }, name: { type: 'string', required: true, maxLength: 200 }, nameZh: { type: 'string', required: true, maxLength: 200 } } },
    },
  },
} satisfies Record<string, ServiceSpec>;

export const serviceActivities = {
  ...coreServices,
  ...delegationServices,
  ...borrowingServices,
  ...destructionServices,
  ...customerServices,
  ...organisationServices,
} satisfies Record<string, ServiceSpec>;

export type ServiceName = keyof typeof serviceActivities;

export function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(serviceActivities, name);
}
