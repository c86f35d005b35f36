// Destruction through the HTTP API and in the database itself (DES-1..5): who may file, hold and
// verify; the refusals that name each document; a destruction from filing to the register entry;
// the register's CSV export; and the guarantees PostgreSQL keeps whoever writes: no document
// becomes destroyed outside the register, the register is append-only, and its hash chain (and
// the audit trail's) is recomputed by scripts/verify-chain.ts with the triggers' own formula.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewDocument } from '../../areas/archive/sql.ts';
import { connect, type Sql } from '../../platform/db/client.ts';
import { verifyChain } from '../../scripts/verify-chain.ts';
import { destructionDefinition, retentionReviewDefinition } from '../../areas/destruction/definitions.ts';
import { startApiSuite, type EngineApiSuite, type RequestOptions } from '../support/api-suite.ts';
import { archived as archivedDocument } from '../support/documents.ts';
import type { EngineHarness } from '../support/engine.ts';

const confirmation = { method: 'incineration', place: 'Boiler room', executedAt: '2026-12-02T09:30:00+08:00' };
const root = fileURLToPath(new URL('../../', import.meta.url));

let api: EngineApiSuite;
let engine: EngineHarness;
const sql = () => engine.db.sql;
/** The tables' owner and the server's superuser: what the application role (sql()) is not. */
let owner: Sql;
let superuser: Sql;

beforeAll(async () => {
  api = await startApiSuite({ definitions: [retentionReviewDefinition, destructionDefinition] });
  engine = api.engine;
  owner = connect(engine.db.ownerUrl, { max: 1 });
  superuser = connect(engine.db.superuserUrl, { max: 1 });
});

afterAll(async () => {
  await Promise.all([owner?.end({ timeout: 5 }), superuser?.end({ timeout: 5 })]);
  await api?.teardown();
});

const call = (userId: string, method: string, path: string, options?: RequestOptions) => api.request(userId, method, path, options);

const archived = (overrides: Partial<NewDocument> = {}) => archivedDocument(sql(), overrides);

const statusOf = async (id: string) => (await sql()<{ status: string }[]>`select status from documents where id = ${id}`)[0]!.status;

async function waitFor<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('gave up waiting');
}

/** The open task of the process in the user's inbox, once the workflow has opened it. */
const myTask = (userId: string, processId: string, nodeId: string) =>
  waitFor(async () => {
    const { body } = await call(userId, 'GET', '/api/v1/tasks?limit=200');
    return (body.tasks as { id: string; processId: string; nodeId: string }[]).find((t) => t.processId === processId && t.nodeId === nodeId);
  });

const requestStatus = (id: string, wanted: string) =>
  waitFor(async () => {
    const { body } = await call('archivist', 'GET', `/api/v1/destruction-requests/${id}`);
    return body.status === wanted ? body : undefined;
  });

/** A destruction of general material carried through the API from filing to the register. */
async function destroyThroughApi(documentIds: string[]): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- the request as the API returns it
  const filed = await call('archivist', 'POST', '/api/v1/destruction-requests', { json: { documentIds, reason: 'Retention ended' } });
  expect(filed.status).toBe(201);
  const { id, processId } = filed.body;
  const review = await myTask('office-director', processId, 'officeReview');
  expect((await call('office-director', 'POST', `/api/v1/tasks/${encodeURIComponent(review.id)}/complete`, { json: { outcome: 'approve', data: { supervisorIds: ['finance-director'] } } })).status).toBe(200);
  await requestStatus(id, 'approved');
  expect((await call('archivist', 'POST', `/api/v1/destruction-requests/${id}/verification`, { json: { checkedIds: documentIds } })).status).toBe(202);
  const supervise = await myTask('finance-director', processId, 'supervise');
  expect((await call('finance-director', 'POST', `/api/v1/tasks/${encodeURIComponent(supervise.id)}/complete`, { json: { outcome: 'confirm', data: confirmation } })).status).toBe(200);
  return requestStatus(id, 'destroyed');
}

