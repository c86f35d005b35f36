// Orders, REG-2's signature on low-margin showroom orders, REG-4 and the 7P analysis (CRM-1)
// through the API, on the time-skipping server with the real activities and PostgreSQL holding the
// demo organisation.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerProcesses } from '../../areas/customers/definitions.ts';
import { salesProcesses } from '../../areas/sales/definitions.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';
import { decide, eventually, openTasks } from '../support/engine.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

let api: EngineApiSuite;

beforeAll(async () => {
  api = await startApiSuite({ definitions: [...salesProcesses, ...customerProcesses] });
});

afterAll(() => api?.teardown());

const call = (userId: string, method: string, path: string, json?: unknown, headers?: Record<string, string>) => api.request(userId, method, path, { json, headers });
const sql = () => api.engine.db.sql;
const orderCount = async () => (await sql()<{ n: number }[]>`select count(*)::int as n from orders`)[0]!.n;

/** A customer of `departmentId`, owned by `ownerId` or in the open pool. */
async function customer(options: { departmentId: string; ownerId: string | null; cardType?: 'terminal' | 'distributor'; city?: string; region?: string; name?: string }): Promise<string> {
  const id = randomUUID();
  await sql()`
    insert into customers (id, name, card_type, city, region, department_id, owner_id, status, created_by)
    values (${id}, ${options.name ?? `客户 ${id.slice(0, 8)}`}, ${options.cardType ?? 'terminal'}, ${options.city ?? '临沂'}, ${options.region ?? '山东'}, ${options.departmentId},
            ${options.ownerId}, ${options.ownerId ? 'owned' : 'open'}, 'gm')`;
  return id;
}

const order = (customerId: string, extra: Record<string, unknown> = {}) => ({ kind: 'order', customerId, channel: 'business', amount: 1000, cost: 500, ...extra });

