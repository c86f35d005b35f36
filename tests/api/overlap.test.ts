// Overlapping customers through the API (OVL-1..4, OVL-7) and the confidential open pool (SEC-1),
// on the time-skipping server with the real activities and PostgreSQL holding the demo
// organisation. Orders, contacts and card versions are written as the areas that own them write
// them; the evidence is computed by the adjudication's own SQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlapProcesses } from '../../areas/overlap/definitions.ts';
import { policyDate } from '../../engine/definition/feel.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';
import { openTasks } from '../support/engine.ts';

const DAY = 86_400_000;

let api: EngineApiSuite;

beforeAll(async () => {
  api = await startApiSuite({ definitions: overlapProcesses });
});

afterAll(() => api?.teardown());

const call = (userId: string, method: string, path: string, json?: unknown) => api.request(userId, method, path, { json });
const sql = () => api.engine.db.sql;
const daysAgo = (n: number) => policyDate(Date.now() - n * DAY);

/** A terminal customer of `departmentId`, owned by `ownerId` or in the department's pool. */
async function customer(options: { departmentId?: string; ownerId?: string | null } = {}): Promise<string> {
  const id = randomUUID();
  const ownerId = options.ownerId ?? null;
  await sql()`
    insert into customers (id, name, card_type, city, region, department_id, owner_id, status, created_by)
    values (${id}, ${`客户 ${id.slice(0, 8)}`}, 'terminal', '临沂', '山东', ${options.departmentId ?? 'business'}, ${ownerId}, ${ownerId ? 'owned' : 'open'}, 'biz-manager')`;
  return id;
}

/** An order on the trade record (areas/sales), crediting salespeople with their shares. */
async function order(customerId: string, o: { amount: number; on: string; credits: [string, number][]; kind?: 'intent' | 'order'; status?: string; channel?: string }) {
  const id = randomUUID();
  const [first] = o.credits;
  const [creator] = await sql()<{ departmentId: string }[]>`select department_id as "departmentId" from users where id = ${first![0]}`;
  await sql()`
    insert into orders (id, kind, customer_id, channel, department_id, region, city, amount, cost, ordered_on, status, created_by)
    values (${id}, ${o.kind ?? 'order'}, ${customerId}, ${o.channel ?? 'business'}, ${creator!.departmentId}, '山东', '临沂', ${o.amount}, ${o.amount / 2}, ${o.on}, ${o.status ?? 'final'}, ${first![0]})`;
  for (const [userId, share] of o.credits) {
    await sql()`insert into order_salespeople (order_id, user_id, share, rate_department_id) values (${id}, ${userId}, ${share}, 'business')`;
  }
}

async function contact(customerId: string, salespersonId: string, channel: string, on: string) {
  await sql()`
    insert into customer_contacts (id, customer_id, salesperson_id, channel, contacted_on, summary, recorded_at)
    values (${randomUUID()}, ${customerId}, ${salespersonId}, ${channel}, ${on}, 'follow-up', now())`;
}

/** A new version of the card, written by `by`, changing `fields` (group.field = value). */
async function cardVersion(customerId: string, by: string, version: number, content: Record<string, Record<string, string>>, changed: string[]) {
  await sql()`
    insert into customer_cards (customer_id, version, content, completeness, updated_by, updated_at)
    values (${customerId}, ${version}, ${sql().json(content)}, 0, ${by}, now())
    on conflict (customer_id) do update set version = excluded.version, content = excluded.content, updated_by = excluded.updated_by`;
  await sql()`
    insert into customer_card_versions (customer_id, version, content, changed_fields, changed_by, changed_at)
    values (${customerId}, ${version}, ${sql().json(content)}, ${changed}, ${by}, now())`;
}

/** The adjudication once the process has computed its evidence. */
async function withEvidence(id: string, reader = 'marketing-director') {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const reply = await call(reader, 'GET', `/api/v1/adjudications/${id}`);
    if (reply.body.parties?.every((p: { evidence: unknown }) => p.evidence !== null)) return reply.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`adjudication ${id} has no evidence`);
}

