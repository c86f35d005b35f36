// The penalties ledger through the API (CUS-2 and the fines of CUS-5, SEC-4, OVL-5, REG-1, REG-2),
// on a real PostgreSQL with the demo organisation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proposePenalty } from '../../areas/penalties/index.ts';
import { startDatabaseApiSuite, type DatabaseApiSuite } from '../support/api-suite.ts';

let api: DatabaseApiSuite;

beforeAll(async () => {
  api = await startDatabaseApiSuite();
});

afterAll(() => api?.teardown());

const call = (userId: string | null, method: string, path: string, json?: unknown, headers?: Record<string, string>) => api.request(userId, method, path, { json, headers });
const count = async () => (await api.db.sql<{ n: number }[]>`select count(*)::int as n from penalties`)[0]!.n;

describe('the penalties ledger', () => {
  it('CUS-2 HR proposes a fine whose amount and rule follow from its kind; the person and HR are told; the Idempotency-Key gives the same fine', async () => {
    const body = { kind: 'viewed-without-approval', personId: 'biz-sales-1', evidence: 'view log entry 42', amountYuan: 1 };
    expect((await call('hr-manager', 'POST', '/api/v1/penalties', body)).status).toBe(400); // the amount is never the caller's
    const { amountYuan: _ignored, ...valid } = body;
    const first = await call('hr-manager', 'POST', '/api/v1/penalties', valid, { 'idempotency-key': 'k-1' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ ruleId: 'SEC-4', amountYuan: 50, dismissal: false, personId: 'biz-sales-1', state: 'proposed', proposedBy: 'hr-manager', label: { zh: '未经审批私自查看客户档案' } });
    const again = await call('hr-manager', 'POST', '/api/v1/penalties', valid, { 'idempotency-key': 'k-1' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const notices = await api.db.sql<{ user_id: string }[]>`select user_id from notifications where kind = 'penalty.proposed' and text like ${`%${'biz-sales-1'}%`} order by user_id`;
    expect(notices.map((n) => n.user_id)).toEqual(['biz-sales-1', 'hr-manager']);
    const audit = await api.db.sql<{ rule_id: string; actor_id: string }[]>`select rule_id, actor_id from audit_log where event = 'penalty.proposed' and detail ->> 'penaltyId' = ${first.body.id}`;
    expect(audit).toEqual([{ rule_id: 'SEC-4', actor_id: 'hr-manager' }]);
  });

  it('SEC-4 deleting or copying customer archives without approval is 500 yuan and dismissal', async () => {
    for (const kind of ['deleted-without-approval', 'copied-without-approval']) {
      const reply = await call('hr-manager', 'POST', '/api/v1/penalties', { kind, personId: 'floor-sales-1', evidence: `case ${kind}` });
      expect(reply.body).toMatchObject({ ruleId: 'SEC-4', amountYuan: 500, dismissal: true });
    }
    const totals = (await call('hr-manager', 'GET', '/api/v1/penalties/totals')).body.totals as { personId: string; dismissal: boolean; amountYuan: number }[];
    expect(totals.find((t) => t.personId === 'floor-sales-1')).toMatchObject({ dismissal: true, amountYuan: 1000 });
  });

  it('CUS-2 a Department Manager proposes for their own department only; nobody for themself; refusals change nothing', async () => {
    const before = await count();
    const outside = await call('biz-manager', 'POST', '/api/v1/penalties', { kind: 'card-not-updated', personId: 'floor-sales-2', evidence: 'card C-1' });
    expect(outside.status).toBe(403);
    expect(outside.body).toMatchObject({ code: 'MAY_NOT_PROPOSE_PENALTY', ruleId: 'CUS-2' });
    expect((await call('biz-sales-1', 'POST', '/api/v1/penalties', { kind: 'card-not-updated', personId: 'biz-sales-2', evidence: 'x' })).status).toBe(403);
    expect((await call('hr-manager', 'POST', '/api/v1/penalties', { kind: 'card-not-updated', personId: 'hr-manager', evidence: 'x' })).body.code).toBe('OWN_PENALTY');
    expect((await call('hr-manager', 'POST', '/api/v1/penalties', { kind: 'card-not-updated', personId: 'nobody', evidence: 'x' })).status).toBe(422);
    expect((await call('hr-manager', 'POST', '/api/v1/penalties', { kind: 'no-such-kind', personId: 'biz-sales-1', evidence: 'x' })).status).toBe(400);
    expect(await count()).toBe(before);
    const own = await call('biz-manager', 'POST', '/api/v1/penalties', { kind: 'card-not-updated', personId: 'biz-sales-2', evidence: 'card C-7 not updated after the visit of 3 March' });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ ruleId: 'CUS-5', amountYuan: 20 });
  });

  it('CUS-2 only HR decides; a waiver needs a reason; a decided fine does not change, not even in the database', async () => {
    const proposed = (await call('hr-manager', 'POST', '/api/v1/penalties', { kind: 'named-salesperson-not-called', personId: 'floor-sales-2', evidence: 'visit V-9' })).body;
    expect(proposed).toMatchObject({ ruleId: 'OVL-5', amountYuan: 200 });
    const path = `/api/v1/penalties/${proposed.id}/decision`;
    expect((await call('floor-manager', 'POST', path, { decision: 'confirm' })).body).toMatchObject({ status: 403, code: 'NOT_HR' });
    expect((await call('hr-manager', 'POST', path, { decision: 'waive' })).body).toMatchObject({ status: 422, code: 'REASON_REQUIRED' });
    const waived = await call('hr-manager', 'POST', path, { decision: 'waive', reason: 'The named salesperson was reached by phone.' });
    expect(waived.body).toMatchObject({ state: 'waived', decidedBy: 'hr-manager', decisionReason: 'The named salesperson was reached by phone.' });
    expect((await call('hr-manager', 'POST', path, { decision: 'confirm' })).body).toMatchObject({ status: 409, code: 'PENALTY_DECIDED' });
    await expect(api.db.sql`update penalties set state = 'confirmed' where id = ${proposed.id}`).rejects.toThrow(/CUS-2/);
    await expect(api.db.sql`delete from penalties where id = ${proposed.id}`).rejects.toThrow(/CUS-2|permission denied/);
    const audit = await api.db.sql<{ event: string }[]>`select event from audit_log where detail ->> 'penaltyId' = ${proposed.id} order by seq`;
    expect(audit.map((a) => a.event)).toEqual(['penalty.proposed', 'penalty.waived']);
  });

  it('CUS-2 a person reads their own fines only; another fine is a 404; HR and the Marketing Director read all', async () => {
    const mine = (await call('biz-sales-1', 'GET', '/api/v1/penalties')).body.penalties as { personId: string }[];
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((p) => p.personId === 'biz-sales-1')).toBe(true);
    expect((await call('biz-sales-1', 'GET', '/api/v1/penalties?person=floor-sales-1')).body.penalties).toEqual([]);
    const other = (await call('hr-manager', 'GET', '/api/v1/penalties?person=floor-sales-1')).body.penalties[0];
    expect((await call('biz-sales-1', 'GET', `/api/v1/penalties/${other.id}`)).status).toBe(404);
    expect((await call('marketing-director', 'GET', `/api/v1/penalties/${other.id}`)).status).toBe(200);
    expect((await call('biz-sales-1', 'GET', '/api/v1/penalties/totals')).status).toBe(403);
  });

  it('CUS-2 the ledger pages by keyset and exports CSV with formula cells neutralised', async () => {
    await call('hr-manager', 'POST', '/api/v1/penalties', { kind: 'low-margin-unsigned', personId: 'floor-sales-1', evidence: '=HYPERLINK("http://x")' });
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { penalties: { id: string }[]; nextCursor: string | null } } = await call('hr-manager', 'GET', `/api/v1/penalties?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...page.body.penalties.map((p) => p.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(pages).size).toBe(pages.length);
    expect(pages.length).toBe(await count());
    const csv = await call('hr-manager', 'GET', '/api/v1/penalties?format=csv&ruleId=REG-2');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,rule_id,kind,label_zh,amount_yuan/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect((await call('hr-manager', 'GET', '/api/v1/penalties?cursor=bm90LWEtY3Vyc29y')).status).toBe(400);
  });

  it('CUS-2 a process proposes a fine once per source key, inside its own transaction', async () => {
    const proposal = { kind: 'regional-customer-not-handed-over', personId: 'floor-sales-2', evidence: 'showroom visit S-1', sourceKey: 'showroom-S-1:handOver', proposedBy: 'system', at: new Date() } as const;
    const first = await api.db.sql.begin((tx) => proposePenalty(tx, proposal));
    const second = await api.db.sql.begin((tx) => proposePenalty(tx, proposal));
    expect(first.created).toBe(true);
    expect(second).toEqual({ penalty: first.penalty, created: false });
    expect(first.penalty).toMatchObject({ ruleId: 'REG-1', amountYuan: 500, proposedBy: 'system' });
  });
});
