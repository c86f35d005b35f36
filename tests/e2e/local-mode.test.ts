// Local mode end to end: the system started as `npm start` starts it (scripts/local-mode.ts: the
// embedded PGlite with its ONE connection, the Temporal dev server, the worker and the API in this
// process), every main flow driven through HTTP to its end. Every call has a deadline, so a hang
// (a transaction waiting on the pool's only connection, say) fails fast with the call named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingRoomClosesOn } from '../../areas/borrowing/rules.ts';
import type { LocalSystem } from '../../scripts/local-mode.ts';
import { verifyChain } from '../../scripts/verify-chain.ts';
import { ApiClient, type Task } from '../support/api-client.ts';
import { startTestLocalSystem, type TestLocalSystem } from '../support/local-system.ts';

/** One HTTP call: far above what any answer takes here, far below the test's own timeout. */
const CALL_TIMEOUT_MS = 15_000;
/** How long a process may take to reach the state a test waits for. */
const SETTLE_TIMEOUT_MS = 30_000;
const HOUR = 3_600_000;

let local: TestLocalSystem | undefined;
let system: LocalSystem | undefined;

beforeAll(async () => {
  local = await startTestLocalSystem('custodian-local-');
  system = local.system;
  // The premise of the suite: one connection, as a user's `npm start` has.
  expect(system.banner).toContain('one connection');
}, 180_000);

afterAll(() => local?.stop(), 120_000);

// ---------------------------------------------------------------------------------------------
// HTTP, with a deadline on every call (tests/support/api-client.ts)
// ---------------------------------------------------------------------------------------------

const api = new ApiClient({ baseUrl: () => system!.apiUrl, callTimeoutMs: CALL_TIMEOUT_MS, settleTimeoutMs: SETTLE_TIMEOUT_MS });
const send = api.send.bind(api);
const expectStatus = api.expectStatus.bind(api);
const eventually = api.eventually.bind(api);
const taskOf = api.taskOf.bind(api);
const decide = api.decide.bind(api);
const registerDocument = (fields: Parameters<ApiClient['registerDocument']>[0]) => api.registerDocument(fields);
const borrowRequest = api.borrowRequest.bind(api);
const untilBorrowStatus = api.untilBorrowStatus.bind(api);
const documentStatus = api.documentStatus.bind(api);
const handOver = api.handOver.bind(api);

/** BOR-8: the Archivist records an intact return; the request ends returned and the document is back. */
async function returnIntact(request: { id: string; processId: string }, documentId: string): Promise<void> {
  const { returned, process } = await api.returnIntact(request);
  expect(returned).toMatchObject({ returnCondition: 'intact', incident: null });
  expect(await documentStatus(documentId)).toBe('in_archive');
  expect(process.status).toBe('returned');
}

// ---------------------------------------------------------------------------------------------
// Borrowing
// ---------------------------------------------------------------------------------------------

