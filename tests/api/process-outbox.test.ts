// Nothing half-done, and no transaction that waits for itself (issue 11, items 1 and 6). The
// API runs as local mode does, over a database pool of ONE connection shared with the worker.
// Its Temporal client goes through a relay the tests cut between the two steps of a filing (the
// record's commit and its process start); the worker keeps its own connection. A record filed
// while Temporal is away is committed with its queued start, and its process starts and reaches
// its first task once Temporal is back, started by the outbox's background loop.
import { WorkflowNotFoundError } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queuedFor } from '../../engine/sql/outbox.ts';
import { borrowingProcesses } from '../../areas/borrowing/definitions.ts';
import { customerProcesses } from '../../areas/customers/definitions.ts';
import { powerOfAttorneyDefinition } from '../../areas/delegation/definitions.ts';
import { destructionDefinition } from '../../areas/destruction/definitions.ts';
import { API_SUITE_POOL_SIZE, startApiSuite, type EngineApiSuite, type Reply } from '../support/api-suite.ts';
import { archived } from '../support/documents.ts';
import type { EngineHarness } from '../support/engine.ts';
import { relay, type Relay } from '../support/relay.ts';

let api: EngineApiSuite;
let engine: EngineHarness;
let temporal: Relay;
const sql = () => engine.db.sql;

beforeAll(async () => {
  api = await startApiSuite({
    definitions: [...borrowingProcesses, destructionDefinition, ...customerProcesses, powerOfAttorneyDefinition],
    apiTemporal: async (harness) => {
      const [hostname, port] = harness.env.address.split(':');
      temporal = await relay({ hostname: hostname!, port: Number(port) });
      return { address: temporal.address, outbox: { deadlineMs: 1_000, initialBackoffMs: 200, maxBackoffMs: 1_000, pollMs: 300 } };
    },
  });
  engine = api.engine;
});

// A case that fails while Temporal is cut must not leave the next cases without it.
afterEach(async () => {
  await temporal?.restore();
});

afterAll(async () => {
  await api?.teardown();
  await temporal?.close();
});

