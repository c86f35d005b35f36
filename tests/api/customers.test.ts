// The customer routes on a real database, for what is decided before any process runs: input,
// visibility (SEC-1), card types (CUS-4), the refusals of OVL-8 and SEC-5. States a process would
// reach are set up through the same query module the activities use.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDeparture, insertProtection } from '../../areas/customers/sql.ts';
import { endProtection } from '../../areas/customers/service/protections.ts';
import type { CardType } from '../../areas/customers/rules.ts';
import { connect } from '../../platform/db/client.ts';
import { startDatabaseApiSuite, type DatabaseApiSuite } from '../support/api-suite.ts';
import { poolCustomer as poolCustomerIn, protectedCustomer as protectedCustomerIn } from '../support/customers.ts';
import type { TestDatabase } from '../support/postgres.ts';

const DAY = 86_400_000;

let api: DatabaseApiSuite;
let db: TestDatabase;

beforeAll(async () => {
  api = await startDatabaseApiSuite();
  db = api.db;
  // A third Business Dept salesperson, who leaves in the SEC-5 tests.
  await db.sql`insert into users (id, display_name, display_name_zh, department_id) values ('biz-sales-3', 'Business Salesperson 3', '业务部销售人员三', 'business')`;
  await db.sql`insert into user_roles (user_id, role) values ('biz-sales-3', 'salesperson')`;
});

afterAll(() => api?.teardown());

const call = (userId: string, method: string, path: string, json?: unknown) => api.request(userId, method, path, { json });

const poolCustomer = (name: string, departmentId = 'business', cardType: CardType = 'terminal') => poolCustomerIn(db.sql, name, departmentId, cardType);

const protectedCustomer = (name: string, protectorId: string, options: { departmentId?: string; startedAt?: Date } = {}) => protectedCustomerIn(db.sql, name, protectorId, options);

/** A customer kept by `ownerId` after an intent order ended its protection (status owned). */
async function ownedCustomer(name: string, ownerId: string) {
  const { customer, protection } = await protectedCustomer(name, ownerId);
  await endProtection(db.sql, { id: protection.id, outcome: 'intent_order', reference: `YX-${protection.id}`, actorId: ownerId, at: new Date(), key: `test:io:${protection.id}` });
  return customer;
}

