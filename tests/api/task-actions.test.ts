// Task actions through the API (issue #16) on the time-skipping server, with the borrowing and
// destruction definitions: each action allowed, refused with its code as problem+json, and audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borrowingProcesses } from '../../areas/borrowing/definitions.ts';
import { destructionDefinition, retentionReviewDefinition } from '../../areas/destruction/definitions.ts';
import { actionsDefinition } from '../support/action-definitions.ts';
import { startApiSuite, type EngineApiSuite, type Reply } from '../support/api-suite.ts';
import { archived } from '../support/documents.ts';

let api: EngineApiSuite;
const sql = () => api.engine.db.sql;

beforeAll(async () => {
  api = await startApiSuite({ definitions: [...borrowingProcesses, retentionReviewDefinition, destructionDefinition, actionsDefinition] });
});

afterAll(() => api?.teardown());

const call = (userId: string | null, method: string, path: string, json?: unknown) => api.request(userId, method, path, { json });
const task = (id: string, action: string, userId: string, json?: unknown) => call(userId, 'POST', `/api/v1/tasks/${encodeURIComponent(id)}/${action}`, json);

async function waitFor<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** The open task of the process at the node in the user's inbox. */
const myTask = (userId: string, processId: string, nodeId: string) =>
  waitFor(async () => {
    const { body } = await call(userId, 'GET', '/api/v1/tasks?limit=200');
    return (body.tasks as { id: string; processId: string; nodeId: string; candidateIds: string[] }[]).find((t) => t.processId === processId && t.nodeId === nodeId);
  }, `${nodeId} of ${processId} for ${userId}`);

const ok = (reply: Reply, status = 200) => {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  return reply.body;
};

const refused = (reply: Reply, status: number, code: string) => {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.type).toContain('application/problem+json');
  expect(reply.body.code).toBe(code);
  return reply.body;
};

const auditOf = (processId: string, event: string) =>
  sql()<{ actor_id: string; on_behalf_of: string | null; rule_id: string | null; detail: Record<string, unknown> }[]>`
    select actor_id, on_behalf_of, rule_id, detail from audit_log where process_id = ${processId} and event = ${event} order by seq`;

async function borrowRequest(userId: string, secrecy: 'none' | 'secret', body: Record<string, unknown>): Promise<{ id: string; processId: string }> {
  const documentId = await archived(sql(), { secrecy, retentionYears: null, category: 'contract' });
  return ok(await call(userId, 'POST', '/api/v1/borrow-requests', { documentId, purpose: 'audit preparation', ...body }), 201);
}

