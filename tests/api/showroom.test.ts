// The showroom through the HTTP API on a real PostgreSQL (one connection, as local mode): whose
// customer a visitor is and how a sale closed there is split (OVL-5..7), the regional hand-over
// of a gift-trade customer from outside Linyi on the time-skipping server (REG-1), protected
// orders and flagged quotes (REG-3), refusals that change nothing, and who reads what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyDate } from '../../engine/definition/feel.ts';
import { salesProcesses } from '../../areas/sales/definitions.ts';
import { regionalHandoverDefinition } from '../../areas/showroom/definitions.ts';
import { apiExpectations } from '../support/api-expect.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';
import { eventually, type EngineHarness } from '../support/engine.ts';

const DAY = 24 * 3_600_000;

let api: EngineApiSuite;
let engine: EngineHarness;
const sql = () => engine.db.sql;
const today = () => policyDate(Date.now());

beforeAll(async () => {
  api = await startApiSuite({ definitions: [regionalHandoverDefinition, ...salesProcesses] });
  engine = api.engine;
  await sql()`
    insert into customers (id, name, card_type, city, region, department_id, owner_id, status, created_by) values
      ('c-biz-owned', '业务部老客户', 'terminal', '临沂', '临沂', 'business', 'biz-sales-1', 'owned', 'biz-sales-1'),
      ('c-biz-prospect', '业务部意向客户', 'terminal', '临沂', '临沂', 'business', 'biz-sales-2', 'protected', 'biz-sales-2'),
      ('c-jining', '济宁经销商', 'distributor', '济宁', '济宁', 'market', 'market-sales-1', 'owned', 'market-sales-1')`;
  await expectStatus(200, 'marketing-director', 'PUT', '/api/v1/showroom/commission-rates/business', { rate: 0.05 });
  await expectStatus(200, 'marketing-director', 'PUT', '/api/v1/showroom/commission-rates/sales-floor', { rate: 0.03 });
});

afterAll(() => api?.teardown());

const { expectStatus, expectProblem } = apiExpectations(() => api);

/** Reads until `ok` holds; fails when it never does. */
async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const value = await eventually(read, ok, 300);
  expect(ok(value), 'gave up waiting').toBe(true);
  return value;
}

const readVisit = (id: string) => () => expectStatus(200, 'floor-manager', 'GET', `/api/v1/showroom/visits/${id}`);
const visit = (userId: string, body: Record<string, unknown>) => expectStatus(201, userId, 'POST', '/api/v1/showroom/visits', body);
const sale = (userId: string, visitId: string, body: Record<string, unknown> = {}) =>
  expectStatus(201, userId, 'POST', `/api/v1/showroom/visits/${visitId}/sale`, { amount: 1000, cost: 500, productKind: '茶具礼盒', orderedOn: today(), ...body });
const prospect = (name: string, city = '临沂') => ({ name, city, region: city });
const penalties = async (ruleId: string) => (await expectStatus(200, 'hr-manager', 'GET', `/api/v1/penalties?ruleId=${ruleId}`)).penalties as { personId: string; amountYuan: number; kind: string }[];
const counts = async () => {
  const [row] = await sql()<{ visits: number; orders: number; attempts: number; customers: number; quotes: number; protectedOrders: number }[]>`
    select (select count(*)::int from showroom_visits) as visits, (select count(*)::int from orders) as orders,
      (select count(*)::int from showroom_contact_attempts) as attempts, (select count(*)::int from customers) as customers,
      (select count(*)::int from showroom_quotes) as quotes, (select count(*)::int from protected_orders) as "protectedOrders"`;
  return row!;
};
const shareSum = (credits: { share: number }[]) => credits.reduce((sum, c) => sum + c.share, 0);