describe('filing a destruction request', () => {
  it('DES-1 only the Archivist files a destruction request; nothing is destroyed any other way', async () => {
    const document = await archived();
    const refused = await call('office-director', 'POST', '/api/v1/destruction-requests', { json: { documentIds: [document], reason: 'Tidy up' } });
    expect(refused.status).toBe(403);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'NOT_THE_ARCHIVIST', ruleId: 'DES-1' });
    expect(await statusOf(document)).toBe('in_archive');
  });

  it('DES-2 every document must be past its retention, in the archive and not held: 422 names each one and why, and nothing changes', async () => {
    const due = await archived();
    const permanent = await archived({ category: 'personnel_file', retentionYears: null });
    const young = await archived({ archivedOn: '2025-01-15' });
    const lent = await archived();
    await sql()`update documents set status = 'on_loan' where id = ${lent}`;
    const held = await archived();
    const hold = await call('office-director', 'POST', `/api/v1/documents/${held}/holds`, { json: { reason: 'Tax audit 2026' } });
    expect(hold.status).toBe(201);

    const refused = await call('archivist', 'POST', '/api/v1/destruction-requests', { json: { documentIds: [due, permanent, young, lent, held], reason: 'Retention ended' } });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'NOT_DESTRUCTIBLE', ruleId: 'DES-2' });
    expect(refused.body.errors).toEqual([
      { path: 'documentIds.1', message: expect.stringMatching(new RegExp(`^${permanent} \\(ACC-2012-\\d+\\): kept permanently$`)) },
      { path: 'documentIds.2', message: expect.stringContaining(`${young} (`) },
      { path: 'documentIds.3', message: expect.stringContaining('on loan') },
      { path: 'documentIds.4', message: expect.stringContaining('held (Tax audit 2026)') },
    ]);
    expect(refused.body.errors[1].message).toContain('retention runs until 2035-01-15');
    expect(await statusOf(due)).toBe('in_archive');
    expect((await sql()`select 1 from destruction_requests`).length).toBe(0);
  });

  it('refuses malformed input with 400 and unknown documents with 404', async () => {
    const document = await archived();
    for (const json of [{ documentIds: [], reason: 'x' }, { documentIds: [document, document], reason: 'x' }, { documentIds: [document] }, { documentIds: [document], reason: 'x', extra: 1 }]) {
      const reply = await call('archivist', 'POST', '/api/v1/destruction-requests', { json });
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe('INVALID_INPUT');
    }
    const unknown = await call('archivist', 'POST', '/api/v1/destruction-requests', { json: { documentIds: [document, 'no-such-document'], reason: 'x' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'DOCUMENT_NOT_FOUND' });
    expect(await statusOf(document)).toBe('in_archive');
  });

  it('DES-2 holds: only the Office Director places and releases them; a held document enters destruction only once released', async () => {
    const document = await archived();
    expect((await call('archivist', 'POST', `/api/v1/documents/${document}/holds`, { json: { reason: 'Audit' } })).body.code).toBe('NOT_THE_OFFICE_DIRECTOR');
    expect((await call('office-director', 'POST', '/api/v1/documents/no-such-document/holds', { json: { reason: 'Audit' } })).status).toBe(404);
    expect((await call('office-director', 'POST', `/api/v1/documents/${document}/holds`, { json: { reason: '' } })).status).toBe(400);
    const placed = await call('office-director', 'POST', `/api/v1/documents/${document}/holds`, { json: { reason: 'Audit' } });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ hold: { documentId: document, reason: 'Audit', placedBy: 'office-director', releasedAt: null }, destructionRequestId: null });
    const holdId = placed.body.hold.id as string;

    const candidates = await call('archivist', 'GET', '/api/v1/destruction-candidates');
    expect(candidates.body.documents.map((d: { id: string }) => d.id)).not.toContain(document);
    expect((await call('archivist', 'POST', '/api/v1/destruction-requests', { json: { documentIds: [document], reason: 'x' } })).status).toBe(422);

    expect((await call('archivist', 'POST', `/api/v1/documents/${document}/holds/${holdId}/release`)).status).toBe(403);
    expect((await call('office-director', 'POST', `/api/v1/documents/${document}/holds/no-such-hold/release`)).status).toBe(404);
    const released = await call('office-director', 'POST', `/api/v1/documents/${document}/holds/${holdId}/release`);
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ id: holdId, releasedBy: 'office-director' });
    expect((await call('office-director', 'POST', `/api/v1/documents/${document}/holds/${holdId}/release`)).body.code).toBe('HOLD_ALREADY_RELEASED');
    expect((await call('archivist', 'GET', '/api/v1/destruction-candidates')).body.documents.map((d: { id: string }) => d.id)).toContain(document);

    const filed = await call('archivist', 'POST', '/api/v1/destruction-requests', { json: { documentIds: [document], reason: 'Retention ended' } });
    expect(filed.status).toBe(201);
    expect(await statusOf(document)).toBe('pending_destruction');
    // A hold placed now tells the Office Director which request it will withdraw the document from.
    const during = await call('office-director', 'POST', `/api/v1/documents/${document}/holds`, { json: { reason: 'Second audit' } });
    expect(during.body.destructionRequestId).toBe(filed.body.id);
  });
});