describe('borrowing', () => {
  it('send back to the requester, who resubmits with a changed note: the application runs again from its submission', async () => {
    const request = await borrowRequest('finance-clerk', 'none', { mode: 'reading' });
    ok(await task((await myTask('finance-manager', request.processId, 'submit')).id, 'complete', 'finance-manager', { outcome: 'submit' }));
    const approval = await myTask('office-director', request.processId, 'approval');

    refused(await task(approval.id, 'send-back', 'office-director', { to: 'handOver' }), 409, 'NOT_AN_EARLIER_TASK');
    refused(await task(approval.id, 'send-back', 'finance-manager', { to: 'requester' }), 403, 'NOT_A_CANDIDATE');
    const sent = ok(await task(approval.id, 'send-back', 'office-director', { to: 'requester', comment: 'say which pages' }));
    expect(sent.openTasks).toEqual([{ id: expect.any(String), nodeId: 'start', candidateIds: ['finance-clerk'] }]);
    const resubmit = await myTask('finance-clerk', request.processId, 'start');
    // What the requester may change: their note, nothing else.
    expect(ok(await call('finance-clerk', 'GET', `/api/v1/tasks/${encodeURIComponent(resubmit.id)}`))).toMatchObject({
      outcomes: ['resubmit'],
      form: { note: { type: 'string', required: false } },
    });
    // The document and the loan's terms are the request's: a resubmission changes only the note.
    refused(await task(resubmit.id, 'complete', 'finance-clerk', { outcome: 'resubmit', data: { documentId: 'another' } }), 422, 'INVALID_TASK_DATA');
    ok(await task(resubmit.id, 'complete', 'finance-clerk', { outcome: 'resubmit', data: { note: 'pages 3 to 7' } }));

    const again = await myTask('finance-manager', request.processId, 'submit');
    expect(again.candidateIds).toEqual(['finance-manager']);
    const detail = ok(await call('finance-clerk', 'GET', `/api/v1/processes/${request.processId}`));
    expect(detail.activeNodes).toEqual(['submit']);
    expect(await auditOf(request.processId, 'task.sent_back')).toEqual([
      { actor_id: 'office-director', on_behalf_of: null, rule_id: 'BOR-2', detail: { to: 'requester', comment: 'say which pages' } },
    ]);
    expect(await auditOf(request.processId, 'process.resubmitted')).toMatchObject([{ actor_id: 'finance-clerk', detail: { changed: { note: 'pages 3 to 7' } } }]);
  });

  it('withdraw: the requester withdraws before the first decision and the request is cancelled; after it, 409 ALREADY_DECIDED', async () => {
    const request = await borrowRequest('finance-clerk', 'none', { mode: 'reading' });
    await myTask('finance-manager', request.processId, 'submit');
    refused(await call('finance-manager', 'POST', `/api/v1/processes/${request.processId}/withdraw`, {}), 403, 'NOT_THE_INITIATOR');
    expect(ok(await call('finance-clerk', 'POST', `/api/v1/processes/${request.processId}/withdraw`, { reason: 'found a copy' }))).toEqual({ status: 'withdrawn' });
    expect(ok(await call('finance-clerk', 'GET', `/api/v1/borrow-requests/${request.id}`)).status).toBe('cancelled');
    refused(await call('finance-clerk', 'POST', `/api/v1/processes/${request.processId}/withdraw`, {}), 409, 'PROCESS_ENDED');

    const decided = await borrowRequest('finance-clerk', 'none', { mode: 'reading' });
    ok(await task((await myTask('finance-manager', decided.processId, 'submit')).id, 'complete', 'finance-manager', { outcome: 'submit' }));
    refused(await call('finance-clerk', 'POST', `/api/v1/processes/${decided.processId}/withdraw`), 409, 'ALREADY_DECIDED');
    // The borrowing cancel still reaches further, to the hand-over.
    expect((await call('finance-clerk', 'POST', `/api/v1/borrow-requests/${decided.id}/cancel`, {})).status).toBe(200);
  });

  it('BOR-6 a Secret loan approval goes to no one but the GM and the Deputy GM in charge', async () => {
    const request = await borrowRequest('finance-clerk', 'secret', { mode: 'loan', hours: 2 });
    const approval = await myTask('gm', request.processId, 'approval');
    expect(refused(await task(approval.id, 'transfer', 'gm', { to: 'office-director' }), 403, 'TARGET_NOT_ELIGIBLE').ruleId).toBe('BOR-6');
    expect(refused(await task(approval.id, 'signers', 'gm', { userId: 'finance-director', position: 'before' }), 403, 'TARGET_NOT_ELIGIBLE').ruleId).toBe('BOR-6');
    refused(await task(approval.id, 'transfer', 'gm', { to: 'nobody-here' }), 404, 'USER_NOT_FOUND');
    const moved = ok(await task(approval.id, 'transfer', 'gm', { to: 'dgm-admin', comment: 'yours' }));
    expect(moved.openTasks).toEqual([{ id: approval.id, nodeId: 'approval', candidateIds: ['dgm-admin'] }]);
    refused(await task(approval.id, 'complete', 'gm', { outcome: 'approve' }), 403, 'NOT_A_CANDIDATE');
    ok(await task(approval.id, 'complete', 'dgm-admin', { outcome: 'approve' }));
    expect(await auditOf(request.processId, 'task.transferred')).toEqual([
      { actor_id: 'gm', on_behalf_of: null, rule_id: 'BOR-6', detail: { from: ['dgm-admin', 'gm'], to: 'dgm-admin', comment: 'yours' } },
    ]);
  });

  it("BOR-7 the GM's delegate sends a Secret loan back to its requester on the GM's behalf, and the trail says so", async () => {
    const now = await api.engine.env.currentTimeMs();
    const poa = await archived(sql(), { category: 'power_of_attorney', retentionYears: 30, archivedOn: new Date(now).toISOString().slice(0, 10) });
    await sql()`
      insert into delegations (id, principal_id, delegate_id, valid_from, valid_to, process_keys, max_secrecy, reason, document_id)
      values ('poa-actions', 'gm', 'office-director', ${new Date(now - 3_600_000)}, ${new Date(now + 30 * 86_400_000)}, null, 'secret', 'GM abroad', ${poa})`;
    try {
      const request = await borrowRequest('biz-sales-1', 'secret', { mode: 'loan', hours: 2 });
      const approval = await myTask('office-director', request.processId, 'approval');
      const sent = ok(await task(approval.id, 'send-back', 'office-director', { to: 'requester', comment: 'which chapter?' }));
      expect(sent).toMatchObject({ actorId: 'office-director', onBehalfOf: 'gm' });
      expect(await auditOf(request.processId, 'task.sent_back')).toEqual([
        { actor_id: 'office-director', on_behalf_of: 'gm', rule_id: 'BOR-6', detail: { to: 'requester', comment: 'which chapter?' } },
      ]);
    } finally {
      await sql()`update delegations set revoked_at = now(), revoked_by = 'gm' where id = 'poa-actions'`;
    }
  });
});

