// Organisation administration through the API (issue 21): an administrator changes the
// organisation, every change is audited with who made it, and open tasks follow the change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandidateRule, ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { startApiSuite, type ApiSuite, type EngineApiSuite } from '../support/api-suite.ts';
import { approvalDefinition } from '../support/definitions.ts';
import { eventually } from '../support/engine.ts';

/** One task for whoever the rule names. */
function oneTask(key: string, candidates: CandidateRule): ProcessDefinitionInput {
  return {
    key,
    version: 1,
    name: { en: key, zh: key },
    input: {},
    nodes: [
      { id: 'start', type: 'startEvent', next: 'review' },
      { id: 'review', type: 'userTask', name: { en: 'Review', zh: '审核' }, candidates, outcomes: ['approve', 'reject'], next: { approve: 'approved', reject: 'rejected' } },
      { id: 'approved', type: 'endEvent', status: 'approved' },
      { id: 'rejected', type: 'endEvent', status: 'rejected' },
    ],
  };
}

/** A task for whoever is the Office Director. */
const officeDirectorReview = oneTask('test.office-director-review', { anyOf: [{ role: 'office_director' }] });
/** A task for the Deputy GM in charge of the initiator's department. */
const deputyReview = oneTask('test.deputy-review', { anyOf: [{ role: 'deputy_gm_in_charge', department: 'initiator.departmentId' }] });

let api: EngineApiSuite;

beforeAll(async () => {
  api = await startApiSuite({ definitions: [officeDirectorReview, deputyReview, approvalDefinition] });
});

afterAll(() => api?.teardown());

const call: ApiSuite['request'] = (...args) => api.request(...args);

const inboxOf = async (userId: string): Promise<{ id: string; processId: string; candidateIds: string[] }[]> =>
  (await call(userId, 'GET', '/api/v1/tasks?limit=200')).body.tasks;

const holds = (userId: string, processId: string) => async () => (await inboxOf(userId)).some((t) => t.processId === processId);

async function waitFor(check: () => Promise<boolean>, expected: boolean): Promise<void> {
  expect(await eventually(check, (value) => value === expected)).toBe(expected);
}

