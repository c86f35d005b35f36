// Customer protection (OVL-8), co-development and departures (SEC-5) end to end: through the API,
// on the time-skipping server, with the real activities. Every month boundary is crossed with
// env.sleep, and times are compared with workflow time, not the wall clock.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processState } from '../../engine/client.ts';
import { insertCustomer, insertProtection } from '../../areas/customers/sql.ts';
import { endProtection, startProtection } from '../../areas/customers/service/protections.ts';
import { protectionMonths } from '../../areas/customers/rules.ts';
import { businessKeyAttribute, customerAttribute } from '../../engine/search-attributes.ts';
import { customerProcesses, departureDefinitionV1, departureNodes, protectionDefinitionV1 } from '../../areas/customers/definitions.ts';
import { insertDeparture } from '../../areas/customers/sql.ts';
import { departureProcessId, protectionProcessId } from '../../areas/customers/rules.ts';
import { startProcess } from '../../engine/client.ts';
import { findDefinition } from '../../engine/sql/definitions.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';
import type { EngineHarness } from '../support/engine.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const LONG = 180_000;

let api: EngineApiSuite;
let engine: EngineHarness;

beforeAll(async () => {
  api = await startApiSuite({ definitions: customerProcesses });
  engine = api.engine;
  // A third Sales Floor salesperson, who leaves in the SEC-5 test.
  await engine.db.sql`insert into users (id, display_name, display_name_zh, department_id) values ('floor-sales-3', 'Sales Floor Salesperson 3', '营业部销售人员三', 'sales-floor')`;
  await engine.db.sql`insert into user_roles (user_id, role) values ('floor-sales-3', 'salesperson')`;
});

afterAll(() => api?.teardown());

const call = (userId: string, method: string, path: string, json?: unknown) => api.request(userId, method, path, { json });

/** Polls until `probe` returns something: the worker acts asynchronously. */
async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Advances workflow time to `at` (epoch ms), if it is not there yet. */
async function sleepUntil(at: number): Promise<void> {
  const now = await engine.env.currentTimeMs();
  if (at > now) await engine.env.sleep(at - now);
}

const untilNode = (processId: string, nodeId: string) =>
  eventually(async () => (await processState(engine, processId)).activeNodes.includes(nodeId), `${processId} to reach ${nodeId}`);

const protectionOf = async (id: string) => (await call('marketing-director', 'GET', `/api/v1/protections/${id}`)).body;
const customerOf = async (id: string) => (await call('marketing-director', 'GET', `/api/v1/customers/${id}`)).body;

const activeProtection = (id: string) =>
  eventually(async () => {
    const protection = await protectionOf(id);
    return protection.status === 'active' && protection;
  }, `protection ${id} to start`);

/** The user's open task of a process at a node, once the worker has opened it. */
const taskFor = (userId: string, processId: string, nodeId: string) =>
  eventually(async () => {
    const { body } = await call(userId, 'GET', '/api/v1/tasks?limit=200');
    return (body.tasks as { id: string; processId: string; nodeId: string; candidateIds: string[] }[]).find((t) => t.processId === processId && t.nodeId === nodeId);
  }, `a ${nodeId} task of ${processId} for ${userId}`);

const decide = (userId: string, taskId: string, outcome: string) => call(userId, 'POST', `/api/v1/tasks/${encodeURIComponent(taskId)}/complete`, { outcome });

const notices = (processId: string, kind: string) =>
  engine.db.sql<{ user_id: string; text: string; created_at: Date }[]>`
    select user_id, text, created_at from notifications where process_id = ${processId} and kind = ${kind} order by created_at, user_id`;

async function newCustomer(name: string, creator = 'biz-sales-1'): Promise<string> {
  const created = await call(creator, 'POST', '/api/v1/customers', { name, cardType: 'terminal', city: '临沂', region: '山东' });
  expect(created.status).toBe(201);
  return created.body.id;
}

/** The Department Manager assigns the customer: the protection starts at once. */
async function assign(manager: string, customerId: string, salespersonId: string) {
  const assigned = await call(manager, 'POST', `/api/v1/customers/${customerId}/assignments`, { salespersonId });
  expect(assigned.status).toBe(201);
  expect(assigned.body).toMatchObject({ kind: 'assignment', protectorId: salespersonId, requestedBy: manager });
  return activeProtection(assigned.body.id);
}