/** A call that must answer within `ms`: a deadlocked pool fails the test, naming the call, instead of hanging it. */
async function call(userId: string, method: string, path: string, json?: unknown, ms = 20_000): Promise<Reply> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${method} ${path} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([api.request(userId, method, path, { json }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, attempts = 400): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The open task of `nodeId` in the process, once the worker has opened it. */
const openTask = (processId: string, nodeId: string) =>
  eventually(async () => {
    const [task] = await sql()<{ candidateIds: string[] }[]>`
      select candidate_ids as "candidateIds" from tasks where process_id = ${processId} and node_id = ${nodeId} and state = 'open'`;
    return task;
  }, `task ${nodeId} of ${processId}`);

/** Whether Temporal knows the process, asked over the worker's own connection (not the relay). */
const processExists = (processId: string) =>
  engine.client.workflow
    .getHandle(processId)
    .describe()
    .then(
      () => true,
      (error: unknown) => (error instanceof WorkflowNotFoundError ? false : Promise.reject(error)),
    );

const queueEmptied = (processId: string) => eventually(async () => ((await queuedFor(sql(), processId)).length === 0 ? true : undefined), `the outbox of ${processId} to empty`);

let serial = 0;
async function registerDocument(): Promise<string> {
  serial += 1;
  const created = await call('archivist', 'POST', '/api/v1/documents', {
    reference: `OUTBOX-${serial}`,
    title: `Outbox document ${serial}`,
    category: 'contract',
    secrecy: 'none',
    departmentId: 'finance',
    original: true,
    location: 'Archive room',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

/** A document past its retention, for a destruction. */
const retentionEnded = () => archived(sql());

async function newCustomer(name: string): Promise<string> {
  const created = await call('biz-sales-1', 'POST', '/api/v1/customers', { name, cardType: 'terminal', city: '临沂', region: '山东' });
  expect(created.status).toBe(201);
  return created.body.id;
}

const day = 24 * 3_600_000;

describe('one connection (local mode)', () => {
  it('a destruction request filed over a pool of ONE connection answers 201 and its process reaches the Office Director review', async () => {
    expect(API_SUITE_POOL_SIZE).toBe(1);
    expect(sql().options.max).toBe(1);
    const documentId = await retentionEnded();
    const filed = await call('archivist', 'POST', '/api/v1/destruction-requests', { documentIds: [documentId], reason: 'Retention ended' });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    expect(filed.body).toMatchObject({ status: 'in_review', processId: `destruction-${filed.body.id}` });
    expect((await openTask(filed.body.processId, 'officeReview')).candidateIds).toEqual(['office-director']);
    await queueEmptied(filed.body.processId);
  });
});

describe('Temporal cut between the record and its process', () => {
  it('a borrow, a destruction, a protection and a delegation filed while Temporal is away are committed with their queued start, and their processes start once it is back', async () => {
    const borrowDocument = await registerDocument();
    const destroyDocument = await retentionEnded();
    const customerId = await newCustomer('外包装 临沂批发部');
    const now = Date.now();

    await temporal.cut();
    const borrow = await call('finance-clerk', 'POST', '/api/v1/borrow-requests', { documentId: borrowDocument, mode: 'loan', purpose: 'audit preparation' });
    const destruction = await call('archivist', 'POST', '/api/v1/destruction-requests', { documentIds: [destroyDocument], reason: 'Retention ended' });
    const protection = await call('biz-sales-1', 'POST', `/api/v1/customers/${customerId}/protection-requests`, { reason: 'Visited twice.' });
    const delegation = await call('gm', 'POST', '/api/v1/delegations', {
      delegateId: 'dgm-admin',
      validFrom: new Date(now + day).toISOString(),
      validTo: new Date(now + 3 * day).toISOString(),
      scope: { maxSecrecy: 'secret' },
      reason: 'Business trip',
    });
    for (const filed of [borrow, destruction, protection, delegation]) expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    expect(borrow.body.status).toBe('pending');
    expect(destruction.body.status).toBe('in_review');
    expect(protection.body.status).toBe('requested');
    expect(delegation.body.status).toBe('scheduled');
    const processIds = [borrow.body.processId, destruction.body.processId, protection.body.processId, delegation.body.processId] as string[];
    for (const processId of processIds) {
      // Its first delivery may still be trying (the outbox's deadline) when the answer comes: wait for it to fail.
      const queued = await eventually(async () => {
        const rows = await queuedFor(sql(), processId);
        return rows.length === 1 && rows[0]!.lastError !== null ? rows : undefined;
      }, `the first delivery of ${processId} to fail`);
      expect(queued).toEqual([expect.objectContaining({ kind: 'start', lastError: expect.any(String) })]);
      expect(await processExists(processId)).toBe(false);
    }

    await temporal.restore();
    for (const processId of processIds) await queueEmptied(processId);
    expect((await openTask(borrow.body.processId, 'submit')).candidateIds).toEqual(['finance-manager']);
    expect((await openTask(destruction.body.processId, 'officeReview')).candidateIds).toEqual(['office-director']);
    expect((await openTask(protection.body.processId, 'approval')).candidateIds).toEqual(['biz-manager']);
    // The power of attorney's process waits for its start: it runs, and has recorded its own start.
    expect(await processExists(delegation.body.processId)).toBe(true);
    const started = await eventually(async () => {
      const [row] = await sql()<{ status: string }[]>`select status from process_instances where id = ${delegation.body.processId}`;
      return row?.status;
    }, 'the delegation process to record its start');
    expect(started).toBe('running');
  }, 120_000);

  const giveDelegation = async (delegateId: string, fromDays: number) => {
    const now = Date.now();
    const given = await call('gm', 'POST', '/api/v1/delegations', {
      delegateId,
      validFrom: new Date(now + fromDays * day).toISOString(),
      validTo: new Date(now + (fromDays + 2) * day).toISOString(),
      scope: { maxSecrecy: 'none' },
      reason: 'Conference',
    });
    expect(given.status).toBe(201);
    return given.body as { id: string; processId: string };
  };

  const endedAs = (processId: string) =>
    eventually(async () => {
      const [row] = await sql()<{ status: string }[]>`select status from process_instances where id = ${processId} and ended_at is not null`;
      return row?.status;
    }, `${processId} to end`);

  it('BOR-7 a revocation while Temporal is away stands (202) and its message reaches the process once it is back, which ends revoked', async () => {
    const running = await giveDelegation('office-director', 10);
    // Under load the start may outlive the API's delivery deadline and be delivered by the relay.
    await queueEmptied(running.processId);
    expect(await processExists(running.processId)).toBe(true);

    await temporal.cut();
    const revoked = await call('gm', 'POST', `/api/v1/delegations/${running.id}/revoke`);
    expect(revoked.status).toBe(202);
    expect(revoked.body.status).toBe('revoked');
    expect(await queuedFor(sql(), running.processId)).toEqual([expect.objectContaining({ kind: 'message' })]);
    // Given and revoked while Temporal is away: the revocation waits for the start of its process.
    const unborn = await giveDelegation('dgm-sales', 20);
    expect((await call('gm', 'POST', `/api/v1/delegations/${unborn.id}/revoke`)).status).toBe(202);
    expect((await queuedFor(sql(), unborn.processId)).map((row) => row.kind)).toEqual(['start', 'message']);

    await temporal.restore();
    for (const { processId } of [running, unborn]) {
      await queueEmptied(processId);
      expect(await endedAs(processId)).toBe('revoked');
    }
  }, 120_000);

  it('a cancel refused because Temporal is away changes nothing; once back, the process alone writes the cancellation', async () => {
    const documentId = await registerDocument();
    const filed = await call('finance-clerk', 'POST', '/api/v1/borrow-requests', { documentId, mode: 'loan', purpose: 'audit preparation' });
    expect(filed.status).toBe(201);
    await openTask(filed.body.processId, 'submit');
    const path = `/api/v1/borrow-requests/${filed.body.id}/cancel`;

    await temporal.cut();
    const refused = await call('finance-clerk', 'POST', path, { reason: 'not needed' }, 60_000);
    expect(refused.status).toBe(503);
    const [still] = await sql()<{ status: string }[]>`select status from borrow_requests where id = ${filed.body.id}`;
    expect(still!.status).toBe('pending');

    await temporal.restore();
    const cancelled = await eventually(async () => {
      const reply = await call('finance-clerk', 'POST', path, { reason: 'not needed' });
      return reply.status === 503 ? undefined : reply;
    }, 'the cancel to reach Temporal');
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    // Written by the instance's onCancel service (its audit key is the workflow's step key), once.
    const rows = await sql()<{ actorId: string; key: string; detail: { reason?: string } }[]>`
      select actor_id as "actorId", idempotency_key as key, detail from audit_log where process_id = ${filed.body.processId} and event = 'borrow.cancelled'`;
    expect(rows).toEqual([{ actorId: 'finance-clerk', key: expect.stringMatching(new RegExp(`^${filed.body.processId}#\\d+$`)), detail: expect.objectContaining({ reason: 'not needed', previous: 'pending' }) }]);
  }, 120_000);
});