type Task = Awaited<ReturnType<typeof openTasks>>[number];
const at = (tasks: Task[], node: string) => tasks.filter((t) => t.nodeId === node);

/** Signs every party's submission through the inbox, as each party's Department Manager. */
async function signAll(processId: string, parties: number) {
  const signs = at(await openTasks(api.engine, processId, parties), 'sign');
  expect(signs).toHaveLength(parties);
  for (const [i, task] of signs.entries()) {
    // a note is optional
    const reply = await call(task.candidateIds[0]!, 'POST', `/api/v1/tasks/${task.id}/complete`, { outcome: 'signed', data: i === 0 ? { note: 'reviewed' } : {} });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  }
}

async function scoreTasks(processId: string, members: number): Promise<Task[]> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const tasks = at(await openTasks(api.engine, processId), 'score');
    if (tasks.length === members) return tasks;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`expected ${members} scoring tasks`);
}

async function decided(id: string) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const reply = await call('marketing-director', 'GET', `/api/v1/adjudications/${id}`);
    if (reply.body.status === 'decided') return reply.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`adjudication ${id} was not decided`);
}

describe('an adjudication end to end (OVL-1, OVL-2, OVL-3)', () => {
  let customerId: string;
  let adjudication: { id: string; processId: string };

  it("OVL-1 a claim on a colleague's customer opens an adjudication; each party's evidence is computed from orders, contacts and the card", async () => {
    customerId = await customer({ ownerId: 'biz-sales-1' });
    await order(customerId, { amount: 10_000, on: daysAgo(60), credits: [['biz-sales-1', 1]] });
    await order(customerId, { amount: 8_000, on: daysAgo(30), credits: [['biz-sales-1', 0.5], ['biz-sales-2', 0.5]] });
    // outside the 6 months, an intent order and a cancelled order: none counts
    await order(customerId, { amount: 50_000, on: daysAgo(200), credits: [['biz-sales-2', 1]] });
    await order(customerId, { amount: 9_999, on: daysAgo(5), credits: [['biz-sales-2', 1]], kind: 'intent' });
    await order(customerId, { amount: 7_777, on: daysAgo(5), credits: [['biz-sales-2', 1]], status: 'cancelled' });
    await contact(customerId, 'biz-sales-1', 'visit', daysAgo(10));
    await contact(customerId, 'biz-sales-1', 'phone', daysAgo(20));
    await contact(customerId, 'biz-sales-1', 'reception', daysAgo(5)); // not a visit or a follow-up call
    await contact(customerId, 'biz-sales-1', 'visit', daysAgo(120)); // older than 3 months
    for (const [i, channel] of ['sms', 'visit', 'phone', 'visit', 'phone', 'visit', 'visit'].entries()) await contact(customerId, 'biz-sales-2', channel, daysAgo(3 + i));
    await cardVersion(customerId, 'biz-sales-1', 1, { basic: { name: '临沂礼品城', address: '临沂市兰山区', phone: '0539-1' } }, ['basic.name', 'basic.address', 'basic.phone']);
    await cardVersion(customerId, 'biz-sales-2', 2, { basic: { name: '临沂礼品城', address: '临沂市兰山区', phone: '0539-2' }, trading: { credit: '良好' } }, ['basic.phone', 'trading.credit']);

    const claim = await call('biz-sales-2', 'POST', `/api/v1/customers/${customerId}/protection-requests`, { reason: 'I have sold to them and visit weekly.' });
    expect(claim.status, JSON.stringify(claim.body)).toBe(202);
    expect(claim.headers.get('location')).toBe(`/api/v1/adjudications/${claim.body.id}`);
    expect(claim.body).toMatchObject({ customerId, kind: 'claim', ruleId: 'OVL-1', raisedBy: 'biz-sales-2', status: 'open' });
    adjudication = claim.body;
    // the claimant's retry, and a claim by the other party, answer with the same adjudication
    const retry = await call('biz-sales-2', 'POST', `/api/v1/customers/${customerId}/protection-requests`, { reason: 'again' });
    expect(retry.body.id).toBe(adjudication.id);
    expect((await call('biz-sales-1', 'POST', `/api/v1/customers/${customerId}/protection-requests`, { reason: 'mine' })).body.id).toBe(adjudication.id);
    expect(await sql()`select 1 from adjudications where customer_id = ${customerId}`).toHaveLength(1);

    const shown = await withEvidence(adjudication.id);
    const party = (key: string) => shown.parties.find((p: { key: string }) => p.key === key);
    expect(party('biz-sales-1')).toMatchObject({ claimant: false, departmentId: 'business', evidence: { tradeAmount: '14000.00', tradeOrders: 2, contacts: 2, cardFields: 2 } });
    expect(party('biz-sales-2')).toMatchObject({ claimant: true, evidence: { tradeAmount: '4000.00', tradeOrders: 1, contacts: 7, cardFields: 2 } });
    // trade relative to the best party (50), follow-ups over 6 (25), fields written over 30 (25)
    expect(party('biz-sales-1').suggestedScore).toBeCloseTo(50 + (25 * 2) / 6 + (25 * 2) / 30, 2);
    expect(party('biz-sales-2').suggestedScore).toBeCloseTo((50 * 4_000) / 14_000 + 25 + (25 * 2) / 30, 2);
    // the parties read it; a colleague of another department does not
    expect((await call('biz-sales-1', 'GET', `/api/v1/adjudications/${adjudication.id}`)).status).toBe(200);
    expect((await call('floor-sales-1', 'GET', `/api/v1/adjudications/${adjudication.id}`)).body).toMatchObject({ status: 404, code: 'ADJUDICATION_NOT_FOUND' });
  });

  it("OVL-2 each party's Department Manager reviews and signs its submission (a task per party)", async () => {
    const signs = at(await openTasks(api.engine, adjudication.processId, 2), 'sign');
    expect(signs.map((t) => t.candidateIds)).toEqual([['biz-manager'], ['biz-manager']]);
    expect(await call('biz-sales-1', 'POST', `/api/v1/adjudications/${adjudication.id}/scores`, { scores: [] })).toMatchObject({ status: 409 });
    await signAll(adjudication.processId, 2);
    await scoreTasks(adjudication.processId, 3);
    const shown = (await call('gm', 'GET', `/api/v1/adjudications/${adjudication.id}`)).body;
    expect(shown.parties.map((p: { signedBy: string | null }) => p.signedBy)).toEqual(['biz-manager', 'biz-manager']);
  });

  it('OVL-3 the committee (Deputy GM in charge, Marketing Director, the Department Manager) scores; a changed score needs a reason; the average decides and the customer moves', async () => {
    const tasks = await scoreTasks(adjudication.processId, 3);
    expect(tasks.map((t) => t.candidateIds[0]).sort()).toEqual(['biz-manager', 'dgm-sales', 'marketing-director']);
    const suggested = Object.fromEntries((await withEvidence(adjudication.id)).parties.map((p: { key: string; suggestedScore: number }) => [p.key, p.suggestedScore]));

    // the Deputy GM in charge keeps the suggestions (in the inbox: the same scores, no reason needed)
    const dgmTask = tasks.find((t) => t.candidateIds[0] === 'dgm-sales')!;
    const kept = await call('dgm-sales', 'POST', `/api/v1/tasks/${dgmTask.id}/complete`, {
      outcome: 'scored',
      data: { scores: Object.entries(suggested).map(([party, score]) => ({ party, score })) },
    });
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    // the Marketing Director changes a score without a reason: refused, nothing decided
    const mdTask = tasks.find((t) => t.candidateIds[0] === 'marketing-director')!;
    const noReason = await call('marketing-director', 'POST', `/api/v1/tasks/${mdTask.id}/complete`, {
      outcome: 'scored',
      data: { scores: [{ party: 'biz-sales-1', score: 40 }, { party: 'biz-sales-2', score: suggested['biz-sales-2'] }] },
    });
    expect(noReason.status).toBe(422);
    expect(noReason.body).toMatchObject({ code: 'INVALID_SCORES', ruleId: 'OVL-2' });
    expect(noReason.body.errors).toEqual([{ path: 'scores.0.reason', message: expect.stringContaining('needs a reason') }]);
    expect(at(await openTasks(api.engine, adjudication.processId), 'score').map((t) => t.id)).toContain(mdTask.id);
    // with reasons it counts
    const withReason = await call('marketing-director', 'POST', `/api/v1/tasks/${mdTask.id}/complete`, {
      outcome: 'scored',
      data: { scores: [{ party: 'biz-sales-1', score: 40, reason: 'Most of the trade came through the showroom.' }, { party: 'biz-sales-2', score: 70, reason: 'Weekly visits.' }] },
    });
    expect(withReason.status, JSON.stringify(withReason.body)).toBe(200);
    const viaForm = await call('biz-manager', 'POST', `/api/v1/adjudications/${adjudication.id}/scores`, {
      scores: [{ party: 'biz-sales-1', score: 50, reason: 'Ordered less lately.' }, { party: 'biz-sales-2', score: 80, reason: 'Keeps the card current.' }],
    });
    expect(viaForm.status, JSON.stringify(viaForm.body)).toBe(200);

    const result = await decided(adjudication.id);
    const average = (key: string) => result.parties.find((p: { key: string }) => p.key === key).averageScore;
    expect(average('biz-sales-1')).toBeCloseTo((suggested['biz-sales-1'] + 40 + 50) / 3, 2);
    expect(average('biz-sales-2')).toBeCloseTo((suggested['biz-sales-2'] + 70 + 80) / 3, 2);
    expect(result).toMatchObject({ winner: 'biz-sales-2', tieBrokenBy: null });
    expect(result.scores).toHaveLength(6);
    expect(result.scores.find((s: { memberId: string; party: string }) => s.memberId === 'marketing-director' && s.party === 'biz-sales-1')).toMatchObject({ score: 40, reason: 'Most of the trade came through the showroom.' });
    expect(result.scores.find((s: { memberId: string; party: string }) => s.memberId === 'dgm-sales' && s.party === 'biz-sales-1')).toMatchObject({ reason: null });

    const moved = (await call('gm', 'GET', `/api/v1/customers/${customerId}`)).body;
    expect(moved).toMatchObject({ ownerId: 'biz-sales-2', status: 'owned', departmentId: 'business' });
    expect(moved.ownershipHistory.at(-1)).toMatchObject({ fromOwnerId: 'biz-sales-1', toOwnerId: 'biz-sales-2', reason: 'adjudicated', ruleId: 'OVL-2' });
    const told = await sql()<{ user_id: string }[]>`select user_id from notifications where kind = 'customer.adjudicated' and process_id = ${adjudication.processId} order by user_id`;
    expect(told.map((n) => n.user_id)).toEqual(['biz-manager', 'biz-sales-1', 'biz-sales-2']);
    await expect(sql()`update adjudication_scores set score = 100 where adjudication_id = ${adjudication.id}`).rejects.toThrow(/append-only|permission denied/);
  });
});