const monthEnds = (protection: { months: { endsAt: string }[] }) => protection.months.map((month) => Date.parse(month.endsAt));

describe('customer protection (OVL-8)', () => {
  it(
    'OVL-8 four months with a progress report each month, then an intent order: the customer stays owned',
    async () => {
      const customerId = await newCustomer('保护一 临沂文具店');
      const requested = await call('biz-sales-1', 'POST', `/api/v1/customers/${customerId}/protection-requests`, { reason: 'Visited twice; a gift order is planned.' });
      expect(requested.status).toBe(201);
      expect(requested.body).toMatchObject({ status: 'requested', kind: 'request', protectorId: 'biz-sales-1', months: [], endsAt: null });
      const { processId } = requested.body;

      const approval = await taskFor('biz-manager', processId, 'approval');
      expect(approval.candidateIds).toEqual(['biz-manager']);
      const approvedAt = await engine.env.currentTimeMs();
      expect((await decide('biz-manager', approval.id, 'approve')).status).toBe(200);

      const protection = await activeProtection(requested.body.id);
      const ends = monthEnds(protection);
      expect(ends).toHaveLength(4);
      expect(Date.parse(protection.startedAt)).toBeGreaterThanOrEqual(approvedAt);
      expect(ends).toEqual(protectionMonths(Date.parse(protection.startedAt)).map((month) => month.endsAt));
      expect(protection.endsAt).toBe(protection.months[3].endsAt);
      expect(protection.releaseDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(await customerOf(customerId)).toMatchObject({ status: 'protected', ownerId: 'biz-sales-1', protection: { id: protection.id, status: 'active' } });
      // findable in the Temporal UI by the customer
      const described = await engine.client.workflow.getHandle(processId).describe();
      expect(described.typedSearchAttributes.get(businessKeyAttribute)).toBe(customerId);
      expect(described.typedSearchAttributes.get(customerAttribute)).toBe(customerId);

      for (let month = 1; month <= 4; month += 1) {
        await untilNode(processId, `month${month}`);
        const report = await call('biz-sales-1', 'POST', `/api/v1/protections/${protection.id}/reports`, { summary: `Month ${month}: samples sent.` });
        expect(report.status).toBe(201);
        expect(report.body).toMatchObject({ month, forwarded: true, authorId: 'biz-sales-1' });
        await untilNode(processId, `month${month}Reported`);
        if (month === 1) {
          // a second report in the month is recorded, not counted again
          const again = await call('biz-sales-1', 'POST', `/api/v1/protections/${protection.id}/reports`, { summary: 'Met the buyer again.' });
          expect(again.body).toMatchObject({ month: 1, forwarded: false });
        }
        if (month < 4) await sleepUntil(ends[month - 1]! + MINUTE);
      }

      const intent = await call('biz-sales-1', 'POST', `/api/v1/protections/${protection.id}/intent-orders`, { reference: 'YX-2026-0042' });
      expect(intent.status).toBe(202);
      const converted = await eventually(async () => {
        const now = await protectionOf(protection.id);
        return now.status === 'converted' && now;
      }, 'the intent order to end the protection');
      expect(converted).toMatchObject({ endReason: 'intent_order', intentOrderReference: 'YX-2026-0042', reportCount: 5 });
      expect(converted.months.map((m: { reports: number }) => m.reports)).toEqual([2, 1, 1, 1]);
      const customer = await customerOf(customerId);
      expect(customer).toMatchObject({ status: 'owned', ownerId: 'biz-sales-1', protection: null });
      expect(customer.ownershipHistory.map((h: { reason: string; actorId: string | null }) => [h.reason, h.actorId])).toEqual([
        ['protection_granted', 'biz-manager'],
        ['intent_order', 'biz-sales-1'],
      ]);
      expect(await notices(processId, 'customer.report_due')).toEqual([]);
      await eventually(async () => (await engine.db.sql`select 1 from process_instances where id = ${processId} and status = 'converted' and ended_at is not null`).length > 0, 'the instance to end');

      const late = await call('biz-sales-1', 'POST', `/api/v1/protections/${protection.id}/reports`, { summary: 'After the order.' });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('PROTECTION_ENDED');
    },
    LONG,
  );

  it(
    'OVL-8 a month without a report: the protector is reminded 5 days before its end; at its end the miss is recorded for HR and escalated, and the 4 months are not shortened',
    async () => {
      const customerId = await newCustomer('保护二 临沂茶庄');
      const protection = await assign('biz-manager', customerId, 'biz-sales-2');
      const { processId } = protection;
      const ends = monthEnds(protection);

      await sleepUntil(ends[0]! - 5 * DAY - MINUTE);
      expect(await notices(processId, 'customer.report_due')).toEqual([]);
      await sleepUntil(ends[0]! - 5 * DAY + MINUTE);
      const [reminder] = await eventually(async () => {
        const rows = await notices(processId, 'customer.report_due');
        return rows.length > 0 && rows;
      }, 'the month-1 reminder');
      expect(reminder).toMatchObject({ user_id: 'biz-sales-2' });
      expect(reminder!.text).toContain('month 1');
      expect(reminder!.created_at.getTime()).toBeGreaterThanOrEqual(ends[0]! - 5 * DAY);

      // the month ends without a report: the protector and the Department Manager are told, nobody decides a release
      await sleepUntil(ends[0]! + MINUTE);
      const escalated = await eventually(async () => {
        const rows = await notices(processId, 'customer.report_missed');
        return rows.length > 0 && rows;
      }, 'the month-1 escalation');
      expect(escalated.map((n) => n.user_id)).toEqual(['biz-manager', 'biz-sales-2']);
      expect(escalated[0]!.text).toContain('The protection runs on to its end.');
      await untilNode(processId, 'month2');
      expect((await processState(engine, processId)).activeNodes).not.toContain('month1Missed');
      expect(await protectionOf(protection.id)).toMatchObject({ status: 'active', endsAt: protection.endsAt });
      // recorded in the instance's audit trail under OVL-8, which HR reads
      const trail = await call('hr-manager', 'GET', `/api/v1/processes/${processId}/audit-trail?limit=200`);
      expect(trail.status).toBe(200);
      const missed = (trail.body.events as { event: string; ruleId: string | null; detail: Record<string, unknown> }[]).filter((e) => e.event === 'customer.report_missed');
      expect(missed).toEqual([expect.objectContaining({ ruleId: 'OVL-8', detail: expect.objectContaining({ month: 1, protectorId: 'biz-sales-2', customerId, earlyRelease: false }) })]);
      const report = await call('biz-sales-2', 'POST', `/api/v1/protections/${protection.id}/reports`, { summary: 'Back on track.' });
      expect(report.body).toMatchObject({ month: 2, forwarded: true });

      // months 3 and 4 pass without a report: recorded each, and the customer goes to the pool only at the end of month 4
      await sleepUntil(ends[2]! + MINUTE);
      await untilNode(processId, 'month4');
      expect(await protectionOf(protection.id)).toMatchObject({ status: 'active' });
      await sleepUntil(ends[3]! + MINUTE);
      const released = await eventually(async () => {
        const now = await protectionOf(protection.id);
        return now.status === 'released' && now;
      }, 'the expiry');
      expect(released.endReason).toBe('expired');
      expect(Date.parse(released.endedAt)).toBeGreaterThanOrEqual(ends[3]!);
      const customer = await customerOf(customerId);
      expect(customer).toMatchObject({ status: 'open', ownerId: null, departmentId: 'business' });
      expect(customer.ownershipHistory.at(-1)).toMatchObject({ reason: 'released_expired', fromOwnerId: 'biz-sales-2', toOwnerId: null, actorId: null, ruleId: 'OVL-8' });
      const months = await engine.db.sql<{ month: number }[]>`
        select (detail->>'month')::int as month from audit_log where process_id = ${processId} and event = 'customer.report_missed' and rule_id = 'OVL-8' order by seq`;
      expect(months.map((row) => row.month)).toEqual([1, 3, 4]);
      expect((await notices(processId, 'customer.report_due')).map((n) => n.user_id)).toEqual(['biz-sales-2', 'biz-sales-2', 'biz-sales-2']);
    },
    LONG,
  );

  it(
    'OVL-8 a protection already running under customer.protection@1 keeps its own rule: the manager keeps or releases the customer after a missed month',
    async () => {
      await engine.publish(protectionDefinitionV1);
      const customerId = await newCustomer('保护二 旧版 临沂茶社');
      const id = randomUUID();
      const processId = protectionProcessId(id);
      await insertProtection(engine.db.sql, { id, customerId, protectorId: 'biz-sales-2', departmentId: 'business', kind: 'assignment', requestedBy: 'biz-manager', reason: null, processId });
      const definition = (await findDefinition(engine.db.sql, protectionDefinitionV1.key, 1))!;
      await startProcess(engine, {
        processId,
        definition,
        library: {},
        initiator: { id: 'biz-sales-2', departmentId: 'business' },
        variables: { protectionId: id, customerId, protectorId: 'biz-sales-2', departmentId: 'business', requestedBy: 'biz-manager', assigned: true },
      });
      const protection = await activeProtection(id);
      const ends = monthEnds(protection);

      await sleepUntil(ends[0]! + MINUTE);
      const missed = await taskFor('biz-manager', processId, 'month1Missed');
      expect((await decide('biz-manager', missed.id, 'keep')).status).toBe(200);
      await untilNode(processId, 'month2');
      await sleepUntil(ends[1]! + MINUTE);
      const again = await taskFor('biz-manager', processId, 'month2Missed');
      expect((await decide('biz-manager', again.id, 'release')).status).toBe(200);
      const released = await eventually(async () => {
        const now = await protectionOf(id);
        return now.status === 'released' && now;
      }, 'the early release');
      expect(released.endReason).toBe('released_early');
      const customer = await customerOf(customerId);
      expect(customer).toMatchObject({ status: 'open', ownerId: null });
      expect(customer.ownershipHistory.at(-1)).toMatchObject({ reason: 'released_early', fromOwnerId: 'biz-sales-2', actorId: 'biz-manager', ruleId: 'OVL-8' });
      expect(await notices(processId, 'customer.report_missed')).toEqual([]);
    },
    LONG,
  );

  it(
    'OVL-8 at expiry without an intent order the customer goes to the pool; the previous owner may not reclaim it, another salesperson becomes its owner',
    async () => {
      const customerId = await newCustomer('保护三 临沂书店');
      const protection = await assign('biz-manager', customerId, 'biz-sales-1');
      const { processId } = protection;
      const ends = monthEnds(protection);
      for (let month = 1; month <= 4; month += 1) {
        await untilNode(processId, `month${month}`);
        expect((await call('biz-sales-1', 'POST', `/api/v1/protections/${protection.id}/reports`, { summary: `month ${month}` })).body.forwarded).toBe(true);
        await sleepUntil(ends[month - 1]! + MINUTE);
      }
      const expired = await eventually(async () => {
        const now = await protectionOf(protection.id);
        return now.status === 'released' && now;
      }, 'the expiry');
      expect(expired).toMatchObject({ endReason: 'expired', reportCount: 4 });
      expect(Date.parse(expired.endedAt)).toBeGreaterThanOrEqual(ends[3]!);
      const pooled = await customerOf(customerId);
      expect(pooled).toMatchObject({ status: 'open', ownerId: null });
      expect(pooled.ownershipHistory.at(-1)).toMatchObject({ reason: 'released_expired', fromOwnerId: 'biz-sales-1', actorId: null });
      expect((await notices(processId, 'customer.released')).map((n) => n.user_id)).toEqual(['biz-manager', 'biz-sales-1', 'biz-sales-2']);
      expect(await notices(processId, 'customer.report_due')).toEqual([]);

      const reclaim = await call('biz-sales-1', 'POST', `/api/v1/customers/${customerId}/protection-requests`, { reason: 'Mine again?' });
      expect(reclaim.status).toBe(422);
      expect(reclaim.body).toMatchObject({ code: 'RECLAIM_BLOCKED', ruleId: 'OVL-8' });
      const blockedUntil = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.parse(expired.endedAt) + 30 * DAY));
      expect(reclaim.body.detail).toContain(blockedUntil);

      const applied = await call('biz-sales-2', 'POST', `/api/v1/customers/${customerId}/protection-requests`, { reason: 'I know the owner.' });
      expect(applied.status).toBe(201);
      const approval = await taskFor('biz-manager', applied.body.processId, 'approval');
      expect((await decide('biz-manager', approval.id, 'approve')).status).toBe(200);
      const second = await activeProtection(applied.body.id);
      expect(Date.parse(second.startedAt)).toBeGreaterThanOrEqual(Date.parse(expired.endedAt));
      const owned = await customerOf(customerId);
      expect(owned).toMatchObject({ status: 'protected', ownerId: 'biz-sales-2', protection: { id: second.id } });
      expect(owned.ownershipHistory.map((h: { reason: string }) => h.reason)).toEqual(['assigned', 'released_expired', 'protection_granted']);
    },
    LONG,
  );

  it('OVL-8 after the 30 days the previous owner may apply again', async () => {
    const customer = await insertCustomer(engine.db.sql, { id: randomUUID(), name: '保护四 旧客户', cardType: 'terminal', city: '临沂', region: '山东', departmentId: 'business', createdBy: 'biz-manager' });
    const id = randomUUID();
    const startedAt = Date.now() - 160 * DAY;
    await insertProtection(engine.db.sql, { id, customerId: customer.id, protectorId: 'biz-sales-1', departmentId: 'business', kind: 'request', requestedBy: 'biz-sales-1', reason: 'r', processId: `protection-${id}` });
    await startProtection(engine.db.sql, { id, startedAt: new Date(startedAt), monthEnds: protectionMonths(startedAt).map((m) => new Date(m.endsAt)), grantedBy: 'biz-manager', key: `t:${id}` });
    await endProtection(engine.db.sql, { id, outcome: 'expired', actorId: null, at: new Date(Date.now() - 31 * DAY), key: `t:end:${id}` });
    const applied = await call('biz-sales-1', 'POST', `/api/v1/customers/${customer.id}/protection-requests`, { reason: 'A month on, they call again.' });
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({ status: 'requested', protectorId: 'biz-sales-1' });
  });

  it('OVL-8 a declined request leaves the customer in the pool and tells the applicant', async () => {
    const customerId = await newCustomer('保护五 婉拒');
    const requested = await call('biz-sales-2', 'POST', `/api/v1/customers/${customerId}/protection-requests`, { reason: 'r' });
    const approval = await taskFor('biz-manager', requested.body.processId, 'approval');
    expect((await decide('biz-manager', approval.id, 'reject')).status).toBe(200);
    const declined = await eventually(async () => {
      const now = await protectionOf(requested.body.id);
      return now.status === 'declined' && now;
    }, 'the decline');
    expect(declined).toMatchObject({ endReason: 'declined', startedAt: null });
    expect(await customerOf(customerId)).toMatchObject({ status: 'open', ownerId: null, protection: null, ownershipHistory: [] });
    const [notice] = await eventually(async () => {
      const rows = await notices(requested.body.processId, 'process.notice');
      return rows.length > 0 && rows;
    }, 'the notice');
    expect(notice!.user_id).toBe('biz-sales-2');
  });
});

