// The findings of issue #17, each through the API against real records: a test per finding,
// named after it and the rule it breaks (ACC-n in docs/access.md, SEC-n, SOD-n, DES-n of
// policies.md). Each failed before its fix.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destructionDefinition } from '../../areas/destruction/definitions.ts';
import { customerProcesses } from '../../areas/customers/definitions.ts';
import { overlapProcesses } from '../../areas/overlap/definitions.ts';
import { insertDeparture } from '../../areas/customers/sql.ts';
import { changeOwner } from '../../areas/customers/service/customers.ts';
import { startApiSuite, type EngineApiSuite, type RequestOptions } from '../support/api-suite.ts';
import { archived } from '../support/documents.ts';
import { poolCustomer as poolCustomerIn, protectedCustomer as protectedCustomerIn } from '../support/customers.ts';
import { eventually } from '../support/engine.ts';

let api: EngineApiSuite;
const sql = () => api.engine.db.sql;

beforeAll(async () => {
  api = await startApiSuite({ definitions: [destructionDefinition, ...customerProcesses, ...overlapProcesses] });
});

afterAll(() => api?.teardown());

const call = (userId: string, method: string, path: string, options?: RequestOptions) => api.request(userId, method, path, options);

/** The open task of a process at a node, once the workflow has opened it (read from the projection). */
async function openTask(processId: string, nodeId: string): Promise<string> {
  const read = async () => (await sql()<{ id: string }[]>`select id from tasks where process_id = ${processId} and node_id = ${nodeId} and state = 'open'`)[0]?.id;
  const id = await eventually(read, (found) => found !== undefined);
  if (!id) throw new Error(`no open task ${nodeId} in ${processId}`);
  return id;
}

const complete = (userId: string, taskId: string, json: unknown) => call(userId, 'POST', `/api/v1/tasks/${encodeURIComponent(taskId)}/complete`, { json });

const poolCustomer = (name: string) => poolCustomerIn(sql(), name);
const protectedCustomer = (name: string, protectorId: string) => protectedCustomerIn(sql(), name, protectorId);

async function fileDeparture(userId: string) {
  const id = randomUUID();
  await insertDeparture(sql(), { id, userId, departmentId: 'business', reportedBy: 'hr-manager', note: null, processId: `departure-${id}` });
}

/** A destruction request filed through the API; its id and process id. */
async function fileDestruction(secrecy: 'none' | 'secret' | 'top_secret' = 'none'): Promise<{ id: string; processId: string; documentId: string }> {
  const documentId = await archived(sql(), { secrecy, title: `Board minutes ${randomUUID().slice(0, 6)}` });
  const filed = await call('archivist', 'POST', '/api/v1/destruction-requests', { json: { documentIds: [documentId], reason: 'Retention ended' } });
  expect(filed.status).toBe(201);
  return { id: filed.body.id, processId: filed.body.processId, documentId };
}