describe('the showroom through the API', () => {
  it('OVL-5 REG-2 the named salesperson absent: 5:5 named:receiver; not handed over: all to the named one, the receiver fined 200 yuan once', async () => {
    const absent = await visit('floor-sales-1', { prospect: prospect('张先生'), trade: 'other', namedSalespersonId: 'floor-sales-2', namedOutcome: 'absent' });
    expect(absent).toMatchObject({ receivedBy: 'floor-sales-1', namedSalespersonId: 'floor-sales-2', regionalHandover: null, sale: null });
    const split = (await sale('floor-sales-1', absent.id)).sale;
    expect(split.rule).toBe('OVL-5');
    expect(split.credits).toEqual([
      { userId: 'floor-sales-1', share: 0.5, rateDepartmentId: 'sales-floor', rate: 0.03, commission: '15.00' },
      { userId: 'floor-sales-2', share: 0.5, rateDepartmentId: 'sales-floor', rate: 0.03, commission: '15.00' },
    ].sort((a, b) => b.share - a.share || a.userId.localeCompare(b.userId)));
    expect(shareSum(split.credits)).toBe(1);
    const [order] = await sql()`select channel, department_id, amount::text, status from orders where id = ${split.orderId}`;
    expect(order).toEqual({ channel: 'showroom', department_id: 'sales-floor', amount: '1000.00', status: 'final' });
    expect(await penalties('OVL-5')).toEqual([]);

    const kept = await visit('floor-sales-1', { prospect: prospect('李女士'), namedSalespersonId: 'floor-sales-2', namedOutcome: 'not_handed_over' });
    const fined = (await sale('floor-sales-1', kept.id, { amount: 800 })).sale;
    expect(fined.credits).toEqual([{ userId: 'floor-sales-2', share: 1, rateDepartmentId: 'sales-floor', rate: 0.03, commission: '24.00' }]);
    expect(await penalties('OVL-5')).toEqual([expect.objectContaining({ personId: 'floor-sales-1', amountYuan: 200, kind: 'named-salesperson-not-called' })]);
    // REG-2: at 37.5% margin the showroom's sale waits for the Showroom Manager's or GM's signature.
    const [unsigned] = await sql()`select status from orders where id = ${fined.orderId}`;
    expect(unsigned).toEqual({ status: 'awaiting_signature' });
    // A second filing of the sale is refused and proposes nothing more.
    await expectProblem(409, 'SALE_ALREADY_CLOSED', 'floor-sales-1', 'POST', `/api/v1/showroom/visits/${kept.id}/sale`, { amount: 800, cost: 500, productKind: '茶具礼盒', orderedOn: today() });
    expect(await penalties('OVL-5')).toHaveLength(1);

    // Handed over: the named salesperson's sale, whole.
    const handed = await visit('floor-sales-1', { prospect: prospect('王先生'), namedSalespersonId: 'floor-sales-2', namedOutcome: 'handed_over' });
    const file = (key: string) =>
      api.request('floor-sales-2', 'POST', `/api/v1/showroom/visits/${handed.id}/sale`, {
        json: { amount: 500, cost: 200, productKind: '茶叶', orderedOn: today(), closedBy: 'floor-sales-2' },
        headers: { 'idempotency-key': key },
      });
    const filed = await file('sale-1');
    expect(filed.status, filed.text).toBe(201);
    expect(filed.body.sale.credits).toEqual([expect.objectContaining({ userId: 'floor-sales-2', share: 1 })]);
    // A retry with the same key answers with the same sale; another key is a second filing, refused.
    const retried = await file('sale-1');
    expect(retried.status).toBe(200);
    expect(retried.body.sale.orderId).toBe(filed.body.sale.orderId);
    expect((await file('sale-2')).status).toBe(409);
    expect(await sql()`select 1 from orders where customer_id = ${handed.customerId}`).toHaveLength(1);
  });

  it('OVL-6 a Business Dept customer asking for their salesperson: the salesperson, then a colleague, only then the showroom; 5:5 on the Business Dept rate', async () => {
    const asked = await visit('floor-sales-1', { customerId: 'c-biz-owned', namedSalespersonId: 'biz-sales-1', askedForSalesperson: true });
    const path = `/api/v1/showroom/visits/${asked.id}`;
    const body = { amount: 2000, cost: 1000, productKind: '茶具礼盒', orderedOn: today() };
    const before = await counts();
    expect((await expectProblem(409, 'BUSINESS_DEPT_NOT_CONTACTED_FIRST', 'floor-sales-1', 'POST', `${path}/sale`, body)).ruleId).toBe('OVL-6');
    await expectStatus(200, 'floor-sales-1', 'POST', `${path}/contact-attempts`, { step: 'salesperson', userId: 'biz-sales-1', outcome: 'unavailable' });
    expect((await expectProblem(409, 'BUSINESS_DEPT_NOT_CONTACTED_FIRST', 'floor-sales-1', 'POST', `${path}/sale`, body)).ruleId).toBe('OVL-6');
    // The colleague is another person of the Business Dept; the salesperson step names the one asked for.
    await expectProblem(422, 'NOT_A_BUSINESS_DEPT_COLLEAGUE', 'floor-sales-1', 'POST', `${path}/contact-attempts`, { step: 'colleague', userId: 'floor-sales-2', outcome: 'unavailable' });
    await expectProblem(422, 'NOT_THE_SALESPERSON', 'floor-sales-1', 'POST', `${path}/contact-attempts`, { step: 'salesperson', userId: 'biz-sales-2', outcome: 'unavailable' });
    expect((await counts()).orders).toBe(before.orders);
    const contacted = await expectStatus(200, 'floor-sales-1', 'POST', `${path}/contact-attempts`, { step: 'colleague', userId: 'biz-sales-2', outcome: 'unavailable' });
    expect(contacted.contactAttempts.map((a: { seq: number; step: string; userId: string }) => [a.seq, a.step, a.userId])).toEqual([
      [1, 'salesperson', 'biz-sales-1'],
      [2, 'colleague', 'biz-sales-2'],
    ]);
    const split = (await expectStatus(201, 'floor-sales-1', 'POST', `${path}/sale`, body)).sale;
    expect(split.rule).toBe('OVL-6');
    expect(split.credits).toEqual([
      { userId: 'biz-sales-1', share: 0.5, rateDepartmentId: 'business', rate: 0.05, commission: '50.00' },
      { userId: 'floor-sales-1', share: 0.5, rateDepartmentId: 'business', rate: 0.05, commission: '50.00' },
    ]);
    expect(shareSum(split.credits)).toBe(1);

    // A colleague contacted before the salesperson does not count: the order is the rule.
    const early = await visit('floor-sales-2', {
      customerId: 'c-biz-owned',
      namedSalespersonId: 'biz-sales-1',
      askedForSalesperson: true,
      contactAttempts: [
        { step: 'colleague', userId: 'biz-sales-2', outcome: 'unavailable' },
        { step: 'salesperson', userId: 'biz-sales-1', outcome: 'unavailable' },
      ],
    });
    expect((await expectProblem(409, 'BUSINESS_DEPT_NOT_CONTACTED_FIRST', 'floor-sales-2', 'POST', `/api/v1/showroom/visits/${early.id}/sale`, body)).ruleId).toBe('OVL-6');
    // The salesperson who came closes their own sale, whole.
    const came = await visit('floor-sales-2', { customerId: 'c-biz-owned', namedSalespersonId: 'biz-sales-1', askedForSalesperson: true, contactAttempts: [{ step: 'salesperson', userId: 'biz-sales-1', outcome: 'serves' }] });
    expect((await sale('biz-sales-1', came.id, { closedBy: 'biz-sales-1' })).sale.credits).toEqual([expect.objectContaining({ userId: 'biz-sales-1', share: 1, rateDepartmentId: 'business' })]);
    // OVL-6 is for a Business Dept customer asking for a Business Dept salesperson.
    await expectProblem(422, 'NOT_A_BUSINESS_DEPT_CUSTOMER', 'floor-sales-1', 'POST', '/api/v1/showroom/visits', { prospect: prospect('赵先生'), namedSalespersonId: 'biz-sales-1', askedForSalesperson: true });
  });

  it('OVL-7 an unnamed Business Dept prospect closed at the showroom: half and half on the Business Dept rate; a dispute points to the adjudication', async () => {
    const unnamed = await visit('floor-sales-2', { customerId: 'c-biz-prospect' });
    const split = (await sale('floor-sales-2', unnamed.id, { amount: 3000, cost: 1500, disputed: true })).sale;
    expect(split.rule).toBe('OVL-7');
    expect(split.credits).toEqual([
      { userId: 'biz-sales-2', share: 0.5, rateDepartmentId: 'business', rate: 0.05, commission: '75.00' },
      { userId: 'floor-sales-2', share: 0.5, rateDepartmentId: 'business', rate: 0.05, commission: '75.00' },
    ]);
    expect(split).toMatchObject({ disputed: true, adjudication: '/api/v1/customers/c-biz-prospect/adjudications' });
    // The Business Dept salesperson credited reads the visit.
    expect((await expectStatus(200, 'biz-sales-2', 'GET', `/api/v1/showroom/visits/${unnamed.id}`)).sale.rule).toBe('OVL-7');
  });

  it('REG-1 a gift-trade customer from outside Linyi: handed to the Market Dept moves the customer; a Linyi one starts nothing', async () => {
    const local = await visit('floor-sales-1', { prospect: prospect('兰山茶楼', '临沂市兰山区'), trade: 'tea' });
    expect(local.regionalHandover).toBeNull();
    expect(await sql()`select 1 from process_outbox where process_id like ${`%${local.id}`}`).toHaveLength(0);

    // A customer a region already keeps is not handed over again.
    expect((await visit('floor-sales-1', { customerId: 'c-jining', trade: 'tea' })).regionalHandover).toBeNull();

    const regional = await visit('floor-sales-1', { prospect: prospect('济南礼品店', '济南市'), trade: 'gift_retail' });
    expect(regional.regionalHandover).toMatchObject({ status: 'pending', processId: `showroom-handover-${regional.id}` });
    const task = await waitFor(
      async () => {
        const { tasks } = await expectStatus(200, 'floor-manager', 'GET', '/api/v1/tasks?limit=200');
        return (tasks as { id: string; nodeId: string; process: { businessKey: string } }[]).find((t) => t.nodeId === 'handOver' && t.process.businessKey === regional.id);
      },
      (found) => found !== undefined,
    );
    await expectStatus(200, 'floor-manager', 'POST', `/api/v1/tasks/${encodeURIComponent(task!.id)}/complete`, { outcome: 'market' });
    const handed = await waitFor(readVisit(regional.id), (body) => body.regionalHandover.status === 'handed_over');
    expect(handed.regionalHandover.departmentId).toBe('market');
    const [customer] = await sql()`select department_id, owner_id, status from customers where id = ${regional.customerId}`;
    expect(customer).toEqual({ department_id: 'market', owner_id: 'market-manager', status: 'owned' });
    const history = await sql()`select reason, rule_id, actor_id, to_owner_id from customer_ownership_history where customer_id = ${regional.customerId}`;
    expect(history).toEqual([{ reason: 'regional_handover', rule_id: 'REG-1', actor_id: 'floor-manager', to_owner_id: 'market-manager' }]);
    expect(await penalties('REG-1')).toEqual([]);
  });

  it('REG-1 a hand-over not made by the deadline proposes the 500-yuan fine for the receiver, once', async () => {
    const regional = await visit('floor-sales-2', { prospect: prospect('上海礼仪公司', '上海'), trade: 'event_planning' });
    await waitFor(() => sql()`select 1 from tasks where process_id = ${regional.regionalHandover.processId}`, (rows) => rows.length === 1);
    await engine.env.sleep(4 * DAY);
    const missed = await waitFor(readVisit(regional.id), (body) => body.regionalHandover.status === 'missed');
    expect(missed.regionalHandover.departmentId).toBeNull();
    await engine.env.sleep(2 * DAY);
    expect(await penalties('REG-1')).toEqual([expect.objectContaining({ personId: 'floor-sales-2', amountYuan: 500, kind: 'regional-customer-not-handed-over' })]);
    const [customer] = await sql()`select department_id from customers where id = ${regional.customerId}`;
    expect(customer).toEqual({ department_id: 'sales-floor' });
  });

  it('REG-3 a showroom quote below the floor of an order the region protects is flagged, for the Showroom Manager and the region', async () => {
    await expectProblem(403, 'NOT_A_REGION', 'floor-sales-1', 'POST', '/api/v1/showroom/protected-orders', { customerId: 'c-jining', products: ['茶具礼盒'], priceFloor: 300, until: today() });
    const until = policyDate(Date.now() + 30 * DAY);
    const announced = await expectStatus(201, 'market-manager', 'POST', '/api/v1/showroom/protected-orders', { customerId: 'c-jining', products: ['茶具礼盒', '茶叶'], priceFloor: 300, until });
    expect(announced).toMatchObject({ departmentId: 'market', region: '济宁', priceFloor: '300.00', until });
    const [notice] = await sql()`select user_id from notifications where kind = 'showroom.protected_order'`;
    expect(notice).toEqual({ user_id: 'floor-manager' });
    expect((await expectStatus(200, 'floor-sales-1', 'GET', '/api/v1/showroom/protected-orders')).protectedOrders.map((o: { id: string }) => o.id)).toEqual([announced.id]);

    const quote = (price: number, region = '济宁') => expectStatus(201, 'floor-sales-1', 'POST', '/api/v1/showroom/quotes', { customer: { name: '终端客户', city: region, region }, product: ' 茶具礼盒 ', price });
    const under = await quote(250);
    expect(under).toMatchObject({ flagged: true, undercuts: { protectedOrderId: announced.id, departmentId: 'market' } });
    expect(await quote(300)).toMatchObject({ flagged: false, undercuts: null });
    expect(await quote(250, '潍坊')).toMatchObject({ flagged: false });
    // The region's own distributor is not a terminal customer: its price is the region's business.
    expect(await expectStatus(201, 'floor-sales-1', 'POST', '/api/v1/showroom/quotes', { customerId: 'c-jining', product: '茶叶', price: 10 })).toMatchObject({ flagged: false });

    const flagged = (userId: string) => expectStatus(200, userId, 'GET', '/api/v1/showroom/quotes?flagged=true').then((b) => b.quotes.map((q: { id: string }) => q.id));
    expect(await flagged('floor-manager')).toEqual([under.id]);
    expect(await flagged('market-manager')).toEqual([under.id]);
    expect(await flagged('expansion-manager')).toEqual([]);
    await expectProblem(403, 'NOT_SHOWROOM_OR_REGION', 'biz-sales-1', 'GET', '/api/v1/showroom/quotes');
    const told = await sql()`select user_id from notifications where kind = 'showroom.quote_undercuts' order by user_id`;
    expect(told.map((r) => r.user_id)).toEqual(['floor-manager', 'market-manager']);
  });

  it('OVL-5 REG-1 REG-3 bad input is a 400 or 422 and changes nothing', async () => {
    const before = await counts();
    await expectProblem(400, 'INVALID_INPUT', 'floor-sales-1', 'POST', '/api/v1/showroom/visits', { customerId: 'c-biz-owned', prospect: prospect('两者都有') });
    await expectProblem(400, 'INVALID_INPUT', 'floor-sales-1', 'POST', '/api/v1/showroom/visits', { prospect: prospect('某某'), trade: 'bakery' });
    await expectProblem(422, 'UNKNOWN_CUSTOMER', 'floor-sales-1', 'POST', '/api/v1/showroom/visits', { customerId: 'no-such-customer' });
    await expectProblem(422, 'NAMED_OUTCOME_REQUIRED', 'floor-sales-1', 'POST', '/api/v1/showroom/visits', { prospect: prospect('某某'), namedSalespersonId: 'floor-sales-2' });
    await expectProblem(422, 'UNKNOWN_PERSON', 'floor-sales-1', 'POST', '/api/v1/showroom/visits', { prospect: prospect('某某'), receivedBy: 'nobody' });
    await expectProblem(422, 'NOT_SHOWROOM_STAFF', 'floor-sales-1', 'POST', '/api/v1/showroom/visits', { prospect: prospect('某某'), receivedBy: 'biz-sales-1' });
    await expectProblem(403, 'NOT_SHOWROOM_STAFF', 'biz-sales-1', 'POST', '/api/v1/showroom/visits', { prospect: prospect('某某') });
    const record = () => api.request('floor-sales-1', 'POST', '/api/v1/showroom/visits', { json: { prospect: prospect('普通客户') }, headers: { 'idempotency-key': 'plain-visit' } });
    const plain = (await record()).body;
    const again = await record();
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(plain.id);
    const after = await counts();
    expect(after).toEqual({ ...before, visits: before.visits + 1, customers: before.customers + 1 });
    const path = `/api/v1/showroom/visits/${plain.id}/sale`;
    const good = { amount: 100, cost: 50, productKind: '茶叶', orderedOn: today() };
    await expectProblem(400, 'INVALID_INPUT', 'floor-sales-1', 'POST', path, { ...good, amount: -1 });
    await expectProblem(400, 'INVALID_INPUT', 'floor-sales-1', 'POST', path, { ...good, orderedOn: '2026-02-30' });
    await expectProblem(422, 'ORDER_DATE_AHEAD', 'floor-sales-1', 'POST', path, { ...good, orderedOn: policyDate(Date.now() + 2 * DAY) });
    await expectProblem(422, 'NOT_AN_OVL7_SALE', 'floor-sales-1', 'POST', path, { ...good, disputed: true });
    await expectProblem(422, 'NOT_A_CLOSER', 'floor-sales-1', 'POST', path, { ...good, closedBy: 'floor-sales-2' });
    await expectProblem(422, 'NOT_ASKED_FOR_SALESPERSON', 'floor-sales-1', 'POST', `/api/v1/showroom/visits/${plain.id}/contact-attempts`, { step: 'salesperson', userId: 'biz-sales-1', outcome: 'unavailable' });
    await expectProblem(400, 'INVALID_INPUT', 'market-manager', 'POST', '/api/v1/showroom/protected-orders', { customerId: 'c-jining', products: [], priceFloor: 300, until: today() });
    await expectProblem(422, 'PROTECTED_UNTIL_PAST', 'market-manager', 'POST', '/api/v1/showroom/protected-orders', { customerId: 'c-jining', products: ['茶叶'], priceFloor: 300, until: '2020-01-01' });
    await expectProblem(400, 'INVALID_INPUT', 'floor-sales-1', 'POST', '/api/v1/showroom/quotes', { product: '茶叶', price: 10 });
    await expectProblem(400, 'INVALID_INPUT', 'marketing-director', 'PUT', '/api/v1/showroom/commission-rates/business', { rate: 1.5 });
    await expectProblem(404, 'DEPARTMENT_NOT_FOUND', 'marketing-director', 'PUT', '/api/v1/showroom/commission-rates/nowhere', { rate: 0.5 });
    expect(await counts()).toEqual(after);
    expect((await expectStatus(200, 'floor-sales-1', 'GET', '/api/v1/showroom/commission-rates')).rates).toContainEqual(expect.objectContaining({ departmentId: 'business', rate: 0.05 }));
  });

  it('REG-5 the Marketing Director, who interprets the showroom rules, sets the commission rates; nobody else may, and a refusal changes nothing', async () => {
    for (const userId of ['biz-manager', 'floor-manager', 'gm', 'floor-sales-1']) {
      await expectProblem(403, 'NOT_THE_MARKETING_DIRECTOR', userId, 'PUT', '/api/v1/showroom/commission-rates/market', { rate: 0.5 });
    }
    const rates = async () => (await expectStatus(200, 'floor-sales-1', 'GET', '/api/v1/showroom/commission-rates')).rates as { departmentId: string; rate: number }[];
    expect((await rates()).find((r) => r.departmentId === 'market')?.rate).not.toBe(0.5);
    await expectStatus(200, 'marketing-director', 'PUT', '/api/v1/showroom/commission-rates/market', { rate: 0.04 });
    expect(await rates()).toContainEqual(expect.objectContaining({ departmentId: 'market', rate: 0.04 }));
  });

  it('OVL-5 who may see a visit: the Showroom Manager, the Marketing Director and the staff involved; 404 for anyone else', async () => {
    const seen = await visit('floor-sales-1', { prospect: prospect('可见性客户'), namedSalespersonId: 'floor-sales-2', namedOutcome: 'absent' });
    const path = `/api/v1/showroom/visits/${seen.id}`;
    for (const userId of ['floor-sales-1', 'floor-sales-2', 'floor-manager', 'marketing-director']) await expectStatus(200, userId, 'GET', path);
    for (const userId of ['biz-sales-1', 'market-manager', 'gm']) await expectProblem(404, 'VISIT_NOT_FOUND', userId, 'GET', path);
    await expectProblem(404, 'VISIT_NOT_FOUND', 'biz-sales-1', 'POST', `${path}/sale`, { amount: 1, cost: 1, productKind: '茶叶', orderedOn: today() });
    // The list: all for the overseers, one's own visits for anyone else.
    const ids = async (userId: string) => (await expectStatus(200, userId, 'GET', '/api/v1/showroom/visits?limit=200')).visits.map((v: { id: string }) => v.id) as string[];
    const all = await ids('floor-manager');
    expect(all).toContain(seen.id);
    expect(await ids('marketing-director')).toEqual(all);
    const bizVisits = await ids('biz-sales-1');
    expect(bizVisits.length).toBeGreaterThan(0);
    expect(bizVisits).not.toContain(seen.id);
    expect(await ids('market-manager')).toEqual([]);
    // Pages through keyset cursors, the latest first.
    const first = await expectStatus(200, 'floor-manager', 'GET', '/api/v1/showroom/visits?limit=2');
    const second = await expectStatus(200, 'floor-manager', 'GET', `/api/v1/showroom/visits?limit=2&cursor=${first.nextCursor}`);
    expect([...first.visits, ...second.visits].map((v: { id: string }) => v.id)).toEqual(all.slice(0, 4));
  });
});