describe('holds in the audit trail', () => {
  it('DES-2 hold placements and releases are audited with who, when and why (issue 17)', async () => {
    const document = await archived();
    const placed = await call('office-director', 'POST', `/api/v1/documents/${document}/holds`, { json: { reason: 'Litigation 2026' } });
    expect(placed.status).toBe(201);
    const holdId = placed.body.hold.id as string;
    expect((await call('office-director', 'POST', `/api/v1/documents/${document}/holds/${holdId}/release`)).status).toBe(200);
    // A refused release (already released) leaves no entry.
    expect((await call('office-director', 'POST', `/api/v1/documents/${document}/holds/${holdId}/release`)).status).toBe(409);
    const entries = await sql()<{ event: string; actorId: string; ruleId: string; detail: Record<string, unknown> }[]>`
      select event, actor_id as "actorId", rule_id as "ruleId", detail from audit_log where detail->>'holdId' = ${holdId} order by seq`;
    expect(entries).toEqual([
      { event: 'hold.placed', actorId: 'office-director', ruleId: 'DES-2', detail: { holdId, documentId: document, reason: 'Litigation 2026', destructionRequestId: null } },
      { event: 'hold.released', actorId: 'office-director', ruleId: 'DES-2', detail: { holdId, documentId: document } },
    ]);
  });
});

