import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Sql } from '../db/client.ts';
import type { Role } from '../organisation/model.ts';
import type { Authenticator, TokenClaims } from './auth.ts';
import { bodyLimit } from 'hono/body-limit';
import { StillWorking, type EngineClient } from '../../engine/client.ts';
import { createProcessOutbox, type ProcessOutbox } from '../../engine/outbox.ts';
import { observe, type ObservabilityDeps } from './observability.ts';
import { localizeZodMessages, negotiateLanguage, type Language } from './messages.ts';
import { problem, sendProblem, toProblem } from './problem.ts';
import { createRouter } from './router.ts';
import { stillWorkingBody } from './schemas.ts';
import { docsRoutes } from './routes/docs.ts';
import { healthRoutes, type Probe } from './routes/health.ts';
import { processRoutes } from '../../engine/http/routes.ts';
import { areas, confidentialProcesses, decisionGuards } from '../../areas/catalogue.ts';
import { taskActionRoutes } from '../../engine/http/task-action-routes.ts';
import { inboxRoutes } from '../../engine/http/inbox-routes.ts';
import { notificationRoutes } from '../notifications/routes.ts';
import { IMPORTS_PATH } from '../../areas/imports/index.ts';
import { webRoutes } from './routes/web.ts';
import { verificationRoutes } from '../chains/routes.ts';

export interface AppDeps extends ObservabilityDeps {
  /** Checks that PostgreSQL answers. */
  database: Probe;
  /** Checks that the Temporal server answers. */
  temporal: Probe;
  temporalUiUrl: string;
  sql: Sql;
  /** Starts instances and delivers decisions to them (Temporal). */
  engine: EngineClient;
  /** Delivers the process outbox; one over `sql` and `engine` (without its background loop) when absent. */
  outbox?: ProcessOutbox;
  authenticator: Authenticator;
  /** Signs dev-login tokens (AUTH_JWT_SECRET). */
  jwtSecret?: string;
  /** The issuer, audience and lifetime of the dev-login tokens (what the authenticator expects). */
  tokenClaims?: TokenClaims;
  /** Serves POST /api/v1/auth/dev-token (AUTH_DEV_LOGIN). */
  devLogin: boolean;
  /** CHAIN_CHECKPOINT_KEY: checks the daily chain checkpoints (GET /api/v1/verification/{chain}). */
  checkpointKey?: string;
  /** The largest request body read (API_MAX_BODY_BYTES); larger ones get 413. */
  maxBodyBytes?: number;
  log?: (message: string, error?: unknown) => void;
  /** Who administers the organisation (ORGANISATION_ADMIN_ROLES); the Office Director and HR when absent. */
  administratorRoles?: readonly Role[];
  /** What a caller whose Accept-Language names neither zh nor en reads (COMPANY_LANGUAGE); zh when absent. */
  companyLanguage?: Language;
  /** The largest register file an import reads (IMPORT_MAX_BODY_BYTES). */
  importMaxBodyBytes?: number;
  /** REG-2: days to sign a low-margin showroom order before the fine (SALES_SIGNATURE_DEADLINE_DAYS). */
  salesSignatureDeadlineDays?: number;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function createApp(deps: AppDeps): OpenAPIHono {
  const log = deps.log ?? ((message, error) => console.error(message, error));
  const app = createRouter();
  const routeDeps = { ...deps, outbox: deps.outbox ?? createProcessOutbox({ sql: deps.sql, engine: deps.engine, log: (message) => log(message) }) };

  observe(app, deps);
  localizeZodMessages();
  app.use('*', negotiateLanguage(deps.companyLanguage ?? 'zh'));
  const limitBody = bodyLimit({
    maxSize: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    onError: (c) => sendProblem(c, problem(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes.`)),
  });
  // A register file has its own, larger limit (IMPORT_MAX_BODY_BYTES, areas/imports/routes.ts).
  app.use('*', (c, next) => (c.req.path.startsWith(IMPORTS_PATH) ? next() : limitBody(c, next)));

  app.onError((error, c) => {
    if (error instanceof StillWorking) return c.json(stillWorkingBody(error), 202, { location: stillWorkingBody(error).links.process });
    const { body, headers } = toProblem(error);
    if (body.status >= 500) log(`${c.req.method} ${c.req.path} failed (request ${c.get('requestId')})`, error);
    return sendProblem(c, body, headers);
  });
  app.notFound((c) => sendProblem(c, problem(404, 'NOT_FOUND', `No route ${c.req.method} ${c.req.path}.`)));

  app.route('/', healthRoutes(deps));
  app.route('/', notificationRoutes(deps));
  // Before the task routes: /api/v1/tasks/counts is not a task id.
  app.route('/', inboxRoutes(deps));
  app.route('/', processRoutes({ ...deps, decisionGuards, confidentialProcesses }));
  app.route('/', taskActionRoutes({ ...deps, confidentialProcesses }));
  // Each area's routes, as the catalogue lists them.
  for (const area of areas) for (const routes of area.routes?.(routeDeps) ?? []) app.route('/', routes);
  app.route('/', verificationRoutes(deps));
  app.route('/', docsRoutes(app, { temporalUiUrl: deps.temporalUiUrl }));
  app.route('/', webRoutes({ devLogin: deps.devLogin }));
  return app;
}