describe('local mode: borrowing, each route through return', () => {
  it('BOR-1 a Director borrows a non-classified document directly: hand-over, loan, return', async () => {
    const documentId = await registerDocument({ secrecy: 'none' });
    const request = await expectStatus(201, 'finance-director', 'POST', '/api/v1/borrow-requests', { documentId, mode: 'loan', purpose: 'audit preparation' });
    expect(request).toMatchObject({ approval: 'direct', processKey: 'archive.borrow.direct' });
    const lent = await handOver(request, 'on_loan');
    expect(lent.handedOverBy).toBe('archivist');
    expect(await documentStatus(documentId)).toBe('on_loan');
    await returnIntact(request, documentId);
  });

  it('BOR-2 a clerk applies through the Department Manager, the Office Director approves, then hand-over and return', async () => {
    const documentId = await registerDocument({ secrecy: 'none' });
    const request = await expectStatus(201, 'finance-clerk', 'POST', '/api/v1/borrow-requests', { documentId, mode: 'loan', hours: 48, purpose: 'audit preparation' });
    expect(request).toMatchObject({ approval: 'department', status: 'pending' });
    await decide('finance-manager', request.processId, 'submit', 'submit');
    await decide('office-director', request.processId, 'approval', 'approve');
    await untilBorrowStatus(request.id, 'approved');
    const lent = await handOver(request, 'on_loan');
    expect(Date.parse(lent.dueAt) - Date.parse(lent.handedOverAt)).toBe(48 * HOUR);
    await returnIntact(request, documentId);
  });

  it('BOR-5 BOR-6 a Secret loan of 4 hours, approved by the GM, lent and returned', async () => {
    const documentId = await registerDocument({ secrecy: 'secret' });
    const request = await expectStatus(201, 'biz-sales-1', 'POST', '/api/v1/borrow-requests', { documentId, mode: 'loan', hours: 4, purpose: 'customer contract check' });
    expect(request.processKey).toBe('archive.borrow.secret');
    const approval = await taskOf('gm', request.processId, 'approval');
    expect(approval.candidateIds).toEqual(['dgm-sales', 'gm']);
    await decide('gm', request.processId, 'approval', 'approve');
    const lent = await handOver(request, 'on_loan');
    expect(Date.parse(lent.dueAt) - Date.parse(lent.handedOverAt)).toBe(4 * HOUR);
    await returnIntact(request, documentId);
  });

  it('BOR-4 a Confidential reading in the archive room: approved by the GM, opened by the Archivist, closed by the return', async () => {
    const documentId = await registerDocument({ secrecy: 'confidential' });
    const request = await expectStatus(201, 'biz-sales-2', 'POST', '/api/v1/borrow-requests', { documentId, mode: 'reading', purpose: 'price list check' });
    expect(request.processKey).toBe('archive.borrow.confidential');
    await decide('gm', request.processId, 'approval', 'approve');
    await untilBorrowStatus(request.id, 'approved');
    const handOverTask = await taskOf('archivist', request.processId, 'handOver');
    // The room closes at 17:30 in Shanghai, and this test runs on the real clock: which way the
    // hand-over goes depends on the hour, and each way is checked.
    const closedBefore = Date.now() >= readingRoomClosesOn(Date.now());
    await expectStatus(200, 'archivist', 'POST', `/api/v1/tasks/${encodeURIComponent(handOverTask.id)}/complete`, { outcome: 'handed_over' });
    const outcome = await eventually(
      `the reading of ${request.id} opened, or its hand-over task opened again`,
      async () => {
        const current = await borrowRequest(request.id);
        if (current.status === 'in_reading') return 'opened' as const;
        const tasks = (await expectStatus(200, 'archivist', 'GET', '/api/v1/tasks?limit=200')).tasks as Task[];
        return tasks.some((t) => t.processId === request.processId && t.nodeId === 'handOver' && t.id !== handOverTask.id) ? ('room closed' as const) : undefined;
      },
      (value) => value !== undefined,
    );
    const closedAfter = Date.now() >= readingRoomClosesOn(Date.now());
    if (closedBefore === closedAfter) expect(outcome).toBe(closedBefore ? 'room closed' : 'opened');
    if (outcome === 'opened') {
      const reading = await borrowRequest(request.id);
      expect(Date.parse(reading.dueAt)).toBe(readingRoomClosesOn(Date.parse(reading.handedOverAt)));
      expect(await documentStatus(documentId)).toBe('in_reading');
      await returnIntact(request, documentId);
    } else {
      // No session after closing time: the document stays in the archive; the requester withdraws.
      expect((await borrowRequest(request.id)).status).toBe('approved');
      expect(await documentStatus(documentId)).toBe('in_archive');
      await expectStatus(200, 'biz-sales-2', 'POST', `/api/v1/borrow-requests/${request.id}/cancel`, { reason: 'the room has closed' });
      await untilBorrowStatus(request.id, 'cancelled');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Delegation
// ---------------------------------------------------------------------------------------------

describe('local mode: a power of attorney', () => {
  it('BOR-7 the GM delegates Secret approvals to a Deputy GM, who approves a loan on the GM\'s behalf; the loan is returned and the delegation revoked', async () => {
    const now = Date.now();
    const delegation = await expectStatus(201, 'gm', 'POST', '/api/v1/delegations', {
      delegateId: 'dgm-admin',
      validFrom: new Date(now - 60_000).toISOString(),
      validTo: new Date(now + 24 * HOUR).toISOString(),
      scope: { processKeys: ['archive.borrow.secret'], maxSecrecy: 'secret' },
      reason: 'GM away on business',
    });
    expect(delegation).toMatchObject({ principalId: 'gm', delegateId: 'dgm-admin', status: 'active' });
    await eventually(
      `delegation process ${delegation.processId} in force`,
      () => expectStatus(200, 'gm', 'GET', `/api/v1/processes/${delegation.processId}`),
      (view) => !view.activeNodes.includes('awaitStart'),
    );

    const documentId = await registerDocument({ secrecy: 'secret' });
    const request = await expectStatus(201, 'biz-sales-1', 'POST', '/api/v1/borrow-requests', { documentId, mode: 'loan', hours: 2, purpose: 'tender documents' });
    const task = await taskOf('dgm-admin', request.processId, 'approval');
    expect(task).toMatchObject({ candidateIds: ['dgm-sales', 'gm'], delegateIds: ['dgm-admin'], via: 'delegation' });
    const decided = await expectStatus(200, 'dgm-admin', 'POST', `/api/v1/tasks/${encodeURIComponent(task.id)}/complete`, { outcome: 'approve' });
    expect(decided).toMatchObject({ decidedBy: 'dgm-admin', onBehalfOf: 'gm', delegationId: delegation.id });
    await untilBorrowStatus(request.id, 'approved');
    await handOver(request, 'on_loan');
    await returnIntact(request, documentId);

    const revoked = await expectStatus(200, 'gm', 'POST', `/api/v1/delegations/${delegation.id}/revoke`);
    expect(revoked).toMatchObject({ status: 'revoked', revokedBy: 'gm' });
    const ended = await eventually(
      `delegation process ${delegation.processId} ended`,
      () => expectStatus(200, 'gm', 'GET', `/api/v1/processes/${delegation.processId}`),
      (view) => view.status !== 'running',
    );
    expect(ended.status).toBe('revoked');
  });
});

// ---------------------------------------------------------------------------------------------
// Customers
// ---------------------------------------------------------------------------------------------

describe('local mode: customers', () => {
  it('OVL-8 a salesperson applies to protect a prospect, the Department Manager approves, the intent order makes the customer theirs', async () => {
    const customer = await expectStatus(201, 'biz-sales-1', 'POST', '/api/v1/customers', { name: '临沂礼品城 (local mode)', cardType: 'terminal', city: '临沂', region: '山东' });
    expect(customer.status).toBe('open');
    const protection = await expectStatus(201, 'biz-sales-1', 'POST', `/api/v1/customers/${customer.id}/protection-requests`, { reason: 'visited twice' });
    expect(protection.status).toBe('requested');
    await decide('biz-manager', protection.processId, 'approval', 'approve');
    const active = await eventually(
      `protection ${protection.id} active`,
      () => expectStatus(200, 'biz-sales-1', 'GET', `/api/v1/protections/${protection.id}`),
      (p) => p.status === 'active',
    );
    expect(active.months).toHaveLength(4);
    expect((await expectStatus(200, 'biz-sales-1', 'GET', `/api/v1/customers/${customer.id}`)).status).toBe('protected');

    await expectStatus(202, 'biz-sales-1', 'POST', `/api/v1/protections/${protection.id}/intent-orders`, { reference: 'YX-LOCAL-1' });
    const converted = await eventually(
      `protection ${protection.id} converted`,
      () => expectStatus(200, 'biz-sales-1', 'GET', `/api/v1/protections/${protection.id}`),
      (p) => p.status !== 'active',
    );
    expect(converted).toMatchObject({ status: 'converted', endReason: 'intent_order', intentOrderReference: 'YX-LOCAL-1' });
    const owned = await expectStatus(200, 'biz-sales-1', 'GET', `/api/v1/customers/${customer.id}`);
    expect(owned).toMatchObject({ status: 'owned', ownerId: 'biz-sales-1' });
  });

  it('SEC-5 a salesperson leaves: HR reports it, the Department Manager reassigns their customer, the departure completes', async () => {
    const customer = await expectStatus(201, 'biz-sales-2', 'POST', '/api/v1/customers', { name: '沂蒙茶庄 (local mode)', cardType: 'terminal', city: '临沂', region: '山东' });
    const assigned = await expectStatus(201, 'biz-manager', 'POST', `/api/v1/customers/${customer.id}/assignments`, { salespersonId: 'biz-sales-2' });
    await eventually(
      `customer ${customer.id} protected for biz-sales-2`,
      () => expectStatus(200, 'biz-manager', 'GET', `/api/v1/customers/${customer.id}`),
      (c) => c.status === 'protected' && c.ownerId === 'biz-sales-2',
    );

    const departure = await expectStatus(201, 'hr-manager', 'POST', '/api/v1/users/biz-sales-2/departure', { note: 'moving to Jinan' });
    expect(departure).toMatchObject({ userId: 'biz-sales-2', status: 'reassigning' });
    await taskOf('biz-manager', departure.processId, 'reassign');
    // The leaver may not hand the customer over themselves.
    const refused = await send('biz-sales-2', 'POST', `/api/v1/departures/${departure.id}/reassignments`, { assignments: [{ customerId: customer.id, salespersonId: 'biz-sales-1' }] });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'LEAVER_MAY_NOT_TRANSFER', ruleId: 'SEC-5' });

    await expectStatus(200, 'biz-manager', 'POST', `/api/v1/departures/${departure.id}/reassignments`, { assignments: [{ customerId: customer.id, salespersonId: 'biz-sales-1' }] });
    const completed = await eventually(
      `departure ${departure.id} completed`,
      () => expectStatus(200, 'hr-manager', 'GET', `/api/v1/departures/${departure.id}`),
      (d) => d.status === 'completed',
    );
    expect(completed.customers).toEqual([]);
    const moved = await expectStatus(200, 'biz-manager', 'GET', `/api/v1/customers/${customer.id}`);
    expect(moved).toMatchObject({ ownerId: 'biz-sales-1', protection: { id: assigned.id, protectorId: 'biz-sales-1' } });
    expect(moved.ownershipHistory.at(-1)).toMatchObject({ fromOwnerId: 'biz-sales-2', toOwnerId: 'biz-sales-1' });
    const [leaver] = await system!.sql<{ active: boolean }[]>`select active from users where id = 'biz-sales-2'`;
    expect(leaver).toEqual({ active: false });
  });
});

// ---------------------------------------------------------------------------------------------
// Archiving campaigns
// ---------------------------------------------------------------------------------------------

describe('local mode: archiving campaigns', () => {
  it('CYC-1 CYC-2 a campaign opened through the API reaches every department manager, the Archivist checks the list, the report closes it', async () => {
    const campaign = await expectStatus(201, 'archivist', 'POST', '/api/v1/campaigns', { reason: 'Local mode campaign' });
    const managers = ['biz-manager', 'expansion-manager', 'finance-manager', 'hr-manager', 'market-manager', 'floor-manager'];
    /** The user's open task at `nodeId` in one of the campaign's hand-overs. */
    const campaignTask = async (userId: string, nodeId: string) => {
      const find = (tasks: Task[]) => tasks.find((t) => t.processId.startsWith(`${campaign.processId}.`) && t.nodeId === nodeId);
      const tasks = await eventually(`${nodeId} of campaign ${campaign.id} for ${userId}`, async () => (await expectStatus(200, userId, 'GET', '/api/v1/tasks?limit=200')).tasks as Task[], (list) => find(list) !== undefined);
      return find(tasks)!;
    };
    for (const manager of managers) {
      const task = await campaignTask(manager, 'collect');
      const items = manager === 'finance-manager' ? [{ title: 'Budget 2026', category: 'annual_plan', secrecy: 'none', original: true, quantity: 30, unit: 'pages' }] : [];
      await api.completeTask(manager, task, 'submitted', { items });
    }
    await api.completeTask('archivist', await campaignTask('archivist', 'check'), 'checked', { verdicts: [{ item: 1, verdict: 'accepted', volume: 'Vol. 1', reference: 'LM-CAMPAIGN-1' }] });
    const report = await eventually(
      `campaign ${campaign.id} closed`,
      () => expectStatus(200, 'office-director', 'GET', `/api/v1/campaigns/${campaign.id}/report`),
      (r) => r.campaign.status === 'closed',
    );
    expect(report.totals).toMatchObject({ departments: 6, listsReceived: 6, late: 0, received: 1, accepted: 1, returned: 0 });
    const registered = await expectStatus(200, 'archivist', 'GET', '/api/v1/documents?q=LM-CAMPAIGN-1');
    expect(registered.documents).toEqual([expect.objectContaining({ reference: 'LM-CAMPAIGN-1', title: 'Budget 2026', departmentId: 'finance' })]);
  });
});

// ---------------------------------------------------------------------------------------------
// Destruction: last, because on a branch where filing freezes the database the flows above still
// report their own state.
// ---------------------------------------------------------------------------------------------

describe('local mode: destruction', () => {
  it('DES-2 DES-4 DES-5 a document past its retention: filed, reviewed, checked, destroyed under supervision, registered; the register chain verifies', async () => {
    const documentId = await registerDocument({ secrecy: 'none', category: 'accounting_record', retention: 1, archivedOn: '2015-01-01' });
    const filed = await expectStatus(201, 'archivist', 'POST', '/api/v1/destruction-requests', { documentIds: [documentId], reason: 'Retention ended' });
    expect(filed).toMatchObject({ status: 'in_review', needsGmApproval: false });
    await decide('office-director', filed.processId, 'officeReview', 'approve', { supervisorIds: ['finance-director'] });
    await eventually(
      `destruction request ${filed.id} approved`,
      () => expectStatus(200, 'archivist', 'GET', `/api/v1/destruction-requests/${filed.id}`),
      (r) => r.status === 'approved',
    );
    await expectStatus(202, 'archivist', 'POST', `/api/v1/destruction-requests/${filed.id}/verification`, { checkedIds: [documentId] });
    await decide('finance-director', filed.processId, 'supervise', 'confirm', { method: 'incineration', place: 'Boiler room', executedAt: new Date().toISOString() });
    const destroyed = await eventually(
      `destruction request ${filed.id} destroyed`,
      () => expectStatus(200, 'archivist', 'GET', `/api/v1/destruction-requests/${filed.id}`),
      (r) => r.status === 'destroyed',
    );
    expect(destroyed.registerSeq).toBeGreaterThan(0);
    expect(await documentStatus(documentId)).toBe('destroyed');

    const register = await expectStatus(200, 'gm', 'GET', '/api/v1/destruction-register?limit=200');
    const entry = register.entries.find((e: { requestId: string }) => e.requestId === filed.id);
    expect(entry).toMatchObject({ seq: destroyed.registerSeq, supervisors: { designated: ['finance-director'], confirmedBy: ['finance-director'] }, method: 'incineration' });
    // `npm run verify:register`'s check, on the same (embedded) database.
    const report = await verifyChain(system!.sql, 'register');
    const last = register.entries.at(-1);
    expect(report).toEqual({ table: 'destruction_register', rows: register.entries.length, head: { seq: String(last.seq), hash: last.hash }, broken: undefined });
    // And through the running system, as `npm run verify:register` asks it in local mode (issue 17).
    const verified = await expectStatus(200, 'office-director', 'GET', '/api/v1/verification/register');
    expect(verified).toMatchObject({ table: 'destruction_register', rows: register.entries.length, intact: true, broken: null });
    expect((await send(null, 'GET', '/readyz')).status).toBe(200);
  });
});