describe('organisation administration', () => {
  it('an administrator adds a user, appoints them Office Director, and the open Office Director tasks move to them', async () => {
    const processId = await api.engine.start(officeDirectorReview, 'finance-clerk');
    await waitFor(holds('office-director', processId), true);

    const created = await call('hr-manager', 'POST', '/api/v1/organisation/users', {
      json: { id: 'office-director-2', displayName: 'Wang Fang', displayNameZh: '王芳', departmentId: 'gm-office' },
    });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ id: 'office-director-2', active: true, roles: [] });

    const appointed = await call('hr-manager', 'PUT', '/api/v1/organisation/roles/office_director/holders', { json: { userIds: ['office-director-2'] } });
    expect(appointed.status).toBe(200);
    expect(appointed.body.holderIds).toEqual(['office-director-2']);
    expect(appointed.body.reresolvedProcesses).toContain(processId);

    await waitFor(holds('office-director-2', processId), true);
    await waitFor(holds('office-director', processId), false);

    const trail = await call('office-director-2', 'GET', `/api/v1/processes/${processId}/audit-trail`);
    const moved = trail.body.events.find((e: { event: string }) => e.event === 'task.candidates_changed');
    expect(moved).toMatchObject({ actorId: 'hr-manager', detail: { candidateIds: ['office-director-2'], added: ['office-director-2'], removed: ['office-director'] } });

    const [change] = await api.engine.db.sql<{ actorId: string; detail: { granted: string[]; revoked: string[] } }[]>`
      select actor_id as "actorId", detail from audit_log where event = 'organisation.role_holders_changed' and process_id is null`;
    expect(change).toMatchObject({ actorId: 'hr-manager', detail: { granted: ['office-director-2'], revoked: ['office-director'] } });

    const task = (await inboxOf('office-director-2')).find((t) => t.processId === processId)!;
    // The previous holder has lost the role, and with it the task.
    expect((await call('office-director', 'POST', `/api/v1/tasks/${encodeURIComponent(task.id)}/complete`, { json: { outcome: 'approve' } })).status).toBe(403);
    const decided = await call('office-director-2', 'POST', `/api/v1/tasks/${encodeURIComponent(task.id)}/complete`, { json: { outcome: 'approve' } });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ decidedBy: 'office-director-2', status: 'approved' });
  });

  it("a new Deputy GM in charge of a department takes over that department's open tasks", async () => {
    const processId = await api.engine.start(deputyReview, 'market-manager');
    await waitFor(holds('dgm-sales', processId), true);
    const changed = await call('hr-manager', 'PUT', '/api/v1/organisation/departments/market/deputy-gm', { json: { deputyGmId: 'dgm-admin' } });
    expect(changed.status).toBe(200);
    expect(changed.body.department).toMatchObject({ id: 'market', deputyGmInChargeId: 'dgm-admin' });
    await waitFor(holds('dgm-admin', processId), true);
    await waitFor(holds('dgm-sales', processId), false);
  });

  it("a department's new manager takes over the manager's open tasks; the one who lost the role loses them", async () => {
    const processId = await api.engine.start({ key: 'test.approval', version: 1 }, 'finance-clerk', { amount: 10 });
    await waitFor(holds('finance-manager', processId), true);
    const appointed = await call('office-director-2', 'PUT', '/api/v1/organisation/roles/department_manager/holders', {
      json: { userIds: ['finance-director'], departmentId: 'finance' },
    });
    expect(appointed.status).toBe(200);
    await waitFor(holds('finance-director', processId), true);
    await waitFor(holds('finance-manager', processId), false);
    const departments = (await call('hr-manager', 'GET', '/api/v1/organisation')).body.departments;
    expect(departments.find((d: { id: string }) => d.id === 'finance')).toMatchObject({ managerIds: ['finance-director'] });
  });

  it('a deactivated user loses their open tasks and can no longer sign in', async () => {
    const created = await call('hr-manager', 'POST', '/api/v1/organisation/users', {
      json: { id: 'archivist-2', displayName: 'Li Na', displayNameZh: '李娜', departmentId: 'gm-office', roles: [{ role: 'office_director' }] },
    });
    expect(created.status).toBe(201);
    const processId = await api.engine.start(officeDirectorReview, 'finance-clerk');
    await waitFor(holds('archivist-2', processId), true);
    const deactivated = await call('hr-manager', 'POST', '/api/v1/organisation/users/archivist-2/deactivation');
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.user.active).toBe(false);
    // office-director-2 was a candidate from the start: wait for the task to drop archivist-2.
    const openCandidates = () => api.engine.db.sql<{ candidateIds: string[] }[]>`select candidate_ids as "candidateIds" from tasks where process_id = ${processId} and state = 'open'`;
    const rows = await eventually(openCandidates, (found) => found.length === 1 && found[0]!.candidateIds.length === 1);
    expect(rows).toEqual([{ candidateIds: ['office-director-2'] }]);
    expect((await call('archivist-2', 'GET', '/api/v1/me')).status).toBe(401);
  });

  it('SEC-5: a salesperson who owns customers is not deactivated, unappointed or moved here: the departure process reassigns them first', async () => {
    await api.engine.db.sql`
      insert into customers (id, name, card_type, city, region, department_id, owner_id, status, created_by)
      values ('cust-sec5', 'Shanghai Trading', 'distributor', 'Shanghai', 'East', 'business', 'biz-sales-1', 'owned', 'biz-sales-1')`;
    const refused = await call('hr-manager', 'POST', '/api/v1/organisation/users/biz-sales-1/deactivation');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'DEPARTURE_REQUIRED', ruleId: 'SEC-5' });
    expect(refused.body.detail).toContain('/api/v1/users/biz-sales-1/departure');
    expect((await call('biz-sales-1', 'GET', '/api/v1/me')).status).toBe(200);
    // Nor do they stop being a salesperson, or move away from their customers' department.
    const unappointed = await call('hr-manager', 'PUT', '/api/v1/organisation/users/biz-sales-1/roles', { json: { roles: [{ role: 'staff' }] } });
    expect(unappointed.status).toBe(409);
    expect(unappointed.body).toMatchObject({ code: 'CUSTOMERS_HELD', ruleId: 'SEC-5' });
    const moved = await call('hr-manager', 'PATCH', '/api/v1/organisation/users/biz-sales-1', { json: { departmentId: 'finance' } });
    expect(moved.status).toBe(409);
    const holders = await call('hr-manager', 'PUT', '/api/v1/organisation/roles/salesperson/holders', { json: { userIds: ['biz-sales-2'] } });
    expect(holders.status).toBe(409);
    const user = (await call('hr-manager', 'GET', '/api/v1/organisation')).body.users.find((u: { id: string }) => u.id === 'biz-sales-1');
    expect(user).toMatchObject({ departmentId: 'business', roles: [expect.objectContaining({ role: 'salesperson' })] });
  });

  it('only administrators change the organisation, and bad input changes nothing', async () => {
    const refused = await call('finance-clerk', 'POST', '/api/v1/organisation/users', {
      json: { id: 'intruder', displayName: 'X', displayNameZh: 'X', departmentId: 'finance' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('NOT_AN_ADMINISTRATOR');
    const unknown = await call('hr-manager', 'POST', '/api/v1/organisation/users', {
      json: { id: 'nowhere', displayName: 'X', displayNameZh: 'X', departmentId: 'no-such-department' },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('UNKNOWN_DEPARTMENT');
    const badGrant = await call('hr-manager', 'PUT', '/api/v1/organisation/users/finance-clerk/roles', { json: { roles: [{ role: 'department_manager' }] } });
    expect(badGrant.status).toBe(400);
    const notDeputy = await call('hr-manager', 'PUT', '/api/v1/organisation/departments/hr/deputy-gm', { json: { deputyGmId: 'finance-clerk' } });
    expect(notDeputy.status).toBe(422);
    const users = (await call('hr-manager', 'GET', '/api/v1/organisation')).body.users as { id: string; roles: { role: string }[] }[];
    expect(users.some((u) => u.id === 'intruder' || u.id === 'nowhere')).toBe(false);
    expect(users.find((u) => u.id === 'finance-clerk')!.roles.map((r) => r.role)).toEqual(['staff']);
  });
});
