// The API of a test suite, called with app.request(...) as a signed-in user: on a real engine
// (startApiSuite) or, for routes that never reach a process, on a database alone
// (startDatabaseApiSuite). Either way the database is fresh and holds the demo organisation.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Client, Connection } from '@temporalio/client';
import { createAuthenticator, issueToken } from '../../platform/http/auth.ts';
import { createProcessOutbox, type OutboxTimings } from '../../engine/outbox.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { testApp } from './app.ts';
import { startEngine, type EngineHarness } from './engine.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';

const secret = 'a-test-secret-that-is-at-least-32-characters-long';

export interface Reply {
  status: number;
  type: string | null;
  headers: Headers;
  text: string;
  /** The parsed body of a JSON answer; undefined for any other. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- each test reads the fields it checks
}

export interface RequestOptions {
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as it is, as application/json: for malformed bodies. */
  raw?: string;
  /** Sent as it is with its content type: a CSV or XLSX file, say. */
  file?: { content: string | Uint8Array | ReadableStream<Uint8Array>; type: string };
  headers?: Record<string, string>;
}

export interface ApiSuite {
  app: OpenAPIHono;
  /** Calls the app as `userId` (with a bearer token for them), or anonymously for null. */
  request(userId: string | null, method: string, path: string, options?: RequestOptions): Promise<Reply>;
  teardown(): Promise<void>;
}

export type EngineApiSuite = ApiSuite & { engine: EngineHarness };
export type DatabaseApiSuite = ApiSuite & { db: TestDatabase };

function apiSuite(app: OpenAPIHono, teardown: () => Promise<void>): ApiSuite {
  return {
    app,
    async request(userId, method, path, options = {}) {
      // English unless a test asks otherwise: the company's default language is Chinese (api/messages.ts).
      const headers: Record<string, string> = { 'accept-language': 'en', ...options.headers };
      if (userId) headers.authorization = `Bearer ${await issueToken(secret, userId)}`;
      if (options.json !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
      if (options.file) headers['content-type'] = options.file.type;
      const body = options.file?.content ?? options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
      const response = await app.request(path, { method, headers, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
      const text = await response.text();
      const type = response.headers.get('content-type');
      return { status: response.status, type, headers: response.headers, text, body: type?.includes('json') ? JSON.parse(text) : undefined };
    },
    teardown,
  };
}

/**
 * Local mode's database has ONE connection, shared by the API and the worker; the API suites run
 * the same way by default, so a transaction that awaits the pool or Temporal deadlocks a test
 * instead of a user (docs/architecture.md, "Transactions").
 */
export const API_SUITE_POOL_SIZE = 1;

/**
 * The API on the time-skipping server with a worker running the real activities, `definitions`
 * published. With `apiTemporal`, the API (not the worker) reaches Temporal at that address (a
 * relay a test can cut), and its outbox runs its background loop with those timings.
 */
export async function startApiSuite(
  options: {
    definitions?: readonly ProcessDefinitionInput[];
    poolSize?: number;
    apiTemporal?: (engine: EngineHarness) => Promise<{ address: string; outbox: Partial<OutboxTimings> }>;
    /** The engine's server and notification settings (startEngine). */
    engine?: Pick<Parameters<typeof startEngine>[0] & object, 'server' | 'notifications'>;
  } = {},
): Promise<EngineApiSuite> {
  const engine = await startEngine({ ...options.engine, poolSize: options.poolSize ?? API_SUITE_POOL_SIZE });
  for (const definition of options.definitions ?? []) await engine.publish(definition);
  const authenticator = createAuthenticator({ secret });
  if (!options.apiTemporal) {
    const app = testApp({ sql: engine.db.sql, engine, authenticator });
    return { ...apiSuite(app, () => engine.teardown()), engine };
  }
  const { address, outbox: timings } = await options.apiTemporal(engine);
  const connection = Connection.lazy({ address });
  const apiEngine = { client: new Client({ connection, namespace: engine.env.namespace ?? 'default' }), taskQueue: engine.taskQueue };
  const outbox = createProcessOutbox({ sql: engine.db.sql, engine: apiEngine, timings, log: () => {} });
  outbox.start();
  // Temporal cut on purpose: the 503s it causes are expected, not worth a log line each.
  const app = testApp({ sql: engine.db.sql, engine: apiEngine, outbox, authenticator, log: () => {} });
  return {
    ...apiSuite(app, async () => {
      await outbox.stop();
      await connection.close();
      await engine.teardown();
    }),
    engine,
  };
}

/** The API with no engine behind it (a Temporal client aimed at a closed port). */
export async function startDatabaseApiSuite(): Promise<DatabaseApiSuite> {
  const db = await createTestDatabase({ max: API_SUITE_POOL_SIZE });
  await loadDemoOrganisation(db.sql);
  const app = testApp({ sql: db.sql, authenticator: createAuthenticator({ secret }) });
  return { ...apiSuite(app, () => db.drop()), db };
}