describe('co-development during protection (OVL-8)', () => {
  // Another salesperson's claim on it is an overlap, adjudicated by the committee (OVL-1,
  // tests/api/overlap.test.ts); working it alongside the protector is co-development.
  it('OVL-8 a protected customer is not assigned away (409 CUSTOMER_PROTECTED); another salesperson may ask to co-develop; the protector accepts and the share is kept on the customer', async () => {
    const customerId = await newCustomer('共同开发 临沂礼品店');
    const protection = await assign('biz-manager', customerId, 'biz-sales-1');

    const competing = await call('biz-manager', 'POST', `/api/v1/customers/${customerId}/assignments`, { salespersonId: 'biz-sales-2' });
    expect(competing.status).toBe(409);
    expect(competing.body).toMatchObject({ code: 'CUSTOMER_PROTECTED', ruleId: 'OVL-8' });
    expect(competing.body.detail).toContain('biz-sales-1');
    expect(competing.body.detail).toContain(protection.releaseDay);
    expect((await call('biz-sales-2', 'GET', `/api/v1/customers/${customerId}`)).status).toBe(404);

    const asked = await call('biz-sales-2', 'POST', `/api/v1/customers/${customerId}/co-development-requests`, { share: 30 });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ status: 'pending', requesterId: 'biz-sales-2', ownerId: 'biz-sales-1', share: 30 });
    const task = await taskFor('biz-sales-1', asked.body.processId, 'decide');
    expect(task.candidateIds).toEqual(['biz-sales-1']);
    expect((await decide('biz-sales-1', task.id, 'accept')).status).toBe(200);

    const customer = await eventually(async () => {
      const now = await call('biz-sales-1', 'GET', `/api/v1/customers/${customerId}`);
      return now.body.coDevelopers.length > 0 && now.body;
    }, 'the agreement');
    expect(customer.coDevelopers).toEqual([{ coDeveloperId: 'biz-sales-2', ownerId: 'biz-sales-1', share: 30, agreedAt: expect.any(String) }]);
    // the co-developer now sees the customer; the protection is unchanged
    expect((await call('biz-sales-2', 'GET', `/api/v1/customers/${customerId}`)).body).toMatchObject({ ownerId: 'biz-sales-1', status: 'protected' });
    const again = await call('biz-sales-2', 'POST', `/api/v1/customers/${customerId}/co-development-requests`, { share: 40 });
    expect(again.body).toMatchObject({ status: 409, code: 'ALREADY_CO_DEVELOPER' });
    const told = await eventually(async () => {
      const rows = await notices(asked.body.processId, 'process.notice');
      return rows.length > 0 && rows;
    }, 'the notice');
    expect(told.map((n) => n.user_id)).toEqual(['biz-sales-2']);
  });

  it('OVL-8 the protector declines: nothing is shared and the requester still does not see the customer', async () => {
    const customerId = await newCustomer('共同开发 婉拒');
    await assign('biz-manager', customerId, 'biz-sales-1');
    const asked = await call('floor-sales-1', 'POST', `/api/v1/customers/${customerId}/co-development-requests`, { share: 50 });
    expect(asked.status).toBe(201);
    const retried = await call('floor-sales-1', 'POST', `/api/v1/customers/${customerId}/co-development-requests`, { share: 50 });
    expect(retried.status).toBe(200);
    expect(retried.body.id).toBe(asked.body.id);
    const task = await taskFor('biz-sales-1', asked.body.processId, 'decide');
    expect((await decide('biz-sales-1', task.id, 'decline')).status).toBe(200);
    await eventually(async () => (await engine.db.sql`select 1 from co_development_requests where id = ${asked.body.id} and status = 'declined'`).length > 0, 'the decline');
    expect((await customerOf(customerId)).coDevelopers).toEqual([]);
    expect((await call('floor-sales-1', 'GET', `/api/v1/customers/${customerId}`)).status).toBe(404);
  });
});

