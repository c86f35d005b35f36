// Builds and serves the API from configuration, a database pool and a Temporal connection. The
// production process (api/main.ts) and the local launcher (scripts/start.ts) both come through
// here, so the two cannot drift apart.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createAdaptorServer } from '@hono/node-server';
import { Client, type Connection } from '@temporalio/client';
import type { Config } from '../config.ts';
import { logFunction, type Logger } from '../logging.ts';
import type { Sql } from '../db/client.ts';
import { createApp } from './app.ts';
import { createAuthenticator } from './auth.ts';
import type { EngineClient } from '../../engine/client.ts';
import { createProcessOutbox, type ProcessOutbox } from '../../engine/outbox.ts';
import { createApiMetrics, type ApiMetrics } from './observability.ts';
import { requestIdClientInterceptor } from './request-context.ts';
import type { Probe } from './routes/health.ts';

/** The settings the API reads; callers pass their whole Config. */
export type ApiConfig = Pick<
  Config,
  | 'AUTH_JWT_SECRET'
  | 'AUTH_JWKS_URL'
  | 'AUTH_ISSUER'
  | 'AUTH_AUDIENCE'
  | 'AUTH_DEV_LOGIN'
  | 'AUTH_TOKEN_MAX_LIFETIME_SECONDS'
  | 'AUTH_PRINCIPAL_CACHE_SIZE'
  | 'AUTH_PRINCIPAL_CACHE_SECONDS'
  | 'CHAIN_CHECKPOINT_KEY'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_TASK_QUEUE'
  | 'TEMPORAL_UI_URL'
  | 'API_WORKFLOW_WAIT_MS'
  | 'API_MAX_BODY_BYTES'
  | 'API_OUTBOX_DEADLINE_MS'
> &
  Partial<Pick<Config, 'API_METRICS' | 'API_METRICS_ADDRESS' | 'ORGANISATION_ADMIN_ROLES' | 'COMPANY_LANGUAGE' | 'IMPORT_MAX_BODY_BYTES' | 'SALES_SIGNATURE_DEADLINE_DAYS'>>;

export interface Api {
  app: OpenAPIHono;
  engine: EngineClient;
  /** Its background loop runs from here on; stop it before ending the pool. */
  outbox: ProcessOutbox;
  /** Its request metrics (served on their own port by serveMetrics when API_METRICS_ADDRESS is set). */
  metrics: ApiMetrics;
}

// Below /readyz's own 2 s limit, so a dead Temporal is reported as down rather than as a
// timeout, and the call is abandoned instead of piling up behind the client's retries.
const TEMPORAL_PROBE_DEADLINE_MS = 1_000;
const WORKFLOW_SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';
const SERVING = 1;

/**
 * The API over a pool and a Temporal connection. The connection may be lazy (`Connection.lazy`):
 * the API then starts while Temporal is still down, /readyz says 503 until it answers, and
 * requests that need it get 503 problems meanwhile.
 */
export function buildApi(options: {
  config: ApiConfig;
  sql: Sql;
  connection: Connection;
  log?: (message: string, error?: unknown) => void;
  /** Request logs; errors too when `log` is absent. */
  logger?: Logger;
}): Api {
  const { config, sql, connection, logger } = options;
  const log = options.log ?? (logger && logFunction(logger));
  const metrics = createApiMetrics();
  const engine: EngineClient = {
    // Requests' ids go to Temporal with what they start and decide (workflows/request-id.ts).
    client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: { workflow: [requestIdClientInterceptor] } }),
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    waitMs: config.API_WORKFLOW_WAIT_MS,
  };
  // Starts what was filed while Temporal was unavailable, as soon as it answers again.
  const outbox = createProcessOutbox({
    sql,
    engine,
    timings: { deadlineMs: config.API_OUTBOX_DEADLINE_MS },
    log: log && ((message) => log(`[outbox] ${message}`)),
  });
  outbox.start();
  const tokenClaims = { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, maxLifetimeSeconds: config.AUTH_TOKEN_MAX_LIFETIME_SECONDS };
  const app = createApp({
    database: databaseProbe(sql),
    temporal: temporalProbe(connection),
    temporalUiUrl: config.TEMPORAL_UI_URL,
    sql,
    engine,
    outbox,
    authenticator: createAuthenticator({
      secret: config.AUTH_JWT_SECRET,
      jwksUrl: config.AUTH_JWKS_URL,
      ...tokenClaims,
      principalCache: { size: config.AUTH_PRINCIPAL_CACHE_SIZE, maxAgeSeconds: config.AUTH_PRINCIPAL_CACHE_SECONDS },
    }),
    jwtSecret: config.AUTH_JWT_SECRET,
    tokenClaims,
    checkpointKey: config.CHAIN_CHECKPOINT_KEY,
    devLogin: config.AUTH_DEV_LOGIN,
    maxBodyBytes: config.API_MAX_BODY_BYTES,
    log,
    logger,
    metrics,
    serveMetrics: (config.API_METRICS ?? true) && config.API_METRICS_ADDRESS === undefined,
    administratorRoles: config.ORGANISATION_ADMIN_ROLES,
    companyLanguage: config.COMPANY_LANGUAGE,
    importMaxBodyBytes: config.IMPORT_MAX_BODY_BYTES,
    salesSignatureDeadlineDays: config.SALES_SIGNATURE_DEADLINE_DAYS,
  });
  return { app, engine, outbox, metrics };
}

export function databaseProbe(sql: Sql): Probe {
  return async () => {
    await sql`select 1`;
  };
}

/** Asks the Temporal frontend's gRPC health service whether the workflow service is serving. */
export function temporalProbe(connection: Connection): Probe {
  return async () => {
    const { status } = await connection.withDeadline(Date.now() + TEMPORAL_PROBE_DEADLINE_MS, () =>
      connection.healthService.check({ service: WORKFLOW_SERVICE }),
    );
    if (status !== SERVING) throw new Error(`the Temporal frontend reports health status ${status}`);
  };
}

export interface HttpServer {
  /** The address actually bound (the port is the real one when 0 was asked for). */
  address: AddressInfo;
  /** Stops accepting connections and waits for requests in flight, closing the rest after a grace. */
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 10_000;

/** Serves the app over HTTP/1.1; resolves once listening, rejects with a clear error when it cannot. */
export function listen(app: OpenAPIHono, options: { hostname: string; port: number }): Promise<HttpServer> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${options.port} on ${options.hostname} is already in use (PORT); stop what holds it or set PORT`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(options.port, options.hostname, () => {
      server.off('error', onError);
      resolve({
        address: server.address() as AddressInfo,
        close: () => closeServer(server),
      });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // Idle keep-alive connections are closed at once by close(); busy ones get a grace period.
    const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
