// The allow-list of activities a serviceTask may call: a definition names one of these, and
// its input and result are checked against the schemas here when the definition is registered.
import { borrowingServices } from '../services/borrowing.ts';
import { coreServices } from '../services/core.ts';
import { customerServices } from '../services/customers.ts';
import { delegationServices } from '../services/delegation.ts';
import { destructionServices } from '../services/destruction.ts';
import type { ServiceSpec } from '../services/spec.ts';

export type { ServiceSpec };

export const serviceActivities = { ...coreServices, ...delegationServices, ...borrowingServices, ...destructionServices, ...customerServices } satisfies Record<string, ServiceSpec>;

export type ServiceName = keyof typeof serviceActivities;

export function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(serviceActivities, name);
}
