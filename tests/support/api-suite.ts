// The API of a test suite, called with app.request(...) as a signed-in user: on a real engine
// (startApiSuite) or, for routes that never reach a process, on a database alone
// (startDatabaseApiSuite). Either way the database is fresh and holds the demo organisation.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createAuthenticator, issueToken } from '../../api/auth.ts';
import { loadDemoOrganisation } from '../../db/organisation.ts';
import type { ProcessDefinitionInput } from '../../domain/process/definition.ts';
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
      const headers: Record<string, string> = { ...options.headers };
      if (userId) headers.authorization = `Bearer ${await issueToken(secret, userId)}`;
      if (options.json !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
      const response = await app.request(path, { method, headers, body: options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json)) });
      const text = await response.text();
      const type = response.headers.get('content-type');
      return { status: response.status, type, headers: response.headers, text, body: type?.includes('json') ? JSON.parse(text) : undefined };
    },
    teardown,
  };
}

/** The API on the time-skipping server with a worker running the real activities, `definitions` published. */
export async function startApiSuite(options: { definitions?: readonly ProcessDefinitionInput[] } = {}): Promise<EngineApiSuite> {
  const engine = await startEngine();
  for (const definition of options.definitions ?? []) await engine.publish(definition);
  const app = testApp({ sql: engine.db.sql, engine, authenticator: createAuthenticator({ secret }) });
  return { ...apiSuite(app, () => engine.teardown()), engine };
}

/** The API with no engine behind it (a Temporal client aimed at a closed port). */
export async function startDatabaseApiSuite(): Promise<DatabaseApiSuite> {
  const db = await createTestDatabase();
  await loadDemoOrganisation(db.sql);
  const app = testApp({ sql: db.sql, authenticator: createAuthenticator({ secret }) });
  return { ...apiSuite(app, () => db.drop()), db };
}