describe('a destruction from filing to the register', () => {
  let destroyed: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the request as the API returns it
  let documents: string[];

  beforeAll(async () => {
    documents = [await archived(), await archived({ title: 'Vouchers, "special", with a comma, and 中文' })];
  });

  it('DES-4 the Archivist reports the item check once the request is approved, and once; a retried filing returns the same request', async () => {
    const first = await call('archivist', 'POST', '/api/v1/destruction-requests', { json: { documentIds: documents, reason: 'Retention ended' }, headers: { 'idempotency-key': 'k-1' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'in_review', secrecy: 'none', needsGmApproval: false, supervisorsRequired: 1, processId: `destruction-${first.body.id}` });
    expect(first.body.items.map((i: { documentId: string; state: string }) => [i.documentId, i.state])).toEqual(documents.map((d) => [d, 'pending']));
    const again = await call('archivist', 'POST', '/api/v1/destruction-requests', { json: { documentIds: documents, reason: 'Retention ended' }, headers: { 'idempotency-key': 'k-1' } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const other = await call('archivist', 'POST', '/api/v1/destruction-requests', { json: { documentIds: [documents[0]], reason: 'Retention ended' }, headers: { 'idempotency-key': 'k-1' } });
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const { id, processId } = first.body;
    expect((await call('archivist', 'POST', `/api/v1/destruction-requests/${id}/verification`, { json: { checkedIds: documents } })).body.code).toBe('NOT_AWAITING_VERIFICATION');
    expect((await call('biz-sales-1', 'GET', `/api/v1/destruction-requests/${id}`)).status).toBe(404);

    const review = await myTask('office-director', processId, 'officeReview');
    await call('office-director', 'POST', `/api/v1/tasks/${encodeURIComponent(review.id)}/complete`, { json: { outcome: 'approve', comment: 'agreed', data: { supervisorIds: ['finance-director'] } } });
    const approved = await requestStatus(id, 'approved');
    expect(approved.decisions).toEqual([
      expect.objectContaining({ step: 'office_review', outcome: 'approve', decidedBy: 'office-director', onBehalfOf: null, comment: 'agreed' }),
      expect.objectContaining({ step: 'designation', outcome: 'designated', decidedBy: 'office-director', detail: { supervisorIds: ['finance-director'] } }),
    ]);
    // The designated supervisor may follow the request.
    expect((await call('finance-director', 'GET', `/api/v1/destruction-requests/${id}`)).status).toBe(200);

    expect((await call('office-director', 'POST', `/api/v1/destruction-requests/${id}/verification`, { json: { checkedIds: documents } })).status).toBe(403);
    expect((await call('archivist', 'POST', `/api/v1/destruction-requests/${id}/verification`, { json: { checkedIds: 'all' } })).status).toBe(400);
    const verified = await call('archivist', 'POST', `/api/v1/destruction-requests/${id}/verification`, { json: { checkedIds: documents } });
    expect(verified.status).toBe(202);
    expect((await call('archivist', 'POST', `/api/v1/destruction-requests/${id}/verification`, { json: { checkedIds: documents } })).status).toBe(409);

    const supervise = await myTask('finance-director', processId, 'supervise');
    const bad = await call('finance-director', 'POST', `/api/v1/tasks/${encodeURIComponent(supervise.id)}/complete`, { json: { outcome: 'confirm', data: { ...confirmation, method: 'burying' } } });
    expect(bad.status).toBe(422);
    expect((await call('finance-director', 'POST', `/api/v1/tasks/${encodeURIComponent(supervise.id)}/complete`, { json: { outcome: 'confirm', data: confirmation } })).status).toBe(200);
    destroyed = await requestStatus(id, 'destroyed');
    expect(destroyed.registerSeq).toBeGreaterThan(0);
    expect(destroyed.items.map((i: { state: string }) => i.state)).toEqual(['destroyed', 'destroyed']);
    for (const document of documents) expect(await statusOf(document)).toBe('destroyed');
  });

  it('DES-4 the register lists the entry with its approvers and supervisors, page by page, and exports CSV', async () => {
    const second = await destroyThroughApi([await archived()]);
    const page = await call('gm', 'GET', '/api/v1/destruction-register?limit=1');
    expect(page.status).toBe(200);
    expect(page.body.entries).toHaveLength(1);
    expect(page.body.entries[0]).toMatchObject({
      seq: destroyed.registerSeq,
      requestId: destroyed.id,
      approvers: [{ step: 'office_review', decidedBy: 'office-director', onBehalfOf: null, comment: 'agreed' }],
      supervisors: { designated: ['finance-director'], confirmedBy: ['finance-director'] },
      method: 'incineration',
      place: 'Boiler room',
      executedAt: '2026-12-02T01:30:00.000Z',
    });
    expect(page.body.entries[0].hash).toMatch(/^[0-9a-f]{64}$/);
    const next = await call('gm', 'GET', `/api/v1/destruction-register?limit=1&cursor=${page.body.nextCursor}`);
    expect(next.body.entries.map((e: { requestId: string }) => e.requestId)).toEqual([second.id]);
    expect(next.body.entries[0].prevHash).toBe(page.body.entries[0].hash);
    expect(next.body.nextCursor).toBeNull();
    expect((await call('gm', 'GET', '/api/v1/destruction-register?cursor=abc')).status).toBe(400);
    expect((await call('finance-clerk', 'GET', '/api/v1/destruction-register')).status).toBe(403);

    const csv = await call('archivist', 'GET', '/api/v1/destruction-register', { headers: { accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('seq,registered_at,request_id,requested_by,reason,destroyed,withdrawn,approvers,supervisors,method,place,executed_at,prev_hash,hash');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`,${destroyed.id},archivist,Retention ended,`);
    expect(lines[1]).toContain('office_review: office-director');
    expect(lines[3]).toBe('');
  });

  it('DES-4 ACC-3 the register withholds a Top Secret item\'s title and reference from a Deputy GM, as GET /documents/{id} hides it; the GM reads them', async () => {
    const documentId = await archived({ secrecy: 'top_secret', title: 'Board minutes, sealed' });
    const filed = await call('archivist', 'POST', '/api/v1/destruction-requests', { json: { documentIds: [documentId], reason: 'Retention ended' } });
    expect(filed.status).toBe(201);
    const { id, processId } = filed.body;
    const review = await myTask('office-director', processId, 'officeReview');
    expect((await call('office-director', 'POST', `/api/v1/tasks/${encodeURIComponent(review.id)}/complete`, { json: { outcome: 'approve' } })).status).toBe(200);
    const approval = await myTask('gm', processId, 'gmApproval');
    expect((await call('gm', 'POST', `/api/v1/tasks/${encodeURIComponent(approval.id)}/complete`, { json: { outcome: 'approve', data: { supervisorIds: ['finance-director'] } } })).status).toBe(200);
    await requestStatus(id, 'approved');
    expect((await call('archivist', 'POST', `/api/v1/destruction-requests/${id}/verification`, { json: { checkedIds: [documentId] } })).status).toBe(202);
    const supervise = await myTask('finance-director', processId, 'supervise');
    expect((await call('finance-director', 'POST', `/api/v1/tasks/${encodeURIComponent(supervise.id)}/complete`, { json: { outcome: 'confirm', data: confirmation } })).status).toBe(200);
    const destroyedNow = await requestStatus(id, 'destroyed');
    const entryOf = async (userId: string) => {
      const body = (await call(userId, 'GET', `/api/v1/destruction-register?limit=200`)).body;
      return body.entries.find((e: { seq: number }) => e.seq === destroyedNow.registerSeq);
    };
    const deputy = await entryOf('dgm-admin');
    expect(deputy.items).toEqual([expect.objectContaining({ documentId, title: '(withheld)', reference: '(withheld)', secrecy: 'top_secret' })]);
    expect(JSON.stringify(deputy)).not.toContain('Board minutes, sealed');
    const gm = await entryOf('gm');
    expect(gm.items[0].title).toBe('Board minutes, sealed');
    expect(gm.approvalForm.items[0].title).toBe('Board minutes, sealed');
  });

  it('DES-1 a destroyed document can never be borrowed again', async () => {
    const document = destroyed.items[0].documentId as string;
    const refused = await call('gm', 'POST', '/api/v1/borrow-requests', { json: { documentId: document, mode: 'loan', purpose: 'Reference' } });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('DOCUMENT_UNAVAILABLE');
    expect((await sql()`select 1 from borrow_requests where document_id = ${document}`).length).toBe(0);
    // Below the API: the database refuses to move it off `destroyed` whoever asks.
    await expect(sql()`update documents set status = 'on_loan' where id = ${document}`).rejects.toThrow(/DES-4/);
    await expect(sql()`delete from documents where id = ${document}`).rejects.toThrow(/DES-4/);
  });
});

describe('what PostgreSQL guarantees', () => {
  it('DES-1 a plain UPDATE to destroyed fails, with or without the service flag, unless the register lists the document', async () => {
    const document = await archived();
    await expect(sql()`update documents set status = 'destroyed' where id = ${document}`).rejects.toThrow(/DES-1/);
    await expect(sql()`update documents set status = 'pending_destruction' where id = ${document}`).rejects.toThrow(/DES-2/);
    await expect(
      sql().begin(async (tx) => {
        await tx`select set_config('custodian.destruction_request', 'made-up', true)`;
        await tx`update documents set status = 'destroyed' where id = ${document}`;
      }),
    ).rejects.toThrow(/DES-1/);
    await expect(sql()`insert into documents (id, reference, title, category, secrecy, department_id, original, archived_on, location, status, registered_by)
      values ('forged-destroyed', 'FD-1', 'x', 'plan', 'none', 'finance', true, '2000-01-01', 'x', 'destroyed', 'archivist')`).rejects.toThrow(/DES-1/);
    expect(await statusOf(document)).toBe('in_archive');
  });

  it('DES-4 the register cannot be changed, deleted or truncated', async () => {
    expect((await sql()`select 1 from destruction_register`).length).toBeGreaterThan(0);
    // Even for the tables' owner; the application role is refused before, by its privileges.
    await expect(owner`update destruction_register set method = 'burial'`).rejects.toThrow(/append-only/);
    await expect(owner`delete from destruction_register`).rejects.toThrow(/append-only/);
    await expect(owner`truncate destruction_register cascade`).rejects.toThrow(/append-only/);
    await expect(owner`update destruction_decisions set outcome = 'approve'`).rejects.toThrow(/append-only/);
    await expect(sql()`update destruction_register set method = 'burial'`).rejects.toThrow(/permission denied/);
  });

  it('DES-4 the verifier recomputes both chains with the triggers\' formulas, however odd the content', async () => {
    // Content that a careless twin would hash differently: microseconds, quotes, pipes, unicode, nested JSON.
    await sql()`
      insert into audit_log (at, process_id, event, actor_id, detail, idempotency_key, prev_hash, hash)
      values ('2026-03-01 08:00:00.123456+08', 'p|1', 'odd "event"', null, ${sql().json({ 'z-key': ['a|b', 1.5, null], a: { 中文: '档案 "x"\n' }, n: 10 } as never)}, ${randomUUID()}, '', '')`;
    expect(await verifyChain(sql(), 'audit')).toMatchObject({ table: 'audit_log', broken: undefined });
    // The register's odd entry is written and verified inside a transaction that is rolled back.
    await sql()
      .begin(async (tx) => {
        const id = randomUUID();
        await tx`insert into destruction_requests (id, requested_by, reason, secrecy, supervisors_required) values (${id}, 'archivist', 'x', 'none', 1)`;
        await tx`
          insert into destruction_register (request_id, process_id, requested_by, reason, approval_form, approvers, items, supervisors, method, place, executed_at, registered_at, prev_hash, hash)
          values (${id}, 'p|1', 'archivist', 'r|"中" \\ end', ${tx.json({ b: 1.50, aa: [true, 'x\ty'], 'long key': { 档案: null } } as never)}, '[]', '[{"é": "\\u0001"}]', '{}',
                  'shredding', 'room', '1969-12-31 23:59:59.999999+00', '2026-03-01 08:00:00.000001+08', '', '')`;
        const register = await verifyChain(tx, 'register');
        expect(register).toMatchObject({ table: 'destruction_register', broken: undefined });
        expect(register.rows).toBeGreaterThanOrEqual(3);
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
  });

  it('DES-4 a row changed behind the triggers\' back is named by the verifier, and the npm scripts exit 1', async () => {
    const run = (chain: string) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/verify-chain.ts', chain], { cwd: root, env: { ...process.env, DATABASE_URL: engine.db.url } }).then(
        ({ stdout }) => ({ code: 0, output: stdout }),
        (error: { code: number; stderr: string }) => ({ code: error.code, output: error.stderr }),
      );
    expect(await run('register')).toEqual({ code: 0, output: expect.stringMatching(/^destruction_register: \d+ rows, chain intact/) });
    expect((await run('audit')).code).toBe(0);

    const [first] = await sql()<{ method: string; seq: number }[]>`select method, seq::int from destruction_register order by seq limit 1`;
    // As a superuser can: with the triggers off for this session.
    const tamper = (method: string) =>
      superuser.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx`update destruction_register set method = ${method} where seq = ${first!.seq}`;
      });
    await tamper('burial');
    try {
      const report = await verifyChain(sql(), 'register');
      expect(report.broken).toMatchObject({ seq: String(first!.seq), table: 'destruction_register' });
      expect(report.broken!.reason).toMatch(new RegExp(`^destruction_register row ${first!.seq} \\(destruction request .+\\): its content does not match its hash`));
      const cli = await run('register');
      expect(cli.code).toBe(1);
      expect(cli.output).toContain(`BROKEN destruction_register row ${first!.seq}`);
    } finally {
      await tamper(first!.method);
    }
    expect((await verifyChain(sql(), 'register')).broken).toBeUndefined();

    // A row removed from the audit trail breaks the link of the row after it.
    const rows = await sql()<{ seq: string }[]>`select seq::text from audit_log order by audit_log.seq limit 3`;
    await superuser
      .begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx`delete from audit_log where seq = ${rows[1]!.seq}`;
        const report = await verifyChain(tx, 'audit');
        expect(report.broken).toMatchObject({ seq: rows[2]!.seq });
        expect(report.broken!.reason).toMatch(new RegExp(`is not the hash of row ${rows[0]!.seq}`));
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
    expect((await verifyChain(sql(), 'audit')).broken).toBeUndefined();
  });
});