describe('destruction', () => {
  const file = async (secrecy: 'none' | 'confidential') => {
    const documentId = await archived(sql(), { secrecy });
    return ok(await call('archivist', 'POST', '/api/v1/destruction-requests', { documentIds: [documentId], reason: 'Retention ended' }), 201) as { id: string; processId: string };
  };

  it('add a signer before me on a destruction review: they decide first, then the Office Director decides and designates', async () => {
    const request = await file('none');
    const review = await myTask('office-director', request.processId, 'officeReview');
    refused(await task(review.id, 'signers', 'archivist', { userId: 'finance-director', position: 'before' }), 403, 'NOT_A_CANDIDATE');
    const added = ok(await task(review.id, 'signers', 'office-director', { userId: 'finance-director', position: 'before', comment: 'check the ledger' }));
    expect(added.openTasks).toEqual([{ id: expect.any(String), nodeId: 'officeReview', candidateIds: ['finance-director'] }]);
    refused(await task(review.id, 'complete', 'office-director', { outcome: 'approve' }), 409, 'TASK_ALREADY_COMPLETED');
    const signer = await myTask('finance-director', request.processId, 'officeReview');
    ok(await task(signer.id, 'complete', 'finance-director', { outcome: 'approve' }));
    const back = await myTask('office-director', request.processId, 'officeReview');
    expect(back.id).not.toBe(review.id);
    ok(await task(back.id, 'complete', 'office-director', { outcome: 'approve', data: { supervisorIds: ['finance-director'] } }));
    const approved = await waitFor(async () => {
      const { body } = await call('archivist', 'GET', `/api/v1/destruction-requests/${request.id}`);
      return body.status === 'approved' ? body : undefined;
    }, 'the approval');
    expect(approved.status).toBe('approved');
    expect(await auditOf(request.processId, 'task.signer_added')).toEqual([
      { actor_id: 'office-director', on_behalf_of: null, rule_id: 'DES-2', detail: { userId: 'finance-director', position: 'before', comment: 'check the ledger' } },
    ]);
  });

  it('DES-3 the GM approval of classified material is neither transferred nor signed by anyone else', async () => {
    const request = await file('confidential');
    const review = await myTask('office-director', request.processId, 'officeReview');
    ok(await task(review.id, 'complete', 'office-director', { outcome: 'approve' }));
    const approval = await myTask('gm', request.processId, 'gmApproval');
    expect(refused(await task(approval.id, 'transfer', 'gm', { to: 'dgm-admin' }), 403, 'TARGET_NOT_ELIGIBLE').ruleId).toBe('DES-3');
    expect(refused(await task(approval.id, 'signers', 'gm', { userId: 'office-director', position: 'after' }), 403, 'TARGET_NOT_ELIGIBLE').ruleId).toBe('DES-3');
    expect((await myTask('gm', request.processId, 'gmApproval')).candidateIds).toEqual(['gm']);
    expect(await auditOf(request.processId, 'task.transferred')).toEqual([]);
  });
});