describe('disputes (OVL-7) and ties', () => {
  it('OVL-7 a Business Dept prospect closed at the showroom is disputed by the Department Manager; the committee gives it to the showroom salesperson', async () => {
    const prospect = await customer();
    await order(prospect, { amount: 6_000, on: daysAgo(2), credits: [['floor-sales-1', 1]], channel: 'showroom' });
    await contact(prospect, 'biz-sales-1', 'visit', daysAgo(20));
    const body = { parties: ['biz-sales-1', 'floor-sales-1'], reason: '业务部跟进的意向客户到展厅成交，出现争议。' };
    expect((await call('biz-sales-1', 'POST', `/api/v1/customers/${prospect}/adjudications`, body)).body).toMatchObject({ status: 403, code: 'NOT_A_DISPUTE_RAISER', ruleId: 'OVL-7' });
    expect((await call('market-manager', 'POST', `/api/v1/customers/${prospect}/adjudications`, body)).status).toBe(403);
    expect((await call('biz-manager', 'POST', `/api/v1/customers/${prospect}/adjudications`, { ...body, parties: ['biz-sales-1', 'biz-sales-1'] })).body).toMatchObject({ status: 422, code: 'TOO_FEW_PARTIES' });
    expect((await call('biz-manager', 'POST', `/api/v1/customers/${prospect}/adjudications`, { ...body, parties: ['biz-sales-1', 'finance-clerk'] })).body).toMatchObject({ status: 422, code: 'NOT_AN_ACTIVE_SALESPERSON' });
    expect((await call('biz-manager', 'POST', `/api/v1/customers/${randomUUID()}/adjudications`, body)).status).toBe(404);
    expect((await call('biz-manager', 'POST', `/api/v1/customers/${prospect}/adjudications`, { parties: 'x' })).status).toBe(400);
    expect(await sql()`select 1 from adjudications where customer_id = ${prospect}`).toHaveLength(0);

    const raised = await call('biz-manager', 'POST', `/api/v1/customers/${prospect}/adjudications`, body);
    expect(raised.status, JSON.stringify(raised.body)).toBe(201);
    expect(raised.body).toMatchObject({ kind: 'dispute', ruleId: 'OVL-7', raisedBy: 'biz-manager' });
    expect((await call('marketing-director', 'POST', `/api/v1/customers/${prospect}/adjudications`, body)).body).toMatchObject({ status: 409, code: 'ADJUDICATION_UNDER_WAY' });
    const shown = await withEvidence(raised.body.id);
    expect(shown.parties.map((p: { key: string; suggestedScore: number }) => [p.key, p.suggestedScore])).toEqual([
      ['biz-sales-1', Math.round((25 / 6) * 100) / 100],
      ['floor-sales-1', 50],
    ]);
    // the raiser signs for their own party (a duty of their own), the showroom's manager for theirs
    await signAll(raised.body.processId, 2);
    const tasks = await scoreTasks(raised.body.processId, 4);
    expect(tasks.map((t) => t.candidateIds[0]).sort()).toEqual(['biz-manager', 'dgm-sales', 'floor-manager', 'marketing-director']);
    for (const task of tasks) expect((await call(task.candidateIds[0]!, 'POST', `/api/v1/adjudications/${raised.body.id}/scores`, { scores: [] })).status).toBe(200);
    const result = await decided(raised.body.id);
    expect(result.winner).toBe('floor-sales-1');
    expect((await call('gm', 'GET', `/api/v1/customers/${prospect}`)).body).toMatchObject({ ownerId: 'floor-sales-1', departmentId: 'sales-floor', status: 'owned' });
  });

  it('OVL-2 [interpretation] tied averages go to the GM, who chooses only among the tied parties', async () => {
    const disputed = await customer({ departmentId: 'sales-floor' });
    const raised = await call('marketing-director', 'POST', `/api/v1/customers/${disputed}/adjudications`, { parties: ['floor-sales-1', 'floor-sales-2'], reason: 'Both served them.' });
    expect(raised.status).toBe(201);
    await withEvidence(raised.body.id);
    await signAll(raised.body.processId, 2);
    const tasks = await scoreTasks(raised.body.processId, 3);
    for (const task of tasks) expect((await call(task.candidateIds[0]!, 'POST', `/api/v1/adjudications/${raised.body.id}/scores`, { scores: [] })).status).toBe(200);
    const [tieBreak] = at(await openTasks(api.engine, raised.body.processId), 'tieBreak');
    expect(tieBreak!.candidateIds).toEqual(['gm']);
    expect((await call('gm', 'POST', `/api/v1/tasks/${tieBreak!.id}/complete`, { outcome: 'decided', data: { party: 'biz-sales-1' } })).body).toMatchObject({ status: 422, code: 'NOT_A_TIED_PARTY' });
    expect((await call('gm', 'POST', `/api/v1/tasks/${tieBreak!.id}/complete`, { outcome: 'decided', data: { party: 'floor-sales-2' } })).status).toBe(200);
    const result = await decided(raised.body.id);
    expect(result).toMatchObject({ winner: 'floor-sales-2', tieBrokenBy: 'gm' });
    expect((await call('gm', 'GET', `/api/v1/customers/${disputed}`)).body).toMatchObject({ ownerId: 'floor-sales-2', status: 'owned' });
  });
});

