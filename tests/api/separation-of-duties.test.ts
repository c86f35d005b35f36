// Separation of duties through the API (docs/access.md, "Separation of duties"): no person decides
// two approval steps of one instance (SOD-1), in their own right or through a delegate; the
// supervisor of a destruction is neither one of its approvers nor the Archivist (SOD-2, DES-5);
// nobody decides their own request (SOD-3). Each refusal changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destructionDefinition } from '../../areas/destruction/definitions.ts';
import { powerOfAttorneyDefinition } from '../../areas/delegation/definitions.ts';
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { startApiSuite, type EngineApiSuite, type RequestOptions } from '../support/api-suite.ts';
import { archived } from '../support/documents.ts';

const approveOrReject = ['approve', 'reject'];

/** Two approval steps in a row; `first` and `second` name their candidates; a power of attorney reaches both. */
const twoSteps: ProcessDefinitionInput = {
  key: 'test.two-approvals',
  version: 1,
  powerOfAttorney: true,
  name: { en: 'Two approvals', zh: '两级审批' },
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'first' },
    { id: 'first', type: 'userTask', name: { en: 'First', zh: '初审' }, candidates: { anyOf: [{ role: 'gm' }, { user: '"dgm-sales"' }] }, outcomes: approveOrReject, next: { approve: 'second', reject: 'rejected' } },
    { id: 'second', type: 'userTask', name: { en: 'Second', zh: '复审' }, candidates: { anyOf: [{ role: 'gm' }, { role: 'deputy_gm' }] }, outcomes: approveOrReject, next: { approve: 'approved', reject: 'rejected' } },
    { id: 'approved', type: 'endEvent', status: 'approved' },
    { id: 'rejected', type: 'endEvent', status: 'rejected' },
  ],
};

let api: EngineApiSuite;
const sql = () => api.engine.db.sql;

beforeAll(async () => {
  api = await startApiSuite({ definitions: [destructionDefinition, powerOfAttorneyDefinition, twoSteps] });
});

afterAll(() => api?.teardown());

const call = (userId: string, method: string, path: string, options?: RequestOptions) => api.request(userId, method, path, options);
const complete = (userId: string, taskId: string, json: unknown) => call(userId, 'POST', `/api/v1/tasks/${encodeURIComponent(taskId)}/complete`, { json });