describe('a salesperson leaving (SEC-5)', () => {
  it(
    'SEC-5 the Department Manager reassigns the leaver\'s customers within the department, the protection goes on with the new owner, and the leaver may not hand them over',
    async () => {
      const protectedId = await newCustomer('离职一 保护中', 'floor-sales-3');
      const protection = await assign('floor-manager', protectedId, 'floor-sales-3');
      const ends = monthEnds(protection);
      const ownedId = await newCustomer('离职二 已成交', 'floor-sales-3');
      const owned = await assign('floor-manager', ownedId, 'floor-sales-3');
      expect((await call('floor-sales-3', 'POST', `/api/v1/protections/${owned.id}/intent-orders`, { reference: 'YX-9' })).status).toBe(202);
      await eventually(async () => (await customerOf(ownedId)).status === 'owned', 'the intent order');

      const reported = await call('hr-manager', 'POST', '/api/v1/users/floor-sales-3/departure', { note: 'Leaves at the end of the month.' });
      expect(reported.status).toBe(201);
      expect(reported.body).toMatchObject({ userId: 'floor-sales-3', reportedBy: 'hr-manager', status: 'reassigning' });
      expect(reported.body.customers.map((c: { id: string }) => c.id).sort()).toEqual([protectedId, ownedId].sort());
      const departureId = reported.body.id;
      expect((await call('floor-manager', 'POST', '/api/v1/users/floor-sales-3/departure', {})).body.id).toBe(departureId);

      // the leaver may not hand a customer over, by any route
      const transfer = await call('floor-sales-3', 'POST', `/api/v1/customers/${protectedId}/transfers`, { toSalespersonId: 'floor-sales-2' });
      expect(transfer.status).toBe(403);
      expect(transfer.body).toMatchObject({ code: 'LEAVER_MAY_NOT_TRANSFER', ruleId: 'SEC-5' });
      const taskId = await eventually(async () => (await call('floor-manager', 'GET', `/api/v1/departures/${departureId}`)).body.reassignmentTaskId as string | null, 'the reassignment task');
      const own = await decide('floor-sales-3', taskId, 'reassign');
      expect(own.status).toBe(403);
      expect(own.body.code).toBe('NOT_A_CANDIDATE');

      const elsewhere = await call('floor-manager', 'POST', `/api/v1/departures/${departureId}/reassignments`, { assignments: [{ customerId: protectedId, salespersonId: 'biz-sales-1' }] });
      expect(elsewhere.status).toBe(422);
      expect(elsewhere.body).toMatchObject({ code: 'REASSIGNMENT_REFUSED', ruleId: 'SEC-5', errors: [{ path: 'assignments.0', message: 'biz-sales-1 is not in department sales-floor' }] });

      const first = await call('floor-manager', 'POST', `/api/v1/departures/${departureId}/reassignments`, { assignments: [{ customerId: protectedId, salespersonId: 'floor-sales-2' }] });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: 'reassigning', customers: [{ id: ownedId }] });
      const nextTask = await eventually(async () => {
        const now = (await call('floor-manager', 'GET', `/api/v1/departures/${departureId}`)).body.reassignmentTaskId as string | null;
        return now !== taskId && now;
      }, 'the task to open again for the customer left');
      expect(nextTask).not.toBe(taskId);
      const second = await call('floor-manager', 'POST', `/api/v1/departures/${departureId}/reassignments`, { assignments: [{ customerId: ownedId, salespersonId: 'floor-sales-1' }] });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ status: 'completed', customers: [], reassignmentTaskId: null });

      // the leaver's account closes
      const [leaver] = await engine.db.sql<{ active: boolean; left_at: Date | null }[]>`select active, left_at from users where id = 'floor-sales-3'`;
      expect(leaver).toMatchObject({ active: false, left_at: expect.any(Date) });
      expect((await call('floor-sales-3', 'GET', `/api/v1/customers/${protectedId}`)).status).toBe(401);

      // the protection goes on, unchanged, with the new owner
      const kept = await protectionOf(protection.id);
      expect(kept).toMatchObject({ status: 'active', protectorId: 'floor-sales-2', endsAt: protection.endsAt });
      const moved = await customerOf(protectedId);
      expect(moved).toMatchObject({ status: 'protected', ownerId: 'floor-sales-2' });
      expect(moved.ownershipHistory.at(-1)).toMatchObject({ reason: 'reassigned', ruleId: 'SEC-5', fromOwnerId: 'floor-sales-3', toOwnerId: 'floor-sales-2', actorId: 'floor-manager' });
      expect(await customerOf(ownedId)).toMatchObject({ status: 'owned', ownerId: 'floor-sales-1' });

      // the month's reminder goes to the new owner, whose report satisfies the month
      await sleepUntil(ends[0]! - 5 * DAY + MINUTE);
      const [reminder] = await eventually(async () => {
        const rows = await notices(protection.processId, 'customer.report_due');
        return rows.length > 0 && rows;
      }, 'the reminder');
      expect(reminder!.user_id).toBe('floor-sales-2');
      const report = await call('floor-sales-2', 'POST', `/api/v1/protections/${protection.id}/reports`, { summary: 'Took over; visited them.' });
      expect(report.body).toMatchObject({ month: 1, forwarded: true, authorId: 'floor-sales-2' });
      await untilNode(protection.processId, 'month1Reported');
    },
    LONG,
  );

  /** A salesperson of the Business Dept who leaves, holding the customers named. */
  async function leaverWith(leaverId: string, names: string[]): Promise<string[]> {
    await engine.db.sql`insert into users (id, display_name, display_name_zh, department_id) values (${leaverId}, ${leaverId}, ${leaverId}, 'business')`;
    await engine.db.sql`insert into user_roles (user_id, role) values (${leaverId}, 'salesperson')`;
    const ids: string[] = [];
    for (const name of names) {
      const customerId = await newCustomer(name, leaverId);
      await assign('biz-manager', customerId, leaverId);
      ids.push(customerId);
    }
    return ids;
  }

  const taskRow = (taskId: string) =>
    engine.db.sql<{ definition_version: number; data: { assignments: unknown } | null }[]>`select p.definition_version, t.data from tasks t join process_instances p on p.id = t.process_id where t.id = ${taskId}`;

  it(
    'SEC-5 a departure with a reassignment list runs end to end through the API: one decision reassigns every customer (customer.departure@2, a list of records)',
    async () => {
      const [first, second] = await leaverWith('biz-sales-list', ['名单一', '名单二']);
      const reported = await call('hr-manager', 'POST', '/api/v1/users/biz-sales-list/departure', { note: 'Leaves on Friday.' });
      expect(reported.status).toBe(201);
      const departureId = reported.body.id as string;
      const taskId = await eventually(async () => (await call('biz-manager', 'GET', `/api/v1/departures/${departureId}`)).body.reassignmentTaskId as string | null, 'the reassignment task');
      const assignments = [
        { customerId: first!, salespersonId: 'biz-sales-1' },
        { customerId: second!, salespersonId: 'biz-sales-2' },
      ];
      const decided = await call('biz-manager', 'POST', `/api/v1/departures/${departureId}/reassignments`, { assignments });
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ status: 'completed', customers: [], reassignmentTaskId: null });
      // The task of version 2 was decided with the list itself, one record a customer.
      const [task] = await taskRow(taskId);
      expect(task).toMatchObject({ definition_version: 2, data: { assignments } });
      expect(await customerOf(first!)).toMatchObject({ ownerId: 'biz-sales-1', status: 'protected' });
      expect(await customerOf(second!)).toMatchObject({ ownerId: 'biz-sales-2', status: 'protected' });
      const [leaver] = await engine.db.sql<{ active: boolean }[]>`select active from users where id = 'biz-sales-list'`;
      expect(leaver!.active).toBe(false);
    },
    LONG,
  );

  it(
    'SEC-5 a departure already running under customer.departure@1 (customerId=salespersonId strings) still completes through the same API',
    async () => {
      await engine.publish(departureDefinitionV1);
      const [customerId] = await leaverWith('biz-sales-v1', ['旧版一']);
      // Started before version 2 was published: the instance carries version 1.
      const departureId = randomUUID();
      const processId = departureProcessId(departureId);
      await insertDeparture(engine.db.sql, { id: departureId, userId: 'biz-sales-v1', departmentId: 'business', reportedBy: 'hr-manager', note: null, processId });
      const definition = (await findDefinition(engine.db.sql, departureDefinitionV1.key, 1))!;
      await startProcess(engine, {
        processId,
        definition,
        library: {},
        initiator: { id: 'biz-sales-v1', departmentId: 'business' },
        variables: { departureId, departmentId: 'business', reportedBy: 'hr-manager' },
      });
      await untilNode(processId, departureNodes.reassign);
      const taskId = await eventually(async () => (await call('biz-manager', 'GET', `/api/v1/departures/${departureId}`)).body.reassignmentTaskId as string | null, 'the reassignment task');
      const decided = await call('biz-manager', 'POST', `/api/v1/departures/${departureId}/reassignments`, { assignments: [{ customerId, salespersonId: 'biz-sales-1' }] });
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ status: 'completed', customers: [] });
      const [task] = await taskRow(taskId);
      expect(task).toMatchObject({ definition_version: 1, data: { assignments: [`${customerId}=biz-sales-1`] } });
      expect(await customerOf(customerId!)).toMatchObject({ ownerId: 'biz-sales-1' });
    },
    LONG,
  );
});