describe('deference (OVL-4)', () => {
  it('OVL-4 a Business Dept salesperson\'s claim on a customer trading with the Sales Floor is refused; the Sales Floor salesperson is told they have information to share', async () => {
    const floorCustomer = await customer({ departmentId: 'sales-floor', ownerId: 'floor-sales-1' });
    await order(floorCustomer, { amount: 3_000, on: daysAgo(40), credits: [['floor-sales-1', 1]], channel: 'showroom' });
    const refused = await call('biz-sales-1', 'POST', `/api/v1/customers/${floorCustomer}/protection-requests`, { reason: 'I met them on a visit.' });
    expect(refused.status).toBe(409);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'DEFER_TO_SALES_FLOOR', ruleId: 'OVL-4' });
    expect(refused.body.detail).toContain('floor-sales-1');
    expect(await sql()`select 1 from adjudications where customer_id = ${floorCustomer}`).toHaveLength(0);
    const notices = (await call('floor-sales-1', 'GET', '/api/v1/me/notifications')).body.notifications as { kind: string; text: string }[];
    expect(notices.find((n) => n.kind === 'customer.deference')?.text).toContain('biz-sales-1');
    // a Sales Floor colleague's claim is an ordinary overlap: adjudicated
    expect((await call('floor-sales-2', 'POST', `/api/v1/customers/${floorCustomer}/protection-requests`, { reason: 'r' })).status).toBe(202);
  });
});

