// Powers of attorney through the API (BOR-7, ARC-1): who may give one to whom, the archive
// document, the database's own guard against overlaps, idempotency, listing and revoking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processState } from '../../engine/client.ts';
import { findDocument } from '../../areas/archive/sql.ts';
import { powerOfAttorneyDefinition } from '../../areas/delegation/definitions.ts';
import { startApiSuite, type ApiSuite, type EngineApiSuite } from '../support/api-suite.ts';
import { approvalDefinition, autoOutcomeDefinition, cancellableDefinition, fallbackDefinition, parallelDefinition } from '../support/definitions.ts';
import type { EngineHarness } from '../support/engine.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let api: EngineApiSuite;
let engine: EngineHarness;

beforeAll(async () => {
  api = await startApiSuite({
    definitions: [powerOfAttorneyDefinition, approvalDefinition, autoOutcomeDefinition, cancellableDefinition, fallbackDefinition, parallelDefinition],
  });
  engine = api.engine;
});

afterAll(() => api?.teardown());

const call: ApiSuite['request'] = (...args) => api.request(...args);

/** A period `fromDays`..`toDays` days from now (wall clock, which the API and this idle test server share). */
function period(fromDays: number, toDays: number): { validFrom: string; validTo: string } {
  const now = Date.now();
  return { validFrom: new Date(now + fromDays * DAY).toISOString(), validTo: new Date(now + toDays * DAY).toISOString() };
}

function request(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { delegateId: 'dgm-admin', ...period(1, 2), scope: { processKeys: ['test.approval'], maxSecrecy: 'secret' }, reason: 'Business trip to Shanghai', ...overrides };
}

const give = (userId: string, json: unknown, headers: Record<string, string> = {}) => call(userId, 'POST', '/api/v1/delegations', { json, headers });
const revoke = (userId: string, id: string) => call(userId, 'POST', `/api/v1/delegations/${id}/revoke`);

async function counts(): Promise<{ delegations: number; documents: number }> {
  const [row] = await engine.db.sql<{ delegations: number; documents: number }[]>`
    select (select count(*)::int from delegations) as delegations, (select count(*)::int from documents) as documents`;
  return row!;
}

async function processStatus(processId: string): Promise<string | undefined> {
  const [row] = await engine.db.sql<{ status: string }[]>`select status from process_instances where id = ${processId}`;
  return row?.status;
}

