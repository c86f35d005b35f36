// Outages mid-process lose nothing and double nothing: PostgreSQL going away while a decision is
// being applied, and the Temporal server restarting between two decisions.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeTask, startProcess, type EngineClient } from '../../engine/client.ts';
import { connect } from '../../platform/db/client.ts';
import { definitionLibrary, publishDefinition } from '../../engine/sql/definitions.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import type { ProcessDefinition } from '../../engine/definition/definition.ts';
import { freePort, temporalCliPath, toolsOptionsFromEnv } from '../../scripts/temporal-tools.ts';
import { registerSearchAttributes } from '../../platform/worker/search-attributes.ts';
import { createWorker } from '../../platform/worker/worker.ts';
import { approvalDefinition } from '../support/definitions.ts';
import { auditEventCounts, sharedBundle, twoStepApprovalAudit } from '../support/engine.ts';
import { adminUrl, createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { relay } from '../support/relay.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';

interface DevServer {
  address: string;
  stop(): Promise<void>;
}

/** The Temporal dev server on a fixed port and database file, so that a restart finds its history. */
async function startDevServer(cli: string, port: number, dbFile: string): Promise<DevServer> {
  const child: ChildProcess = spawn(cli, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', dbFile, '--log-level', 'error'], {
    stdio: 'ignore',
  });
  const address = `127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return {
    address,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

describe('outages mid-process', () => {
  let db: TestDatabase;
  let dir: string;
  let cli: string;
  let definition: ProcessDefinition;

  beforeAll(async () => {
    db = await createTestDatabase();
    await loadDemoOrganisation(db.sql);
    definition = (await publishDefinition(db.sql, approvalDefinition, serviceSpecs)).definition;
    dir = await mkdtemp(path.join(os.tmpdir(), 'custodian-outage-'));
    const found = await temporalCliPath(toolsOptionsFromEnv());
    if (!found) throw new Error('the Temporal CLI is needed for this suite');
    cli = found;
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function run(address: string, workerSql: ReturnType<typeof connect>, taskQueue: string, body: (engine: EngineClient, worker: Worker) => Promise<void>) {
    const nativeConnection = await NativeConnection.connect({ address });
    const connection = await Connection.connect({ address });
    await registerSearchAttributes(connection, 'default');
    const engine: EngineClient = { client: new Client({ connection }), taskQueue };
    const worker = await createWorker({ connection: nativeConnection, namespace: 'default', taskQueue, sql: workerSql, workflowBundle: await sharedBundle() });
    try {
      await worker.runUntil(body(engine, worker));
    } finally {
      await connection.close();
      await nativeConnection.close();
    }
  }

  const openTaskOf = async (processId: string) => {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const [task] = await db.sql<{ id: string; candidate_ids: string[] }[]>`select id, candidate_ids from tasks where process_id = ${processId} and state = 'open'`;
      if (task) return task;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no open task in ${processId}`);
  };

  it('a decision taken while PostgreSQL is unreachable is applied once it is back, exactly once', async () => {
    const server = await startDevServer(cli, await freePort(), path.join(dir, 'db-outage.db'));
    const admin = new URL(adminUrl());
    const proxy = await relay({ hostname: admin.hostname, port: Number(admin.port || 5432) });
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const workerSql = connect(viaProxy.toString(), { max: 2 });
    try {
      await run(server.address, workerSql, 'outage-db', async (engine) => {
        const processId = `outage-db-${Date.now()}`;
        await startProcess(engine, { processId, definition, library: await definitionLibrary(db.sql, definition), initiator: { id: 'finance-clerk', departmentId: 'finance' }, variables: { amount: 5000 } });
        const review = await openTaskOf(processId);
        await proxy.cut();
        const decided = completeTask(engine, processId, { taskId: review.id, actorId: 'finance-manager', outcome: 'approve' }, 'during-outage');
        // The decision is accepted by the workflow; its projections wait for the database.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const [still] = await db.sql<{ state: string }[]>`select state from tasks where id = ${review.id}`;
        expect(still!.state).toBe('open');
        await proxy.restore();
        expect((await decided).outcome).toBe('approve');
        const gm = await openTaskOf(processId);
        expect(gm.candidate_ids).toEqual(['gm']);
        await completeTask(engine, processId, { taskId: gm.id, actorId: 'gm', outcome: 'approve' });
        expect((await engine.client.workflow.getHandle(processId).result()).status).toBe('approved');
        expect(await auditEventCounts(db.sql, processId)).toEqual(twoStepApprovalAudit);
      });
    } finally {
      await workerSql.end({ timeout: 5 });
      await proxy.close();
      await server.stop();
    }
  }, 120_000);

  it('the Temporal server restarting between two decisions loses neither', async () => {
    const port = await freePort();
    const dbFile = path.join(dir, 'temporal-restart.db');
    let server = await startDevServer(cli, port, dbFile);
    const processId = `outage-temporal-${Date.now()}`;
    let reviewId = '';
    await run(server.address, db.sql, 'outage-temporal', async (engine) => {
      await startProcess(engine, { processId, definition, library: await definitionLibrary(db.sql, definition), initiator: { id: 'finance-clerk', departmentId: 'finance' }, variables: { amount: 5000 } });
      reviewId = (await openTaskOf(processId)).id;
      await completeTask(engine, processId, { taskId: reviewId, actorId: 'finance-manager', outcome: 'approve' });
      await openTaskOf(processId);
    });
    await server.stop();
    server = await startDevServer(cli, port, dbFile);
    try {
      await run(server.address, db.sql, 'outage-temporal', async (engine) => {
        const gm = await openTaskOf(processId);
        expect(gm.candidate_ids).toEqual(['gm']);
        // The first decision survived the restart: deciding it again is refused.
        await expect(completeTask(engine, processId, { taskId: reviewId, actorId: 'finance-manager', outcome: 'approve' })).rejects.toMatchObject({ code: 'TASK_ALREADY_COMPLETED' });
        await completeTask(engine, processId, { taskId: gm.id, actorId: 'gm', outcome: 'approve' });
        expect((await engine.client.workflow.getHandle(processId).result()).status).toBe('approved');
      });
      const [completed] = await db.sql<{ n: number }[]>`select count(*)::int as n from audit_log where process_id = ${processId} and event = 'task.completed'`;
      expect(completed!.n).toBe(2);
    } finally {
      await server.stop();
    }
  }, 120_000);
});
