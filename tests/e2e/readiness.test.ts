// /readyz with the real probes buildApi gives production and local mode: 503 with Retry-After
// while Temporal (or PostgreSQL) cannot be reached, 200 once both answer, and recovery without a
// restart when Temporal comes up after the API (a lazy connection reconnects by itself).
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../platform/http/server.ts';
import { readConfig } from '../../platform/config.ts';
import { connect } from '../../platform/db/client.ts';
import { devServerExecutable, freePort, toolsOptionsFromEnv } from '../../scripts/temporal-tools.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const config = readConfig({ AUTH_JWT_SECRET: 'readiness-secret-of-at-least-32-characters' });

async function readyz(app: ReturnType<typeof buildApi>['app']) {
  const started = performance.now();
  const response = await app.request('/readyz');
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json(), ms: performance.now() - started };
}

describe('/readyz', () => {
  let db: TestDatabase;
  let temporalPort: number;
  let connection: Connection;
  let env: TestWorkflowEnvironment | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    temporalPort = await freePort();
    // As api/main.ts does: lazy, so the API can start while Temporal is down.
    connection = Connection.lazy({ address: `127.0.0.1:${temporalPort}` });
  });

  afterAll(async () => {
    await connection?.close();
    await env?.teardown();
    await db?.drop();
  });

  it('is 503 with Retry-After while Temporal is unreachable, and says which dependency is down', async () => {
    const { app } = buildApi({ config, sql: db.sql, connection, log: () => {} });
    const result = await readyz(app);
    expect(result.status).toBe(503);
    expect(result.retryAfter).toBe('5');
    expect(result.body).toEqual({ status: 'unavailable', checks: { database: 'up', temporal: 'down' } });
    // A load balancer's health check must not hang on a dead dependency.
    expect(result.ms).toBeLessThan(3_000);
  });

  it('is 503 while PostgreSQL is unreachable', async () => {
    const deadDatabase = connect(`postgres://postgres:postgres@127.0.0.1:${await freePort()}/custodian`, { max: 1 });
    try {
      const { app } = buildApi({ config, sql: deadDatabase, connection, log: () => {} });
      const result = await readyz(app);
      expect(result.status).toBe(503);
      expect(result.retryAfter).toBe('5');
      expect(result.body.checks.database).toBe('down');
      expect(result.ms).toBeLessThan(3_000);
    } finally {
      await deadDatabase.end({ timeout: 1 });
    }
  });

  it('is 200 once Temporal comes up, on the same lazy connection, without a restart', async () => {
    const { app } = buildApi({ config, sql: db.sql, connection, log: () => {} });
    expect((await readyz(app)).status).toBe(503);

    const executable = await devServerExecutable(toolsOptionsFromEnv());
    env = await TestWorkflowEnvironment.createLocal({ server: { executable, ip: '127.0.0.1', port: temporalPort } });

    const upAt = performance.now();
    let result = await readyz(app);
    while (result.status !== 200 && performance.now() - upAt < 60_000) {
      await delay(500);
      result = await readyz(app);
    }
    console.log(`/readyz turned 200 ${Math.round(performance.now() - upAt)} ms after the dev server answered`);
    expect(result.status).toBe(200);
    expect(result.retryAfter).toBeNull();
    expect(result.body).toEqual({ status: 'ready', checks: { database: 'up', temporal: 'up' } });
  }, 180_000);

  it('is 200 over a connection made while Temporal was up', async () => {
    const { app } = buildApi({ config, sql: db.sql, connection: env!.connection, log: () => {} });
    const result = await readyz(app);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ status: 'ready', checks: { database: 'up', temporal: 'up' } });
  });
});