describe('findings of issue #17', () => {
  it('ACC-2 SEC-1 the Office Director does not read customer protection processes through GET /processes/{id}; the GM does', async () => {
    const customer = await poolCustomer('临沂茶城');
    const requested = await call('biz-sales-1', 'POST', `/api/v1/customers/${customer.id}/protection-requests`, { json: { reason: 'visited today' } });
    expect(requested.status).toBe(201);
    const processId = requested.body.processId as string;
    await openTask(processId, 'approval');
    const hidden = await call('office-director', 'GET', `/api/v1/processes/${processId}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('PROCESS_NOT_FOUND');
    for (const path of ['audit-trail', 'open-tasks', 'decisions', 'watchers', 'comments']) {
      expect((await call('office-director', 'GET', `/api/v1/processes/${processId}/${path}`)).status).toBe(404);
    }
    expect((await call('gm', 'GET', `/api/v1/processes/${processId}`)).status).toBe(200);
    expect((await call('biz-manager', 'GET', `/api/v1/processes/${processId}`)).status).toBe(200);
    // The Office Director still oversees the archive's processes.
    const destruction = await fileDestruction();
    await openTask(destruction.processId, 'officeReview');
    expect((await call('office-director', 'GET', `/api/v1/processes/${destruction.processId}`)).status).toBe(200);
  });

  it('ACC-3 DES-4 Deputy GMs read a Top Secret destruction request with its titles and references withheld, as GET /documents/{id} hides them', async () => {
    const { id, documentId } = await fileDestruction('top_secret');
    expect((await call('dgm-admin', 'GET', `/api/v1/documents/${documentId}`)).status).toBe(404);
    const read = await call('dgm-admin', 'GET', `/api/v1/destruction-requests/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.items).toEqual([expect.objectContaining({ documentId, title: '(withheld)', reference: '(withheld)', secrecy: 'top_secret' })]);
    expect(read.text).not.toContain('Board minutes');
    const archivist = await call('archivist', 'GET', `/api/v1/destruction-requests/${id}`);
    expect(archivist.body.items[0].title).toMatch(/^Board minutes/);
  });

  it('ACC-4 OVL-8 OVL-1 a 409 on a protection request names neither the customer, its protector nor the end date to a caller outside its tier', async () => {
    const { customer } = await protectedCustomer('兰山礼品行', 'biz-sales-1');
    // Another department's claim on a protected customer is an overlap (OVL-1): it opens an adjudication.
    const claimed = await call('floor-sales-1', 'POST', `/api/v1/customers/${customer.id}/protection-requests`, { json: { reason: 'walked in' } });
    expect(claimed.status).toBe(202);
    // A third claimant, who cannot see the customer, is refused without being told who holds it.
    const refused = await call('floor-sales-2', 'POST', `/api/v1/customers/${customer.id}/protection-requests`, { json: { reason: 'walked in too' } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'ADJUDICATION_UNDER_WAY', ruleId: 'OVL-1' });
    expect(refused.text).not.toContain('兰山礼品行');
    expect(refused.text).not.toContain('biz-sales-1');
    expect(refused.text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    // Its own department's manager, who sees it, is told who and until when.
    const manager = await call('biz-manager', 'POST', `/api/v1/customers/${customer.id}/assignments`, { json: { salespersonId: 'biz-sales-2' } });
    expect(manager.status).toBe(409);
    expect(manager.text).toContain('兰山礼品行');
    expect(manager.text).toContain('biz-sales-1');
  });

  it('ACC-4 OVL-8 a 409 on a co-development request does not name the customer to a caller who cannot see it', async () => {
    const { customer } = await protectedCustomer('罗庄文具', 'biz-sales-1');
    const first = await call('floor-sales-1', 'POST', `/api/v1/customers/${customer.id}/co-development-requests`, { json: { share: 30 } });
    expect(first.status).toBe(201);
    const again = await call('floor-sales-1', 'POST', `/api/v1/customers/${customer.id}/co-development-requests`, { json: { share: 40 } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CO_DEVELOPMENT_PENDING');
    expect(again.text).not.toContain('罗庄文具');
  });

  it('ACC-5 SEC-5 after a transfer the former protector no longer reads the protection and the new owner\'s progress reports', async () => {
    const { customer, protection } = await protectedCustomer('河东体育', 'biz-sales-1');
    expect((await call('biz-sales-1', 'GET', `/api/v1/protections/${protection.id}`)).status).toBe(200);
    const moved = await changeOwner(sql(), { customerId: customer.id, fromOwnerId: 'biz-sales-1', toOwnerId: 'biz-sales-2', reason: 'reassigned', actorId: 'biz-manager', at: new Date(), key: `test:${randomUUID()}` });
    expect(moved).toBe(true);
    const former = await call('biz-sales-1', 'GET', `/api/v1/protections/${protection.id}`);
    expect(former.status).toBe(404);
    expect(former.body.code).toBe('PROTECTION_NOT_FOUND');
    expect((await call('biz-sales-2', 'GET', `/api/v1/protections/${protection.id}`)).status).toBe(200);
  });

  it('SEC-5 a salesperson whose departure is filed files no intent order', async () => {
    await sql()`insert into users (id, display_name, display_name_zh, department_id) values ('biz-sales-9', 'Business Salesperson 9', '业务部销售人员九', 'business')`;
    await sql()`insert into user_roles (user_id, role) values ('biz-sales-9', 'salesperson')`;
    const { protection } = await protectedCustomer('沂水茶庄', 'biz-sales-9');
    await fileDeparture('biz-sales-9');
    const refused = await call('biz-sales-9', 'POST', `/api/v1/protections/${protection.id}/intent-orders`, { json: { reference: 'YX-2026-001' } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'SALESPERSON_LEAVING', ruleId: 'SEC-5' });
    const [row] = await sql()<{ status: string }[]>`select status from protections where id = ${protection.id}`;
    expect(row!.status).toBe('active');
  });

  it('SEC-5 a salesperson whose departure is filed does not accept co-development', async () => {
    await sql()`insert into users (id, display_name, display_name_zh, department_id) values ('biz-sales-8', 'Business Salesperson 8', '业务部销售人员八', 'business')`;
    await sql()`insert into user_roles (user_id, role) values ('biz-sales-8', 'salesperson')`;
    const { customer } = await protectedCustomer('平邑礼品', 'biz-sales-8');
    const asked = await call('floor-sales-2', 'POST', `/api/v1/customers/${customer.id}/co-development-requests`, { json: { share: 30 } });
    expect(asked.status).toBe(201);
    const taskId = await openTask(asked.body.processId, 'decide');
    await fileDeparture('biz-sales-8');
    const refused = await complete('biz-sales-8', taskId, { outcome: 'accept' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'SALESPERSON_LEAVING', ruleId: 'SEC-5' });
    const [row] = await sql()<{ state: string }[]>`select state from tasks where id = ${taskId}`;
    expect(row!.state).toBe('open');
  });

  it('ACC-1 task decisions and actions answer 404 for a task the caller may not see, open or decided', async () => {
    const { processId } = await fileDestruction();
    const taskId = await openTask(processId, 'officeReview');
    const task = encodeURIComponent(taskId);
    const actions: [string, unknown][] = [
      ['complete', { outcome: 'approve', data: { supervisorIds: ['finance-director'] } }],
      ['transfer', { to: 'finance-director' }],
      ['signers', { userId: 'finance-director', position: 'before' }],
      ['send-back', { to: 'requester' }],
      ['urge', {}],
    ];
    for (const [action, json] of actions) {
      const reply = await call('finance-clerk', 'POST', `/api/v1/tasks/${task}/${action}`, { json });
      expect([action, reply.status, reply.body.code]).toEqual([action, 404, 'TASK_NOT_FOUND']);
    }
    expect((await complete('office-director', taskId, { outcome: 'approve', data: { supervisorIds: ['finance-director'] } })).status).toBe(200);
    const decided = await complete('finance-clerk', taskId, { outcome: 'approve' });
    expect([decided.status, decided.body.code]).toEqual([404, 'TASK_NOT_FOUND']);
    // Whoever may see it still learns it is decided.
    expect((await complete('office-director', taskId, { outcome: 'approve' })).status).toBe(409);
  });
});