describe('the open pool is confidential (SEC-1, issue 14.9)', () => {
  it("SEC-1 a pool customer is seen by its department's salespeople and manager and the company-level readers; another department's salesperson gets 404; their claim is adjudicated", async () => {
    const pool = await customer();
    for (const userId of ['biz-sales-2', 'biz-manager', 'gm', 'marketing-director', 'marketing-vp']) expect((await call(userId, 'GET', `/api/v1/customers/${pool}`)).status, userId).toBe(200);
    for (const userId of ['floor-sales-1', 'floor-manager', 'market-sales-1']) {
      const hidden = await call(userId, 'GET', `/api/v1/customers/${pool}`);
      expect(hidden.status, userId).toBe(404);
      expect(hidden.body.code).toBe('CUSTOMER_NOT_FOUND');
      const listed = (await call(userId, 'GET', '/api/v1/customers?status=open&limit=200')).body.customers as { id: string }[];
      expect(listed.map((c) => c.id)).not.toContain(pool);
    }
    expect(((await call('biz-sales-1', 'GET', '/api/v1/customers?status=open&limit=200')).body.customers as { id: string }[]).map((c) => c.id)).toContain(pool);

    // OVL-1: nor is it assigned across departments; a claim from another department goes to the committee, not to the first comer
    expect((await call('floor-manager', 'POST', `/api/v1/customers/${pool}/assignments`, { salespersonId: 'floor-sales-1' })).body).toMatchObject({
      status: 409,
      code: 'CUSTOMER_OF_ANOTHER_DEPARTMENT',
      ruleId: 'OVL-1',
    });
    const claim = await call('floor-sales-1', 'POST', `/api/v1/customers/${pool}/protection-requests`, { reason: 'They came to the showroom twice.' });
    expect(claim.status, JSON.stringify(claim.body)).toBe(202);
    expect(claim.body.parties.map((p: { key: string; claimant: boolean }) => [p.key, p.claimant])).toEqual([
      ['department:business', false],
      ['floor-sales-1', true],
    ]);
    expect(await sql()`select 1 from protections where customer_id = ${pool}`).toHaveLength(0);
    expect((await call('floor-sales-2', 'POST', `/api/v1/customers/${pool}/protection-requests`, { reason: 'me too' })).body).toMatchObject({ status: 409, code: 'ADJUDICATION_UNDER_WAY', ruleId: 'OVL-1' });
    const signs = at(await openTasks(api.engine, claim.body.processId, 2), 'sign');
    expect(signs.map((t) => t.candidateIds[0]).sort()).toEqual(['biz-manager', 'floor-manager']);
  });
});
