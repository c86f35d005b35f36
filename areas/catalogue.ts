// The catalogue: every policy area, in one list. The worker (activities), the API (routes and
// decision guards), start-up (definitions published) and the schedule set-up all read it. A new
// area is a new folder and one line here (docs/adding-a-policy.md).
import type { ProcessDefinitionInput } from '../engine/definition/definition.ts';
import { definitionRef } from '../engine/definition/graph.ts';
import type { ServiceSpecs } from '../engine/definition/services.ts';
import { createEngineActivities } from '../engine/activities/engine.ts';
import type { ServiceDeps, ServiceHandler, ServiceRegistry } from '../engine/activities/services.ts';
import type { DecisionGuard } from '../engine/http/decision-guards.ts';
import { coreServiceHandlers } from '../engine/services/core.ts';
import { coreServices } from '../engine/services/core-specs.ts';
import { publishDefinition } from '../engine/sql/definitions.ts';
import type { Sql } from '../platform/db/client.ts';
import type { ProcessSchedule } from '../platform/schedules.ts';
import { createNotificationActivities, type NotificationSettings } from '../platform/notifications/activities.ts';
import { createCheckpointActivities } from '../platform/chains/activities.ts';
import type { AccessDeclaration } from '../platform/access.ts';
import { platformAccess } from '../platform/http/access-routes.ts';
import { engineAccess } from '../engine/http/access.ts';
import { organisationArea } from './organisation/index.ts';
import type { Area } from './area.ts';
import { archiveArea } from './archive/index.ts';
import { borrowingArea } from './borrowing/index.ts';
import { campaignsArea } from './campaigns/index.ts';
import { customersArea } from './customers/index.ts';
import { delegationArea } from './delegation/index.ts';
import { destructionArea } from './destruction/index.ts';
import { penaltiesArea } from './penalties/index.ts';
import { importsArea } from './imports/index.ts';
import { customerArchiveArea } from './customer-archive/index.ts';
import { showroomArea } from './showroom/index.ts';
import { overlapArea } from './overlap/index.ts';
import { salesArea } from './sales/index.ts';

export const areas: readonly Area[] = [organisationArea, archiveArea, delegationArea, borrowingArea, destructionArea, campaignsArea, customersArea, customerArchiveArea, penaltiesArea, importsArea, salesArea, showroomArea, overlapArea];

/** Every definition the company runs, published at start-up. */
export const processCatalogue: readonly ProcessDefinitionInput[] = areas.flatMap((area) => area.definitions ?? []);

/** The serviceTask allow-list: the engine's core services and each area's. */
export const serviceSpecs: ServiceSpecs = Object.assign({}, coreServices, ...areas.map((area) => area.serviceSpecs ?? {}));

export const decisionGuards: readonly DecisionGuard[] = areas.flatMap((area) => area.decisionGuards ?? []);

export const schedules: readonly ProcessSchedule[] = areas.flatMap((area) => area.schedules ?? []);

/**
 * The declared access policy, whole: the platform's and the engine's routes, then each area's
 * (Area.access). docs/access.md is rendered from it (npm run docs:access) and the access matrix
 * test calls every route as every demo user against it.
 */
export const accessPolicy: readonly (AccessDeclaration & { area: string })[] = [
  { area: 'platform', ...platformAccess },
  { area: 'engine', ...engineAccess },
  ...areas.flatMap((area) => (area.access ? [{ area: area.name, ...area.access }] : [])),
];

/** ACC-2: the processes only the GM oversees, of every area (AccessDeclaration.confidentialProcesses). */
export const confidentialProcesses: readonly string[] = areas.flatMap((area) => area.access?.confidentialProcesses ?? []);

/** The allow-list with a handler for each name. */
export function createServiceRegistry(deps: ServiceDeps): ServiceRegistry {
  const handlers: Record<string, ServiceHandler> = Object.assign({}, coreServiceHandlers(deps), ...areas.map((area) => area.serviceHandlers?.(deps) ?? {}));
  const missing = Object.keys(serviceSpecs).filter((name) => !Object.hasOwn(handlers, name));
  if (missing.length) throw new Error(`services without a handler: ${missing.join(', ')}`);
  return { specs: serviceSpecs, handlers };
}

/** Every activity the worker registers: the engine's (with the areas' services) and notification delivery. */
export function createActivities(deps: ServiceDeps & { notifications?: NotificationSettings | undefined; checkpointKey?: string | undefined }) {
  return {
    ...createEngineActivities(deps, createServiceRegistry(deps)),
    ...createNotificationActivities({ sql: deps.sql, settings: deps.notifications }),
    ...createCheckpointActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

export interface PublishedCatalogue {
  created: string[];
  unchanged: string[];
}

/**
 * Publishes every definition of the catalogue. Already published ones are left as they are; a
 * definition changed under a published key@version stops start-up (publishDefinition refuses it):
 * running instances depend on published definitions never changing.
 */
export async function publishCatalogue(sql: Sql): Promise<PublishedCatalogue> {
  const result: PublishedCatalogue = { created: [], unchanged: [] };
  for (const input of processCatalogue) {
    const { definition, created } = await publishDefinition(sql, input, serviceSpecs);
    (created ? result.created : result.unchanged).push(definitionRef(definition));
  }
  return result;
}