describe('giving a power of attorney', () => {
  it('BOR-7 ARC-1 the GM gives one to a Deputy GM: 201, its process waits for the start, and the 委托书 is archived and linked', async () => {
    const asked = request({ ...period(1, 2) });
    const given = await give('gm', asked);
    expect(given.status).toBe(201);
    expect(given.body).toMatchObject({
      principalId: 'gm',
      delegateId: 'dgm-admin',
      validFrom: asked.validFrom,
      validTo: asked.validTo,
      scope: { processKeys: ['test.approval'], maxSecrecy: 'secret' },
      reason: 'Business trip to Shanghai',
      status: 'scheduled',
      revokedAt: null,
      revokedBy: null,
      processId: `delegation-${given.body.id}`,
    });

    const [row] = await engine.db.sql<{ document_id: string }[]>`select document_id from delegations where id = ${given.body.id}`;
    expect(row!.document_id).toBe(given.body.powerOfAttorney.documentId);
    const document = await findDocument(engine.db.sql, row!.document_id);
    expect(document).toMatchObject({
      reference: given.body.powerOfAttorney.reference,
      category: 'power_of_attorney',
      secrecy: 'none',
      departmentId: 'gm-office',
      original: true,
      retentionYears: null,
      retentionPermanent: false,
      location: 'GM Office archive room',
      status: 'in_archive',
      registeredBy: 'gm',
    });
    expect(document!.reference).toMatch(/^POA-\d{4}-\d{4,}$/);
    expect(document!.title).toContain('委托书');

    const view = await processState(engine, given.body.processId);
    expect(view).toMatchObject({ definition: { key: 'delegation.power-of-attorney', version: 1 }, status: 'running', activeNodes: ['awaitStart'], initiatorId: 'gm' });
  });

  it('BOR-7 the GM may give one to the Office Director, for every process', async () => {
    const given = await give('gm', request({ delegateId: 'office-director', ...period(100, 101), scope: { maxSecrecy: 'none' } }));
    expect(given.status).toBe(201);
    expect(given.body.scope).toEqual({ processKeys: null, maxSecrecy: 'none' });
  });

  it('BOR-7 refuses every delegation the policy does not allow with 422, citing the rule, and changes nothing', async () => {
    // dgm-sales holds a power of attorney for days 10..11, so it may not pass it on
    expect((await give('gm', request({ delegateId: 'dgm-sales', ...period(10, 11), scope: { processKeys: ['test.auto'], maxSecrecy: 'none' } }))).status).toBe(201);
    const before = await counts();
    const cases: { who: string; body: Record<string, unknown>; code: string; ruleId?: string }[] = [
      { who: 'gm', body: request({ delegateId: 'finance-director', ...period(20, 21) }), code: 'DELEGATE_NOT_ELIGIBLE', ruleId: 'BOR-7' },
      { who: 'gm', body: request({ delegateId: 'archivist', ...period(20, 21) }), code: 'DELEGATE_NOT_ELIGIBLE', ruleId: 'BOR-7' },
      { who: 'gm', body: request({ delegateId: 'marketing-vp', ...period(20, 21) }), code: 'DELEGATE_NOT_ELIGIBLE', ruleId: 'BOR-7' },
      { who: 'gm', body: request({ delegateId: 'gm', ...period(20, 21) }), code: 'SELF_DELEGATION', ruleId: 'BOR-7' },
      { who: 'gm', body: request({ ...period(21, 20) }), code: 'VALID_FROM_NOT_BEFORE_VALID_TO' },
      { who: 'gm', body: request({ ...period(21, 21) }), code: 'VALID_FROM_NOT_BEFORE_VALID_TO' },
      { who: 'gm', body: request({ ...period(-2, -1) }), code: 'VALIDITY_IN_PAST' },
      { who: 'gm', body: request({ delegateId: 'nobody', ...period(20, 21) }), code: 'DELEGATE_NOT_FOUND' },
      { who: 'gm', body: request({ ...period(20, 21), scope: { processKeys: ['no.such-process'], maxSecrecy: 'none' } }), code: 'UNKNOWN_PROCESS_KEY' },
      // BOR-7: a published process whose definition a power of attorney does not reach (destruction is another, DES-3)
      { who: 'gm', body: request({ ...period(20, 21), scope: { processKeys: ['delegation.power-of-attorney'], maxSecrecy: 'none' } }), code: 'OUTSIDE_POWER_OF_ATTORNEY', ruleId: 'BOR-7' },
    ];
    for (const { who, body, code, ruleId } of cases) {
      const refused = await give(who, body);
      expect({ code, status: refused.status, type: refused.type }).toEqual({ code, status: 422, type: 'application/problem+json' });
      expect(refused.body).toMatchObject({ status: 422, code });
      expect(refused.body.ruleId).toBe(ruleId);
    }
    // BOR-7: who is not the GM is refused before anything else (403): a Deputy GM holding a power of attorney passes it on to nobody.
    for (const who of ['finance-director', 'office-director', 'dgm-sales']) {
      const refused = await give(who, request({ delegateId: 'office-director', ...period(10.5, 12) }));
      expect({ who, status: refused.status, code: refused.body.code, ruleId: refused.body.ruleId }).toEqual({ who, status: 403, code: 'PRINCIPAL_NOT_GM', ruleId: 'BOR-7' });
    }
    expect(await counts()).toEqual(before);
  });

  it('BOR-7 refuses a second live delegation whose period and scope overlap the first, and allows one that shares either but not both', async () => {
    const first = await give('gm', request({ ...period(30, 32), scope: { processKeys: ['test.approval', 'test.parallel'], maxSecrecy: 'none' } }));
    expect(first.status).toBe(201);
    const before = await counts();
    for (const scope of [{ processKeys: ['test.parallel'] }, { processKeys: ['test.auto', 'test.approval'] }, {}]) {
      const clash = await give('gm', request({ delegateId: 'office-director', ...period(31, 33), scope: { ...scope, maxSecrecy: 'none' } }));
      expect(clash.status).toBe(422);
      expect(clash.body).toMatchObject({ code: 'DELEGATION_OVERLAP', ruleId: 'BOR-7' });
    }
    expect(await counts()).toEqual(before);
    // the same period for other processes, and the same processes from the moment the first ends
    expect((await give('gm', request({ delegateId: 'office-director', ...period(31, 33), scope: { processKeys: ['test.auto'], maxSecrecy: 'none' } }))).status).toBe(201);
    const adjacent = { validFrom: first.body.validTo, validTo: new Date(Date.parse(first.body.validTo) + DAY).toISOString() };
    expect((await give('gm', request({ ...adjacent, scope: { processKeys: ['test.approval'], maxSecrecy: 'none' } }))).status).toBe(201);
  });

  it('BOR-7 the database itself refuses an overlapping delegation, and of two concurrent overlapping requests exactly one succeeds', async () => {
    const first = await give('gm', request({ ...period(40, 41), scope: { processKeys: ['test.cancellable'], maxSecrecy: 'none' } }));
    expect(first.status).toBe(201);
    const sql = engine.db.sql;
    const insert = sql.begin(async (tx) => {
      await tx`insert into documents (id, reference, title, category, secrecy, department_id, original, archived_on, location, registered_by)
               values ('poa-raw', 'POA-RAW', 'raw', 'power_of_attorney', 'none', 'gm-office', true, current_date, 'GM Office archive room', 'gm')`;
      await tx`insert into delegations (id, principal_id, delegate_id, valid_from, valid_to, process_keys, max_secrecy, reason, document_id)
               values ('raw', 'gm', 'office-director', ${new Date(Date.parse(first.body.validFrom) + HOUR)}, ${new Date(first.body.validTo)}, null, 'none', 'raw', 'poa-raw')`;
    });
    await expect(insert).rejects.toMatchObject({ code: '23P01', constraint_name: 'delegations_no_overlap' });

    const both = await Promise.all([
      give('gm', request({ ...period(50, 51), scope: { processKeys: ['test.fallback'], maxSecrecy: 'none' } })),
      give('gm', request({ delegateId: 'office-director', ...period(50.5, 51.5), scope: { maxSecrecy: 'none' } })),
    ]);
    expect(both.map((reply) => reply.status).sort()).toEqual([201, 422]);
    expect(both.find((reply) => reply.status === 422)!.body.code).toBe('DELEGATION_OVERLAP');
  });

  it('honours Idempotency-Key: the same key returns the same delegation once created, and a different request under it is refused', async () => {
    const asked = request({ ...period(60, 61), scope: { processKeys: ['test.approval'], maxSecrecy: 'none' } });
    const headers = { 'idempotency-key': 'poa-trip-60' };
    const first = await give('gm', asked, headers);
    const again = await give('gm', asked, headers);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual(first.body);
    const [rows] = await engine.db.sql<{ n: number }[]>`select count(*)::int as n from delegations where idempotency_key = 'poa-trip-60'`;
    expect(rows!.n).toBe(1);

    const changed = await give('gm', { ...asked, reason: 'another trip' }, headers);
    expect(changed.status).toBe(422);
    expect(changed.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    // replayed after its process has ended, it answers as it stands and starts no second run
    expect((await revoke('gm', first.body.id)).status).toBe(200);
    const handle = engine.client.workflow.getHandle(first.body.processId);
    const { runId } = await handle.describe();
    const afterRevocation = await give('gm', asked, headers);
    expect(afterRevocation.status).toBe(200);
    expect(afterRevocation.body).toMatchObject({ id: first.body.id, status: 'revoked' });
    expect(await handle.describe()).toMatchObject({ runId, status: { name: 'COMPLETED' } });

    const raced = request({ ...period(62, 63), scope: { maxSecrecy: 'none' } });
    const racing = await Promise.all([1, 2].map(() => give('gm', raced, { 'idempotency-key': 'poa-race' })));
    expect(racing.map((reply) => reply.status).sort()).toEqual([200, 201]);
    expect(racing[0]!.body.id).toBe(racing[1]!.body.id);
  });

  it('answers bad input with 400 problem+json and no token with 401, creating nothing', async () => {
    const before = await counts();
    const bad: unknown[] = [
      {},
      request({ delegateId: undefined }),
      request({ validFrom: 'tomorrow' }),
      request({ validFrom: '2030-03-01T00:00:00' }),
      request({ scope: { maxSecrecy: 'top_secret' } }),
      request({ scope: { processKeys: [], maxSecrecy: 'none' } }),
      request({ scope: { processKeys: ['Not A Key'], maxSecrecy: 'none' } }),
      request({ scope: { maxSecrecy: 'none', extra: true } }),
      request({ reason: '   ' }),
      request({ principalId: 'dgm-admin' }),
    ];
    for (const body of bad) {
      const reply = await give('gm', body);
      expect(reply.status).toBe(400);
      expect(reply.type).toBe('application/problem+json');
      expect(reply.body.code).toBe('INVALID_INPUT');
    }
    const malformed = await call('gm', 'POST', '/api/v1/delegations', { raw: '{"delegateId":' });
    expect(malformed.status).toBe(400);
    expect((await call(null, 'POST', '/api/v1/delegations', { json: request() })).status).toBe(401);
    expect(await counts()).toEqual(before);
  });
});

describe('reading and revoking', () => {
  it('pages the list (limit, nextCursor) over given and held together, latest period first, each delegation once; a bad cursor is 400 INVALID_CURSOR', async () => {
    for (const [delegateId, from] of [['dgm-admin', 80], ['dgm-sales', 82], ['office-director', 84]] as const) {
      expect((await give('gm', request({ delegateId, ...period(from, from + 1), scope: { processKeys: ['test.fallback'], maxSecrecy: 'none' } }))).status).toBe(201);
    }
    const whole = (await call('gm', 'GET', '/api/v1/delegations?limit=200')).body;
    expect(whole.nextCursor).toBeNull();
    const starts = whole.given.map((d: { validFrom: string }) => Date.parse(d.validFrom));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));

    const paged: string[] = [];
    let pages = 0;
    for (let cursor: string | null = null; pages === 0 || cursor !== null; pages += 1) {
      const page = await call('gm', 'GET', `/api/v1/delegations?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.given.length + page.body.held.length).toBeLessThanOrEqual(2);
      paged.push(...page.body.given.map((d: { id: string }) => d.id));
      cursor = page.body.nextCursor;
    }
    expect(pages).toBeGreaterThan(1);
    expect(paged).toEqual(whole.given.map((d: { id: string }) => d.id));

    for (const cursor of ['bogus!', Buffer.from('["2026-13-45 00:00:00+00","x"]').toString('base64url'), Buffer.from('["x"]').toString('base64url')]) {
      const refused = await call('gm', 'GET', `/api/v1/delegations?cursor=${encodeURIComponent(cursor)}`);
      expect(refused.status, cursor).toBe(400);
      expect(refused.body).toMatchObject({ code: 'INVALID_CURSOR' });
    }
    expect((await call('gm', 'GET', '/api/v1/delegations?limit=0')).body).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
  });

  it('lists what I gave and what I hold with a status computed from time, and shows one to its parties and overseers only', async () => {
    const scheduled = await give('gm', request({ ...period(70, 71), scope: { processKeys: ['test.parallel'], maxSecrecy: 'none' } }));
    const now = Date.now();
    const active = await give('gm', request({ delegateId: 'dgm-sales', validFrom: new Date(now - HOUR).toISOString(), validTo: new Date(now + HOUR).toISOString(), scope: { processKeys: ['test.parallel'], maxSecrecy: 'none' } }));
    const expiring = await give('gm', request({ delegateId: 'office-director', validFrom: new Date(now).toISOString(), validTo: new Date(Date.now() + 2_000).toISOString(), scope: { processKeys: ['test.cancellable'], maxSecrecy: 'none' } }));
    expect([scheduled.status, active.status, expiring.status]).toEqual([201, 201, 201]);
    expect(active.body.status).toBe('active');
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiring.body.validTo) + 200 - Date.now()));

    const gmList = await call('gm', 'GET', '/api/v1/delegations');
    expect(gmList.status).toBe(200);
    const statusOf = (list: { id: string; status: string }[], id: string) => list.find((d) => d.id === id)?.status;
    expect(statusOf(gmList.body.given, scheduled.body.id)).toBe('scheduled');
    expect(statusOf(gmList.body.given, active.body.id)).toBe('active');
    expect(statusOf(gmList.body.given, expiring.body.id)).toBe('expired');
    expect(gmList.body.held).toEqual([]);
    const held = (await call('dgm-sales', 'GET', '/api/v1/delegations')).body;
    expect(held.given).toEqual([]);
    expect(held.held.map((d: { id: string }) => d.id)).toContain(active.body.id);
    expect(await call('finance-clerk', 'GET', '/api/v1/delegations').then((r) => r.body)).toEqual({ given: [], held: [], nextCursor: null });

    const path = `/api/v1/delegations/${active.body.id}`;
    for (const who of ['gm', 'dgm-sales', 'office-director']) {
      const seen = await call(who, 'GET', path);
      expect(seen.status).toBe(200);
      expect(seen.body).toEqual({ ...active.body, status: 'active' });
    }
    for (const who of ['finance-clerk', 'dgm-admin']) expect((await call(who, 'GET', path)).status).toBe(404);
    expect((await call('gm', 'GET', '/api/v1/delegations/no-such-id')).body.code).toBe('DELEGATION_NOT_FOUND');
  });

  it('BOR-7 the principal revokes a live delegation: its process ends as revoked; a second revocation, or one of an expired delegation, is a 409', async () => {
    const now = Date.now();
    const live = await give('gm', request({ validFrom: new Date(now - HOUR).toISOString(), validTo: new Date(now + DAY).toISOString(), scope: { processKeys: ['test.fallback'], maxSecrecy: 'none' } }));
    expect(live.status).toBe(201);
    expect((await revoke('dgm-admin', live.body.id)).body).toMatchObject({ status: 403, code: 'NOT_THE_PRINCIPAL' });
    expect((await revoke('finance-clerk', live.body.id)).status).toBe(404);

    const revoked = await revoke('gm', live.body.id);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: live.body.id, status: 'revoked', revokedBy: 'gm' });
    expect(await processStatus(live.body.processId)).toBe('revoked');
    expect((await revoke('gm', live.body.id)).body).toMatchObject({ status: 409, code: 'DELEGATION_ALREADY_REVOKED' });
    // a revoked delegation no longer blocks a new one for the same period and processes
    expect((await give('gm', request({ validFrom: new Date(now + HOUR).toISOString(), validTo: new Date(now + 2 * HOUR).toISOString(), scope: { processKeys: ['test.fallback'], maxSecrecy: 'none' } }))).status).toBe(201);

    const short = await give('gm', request({ validFrom: new Date(now).toISOString(), validTo: new Date(Date.now() + 1_000).toISOString(), scope: { processKeys: ['test.auto'], maxSecrecy: 'none' } }));
    await new Promise((resolve) => setTimeout(resolve, Date.parse(short.body.validTo) + 200 - Date.now()));
    expect((await revoke('gm', short.body.id)).body).toMatchObject({ status: 409, code: 'DELEGATION_EXPIRED' });
  });

  it('BOR-7 a revocation before the start ends the process without announcing anything', async () => {
    const scheduled = await give('gm', request({ ...period(80, 81), scope: { processKeys: ['test.auto'], maxSecrecy: 'none' } }));
    expect((await revoke('gm', scheduled.body.id)).status).toBe(200);
    expect(await processStatus(scheduled.body.processId)).toBe('revoked');
    const history = await engine.client.workflow.getHandle(scheduled.body.processId).fetchHistory();
    const activities = (history.events ?? []).flatMap((event) => (event.activityTaskScheduledEventAttributes ? [event.activityTaskScheduledEventAttributes.activityType?.name] : []));
    expect(activities).not.toContain('runService');
  });

  it('GET /me lists the powers of attorney I hold and have given that are scheduled or in force', async () => {
    const now = Date.now();
    const current = await give('gm', request({ delegateId: 'office-director', validFrom: new Date(now).toISOString(), validTo: new Date(now + HOUR).toISOString(), scope: { processKeys: ['test.approval'], maxSecrecy: 'none' } }));
    expect(current.status).toBe(201);
    const gm = (await call('gm', 'GET', '/api/v1/me')).body.delegations;
    expect(gm.given.map((d: { id: string }) => d.id)).toContain(current.body.id);
    expect(gm.given.every((d: { status: string }) => d.status === 'scheduled' || d.status === 'active')).toBe(true);
    expect(gm.held).toEqual([]);
    const officeDirector = (await call('office-director', 'GET', '/api/v1/me')).body.delegations;
    expect(officeDirector.held.find((d: { id: string }) => d.id === current.body.id)).toMatchObject({ principalId: 'gm', status: 'active' });
    expect((await call('finance-clerk', 'GET', '/api/v1/me')).body.delegations).toEqual({ held: [], given: [] });
  });
});