describe('urge, copy and comments', () => {
  const start = () => api.engine.start({ key: 'test.actions', version: 1 }, 'finance-clerk', { amount: 10 });

  it('urge: the requester reminds the candidates; again within the hour is 429 with Retry-After', async () => {
    const processId = await start();
    const review = await myTask('finance-manager', processId, 'review');
    refused(await task(review.id, 'urge', 'finance-manager'), 403, 'NOT_THE_INITIATOR');
    expect(ok(await task(review.id, 'urge', 'finance-clerk'))).toEqual({ taskId: review.id, notified: ['finance-manager'] });
    const again = await task(review.id, 'urge', 'finance-clerk');
    refused(again, 429, 'URGED_TOO_RECENTLY');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(3_500);
    refused(await task('no-such-task', 'urge', 'finance-clerk'), 404, 'TASK_NOT_FOUND');
    expect(await auditOf(processId, 'task.urged')).toHaveLength(1);
  });

  it('copy people in: a watcher may read the instance and its comments; an outsider may not', async () => {
    const processId = await start();
    await myTask('finance-manager', processId, 'review');
    refused(await call('hr-manager', 'GET', `/api/v1/processes/${processId}`), 404, 'PROCESS_NOT_FOUND');
    refused(await call('finance-clerk', 'POST', `/api/v1/processes/${processId}/watchers`, { userIds: ['nobody-here'] }), 404, 'USER_NOT_FOUND');
    expect(ok(await call('finance-clerk', 'POST', `/api/v1/processes/${processId}/watchers`, { userIds: ['hr-manager'] }))).toEqual({ added: ['hr-manager'] });
    refused(await call('finance-clerk', 'POST', `/api/v1/processes/${processId}/watchers`, { userIds: ['hr-manager'] }), 409, 'ALREADY_WATCHING');
    expect(ok(await call('hr-manager', 'GET', `/api/v1/processes/${processId}`)).id).toBe(processId);
    expect(ok(await call('hr-manager', 'GET', `/api/v1/processes/${processId}/watchers`)).watchers).toMatchObject([{ userId: 'hr-manager', addedBy: 'finance-clerk' }]);
    refused(await call('floor-sales-1', 'POST', `/api/v1/processes/${processId}/watchers`, { userIds: ['gm'] }), 404, 'PROCESS_NOT_FOUND');
    // A watcher decides nothing.
    const review = await myTask('finance-manager', processId, 'review');
    refused(await task(review.id, 'complete', 'hr-manager', { outcome: 'approve' }), 403, 'NOT_A_CANDIDATE');
    expect(await auditOf(processId, 'process.copied')).toEqual([{ actor_id: 'finance-clerk', on_behalf_of: null, rule_id: null, detail: { userIds: ['hr-manager'] } }]);
  });

  it('comments with @mentions: the mentioned get a notice and may read them; outsiders neither read nor write', async () => {
    const processId = await start();
    await myTask('finance-manager', processId, 'review');
    const posted = ok(await call('finance-manager', 'POST', `/api/v1/processes/${processId}/comments`, { text: 'Is this budgeted, @finance-director?' }), 201);
    expect(posted).toMatchObject({ authorId: 'finance-manager', text: 'Is this budgeted, @finance-director?', mentions: ['finance-director'] });
    refused(await call('finance-manager', 'POST', `/api/v1/processes/${processId}/comments`, { text: 'ask @nobody-here' }), 404, 'USER_NOT_FOUND');
    refused(await call('finance-manager', 'POST', `/api/v1/processes/${processId}/comments`, { text: '' }), 400, 'INVALID_INPUT');
    refused(await call('floor-sales-1', 'POST', `/api/v1/processes/${processId}/comments`, { text: 'hello' }), 404, 'PROCESS_NOT_FOUND');
    refused(await call('floor-sales-1', 'GET', `/api/v1/processes/${processId}/comments`), 404, 'PROCESS_NOT_FOUND');
    ok(await call('finance-director', 'POST', `/api/v1/processes/${processId}/comments`, { text: 'Yes, line 4.' }), 201);
    const page = ok(await call('finance-clerk', 'GET', `/api/v1/processes/${processId}/comments?limit=1`));
    expect(page.comments.map((c: { authorId: string }) => c.authorId)).toEqual(['finance-manager']);
    const rest = ok(await call('finance-clerk', 'GET', `/api/v1/processes/${processId}/comments?cursor=${encodeURIComponent(page.nextCursor)}`));
    expect(rest).toMatchObject({ comments: [{ authorId: 'finance-director', text: 'Yes, line 4.' }], nextCursor: null });
    const [notice] = await sql()<{ user_id: string }[]>`select user_id from notifications where process_id = ${processId} and kind = 'comment.mention'`;
    expect(notice!.user_id).toBe('finance-director');
    expect(await auditOf(processId, 'comment.added')).toHaveLength(2);
  });
});