describe('orders', () => {
  it('a salesperson files an order for their own customer, credited alone; their manager, the Marketing Director and the GM read it; others get 404', async () => {
    const mine = await customer({ departmentId: 'business', ownerId: 'biz-sales-1', city: '临沂', region: '山东' });
    const filed = await call('biz-sales-1', 'POST', '/api/v1/orders', order(mine, { productKind: '礼品', orderedOn: '2026-01-05' }));
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    expect(filed.body).toMatchObject({
      kind: 'order',
      customerId: mine,
      channel: 'business',
      departmentId: 'business',
      region: '山东',
      city: '临沂',
      amount: '1000.00',
      cost: '500.00',
      margin: '0.5000',
      status: 'final',
      signatureProcessId: null,
      createdBy: 'biz-sales-1',
      credits: [{ userId: 'biz-sales-1', share: 1, rateDepartmentId: 'business' }],
    });
    expect(filed.headers.get('location')).toBe(`/api/v1/orders/${filed.body.id}`);
    for (const reader of ['biz-sales-1', 'biz-manager', 'marketing-director', 'gm', 'dgm-sales']) {
      expect((await call(reader, 'GET', `/api/v1/orders/${filed.body.id}`)).status, reader).toBe(200);
    }
    for (const other of ['biz-sales-2', 'floor-manager', 'market-manager', 'finance-clerk', 'dgm-admin']) {
      const hidden = await call(other, 'GET', `/api/v1/orders/${filed.body.id}`);
      expect(hidden.status, other).toBe(404);
      expect(hidden.body.code).toBe('ORDER_NOT_FOUND');
    }
    expect((await call('biz-sales-2', 'GET', `/api/v1/orders?customer=${mine}`)).body.orders).toEqual([]);
  });

  it('a colleague may not file for a customer they neither own nor protect (ACC-4: the refusal does not name it to them); showroom staff file at the showroom with a 5:5 split', async () => {
    const theirs = await customer({ departmentId: 'business', ownerId: 'biz-sales-1', name: '矩阵不可见客户' });
    const refused = await call('biz-sales-2', 'POST', '/api/v1/orders', order(theirs));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'MAY_NOT_FILE_ORDER', ruleId: 'OVL-8' });
    expect(refused.body.detail).not.toContain('矩阵不可见客户');
    expect(refused.body.detail).toContain(theirs);
    // Whoever may see it is told its name: the Marketing Director (SEC-1) files for no one's customer outside the showroom.
    const named = await call('marketing-director', 'POST', '/api/v1/orders', order(theirs));
    expect(named.status).toBe(403);
    expect(named.body.detail).toContain('矩阵不可见客户');
    const split = await call('floor-sales-1', 'POST', '/api/v1/orders', {
      ...order(theirs, { channel: 'showroom', amount: 2000, cost: 1000 }),
      credits: [
        { userId: 'floor-sales-1', share: 0.5, rateDepartmentId: 'business' },
        { userId: 'biz-sales-1', share: 0.5 },
      ],
    });
    expect(split.status, JSON.stringify(split.body)).toBe(201);
    expect(split.body).toMatchObject({ departmentId: 'sales-floor', status: 'final' });
    expect(split.body.credits).toEqual([
      { userId: 'biz-sales-1', share: 0.5, rateDepartmentId: 'business' },
      { userId: 'floor-sales-1', share: 0.5, rateDepartmentId: 'business' },
    ]);
    // credited, biz-sales-1 reads it; the Showroom Manager reads the showroom's
    expect((await call('biz-sales-1', 'GET', `/api/v1/orders/${split.body.id}`)).status).toBe(200);
    expect((await call('floor-manager', 'GET', `/api/v1/orders/${split.body.id}`)).status).toBe(200);
  });

  it('lists filter by customer, salesperson, channel, department and dates, a keyset page at a time', async () => {
    const id = await customer({ departmentId: 'business', ownerId: 'biz-sales-2' });
    const days = ['2026-02-01', '2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05'];
    for (const orderedOn of days) expect((await call('biz-sales-2', 'POST', '/api/v1/orders', order(id, { orderedOn }))).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { orders: { orderedOn: string }[]; nextCursor: string | null } } = await call('biz-manager', 'GET', `/api/v1/orders?customer=${id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.orders.map((o) => o.orderedOn));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...days].reverse());
    const window = await call('biz-manager', 'GET', `/api/v1/orders?customer=${id}&from=2026-02-02&to=2026-02-03&salesperson=biz-sales-2&channel=business&department=business`);
    expect(window.body.orders.map((o: { orderedOn: string }) => o.orderedOn)).toEqual(['2026-02-03', '2026-02-02']);
    expect((await call('biz-manager', 'GET', `/api/v1/orders?customer=${id}&channel=showroom`)).body.orders).toEqual([]);
    expect((await call('biz-manager', 'GET', '/api/v1/orders?cursor=nonsense')).body).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
  });

  it('the Idempotency-Key files once; the same key with another body is refused', async () => {
    const id = await customer({ departmentId: 'business', ownerId: 'biz-sales-1' });
    const key = { 'idempotency-key': `order-${randomUUID()}` };
    const first = await call('biz-sales-1', 'POST', '/api/v1/orders', order(id, { orderedOn: '2026-03-01' }), key);
    expect(first.status).toBe(201);
    const before = await orderCount();
    const again = await call('biz-sales-1', 'POST', '/api/v1/orders', order(id, { orderedOn: '2026-03-01' }), key);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const other = await call('biz-sales-1', 'POST', '/api/v1/orders', order(id, { orderedOn: '2026-03-01', amount: 999 }), key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await orderCount()).toBe(before);
  });

  it('bad input is a 400 or 422 problem and changes nothing', async () => {
    const id = await customer({ departmentId: 'business', ownerId: 'biz-sales-1' });
    const before = await orderCount();
    for (const body of [
      order(id, { amount: -1 }),
      order(id, { amount: 0 }),
      order(id, { amount: 10.001 }),
      order(id, { channel: 'online' }),
      order(id, { kind: 'quote' }),
      order(id, { orderedOn: '2026-02-30' }),
      order(id, { discount: 5 }),
      { ...order(id), credits: [] },
      { ...order(id), credits: [{ userId: 'biz-sales-1', share: 1.5 }] },
    ]) {
      const reply = await call('biz-sales-1', 'POST', '/api/v1/orders', body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.type).toContain('application/problem+json');
    }
    expect((await call('biz-sales-1', 'POST', '/api/v1/orders', '{' as never)).status).toBe(400);
    for (const [body, code] of [
      [{ ...order(id), credits: [{ userId: 'biz-sales-1', share: 0.5 }, { userId: 'biz-sales-2', share: 0.4 }] }, 'SHARES_NOT_ONE'],
      [{ ...order(id), credits: [{ userId: 'biz-sales-1', share: 0.5 }, { userId: 'biz-sales-1', share: 0.5 }] }, 'DUPLICATE_SALESPERSON'],
      [{ ...order(id), credits: [{ userId: 'nobody', share: 1 }] }, 'USER_NOT_FOUND'],
      [order(randomUUID()), 'UNKNOWN_CUSTOMER'],
      [order(id, { departmentId: 'no-such-dept' }), 'UNKNOWN_DEPARTMENT'],
      [order(id, { orderedOn: '2999-01-01' }), 'ORDER_DATE_IN_FUTURE'],
    ] as const) {
      const reply = await call('biz-sales-1', 'POST', '/api/v1/orders', body);
      expect(reply.status, code).toBe(422);
      expect(reply.body.code).toBe(code);
      expect(reply.type).toContain('application/problem+json');
    }
    expect(await orderCount()).toBe(before);
  });

  it('OVL-8 an intent order for a customer under protection ends the protection with the customer kept', async () => {
    const pool = await customer({ departmentId: 'business', ownerId: null });
    const assigned = await call('biz-manager', 'POST', `/api/v1/customers/${pool}/assignments`, { salespersonId: 'biz-sales-2' });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(201);
    await eventually(() => sql()<{ status: string }[]>`select status from protections where id = ${assigned.body.id}`, (rows) => rows[0]?.status === 'active');
    const intent = await call('biz-sales-2', 'POST', '/api/v1/orders', { kind: 'intent', customerId: pool, channel: 'business', amount: 5000, cost: 3000 });
    expect(intent.status, JSON.stringify(intent.body)).toBe(201);
    const ended = await eventually(
      () => sql()<{ status: string; reference: string | null }[]>`select status, intent_order_reference as reference from protections where id = ${assigned.body.id}`,
      (rows) => rows[0]?.status === 'converted',
    );
    expect(ended[0]).toEqual({ status: 'converted', reference: `order:${intent.body.id}` });
    const [kept] = await sql()<{ status: string; owner_id: string }[]>`select status, owner_id from customers where id = ${pool}`;
    expect(kept).toEqual({ status: 'owned', owner_id: 'biz-sales-2' });
  });
});

describe('REG-2: showroom orders below 40% margin', () => {
  const showroomOrder = (customerId: string, amount: number, cost: number) => ({ kind: 'order', customerId, channel: 'showroom', amount, cost, productKind: '礼品' });

  it('REG-2 an order at 40% is final; below 40% it waits for the Showroom Manager, who signs it final', async () => {
    const id = await customer({ departmentId: 'sales-floor', ownerId: 'floor-sales-2' });
    const atFloor = await call('floor-sales-1', 'POST', '/api/v1/orders', showroomOrder(id, 1000, 600));
    expect(atFloor.body).toMatchObject({ margin: '0.4000', status: 'final', signatureProcessId: null });
    const below = await call('floor-sales-1', 'POST', '/api/v1/orders', showroomOrder(id, 1000, 600.01));
    expect(below.status).toBe(201);
    expect(below.body).toMatchObject({ status: 'awaiting_signature', signedBy: null });
    const processId = below.body.signatureProcessId as string;
    const [task] = await openTasks(api.engine, processId);
    expect([...task!.candidateIds].sort()).toEqual(['floor-manager', 'gm']);
    await decide(api.engine, processId, task!.id, 'floor-manager', 'sign');
    const signed = await eventually(() => call('floor-sales-1', 'GET', `/api/v1/orders/${below.body.id}`), (reply) => reply.body.status === 'final');
    expect(signed.body).toMatchObject({ status: 'final', signedBy: 'floor-manager' });
    expect(signed.body.signedAt).not.toBeNull();
  });

  it('REG-2 a refused signature cancels the order and tells the filer', async () => {
    const id = await customer({ departmentId: 'sales-floor', ownerId: 'floor-sales-2' });
    const below = await call('floor-sales-2', 'POST', '/api/v1/orders', showroomOrder(id, 500, 400));
    const processId = below.body.signatureProcessId as string;
    const [task] = await openTasks(api.engine, processId);
    await decide(api.engine, processId, task!.id, 'gm', 'refuse');
    const refused = await eventually(() => call('floor-sales-2', 'GET', `/api/v1/orders/${below.body.id}`), (reply) => reply.body.status === 'cancelled');
    expect(refused.body).toMatchObject({ status: 'cancelled', signedBy: null });
    const notices = await sql()<{ user_id: string }[]>`select user_id from notifications where kind = 'order.signature_refused' and text like ${`%${below.body.id}%`}`;
    expect(notices.map((n) => n.user_id)).toEqual(['floor-sales-2']);
  });

  it('REG-2 an order still unsigned past the deadline proposes the 200-yuan fine for its filer, once; signing later makes it final', async () => {
    const id = await customer({ departmentId: 'sales-floor', ownerId: 'floor-sales-1' });
    const below = await call('floor-sales-1', 'POST', '/api/v1/orders', showroomOrder(id, 800, 700));
    const processId = below.body.signatureProcessId as string;
    const fines = () => sql()<{ person_id: string; amount_yuan: number; rule_id: string; kind: string }[]>`
      select person_id, amount_yuan, rule_id, kind from penalties where evidence like ${`%${below.body.id}%`}`;
    await openTasks(api.engine, processId);
    await api.engine.env.sleep(2 * DAY);
    expect(await fines()).toEqual([]);
    await api.engine.env.sleep(DAY + HOUR);
    const proposed = await eventually(fines, (rows) => rows.length > 0);
    expect(proposed).toEqual([{ person_id: 'floor-sales-1', amount_yuan: 200, rule_id: 'REG-2', kind: 'low-margin-unsigned' }]);
    await api.engine.env.sleep(5 * DAY);
    expect(await fines()).toHaveLength(1);
    const [task] = await openTasks(api.engine, processId);
    await decide(api.engine, processId, task!.id, 'floor-manager', 'sign');
    const signed = await eventually(() => call('floor-sales-1', 'GET', `/api/v1/orders/${below.body.id}`), (reply) => reply.body.status === 'final');
    expect(signed.body.signedBy).toBe('floor-manager');
    expect(await fines()).toHaveLength(1);
  });
});
