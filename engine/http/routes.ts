// Process definitions, instances and the task inbox: what people read and how they decide. One
// router per resource (definition-routes.ts, process-routes.ts, task-routes.ts) over the engine's
// service (service.ts); mounted here in one order, so the OpenAPI document lists them so.
import type { Sql } from '../../platform/db/client.ts';
import type { Authenticator } from '../../platform/http/auth.ts';
import { createRouter } from '../../platform/http/router.ts';
import type { EngineClient } from '../client.ts';
import type { DecisionGuard } from './decision-guards.ts';
import type { ConfidentialProcesses } from './process-visibility.ts';
import { definitionRoutes } from './definition-routes.ts';
import { AUDIT_PAGE, processInstanceRoutes, TASK_PAGE } from './process-routes.ts';
import { engineService } from './service.ts';
import { taskRoutes } from './task-routes.ts';

export function processRoutes(deps: { sql: Sql; engine: EngineClient; authenticator: Authenticator; decisionGuards: readonly DecisionGuard[]; confidentialProcesses: ConfidentialProcesses }) {
  const service = engineService({ ...deps, auditPage: AUDIT_PAGE, taskPage: TASK_PAGE });
  const routeDeps = { ...deps, service };
  return createRouter().route('/', definitionRoutes(routeDeps)).route('/', processInstanceRoutes(routeDeps)).route('/', taskRoutes(routeDeps));
}
