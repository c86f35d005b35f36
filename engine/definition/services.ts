// The allow-list of activities a serviceTask may call. The engine knows none of them by name: the
// catalogue (areas/catalogue.ts) hands it the list, the engine's own core services plus each
// area's. A definition names one; its input and result are checked against the spec when the
// definition is registered, and its input again when the service runs.
import type { ServiceSpec } from './service-spec.ts';

export type { ServiceSpec };

/** The services definitions may call, by name. */
export type ServiceSpecs = Readonly<Record<string, ServiceSpec>>;

/** The spec of `name`, or undefined when it is not on the allow-list. */
export function serviceSpec(services: ServiceSpecs, name: string): ServiceSpec | undefined {
  return Object.hasOwn(services, name) ? services[name] : undefined;
}