describe('entering customers (CUS-1, CUS-4)', () => {
  it('CUS-1 a salesperson enters a prospect: it is archived in their department and starts in the open pool', async () => {
    const created = await call('biz-sales-1', 'POST', '/api/v1/customers', { name: '临沂礼品城', cardType: 'terminal', city: '临沂', region: '山东' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: '临沂礼品城',
      cardType: 'terminal',
      cardTypeLabel: { zh: '终端' },
      departmentId: 'business',
      ownerId: null,
      status: 'open',
      statusLabel: { en: 'Open pool', zh: '公海' },
      createdBy: 'biz-sales-1',
    });
    const read = await call('biz-sales-1', 'GET', `/api/v1/customers/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: created.body.id, protection: null, coDevelopers: [], ownershipHistory: [] });
  });

  it('CUS-4 distributor cards are kept by the regions: the Business Dept may not enter one, the Market Dept may', async () => {
    const refused = await call('biz-sales-1', 'POST', '/api/v1/customers', { name: '济南经销商', cardType: 'distributor', city: '济南', region: '山东' });
    expect(refused.status).toBe(422);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'CARD_NOT_KEPT_BY_DEPARTMENT', ruleId: 'CUS-4' });
    const accepted = await call('market-manager', 'POST', '/api/v1/customers', { name: '济南经销商', cardType: 'distributor', city: '济南', region: '山东' });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ cardType: 'distributor', cardTypeLabel: { zh: '经销商' }, departmentId: 'market' });
  });

  it('CUS-2 staff outside sales do not enter customers (403)', async () => {
    const refused = await call('finance-clerk', 'POST', '/api/v1/customers', { name: 'X', cardType: 'terminal', city: 'a', region: 'b' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'NOT_SALES_STAFF', ruleId: 'CUS-2' });
  });

  it('refuses malformed input with 400 and changes nothing', async () => {
    const before = await db.sql<{ n: number }[]>`select count(*)::int as n from customers`;
    for (const body of [
      {},
      { name: '', cardType: 'terminal', city: 'a', region: 'b' },
      { name: 'A', cardType: 'retail', city: 'a', region: 'b' },
      { name: 'A', cardType: 'terminal', city: 'a', region: 'b', ownerId: 'biz-sales-1' },
      { name: 'x'.repeat(201), cardType: 'terminal', city: 'a', region: 'b' },
    ]) {
      const reply = await call('biz-sales-1', 'POST', '/api/v1/customers', body);
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe('INVALID_INPUT');
    }
    expect((await call('biz-sales-1', 'GET', '/api/v1/customers?status=bogus')).status).toBe(400);
    expect((await call('biz-sales-1', 'GET', '/api/v1/customers?cursor=not-a-cursor')).status).toBe(400);
    expect((await call('biz-sales-1', 'POST', `/api/v1/customers/${randomUUID()}/co-development-requests`, { share: 150 })).status).toBe(400);
    const after = await db.sql<{ n: number }[]>`select count(*)::int as n from customers`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});

describe('who sees which customers (SEC-1)', () => {
  let pool: string;
  let mine: string;
  let colleagues: string;
  let floor: string;
  beforeAll(async () => {
    pool = (await poolCustomer('SEC1 公海客户')).id;
    mine = (await protectedCustomer('SEC1 一号的客户', 'biz-sales-1')).customer.id;
    colleagues = (await protectedCustomer('SEC1 二号的客户', 'biz-sales-2')).customer.id;
    floor = (await protectedCustomer('SEC1 营业部客户', 'floor-sales-1', { departmentId: 'sales-floor' })).customer.id;
  });
  const listed = async (userId: string) => ((await call(userId, 'GET', '/api/v1/customers?q=SEC1&limit=200')).body.customers as { id: string }[]).map((c) => c.id).sort();

  it('SEC-1 a salesperson sees their own customers and the open pool, and gets 404 for a colleague\'s', async () => {
    expect(await listed('biz-sales-1')).toEqual([pool, mine].sort());
    expect((await call('biz-sales-1', 'GET', `/api/v1/customers/${colleagues}`)).status).toBe(404);
    expect((await call('biz-sales-1', 'GET', `/api/v1/customers/${mine}`)).body.protection).toMatchObject({ status: 'active', protectorId: 'biz-sales-1' });
  });

  it("SEC-1 a Department Manager sees their department's customers and the pool, not another department's", async () => {
    expect(await listed('biz-manager')).toEqual([pool, mine, colleagues].sort());
    expect((await call('biz-manager', 'GET', `/api/v1/customers/${floor}`)).status).toBe(404);
  });

  it('SEC-1 the Marketing Director, the Marketing VP and the GM see every customer; others none', async () => {
    for (const viewer of ['marketing-director', 'marketing-vp', 'gm']) expect(await listed(viewer)).toEqual([pool, mine, colleagues, floor].sort());
    expect(await listed('finance-clerk')).toEqual([]);
    const denied = await call('finance-clerk', 'GET', `/api/v1/customers/${pool}`);
    expect(denied.status).toBe(404);
    expect(denied.body.code).toBe('CUSTOMER_NOT_FOUND');
  });

  it('filters by status, department and owner, and pages by name with a cursor', async () => {
    const get = async (query: string) => (await call('marketing-director', 'GET', `/api/v1/customers?q=SEC1&${query}`)).body;
    expect((await get('status=open')).customers.map((c: { id: string }) => c.id)).toEqual([pool]);
    expect((await get('department=sales-floor')).customers.map((c: { id: string }) => c.id)).toEqual([floor]);
    expect((await get('owner=biz-sales-2')).customers.map((c: { id: string }) => c.id)).toEqual([colleagues]);
    const seen: string[] = [];
    let page = await get('limit=1');
    for (;;) {
      seen.push(...page.customers.map((c: { name: string }) => c.name));
      if (!page.nextCursor) break;
      page = await get(`limit=1&cursor=${page.nextCursor}`);
    }
    expect(seen).toEqual(['SEC1 一号的客户', 'SEC1 二号的客户', 'SEC1 公海客户', 'SEC1 营业部客户'].sort());
  });
});

describe('claiming customers (OVL-8)', () => {
  // Another salesperson's claim on a protected or owned customer is an overlap: it opens an
  // adjudication (OVL-1, tests/api/overlap.test.ts).
  it("OVL-8 while a customer is protected its protector's claim is refused 409 CUSTOMER_PROTECTED, and the manager's assignment names the protector and the end date", async () => {
    const { customer, protection } = await protectedCustomer('OVL8 保护中', 'biz-sales-1', { startedAt: new Date('2030-01-10T02:00:00Z') });
    const again = await call('biz-sales-1', 'POST', `/api/v1/customers/${customer.id}/protection-requests`, { reason: 'mine already' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'CUSTOMER_PROTECTED', ruleId: 'OVL-8' });
    expect(protection.monthEnds.at(-1)!.toISOString()).toBe('2030-05-10T02:00:00.000Z');
    // nor may the manager assign it away; the manager, who sees it, is told by whom and until when
    const assigned = await call('biz-manager', 'POST', `/api/v1/customers/${customer.id}/assignments`, { salespersonId: 'biz-sales-2' });
    expect(assigned.status).toBe(409);
    expect(assigned.body).toMatchObject({ code: 'CUSTOMER_PROTECTED', ruleId: 'OVL-8' });
    expect(assigned.body.detail).toContain('biz-sales-1');
    expect(assigned.body.detail).toContain('2030-05-10');
  });

  it('OVL-8 a pending request blocks a second one (409 PROTECTION_PENDING): its Department Manager decides first; an owner\'s own claim is 409 CUSTOMER_OWNED', async () => {
    const pending = await poolCustomer('OVL8 待批');
    const id = randomUUID();
    await insertProtection(db.sql, { id, customerId: pending.id, protectorId: 'biz-sales-1', departmentId: 'business', kind: 'request', requestedBy: 'biz-sales-1', reason: 'r', processId: `protection-${id}` });
    const second = await call('biz-sales-2', 'POST', `/api/v1/customers/${pending.id}/protection-requests`, { reason: 'me too' });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'PROTECTION_PENDING', ruleId: 'OVL-8' });
    // the applicant's own retry answers with the request already pending
    const retried = await call('biz-sales-1', 'POST', `/api/v1/customers/${pending.id}/protection-requests`, { reason: 'r' });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id, status: 'requested' });

    const { protection } = await protectedCustomer('OVL8 已成交', 'biz-sales-1');
    await endProtection(db.sql, { id: protection.id, outcome: 'intent_order', reference: 'YX-1', actorId: 'biz-sales-1', at: new Date(), key: `test:io:${protection.id}` });
    const owned = await call('biz-sales-1', 'POST', `/api/v1/customers/${protection.customerId}/protection-requests`, { reason: 'r' });
    expect(owned.status).toBe(409);
    expect(owned.body.code).toBe('CUSTOMER_OWNED');
  });

  it('OVL-8 an intent order applied once, then retried by the same step (its worker died before reporting), reports applied; another step does not', async () => {
    const { protection } = await protectedCustomer('OVL8 重试', 'biz-sales-1');
    const end = { id: protection.id, outcome: 'intent_order' as const, reference: 'YX-R', actorId: 'biz-sales-1', at: new Date(), key: `test:retry:${protection.id}` };
    expect(await endProtection(db.sql, end)).toMatchObject({ id: protection.id, status: 'converted' });
    expect(await endProtection(db.sql, end)).toMatchObject({ id: protection.id, status: 'converted', intentOrderReference: 'YX-R' });
    expect(await endProtection(db.sql, { ...end, key: `test:other:${protection.id}` })).toBeUndefined();
    const changes = await db.sql`select 1 from customer_ownership_history where protection_id = ${protection.id} and reason = 'intent_order'`;
    expect(changes).toHaveLength(1);
  });

  it('OVL-8 the previous owner may not reclaim a customer they lost to the pool within 30 days (422 RECLAIM_BLOCKED naming the date)', async () => {
    const { customer, protection } = await protectedCustomer('OVL8 刚释放', 'biz-sales-1', { startedAt: new Date(Date.now() - 130 * DAY) });
    const releasedAt = new Date(Date.now() - 10 * DAY);
    await endProtection(db.sql, { id: protection.id, outcome: 'expired', actorId: null, at: releasedAt, key: `test:release:${protection.id}` });
    const before = await db.sql<{ n: number }[]>`select count(*)::int as n from protections where customer_id = ${customer.id}`;
    const refused = await call('biz-sales-1', 'POST', `/api/v1/customers/${customer.id}/protection-requests`, { reason: 'back again' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'RECLAIM_BLOCKED', ruleId: 'OVL-8' });
    const until = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(releasedAt.getTime() + 30 * DAY));
    expect(refused.body.detail).toContain(until);
    // nor may their manager assign it back to them
    const assigned = await call('biz-manager', 'POST', `/api/v1/customers/${customer.id}/assignments`, { salespersonId: 'biz-sales-1' });
    expect(assigned.status).toBe(422);
    expect(assigned.body.code).toBe('RECLAIM_BLOCKED');
    const after = await db.sql<{ n: number }[]>`select count(*)::int as n from protections where customer_id = ${customer.id}`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it("CUS-4 a salesperson may not claim a customer whose card their department does not keep", async () => {
    const distributor = await poolCustomer('CUS4 经销商', 'market', 'distributor');
    const refused = await call('biz-sales-1', 'POST', `/api/v1/customers/${distributor.id}/protection-requests`, { reason: 'r' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'CARD_NOT_KEPT_BY_DEPARTMENT', ruleId: 'CUS-4' });
  });

  it('OVL-8 only salespeople apply, and only the salesperson\'s own Department Manager assigns (403)', async () => {
    const customer = await poolCustomer('OVL8 权限');
    expect((await call('finance-clerk', 'POST', `/api/v1/customers/${customer.id}/protection-requests`, { reason: 'r' })).body).toMatchObject({ status: 403, code: 'NOT_A_SALESPERSON' });
    expect((await call('floor-manager', 'POST', `/api/v1/customers/${customer.id}/assignments`, { salespersonId: 'biz-sales-1' })).body).toMatchObject({
      status: 403,
      code: 'NOT_THEIR_DEPARTMENT_MANAGER',
    });
    expect((await call('biz-manager', 'POST', `/api/v1/customers/${customer.id}/assignments`, { salespersonId: 'nobody' })).body).toMatchObject({ status: 422, code: 'USER_NOT_FOUND' });
    expect((await call('biz-manager', 'POST', `/api/v1/customers/${customer.id}/assignments`, { salespersonId: 'biz-manager' })).body).toMatchObject({
      status: 422,
      code: 'NOT_AN_ACTIVE_SALESPERSON',
    });
  });

  it('OVL-8 co-development needs an owner other than the caller (409)', async () => {
    const pool = await poolCustomer('OVL8 公海共同开发');
    expect((await call('biz-sales-2', 'POST', `/api/v1/customers/${pool.id}/co-development-requests`, { share: 50 })).body).toMatchObject({ status: 409, code: 'CUSTOMER_NOT_OWNED' });
    const { customer } = await protectedCustomer('OVL8 自己的', 'biz-sales-1');
    expect((await call('biz-sales-1', 'POST', `/api/v1/customers/${customer.id}/co-development-requests`, { share: 50 })).body).toMatchObject({ status: 409, code: 'OWN_CUSTOMER' });
  });

  it('answers 404 for an unknown customer, protection or departure', async () => {
    const unknown = randomUUID();
    for (const [userId, method, path, body] of [
      ['marketing-director', 'GET', `/api/v1/customers/${unknown}`, undefined],
      ['biz-sales-1', 'POST', `/api/v1/customers/${unknown}/protection-requests`, { reason: 'r' }],
      ['biz-manager', 'POST', `/api/v1/customers/${unknown}/assignments`, { salespersonId: 'biz-sales-1' }],
      ['biz-sales-1', 'POST', `/api/v1/customers/${unknown}/co-development-requests`, { share: 10 }],
      ['biz-manager', 'POST', `/api/v1/customers/${unknown}/transfers`, { toSalespersonId: 'biz-sales-2' }],
      ['marketing-director', 'GET', `/api/v1/protections/${unknown}`, undefined],
      ['biz-sales-1', 'POST', `/api/v1/protections/${unknown}/reports`, { summary: 's' }],
      ['biz-sales-1', 'POST', `/api/v1/protections/${unknown}/intent-orders`, { reference: 'YX' }],
      ['marketing-director', 'GET', `/api/v1/departures/${unknown}`, undefined],
      ['hr-manager', 'POST', '/api/v1/users/nobody/departure', {}],
    ] as const) {
      const reply = await call(userId, method, path, body);
      expect([path, reply.status, reply.type]).toEqual([path, 404, 'application/problem+json']);
    }
  });
});

describe('progress reports (OVL-8)', () => {
  it('OVL-8 a report on an ended protection is refused 409 PROTECTION_ENDED; only the protector files reports (403)', async () => {
    const { protection } = await protectedCustomer('OVL8 汇报', 'biz-sales-1');
    const byManager = await call('biz-manager', 'POST', `/api/v1/protections/${protection.id}/reports`, { summary: 'not mine to file' });
    expect(byManager.status).toBe(403);
    expect(byManager.body).toMatchObject({ code: 'NOT_THE_PROTECTOR', ruleId: 'OVL-8' });
    await endProtection(db.sql, { id: protection.id, outcome: 'intent_order', reference: 'YX-2', actorId: 'biz-sales-1', at: new Date(), key: `test:io:${protection.id}` });
    const ended = await call('biz-sales-1', 'POST', `/api/v1/protections/${protection.id}/reports`, { summary: 'too late' });
    expect(ended.status).toBe(409);
    expect(ended.body).toMatchObject({ code: 'PROTECTION_ENDED', ruleId: 'OVL-8' });
    const intent = await call('biz-sales-1', 'POST', `/api/v1/protections/${protection.id}/intent-orders`, { reference: 'YX-3' });
    expect(intent.status).toBe(409);
    expect((await call('biz-sales-1', 'POST', `/api/v1/protections/${protection.id}/reports`, { summary: '' })).status).toBe(400);
    const rows = await db.sql`select 1 from protection_reports where protection_id = ${protection.id}`;
    expect(rows).toHaveLength(0);
    // visible to its protector and the Department Manager, not to a colleague
    expect((await call('biz-manager', 'GET', `/api/v1/protections/${protection.id}`)).body).toMatchObject({ status: 'converted', endReason: 'intent_order', intentOrderReference: 'YX-2' });
    expect((await call('biz-sales-2', 'GET', `/api/v1/protections/${protection.id}`)).status).toBe(404);
  });
});

describe('transfers and departures (SEC-5)', () => {
  it('SEC-5 a leaving salesperson may not hand their customers over themselves (403)', async () => {
    const { customer } = await protectedCustomer('SEC5 离职者客户', 'biz-sales-3');
    const departureId = randomUUID();
    await insertDeparture(db.sql, { id: departureId, userId: 'biz-sales-3', departmentId: 'business', reportedBy: 'hr-manager', note: null, processId: `departure-${departureId}` });
    const refused = await call('biz-sales-3', 'POST', `/api/v1/customers/${customer.id}/transfers`, { toSalespersonId: 'biz-sales-2' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'LEAVER_MAY_NOT_TRANSFER', ruleId: 'SEC-5' });
    const reassigned = await call('biz-sales-3', 'POST', `/api/v1/departures/${departureId}/reassignments`, { assignments: [{ customerId: customer.id, salespersonId: 'biz-sales-2' }] });
    expect(reassigned.status).toBe(403);
    expect(reassigned.body).toMatchObject({ code: 'LEAVER_MAY_NOT_TRANSFER', ruleId: 'SEC-5' });
    // a leaver takes on no new customers either
    const claim = await call('biz-sales-3', 'POST', `/api/v1/customers/${(await poolCustomer('SEC5 新客户')).id}/protection-requests`, { reason: 'r' });
    expect(claim.body).toMatchObject({ status: 403, code: 'SALESPERSON_LEAVING', ruleId: 'SEC-5' });
    // nor may they receive one
    const other = await ownedCustomer('SEC5 转给离职者', 'biz-sales-1');
    const toLeaver = await call('biz-manager', 'POST', `/api/v1/customers/${other.id}/transfers`, { toSalespersonId: 'biz-sales-3' });
    expect(toLeaver.status).toBe(422);
    expect(toLeaver.body).toMatchObject({ code: 'HAND_OVER_REFUSED', ruleId: 'SEC-5', errors: [{ path: 'toSalespersonId', message: 'biz-sales-3 is not an active salesperson' }] });
    expect((await call('biz-sales-3', 'GET', `/api/v1/departures/${departureId}`)).body).toMatchObject({ userId: 'biz-sales-3', customers: [{ id: customer.id }] });
  });

  it('SEC-5 only the Department Manager transfers an owned customer, within its department, and the history records it', async () => {
    const customer = await ownedCustomer('SEC5 移交', 'biz-sales-1');
    const bySalesperson = await call('biz-sales-1', 'POST', `/api/v1/customers/${customer.id}/transfers`, { toSalespersonId: 'biz-sales-2' });
    expect(bySalesperson.body).toMatchObject({ status: 403, code: 'ONLY_DEPARTMENT_MANAGER_TRANSFERS', ruleId: 'SEC-5' });
    const otherDepartment = await call('biz-manager', 'POST', `/api/v1/customers/${customer.id}/transfers`, { toSalespersonId: 'floor-sales-1' });
    expect(otherDepartment.body).toMatchObject({ status: 422, code: 'HAND_OVER_REFUSED', errors: [{ message: 'floor-sales-1 is not in department business' }] });

    const moved = await call('biz-manager', 'POST', `/api/v1/customers/${customer.id}/transfers`, { toSalespersonId: 'biz-sales-2' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ ownerId: 'biz-sales-2', status: 'owned' });
    expect(moved.body.ownershipHistory.at(-1)).toMatchObject({ fromOwnerId: 'biz-sales-1', toOwnerId: 'biz-sales-2', reason: 'transferred', ruleId: 'CUS-2', actorId: 'biz-manager' });
  });

  it('OVL-8 the Department Manager may not transfer a protected customer (409 PROTECTED_CUSTOMER): it stays its protector\'s and nothing is recorded', async () => {
    const { customer, protection } = await protectedCustomer('OVL8 保护期内移交', 'biz-sales-1');
    const before = (await call('biz-manager', 'GET', `/api/v1/customers/${customer.id}`)).body;
    const refused = await call('biz-manager', 'POST', `/api/v1/customers/${customer.id}/transfers`, { toSalespersonId: 'biz-sales-2' });
    expect(refused.status).toBe(409);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'PROTECTED_CUSTOMER', ruleId: 'OVL-8' });
    expect(refused.body.detail).toContain('co-development');
    const after = (await call('biz-manager', 'GET', `/api/v1/customers/${customer.id}`)).body;
    expect(after).toMatchObject({ ownerId: 'biz-sales-1', status: 'protected', protection: { id: protection.id, protectorId: 'biz-sales-1', status: 'active' } });
    expect(after.ownershipHistory).toEqual(before.ownershipHistory);
    // the protector still files the reports; the would-be recipient may not
    expect((await call('biz-sales-2', 'POST', `/api/v1/protections/${protection.id}/reports`, { summary: 's' })).status).toBe(404);
  });

  it('SEC-4 the ownership history cannot be modified or deleted (append-only)', async () => {
    // The application role may not even try (issue 17); the trigger refuses the tables' owner too.
    await expect(db.sql`update customer_ownership_history set reason = 'transferred'`).rejects.toThrow(/permission denied/);
    const owner = connect(db.ownerUrl, { max: 1 });
    try {
      await expect(owner`update customer_ownership_history set reason = 'transferred'`).rejects.toThrow(/append-only/);
      await expect(owner`delete from customer_ownership_history`).rejects.toThrow(/append-only/);
    } finally {
      await owner.end({ timeout: 5 });
    }
  });

  it('SEC-5 a departure is reported by HR or the leaver\'s Department Manager, for a salesperson', async () => {
    expect((await call('floor-manager', 'POST', '/api/v1/users/biz-sales-2/departure', {})).body).toMatchObject({ status: 403, code: 'DEPARTURE_NOT_ALLOWED', ruleId: 'SEC-5' });
    expect((await call('biz-sales-1', 'POST', '/api/v1/users/biz-sales-2/departure', {})).status).toBe(403);
    expect((await call('hr-manager', 'POST', '/api/v1/users/finance-clerk/departure', {})).body).toMatchObject({ status: 422, code: 'NOT_A_SALESPERSON' });
    expect((await call('hr-manager', 'POST', '/api/v1/users/biz-sales-2/departure', { note: 1 })).status).toBe(400);
  });
});