async function openTask(processId: string, nodeId: string): Promise<{ id: string; delegateIds: string[] }> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const [row] = await sql()<{ id: string; delegateIds: string[] }[]>`
      select id, delegate_ids as "delegateIds" from tasks where process_id = ${processId} and node_id = ${nodeId} and state = 'open'`;
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no open task ${nodeId} in ${processId}`);
}

const stateOf = async (taskId: string) => (await sql()<{ state: string }[]>`select state from tasks where id = ${taskId}`)[0]!.state;

async function fileDestruction(secrecy: 'none' | 'secret'): Promise<string> {
  const documentId = await archived(sql(), { secrecy });
  const filed = await call('archivist', 'POST', '/api/v1/destruction-requests', { json: { documentIds: [documentId], reason: 'Retention ended' } });
  expect(filed.status).toBe(201);
  return filed.body.processId;
}

/** The GM's power of attorney to `delegateId` for every process a power of attorney reaches, in force now. */
async function powerOfAttorney(delegateId: string): Promise<string> {
  const now = Date.now();
  const given = await call('gm', 'POST', '/api/v1/delegations', {
    json: { delegateId, validFrom: new Date(now - 60_000).toISOString(), validTo: new Date(now + 86_400_000).toISOString(), scope: { maxSecrecy: 'confidential' }, reason: 'Business trip' },
  });
  expect(given.status).toBe(201);
  return given.body.id;
}

describe('separation of duties', () => {
  it('SOD-2 DES-5 the final approver of a destruction does not name themself its supervisor (422, the task stays open)', async () => {
    const processId = await fileDestruction('none');
    const review = await openTask(processId, 'officeReview');
    const refused = await complete('office-director', review.id, { outcome: 'approve', data: { supervisorIds: ['office-director'] } });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'INVALID_DESIGNATION', ruleId: 'SOD-2' });
    expect(await stateOf(review.id)).toBe('open');
    // DES-5: nor the Archivist.
    const archivist = await complete('office-director', review.id, { outcome: 'approve', data: { supervisorIds: ['archivist'] } });
    expect(archivist.body).toMatchObject({ code: 'INVALID_DESIGNATION', ruleId: 'DES-5' });
    expect((await complete('office-director', review.id, { outcome: 'approve', data: { supervisorIds: ['finance-director'] } })).status).toBe(200);
  });

  it('SOD-2 the GM approving classified material names neither himself nor the reviewing Office Director as supervisor', async () => {
    const processId = await fileDestruction('secret');
    const review = await openTask(processId, 'officeReview');
    expect((await complete('office-director', review.id, { outcome: 'approve' })).status).toBe(200);
    const approval = await openTask(processId, 'gmApproval');
    for (const supervisor of ['gm', 'office-director']) {
      const refused = await complete('gm', approval.id, { outcome: 'approve', data: { supervisorIds: [supervisor] } });
      expect([supervisor, refused.status, refused.body.ruleId]).toEqual([supervisor, 422, 'SOD-2']);
    }
    expect(await stateOf(approval.id)).toBe('open');
    expect((await complete('gm', approval.id, { outcome: 'approve', data: { supervisorIds: ['dgm-sales'] } })).status).toBe(200);
  });

  it('SOD-1 SOD-2 BOR-7 with a power of attorney for every process, one person does not review, approve "for the GM" and supervise one destruction', async () => {
    const delegation = await powerOfAttorney('office-director');
    const processId = await fileDestruction('secret');
    const review = await openTask(processId, 'officeReview');
    expect((await complete('office-director', review.id, { outcome: 'approve' })).status).toBe(200);
    const approval = await openTask(processId, 'gmApproval');
    // DES-3: the GM's approval of destruction is his own; no power of attorney reaches it.
    expect(approval.delegateIds).toEqual([]);
    const forTheGm = await complete('office-director', approval.id, { outcome: 'approve', data: { supervisorIds: ['dgm-sales'] } });
    expect([forTheGm.status, forTheGm.body.code]).toEqual([403, 'NOT_A_CANDIDATE']);
    const supervisor = await complete('gm', approval.id, { outcome: 'approve', data: { supervisorIds: ['office-director'] } });
    expect(supervisor.body).toMatchObject({ code: 'INVALID_DESIGNATION', ruleId: 'SOD-2' });
    expect(await stateOf(approval.id)).toBe('open');
    expect((await call('gm', 'POST', `/api/v1/delegations/${delegation}/revoke`)).status).toBe(200);
  });

  it('SOD-1 nobody decides two approval steps of one instance', async () => {
    const processId = await api.engine.start({ key: twoSteps.key, version: 1 }, 'finance-clerk');
    const first = await openTask(processId, 'first');
    expect((await complete('dgm-sales', first.id, { outcome: 'approve' })).status).toBe(200);
    const second = await openTask(processId, 'second');
    const refused = await complete('dgm-sales', second.id, { outcome: 'approve' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'SEPARATION_OF_DUTIES', ruleId: 'SOD-1' });
    expect(await stateOf(second.id)).toBe('open');
    expect((await complete('dgm-admin', second.id, { outcome: 'approve' })).status).toBe(200);
  });

  it('SOD-1 BOR-7 a step decided by a delegate counts for the delegate and for the principal they acted for', async () => {
    await powerOfAttorney('dgm-admin');
    const processId = await api.engine.start({ key: twoSteps.key, version: 1 }, 'finance-clerk');
    const first = await openTask(processId, 'first');
    expect(first.delegateIds).toContain('dgm-admin');
    const delegated = await complete('dgm-admin', first.id, { outcome: 'approve' });
    expect(delegated.status).toBe(200);
    const [decided] = await sql()<{ onBehalfOf: string | null }[]>`select on_behalf_of as "onBehalfOf" from tasks where id = ${first.id}`;
    expect(decided!.onBehalfOf).toBe('gm');
    const second = await openTask(processId, 'second');
    for (const person of ['gm', 'dgm-admin']) {
      const refused = await complete(person, second.id, { outcome: 'approve' });
      expect([person, refused.status, refused.body.ruleId]).toEqual([person, 403, 'SOD-1']);
    }
    expect((await complete('dgm-sales', second.id, { outcome: 'approve' })).status).toBe(200);
  });

  it('SOD-3 nobody decides their own request: not as a candidate, a signer or by a transfer', async () => {
    const processId = await api.engine.start({ key: twoSteps.key, version: 1 }, 'dgm-sales');
    const first = await openTask(processId, 'first');
    // The engine never makes the initiator a candidate (dgm-sales is named by the first step).
    const [row] = await sql()<{ candidateIds: string[] }[]>`select candidate_ids as "candidateIds" from tasks where id = ${first.id}`;
    expect(row!.candidateIds).not.toContain('dgm-sales');
    const own = await complete('dgm-sales', first.id, { outcome: 'approve' });
    expect([own.status, own.body.code]).toEqual([403, 'NOT_A_CANDIDATE']);
    // Nor as a signer or by a transfer: the engine refuses to hand the task to the requester.
    const signer = await call('gm', 'POST', `/api/v1/tasks/${encodeURIComponent(first.id)}/signers`, { json: { userId: 'dgm-sales', position: 'before' } });
    expect([signer.status, signer.body.code]).toEqual([403, 'TARGET_NOT_ELIGIBLE']);
    const transfer = await call('gm', 'POST', `/api/v1/tasks/${encodeURIComponent(first.id)}/transfer`, { json: { to: 'dgm-sales' } });
    expect(transfer.status).toBe(403);
    expect(await stateOf(first.id)).toBe('open');
  });
});
