// Borrowing through the API (BOR-1..8) on the time-skipping Temporal server, with the borrowing
// definitions, the real activities and PostgreSQL holding the demo organisation.
import { Temporal } from 'temporal-polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_TIME_ZONE } from '../../engine/definition/feel.ts';
import { borrowingProcesses } from '../../areas/borrowing/definitions.ts';
import { startApiSuite, type EngineApiSuite, type Reply } from '../support/api-suite.ts';
import { openTasks, type EngineHarness } from '../support/engine.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

let api: EngineApiSuite;
let engine: EngineHarness;

beforeAll(async () => {
  api = await startApiSuite({ definitions: borrowingProcesses });
  engine = api.engine;
});

afterAll(() => api?.teardown());

const call = (userId: string | null, method: string, path: string, json?: unknown, headers: Record<string, string> = {}) => api.request(userId, method, path, { json, headers });

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  let value = await read();
  for (let attempt = 0; !done(value) && attempt < 200; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  if (!done(value)) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
  return value;
}

let serial = 0;
/** Registers a document as the Archivist; its id. */
async function registerDocument(secrecy: 'none' | 'secret' | 'confidential' | 'top_secret', category = 'contract'): Promise<string> {
  serial += 1;
  const created = await call('archivist', 'POST', '/api/v1/documents', {
    reference: `BR-${secrecy}-${serial}`,
    title: `${secrecy} document ${serial}`,
    category,
    secrecy,
    departmentId: 'finance',
    original: true,
    location: 'Archive room',
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

const borrow = (userId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(userId, 'POST', '/api/v1/borrow-requests', { purpose: 'audit preparation', ...body }, headers);

/** Submits a request that must be accepted; the request. */
async function borrowed(userId: string, body: Record<string, unknown>): Promise<{ id: string; processId: string; status: string }> {
  const reply = await borrow(userId, body);
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
}

/** The user's open task of a process at a node, once the workflow has opened it. */
async function taskOf(userId: string, processId: string, nodeId: string): Promise<{ id: string; candidateIds: string[]; delegateIds: string[]; via: string }> {
  const tasks = await eventually(
    async () => (await call(userId, 'GET', '/api/v1/tasks?limit=200')).body.tasks as { id: string; processId: string; nodeId: string; candidateIds: string[]; delegateIds: string[]; via: string }[],
    (list) => list.some((t) => t.processId === processId && t.nodeId === nodeId),
    `task ${nodeId} of ${processId} for ${userId}`,
  );
  return tasks.find((t) => t.processId === processId && t.nodeId === nodeId)!;
}

const complete = (userId: string, taskId: string, outcome: string, data?: Record<string, unknown>) =>
  call(userId, 'POST', `/api/v1/tasks/${encodeURIComponent(taskId)}/complete`, { outcome, ...(data ? { data } : {}) });

async function decide(userId: string, processId: string, nodeId: string, outcome: string): Promise<Reply> {
  const task = await taskOf(userId, processId, nodeId);
  const decided = await complete(userId, task.id, outcome);
  expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  return decided;
}

/** The request as the Archivist sees it. */
const request = async (id: string) => (await call('archivist', 'GET', `/api/v1/borrow-requests/${id}`)).body;
const untilStatus = (id: string, status: string) => eventually(() => request(id), (r) => r.status === status, `request ${id} ${status}`);

const documentStatus = async (id: string) => (await call('archivist', 'GET', `/api/v1/documents/${id}`)).body.status as string;
const instanceStatus = async (processId: string) => (await engine.db.sql<{ status: string }[]>`select status from process_instances where id = ${processId}`)[0]?.status;
const untilInstance = (processId: string, status: string) => eventually(() => instanceStatus(processId), (s) => s === status, `${processId} ${status}`);

const notices = (processId: string) =>
  engine.db.sql<{ user_id: string; kind: string; text: string; created_at: Date }[]>`
    select user_id, kind, text, created_at from notifications where process_id = ${processId} order by created_at, user_id`;

const auditEvents = async (processId: string) =>
  (await engine.db.sql<{ event: string }[]>`select event from audit_log where process_id = ${processId} and event like 'borrow.%' order by seq`).map((row) => row.event);

const counts = async () =>
  (await engine.db.sql<{ requests: number; audit: number }[]>`
    select (select count(*)::int from borrow_requests) as requests, (select count(*)::int from audit_log where event like 'borrow.%') as audit`)[0];

/** The Archivist hands the document over; the request is then on loan or in reading. */
async function handOver(requestId: string, processId: string, by = 'archivist'): Promise<void> {
  await decide(by, processId, 'handOver', 'handed_over');
}

/** Lets workflow time run until the next hh:mm in Shanghai. */
async function sleepUntilShanghai(hour: number, minute: number): Promise<void> {
  const now = await engine.env.currentTimeMs();
  const today = Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(POLICY_TIME_ZONE).withPlainTime({ hour, minute });
  const target = today.epochMilliseconds > now ? today : today.add({ days: 1 });
  await engine.env.sleep(target.epochMilliseconds - now);
}

describe('routing: the definition and its approvers follow from the requester and the secrecy', () => {
  // requester, secrecy, mode, hours ('-': the mode's default), the first task, who decides it
  const cases: [string, string, string, number | '-', string, string[]][] = [
    ['gm', 'none', 'loan', '-', 'handOver', ['archivist']],
    ['office-director', 'none', 'reading', '-', 'handOver', ['archivist']],
    ['finance-clerk', 'none', 'loan', 24, 'submit', ['finance-manager']],
    ['biz-sales-1', 'none', 'loan', '-', 'submit', ['biz-manager']],
    ['finance-manager', 'none', 'loan', 24, 'submit', ['dgm-admin']],
    ['archivist', 'none', 'reading', '-', 'submit', ['dgm-admin']],
    ['biz-sales-1', 'secret', 'loan', 2, 'approval', ['dgm-sales', 'gm']],
    ['finance-clerk', 'secret', 'reading', '-', 'approval', ['dgm-admin', 'gm']],
    ['gm', 'secret', 'loan', 4, 'approval', ['dgm-admin']],
    ['dgm-sales', 'secret', 'loan', 3, 'approval', ['dgm-admin', 'gm']],
    ['finance-director', 'confidential', 'reading', '-', 'approval', ['dgm-admin', 'gm']],
  ];
  const documents = new Map<string, string>();

  it.each(cases)('BOR-1/2/4/6 %s borrowing a %s document (%s, %s hours) first goes to %s, decided by %j', async (requester, secrecy, mode, hours, nodeId, candidates) => {
    if (!documents.has(secrecy)) documents.set(secrecy, await registerDocument(secrecy as 'none'));
    const created = await borrowed(requester, { documentId: documents.get(secrecy), mode, ...(hours === '-' ? {} : { hours }) });
    const [task] = await openTasks(engine, created.processId);
    expect(task).toMatchObject({ nodeId, candidateIds: candidates });
  });

  it('BOR-3 top secret is refused at submission for everyone, and nothing is written', async () => {
    const topSecret = await registerDocument('top_secret');
    const before = await counts();
    for (const userId of ['gm', 'archivist', 'office-director']) {
      for (const body of [{ mode: 'reading' }, { mode: 'loan', hours: 1 }]) {
        const refused = await borrow(userId, { documentId: topSecret, ...body });
        expect(refused.status, userId).toBe(422);
        expect(refused.type).toBe('application/problem+json');
        expect(refused.body).toMatchObject({ code: 'TOP_SECRET_NOT_BORROWABLE', ruleId: 'BOR-3' });
      }
    }
    // Those who may not know it exists are told what they would be told of a document that does not.
    for (const userId of ['dgm-admin', 'finance-clerk', 'biz-sales-1']) {
      const hidden = await borrow(userId, { documentId: topSecret, mode: 'reading' });
      expect(hidden.status, userId).toBe(404);
      expect(hidden.body).toMatchObject({ code: 'DOCUMENT_NOT_FOUND' });
    }
    expect(await counts()).toEqual(before);
    expect(await documentStatus(topSecret)).toBe('in_archive');
  });

  it('BOR-3 the database refuses a top secret request written past the API', async () => {
    const topSecret = await registerDocument('top_secret');
    await expect(
      engine.db.sql`insert into borrow_requests (id, process_key, document_id, requester_id, requester_department_id, mode, purpose)
                    values ('sneaky', 'archive.borrow.direct', ${topSecret}, 'gm', 'gm-office', 'reading', 'x')`,
    ).rejects.toThrow(/BOR-3/);
  });
});

describe('BOR-1 executives borrow non-classified documents directly', () => {
  it('BOR-1 no approver: the Archivist records the hand-over, the loan runs 7 days, the return puts the document back', async () => {
    const documentId = await registerDocument('none');
    const created = await borrowed('finance-director', { documentId, mode: 'loan' });
    expect(created).toMatchObject({ status: 'pending', approval: 'direct', processKey: 'archive.borrow.direct', processId: `borrow-${created.id}` });
    const task = await taskOf('archivist', created.processId, 'handOver');
    expect(task.candidateIds).toEqual(['archivist']);
    expect((await request(created.id)).status).toBe('approved');

    await handOver(created.id, created.processId);
    const lent = await request(created.id);
    expect(lent).toMatchObject({ status: 'on_loan', handedOverBy: 'archivist' });
    expect(Date.parse(lent.dueAt) - Date.parse(lent.handedOverAt)).toBe(7 * 24 * HOUR);
    expect(await documentStatus(documentId)).toBe('on_loan');

    const back = await call('archivist', 'POST', `/api/v1/borrow-requests/${created.id}/return`, { condition: 'intact' });
    expect(back.status).toBe(202);
    const returned = await untilStatus(created.id, 'returned');
    expect(returned).toMatchObject({ returnCondition: 'intact', returnNote: '', incident: null });
    expect(await documentStatus(documentId)).toBe('in_archive');
    expect(await untilInstance(created.processId, 'returned')).toBe('returned');
    expect(await auditEvents(created.processId)).toEqual(['borrow.pending', 'borrow.approved', 'borrow.on_loan', 'borrow.returned']);
    const [approved] = await engine.db.sql<{ rule_id: string }[]>`select rule_id from audit_log where process_id = ${created.processId} and event = 'borrow.approved'`;
    expect(approved!.rule_id).toBe('BOR-1');
  });
});

describe('BOR-2 anyone else applies through their Department Manager and the Office Director', () => {
  it('BOR-2 the Department Manager submits the application, the Office Director approves, the Archivist hands over', async () => {
    const documentId = await registerDocument('none');
    const created = await borrowed('finance-clerk', { documentId, mode: 'loan', hours: 48 });
    expect(created.status).toBe('pending');
    await decide('finance-manager', created.processId, 'submit', 'submit');
    expect((await request(created.id)).status).toBe('pending');
    await decide('office-director', created.processId, 'approval', 'approve');
    expect((await request(created.id)).status).toBe('approved');
    await handOver(created.id, created.processId);
    const lent = await request(created.id);
    expect(lent.status).toBe('on_loan');
    expect(Date.parse(lent.dueAt) - Date.parse(lent.handedOverAt)).toBe(48 * HOUR);
    const [approved] = await engine.db.sql<{ rule_id: string }[]>`select rule_id from audit_log where process_id = ${created.processId} and event = 'borrow.approved'`;
    expect(approved!.rule_id).toBe('BOR-2');
  });

  it("BOR-2 the Archivist's own request: the Deputy GM in charge submits it and the Office Director hands it over", async () => {
    const documentId = await registerDocument('none');
    const created = await borrowed('archivist', { documentId, mode: 'reading' });
    await decide('dgm-admin', created.processId, 'submit', 'submit');
    await decide('office-director', created.processId, 'approval', 'approve');
    const task = await taskOf('office-director', created.processId, 'handOver');
    expect(task.candidateIds).toEqual(['office-director']);
  });

  it('BOR-2 rejection: a declined application and a rejected one end the request rejected', async () => {
    const documentId = await registerDocument('none');
    const declined = await borrowed('finance-clerk', { documentId, mode: 'reading' });
    await decide('finance-manager', declined.processId, 'submit', 'decline');
    expect((await untilStatus(declined.id, 'rejected')).status).toBe('rejected');
    expect(await untilInstance(declined.processId, 'rejected')).toBe('rejected');

    const rejected = await borrowed('biz-sales-2', { documentId, mode: 'reading' });
    await decide('biz-manager', rejected.processId, 'submit', 'submit');
    await decide('office-director', rejected.processId, 'approval', 'reject');
    expect((await untilStatus(rejected.id, 'rejected')).status).toBe('rejected');
    expect(await auditEvents(rejected.processId)).toEqual(['borrow.pending', 'borrow.rejected']);
    expect(await documentStatus(documentId)).toBe('in_archive');
  });
});

describe('BOR-5/6 secret loans', () => {
  it('BOR-5 secret documents are lent for at most 4 hours: 5 hours, or no length, is refused (422)', async () => {
    const documentId = await registerDocument('secret');
    const before = await counts();
    const long = await borrow('gm', { documentId, mode: 'loan', hours: 5 });
    expect(long.status).toBe(422);
    expect(long.body).toMatchObject({ code: 'SECRET_BORROW_TOO_LONG', ruleId: 'BOR-5' });
    const open = await borrow('biz-sales-1', { documentId, mode: 'loan' });
    expect(open.body).toMatchObject({ status: 422, code: 'SECRET_LOAN_HOURS_REQUIRED', ruleId: 'BOR-5' });
    expect(await counts()).toEqual(before);
  });

  it('BOR-5 a secret reading session is 借阅 too: more than 4 hours is refused (422), by the API and by the database', async () => {
    const documentId = await registerDocument('secret');
    const before = await counts();
    const long = await borrow('gm', { documentId, mode: 'reading', hours: 5 });
    expect(long.status).toBe(422);
    expect(long.body).toMatchObject({ code: 'SECRET_BORROW_TOO_LONG', ruleId: 'BOR-5' });
    expect(await counts()).toEqual(before);
    await expect(
      engine.db.sql`insert into borrow_requests (id, process_key, document_id, requester_id, requester_department_id, mode, hours, purpose)
                    values ('sneaky-reading', 'archive.borrow.secret', ${documentId}, 'gm', 'gm-office', 'reading', 5, 'x')`,
    ).rejects.toThrow(/BOR-5/);
    // a reading that names no length is allowed: it ends after 4 hours (or when the room closes)
    expect((await borrow('gm', { documentId, mode: 'reading' })).status).toBe(201);
  });

  it('BOR-6 the GM or the Deputy GM in charge approves, on one task: the first decides, the other finds it decided', async () => {
    const documentId = await registerDocument('secret');
    const created = await borrowed('biz-sales-1', { documentId, mode: 'loan', hours: 4 });
    const task = await taskOf('gm', created.processId, 'approval');
    expect(task.candidateIds).toEqual(['dgm-sales', 'gm']);
    expect((await taskOf('dgm-sales', created.processId, 'approval')).id).toBe(task.id);
    expect((await complete('dgm-sales', task.id, 'approve')).status).toBe(200);
    const late = await complete('gm', task.id, 'reject');
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'TASK_ALREADY_COMPLETED' });
    expect((await request(created.id)).status).toBe('approved');
    // nobody outside the route decides it, nor learns it exists (ACC-1)
    const other = await borrowed('biz-sales-2', { documentId, mode: 'loan', hours: 1 });
    const otherTask = await taskOf('gm', other.processId, 'approval');
    expect((await complete('dgm-admin', otherTask.id, 'approve')).body).toMatchObject({ status: 404, code: 'TASK_NOT_FOUND' });
  });

  it('BOR-5 the borrower is reminded 30 minutes before; at 4 hours the loan is overdue and the recovery task reminds the next day', async () => {
    const documentId = await registerDocument('secret');
    const created = await borrowed('biz-sales-1', { documentId, mode: 'loan', hours: 4 });
    await decide('dgm-sales', created.processId, 'approval', 'approve');
    await handOver(created.id, created.processId);
    const lent = await request(created.id);
    expect(lent.status).toBe('on_loan');
    expect(Date.parse(lent.dueAt) - Date.parse(lent.handedOverAt)).toBe(4 * HOUR);
    const handedOver = Date.parse(lent.handedOverAt);

    await engine.env.sleep(3 * HOUR + 29 * MINUTE);
    expect(await notices(created.processId)).toEqual([]);
    await engine.env.sleep(2 * MINUTE);
    const reminded = await eventually(() => notices(created.processId), (rows) => rows.length > 0, 'the borrower reminded');
    expect(reminded.map((n) => [n.user_id, n.kind])).toEqual([['biz-sales-1', 'process.reminder']]);
    expect(reminded[0]!.created_at.getTime() - handedOver).toBeGreaterThanOrEqual(3.5 * HOUR);
    expect(reminded[0]!.created_at.getTime() - handedOver).toBeLessThan(3.5 * HOUR + MINUTE);

    await engine.env.sleep(30 * MINUTE);
    const overdue = await untilStatus(created.id, 'overdue');
    expect(overdue.dueAt).toBe(lent.dueAt);
    const recovery = await taskOf('office-director', created.processId, 'recover');
    expect(recovery.candidateIds).toEqual(['archivist', 'office-director']);
    expect((await taskOf('archivist', created.processId, 'recover')).id).toBe(recovery.id);

    await engine.env.sleep(24 * HOUR + MINUTE);
    const daily = await eventually(
      async () => (await notices(created.processId)).filter((n) => n.kind === 'task.reminder'),
      (rows) => rows.length >= 2,
      'the recovery task reminded',
    );
    expect(daily.map((n) => n.user_id).sort()).toEqual(['archivist', 'office-director']);

    expect((await call('archivist', 'POST', `/api/v1/borrow-requests/${created.id}/return`, { condition: 'intact', note: 'a day late' })).status).toBe(202);
    const returned = await untilStatus(created.id, 'returned');
    expect(returned).toMatchObject({ returnCondition: 'intact', returnNote: 'a day late', incident: null });
    expect(await untilInstance(created.processId, 'returned')).toBe('returned');
    const [closed] = await engine.db.sql<{ state: string; outcome: string; decided_by: string }[]>`
      select state, outcome, decided_by from tasks where id = ${recovery.id}`;
    expect(closed).toEqual({ state: 'completed', outcome: 'returned', decided_by: 'archivist' });
    expect(await documentStatus(documentId)).toBe('in_archive');
    expect(await auditEvents(created.processId)).toEqual(['borrow.pending', 'borrow.approved', 'borrow.on_loan', 'borrow.overdue', 'borrow.returned']);
  });

  it('BOR-7 a delegate approves while the GM is away, on the GM\'s behalf', async () => {
    const poa = await registerDocument('none', 'power_of_attorney');
    const now = await engine.env.currentTimeMs();
    await engine.db.sql`
      insert into delegations (id, principal_id, delegate_id, valid_from, valid_to, process_keys, max_secrecy, reason, document_id)
      values ('poa-borrow-test', 'gm', 'dgm-admin', ${new Date(now - HOUR)}, ${new Date(now + 30 * 24 * HOUR)}, null, 'secret', 'GM away on business', ${poa})`;
    try {
      const documentId = await registerDocument('secret');
      const created = await borrowed('biz-sales-1', { documentId, mode: 'loan', hours: 2 });
      const task = await taskOf('dgm-admin', created.processId, 'approval');
      expect(task).toMatchObject({ candidateIds: ['dgm-sales', 'gm'], delegateIds: ['dgm-admin'], via: 'delegation' });
      const decided = await complete('dgm-admin', task.id, 'approve');
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ decidedBy: 'dgm-admin', onBehalfOf: 'gm', delegationId: 'poa-borrow-test' });
      expect((await untilStatus(created.id, 'approved')).status).toBe('approved');
      // the delegate took part, so they see the request
      expect((await call('dgm-admin', 'GET', `/api/v1/borrow-requests/${created.id}`)).status).toBe(200);
    } finally {
      await engine.db.sql`update delegations set revoked_at = now(), revoked_by = 'gm' where id = 'poa-borrow-test'`;
    }
  });
});

describe('BOR-4 confidential documents are read in the archive room', () => {
  it('BOR-4 a loan of a confidential document is refused (422)', async () => {
    const documentId = await registerDocument('confidential');
    const refused = await borrow('gm', { documentId, mode: 'loan', hours: 1 });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'CONFIDENTIAL_READING_ONLY', ruleId: 'BOR-4' });
  });

  it('BOR-4 the reading is approved like a secret loan, opened by the Archivist, and ends at 17:30; then it is overdue', async () => {
    const documentId = await registerDocument('confidential');
    const created = await borrowed('biz-sales-1', { documentId, mode: 'reading' });
    expect(created).toMatchObject({ approval: 'confidential', processKey: 'archive.borrow.confidential' });
    const approval = await taskOf('gm', created.processId, 'approval');
    expect(approval.candidateIds).toEqual(['dgm-sales', 'gm']);
    expect((await complete('gm', approval.id, 'approve')).status).toBe(200);

    await sleepUntilShanghai(10, 0);
    await handOver(created.id, created.processId);
    const reading = await request(created.id);
    expect(reading.status).toBe('in_reading');
    expect(await documentStatus(documentId)).toBe('in_reading');
    const closes = Temporal.Instant.from(reading.handedOverAt).toZonedDateTimeISO(POLICY_TIME_ZONE).withPlainTime({ hour: 17, minute: 30 });
    expect(Date.parse(reading.dueAt)).toBe(closes.epochMilliseconds);

    await sleepUntilShanghai(17, 31);
    await untilStatus(created.id, 'overdue');
    const recovery = await taskOf('archivist', created.processId, 'recover');
    expect(recovery.candidateIds).toEqual(['archivist', 'office-director']);
    // the Archivist closes the session
    expect((await call('archivist', 'POST', `/api/v1/borrow-requests/${created.id}/return`, { condition: 'intact' })).status).toBe(202);
    await untilStatus(created.id, 'returned');
    expect(await documentStatus(documentId)).toBe('in_archive');
  });

  it('BOR-4 a session is not opened once the room has closed: the hand-over waits for the next working day', async () => {
    const documentId = await registerDocument('confidential');
    const created = await borrowed('finance-clerk', { documentId, mode: 'reading' });
    await decide('dgm-admin', created.processId, 'approval', 'approve');
    await sleepUntilShanghai(18, 0);
    const first = await taskOf('archivist', created.processId, 'handOver');
    expect((await complete('archivist', first.id, 'handed_over')).status).toBe(200);
    const again = await eventually(
      () => taskOf('archivist', created.processId, 'handOver'),
      (task) => task.id !== first.id,
      'the hand-over task opened again',
    );
    expect((await request(created.id)).status).toBe('approved');
    expect(await documentStatus(documentId)).toBe('in_archive');
    expect((await notices(created.processId)).map((n) => [n.user_id, n.kind])).toEqual([['archivist', 'process.notice']]);

    await sleepUntilShanghai(9, 0);
    expect((await complete('archivist', again.id, 'handed_over')).status).toBe(200);
    expect((await request(created.id)).status).toBe('in_reading');
    await call('archivist', 'POST', `/api/v1/borrow-requests/${created.id}/return`, { condition: 'intact' });
    await untilStatus(created.id, 'returned');
  });
});

describe('BOR-8 returns are checked', () => {
  it('BOR-8 a damaged return opens an incident against the borrower, reported to the Office Director', async () => {
    const documentId = await registerDocument('none');
    const created = await borrowed('gm', { documentId, mode: 'loan', hours: 24 });
    await handOver(created.id, created.processId);
    const back = await call('archivist', 'POST', `/api/v1/borrow-requests/${created.id}/return`, { condition: 'damaged', note: 'coffee stain on page 3' });
    expect(back.status).toBe(202);
    const returned = await eventually(() => request(created.id), (r) => r.incident !== null, 'the incident');
    expect(returned).toMatchObject({
      status: 'returned',
      returnCondition: 'damaged',
      returnNote: 'coffee stain on page 3',
      incident: { id: `incident-${created.id}`, condition: 'damaged', note: 'coffee stain on page 3' },
    });
    expect(await untilInstance(created.processId, 'returned_with_incident')).toBe('returned_with_incident');
    const [incident] = await engine.db.sql<{ borrower_id: string; document_id: string; condition: string }[]>`
      select borrower_id, document_id, condition from incidents where request_id = ${created.id}`;
    expect(incident).toEqual({ borrower_id: 'gm', document_id: documentId, condition: 'damaged' });
    const told = (await notices(created.processId)).filter((n) => n.kind === 'borrow.incident');
    expect(told.map((n) => n.user_id)).toEqual(['office-director']);
    expect(told[0]!.text).toContain('coffee stain on page 3');
    const [audit] = await engine.db.sql<{ rule_id: string }[]>`select rule_id from audit_log where process_id = ${created.processId} and event = 'borrow.incident_opened'`;
    expect(audit!.rule_id).toBe('BOR-8');
    expect(await documentStatus(documentId)).toBe('in_archive');
  });

  it('BOR-8 a lost document opens an incident and stays off the shelf, so nobody can borrow it', async () => {
    const documentId = await registerDocument('none');
    const created = await borrowed('dgm-admin', { documentId, mode: 'loan' });
    await handOver(created.id, created.processId);
    await call('archivist', 'POST', `/api/v1/borrow-requests/${created.id}/return`, { condition: 'lost' });
    const returned = await eventually(() => request(created.id), (r) => r.incident !== null, 'the incident');
    expect(returned).toMatchObject({ status: 'returned', returnCondition: 'lost', incident: { condition: 'lost' } });
    expect(await documentStatus(documentId)).toBe('on_loan');
    expect((await borrow('gm', { documentId, mode: 'reading' })).body).toMatchObject({ status: 409, code: 'DOCUMENT_UNAVAILABLE' });
  });

  it('only the Archivist records a return, only of a document out on the request', async () => {
    const documentId = await registerDocument('none');
    const created = await borrowed('gm', { documentId, mode: 'loan' });
    const path = `/api/v1/borrow-requests/${created.id}/return`;
    expect((await call('office-director', 'POST', path, { condition: 'intact' })).body).toMatchObject({ status: 403, code: 'ARCHIVIST_ONLY' });
    expect((await call('archivist', 'POST', path, { condition: 'intact' })).body).toMatchObject({ status: 409, code: 'NOT_ON_LOAN' });
    expect((await call('archivist', 'POST', path, { condition: 'wet' })).body).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
    expect((await call('archivist', 'POST', '/api/v1/borrow-requests/nope/return', { condition: 'intact' })).body).toMatchObject({ status: 404, code: 'BORROW_REQUEST_NOT_FOUND' });
  });
});

describe('one document, one holder', () => {
  it('a second request for a document on loan is refused with 409 DOCUMENT_UNAVAILABLE', async () => {
    const documentId = await registerDocument('none');
    const created = await borrowed('gm', { documentId, mode: 'loan' });
    await handOver(created.id, created.processId);
    const before = await counts();
    const second = await borrow('dgm-sales', { documentId, mode: 'reading' });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'DOCUMENT_UNAVAILABLE' });
    expect(await counts()).toEqual(before);
  });

  it('ARC-2 handing over a document someone else already holds is refused with 409 DOCUMENT_UNAVAILABLE at once, and the request keeps waiting', async () => {
    const documentId = await registerDocument('none');
    const first = await borrowed('gm', { documentId, mode: 'loan' });
    const second = await borrowed('dgm-sales', { documentId, mode: 'reading' });
    await handOver(first.id, first.processId);
    const waiting = await taskOf('archivist', second.processId, 'handOver');
    const before = await counts();
    const refused = await complete('archivist', waiting.id, 'handed_over');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'DOCUMENT_UNAVAILABLE' });
    expect(await counts()).toEqual(before);
    expect((await request(second.id)).status).toBe('approved');
    const [task] = await engine.db.sql<{ state: string }[]>`select state from tasks where id = ${waiting.id}`;
    expect(task!.state).toBe('open');
    // someone who may not decide the task learns nothing about the document from it
    const outsider = await complete('biz-sales-1', waiting.id, 'handed_over');
    expect(outsider.status).toBeGreaterThanOrEqual(400);
    expect(outsider.body.code).not.toBe('DOCUMENT_UNAVAILABLE');

    // once the document is back, the same task hands it over
    await call('archivist', 'POST', `/api/v1/borrow-requests/${first.id}/return`, { condition: 'intact' });
    await eventually(() => request(first.id), (r) => r.status === 'returned', 'the return');
    expect((await complete('archivist', waiting.id, 'handed_over')).status).toBe(200);
    expect((await request(second.id)).status).toBe('in_reading');
  });

  it('two approved requests handed over at once: one borrower gets the document, the other request ends unavailable', async () => {
    const documentId = await registerDocument('none');
    const first = await borrowed('gm', { documentId, mode: 'loan' });
    const second = await borrowed('dgm-sales', { documentId, mode: 'reading' });
    const tasks = await Promise.all([taskOf('archivist', first.processId, 'handOver'), taskOf('archivist', second.processId, 'handOver')]);
    const decided = await Promise.all(tasks.map((task) => complete('archivist', task.id, 'handed_over')));
    expect(decided.map((d) => d.status)).toEqual([200, 200]);

    const statuses = [(await request(first.id)).status, (await request(second.id)).status];
    expect(statuses.filter((s) => s === 'on_loan' || s === 'in_reading')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'unavailable')).toHaveLength(1);
    const loser = statuses[0] === 'unavailable' ? first : second;
    const loserId = loser === first ? 'gm' : 'dgm-sales';
    expect(await untilInstance(loser.processId, 'unavailable')).toBe('unavailable');
    expect((await notices(loser.processId)).map((n) => [n.user_id, n.kind])).toEqual([[loserId, 'process.notice']]);
    const holders = await engine.db.sql`select id from borrow_requests where document_id = ${documentId} and status in ('on_loan', 'in_reading', 'overdue')`;
    expect(holders).toHaveLength(1);

    // the database itself refuses a second holder
    const held = loser === first ? 'on_loan' : 'in_reading';
    await expect(
      engine.db.sql`update borrow_requests set status = ${held}, handed_over_at = now(), handed_over_by = 'archivist', due_at = now() + interval '1 hour'
                    where id = ${loser.id}`,
    ).rejects.toThrow(/borrow_requests_one_holder/);

    // and so does the hand-over, should the shelf check ever let a second one through
    await engine.db.sql`update documents set status = 'in_archive' where id = ${documentId}`;
    const third = await borrowed('office-director', { documentId, mode: 'reading' });
    await handOver(third.id, third.processId);
    expect((await request(third.id)).status).toBe('unavailable');
    expect(await untilInstance(third.processId, 'unavailable')).toBe('unavailable');
    expect(await engine.db.sql`select id from borrow_requests where document_id = ${documentId} and status in ('on_loan', 'in_reading', 'overdue')`).toHaveLength(1);
  });
});

describe('cancelling', () => {
  it('the requester cancels before the hand-over: while pending and once approved', async () => {
    const documentId = await registerDocument('none');
    const pending = await borrowed('finance-clerk', { documentId, mode: 'loan' });
    const submit = await taskOf('finance-manager', pending.processId, 'submit');
    const path = `/api/v1/borrow-requests/${pending.id}/cancel`;
    expect((await call('biz-sales-1', 'POST', path)).body).toMatchObject({ status: 404, code: 'BORROW_REQUEST_NOT_FOUND' });
    expect((await call('archivist', 'POST', path)).body).toMatchObject({ status: 403, code: 'NOT_THE_REQUESTER' });
    const cancelled = await call('finance-clerk', 'POST', path, { reason: 'no longer needed' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: pending.id, status: 'cancelled' });
    expect(await untilInstance(pending.processId, 'cancelled')).toBe('cancelled');
    const [task] = await engine.db.sql<{ state: string }[]>`select state from tasks where id = ${submit.id}`;
    expect(task!.state).toBe('cancelled');
    // Withdrawing again (a retry) answers with the withdrawn request and writes nothing more.
    const again = await call('finance-clerk', 'POST', path);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: pending.id, status: 'cancelled' });
    expect(await auditEvents(pending.processId)).toEqual(['borrow.pending', 'borrow.cancelled']);

    const approved = await borrowed('gm', { documentId, mode: 'reading' });
    await taskOf('archivist', approved.processId, 'handOver');
    const withdrawn = await call('gm', 'POST', `/api/v1/borrow-requests/${approved.id}/cancel`);
    expect(withdrawn.body).toMatchObject({ status: 'cancelled' });
    expect(await documentStatus(documentId)).toBe('in_archive');
  });

  it('after the hand-over the request can no longer be cancelled (409)', async () => {
    const documentId = await registerDocument('none');
    const created = await borrowed('gm', { documentId, mode: 'loan' });
    await handOver(created.id, created.processId);
    const refused = await call('gm', 'POST', `/api/v1/borrow-requests/${created.id}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'NOT_CANCELLABLE' });
    expect((await request(created.id)).status).toBe('on_loan');
  });
});

describe('submitting and reading requests', () => {
  it('honours the Idempotency-Key: the same key from the same requester is the same request', async () => {
    const documentId = await registerDocument('none');
    const body = { documentId, mode: 'loan', hours: 24 };
    const first = await borrow('finance-clerk', body, { 'idempotency-key': 'borrow-key-1' });
    const again = await borrow('finance-clerk', body, { 'idempotency-key': 'borrow-key-1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const rows = await engine.db.sql`select id from borrow_requests where requester_id = 'finance-clerk' and idempotency_key = 'borrow-key-1'`;
    expect(rows).toHaveLength(1);
    const changed = await borrow('finance-clerk', { ...body, hours: 12 }, { 'idempotency-key': 'borrow-key-1' });
    expect(changed.status).toBe(422);
    expect(changed.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    // another requester's key is theirs
    const other = await borrow('biz-sales-1', body, { 'idempotency-key': 'borrow-key-1' });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(first.body.id);

    // a retry after the request has ended finds it, and does not run its process again
    await decide('finance-manager', first.body.processId, 'submit', 'decline');
    await untilInstance(first.body.processId, 'rejected');
    const handle = engine.client.workflow.getHandle(first.body.processId);
    const ended = await handle.describe();
    const late = await borrow('finance-clerk', body, { 'idempotency-key': 'borrow-key-1' });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ id: first.body.id, status: 'rejected' });
    expect(await handle.describe()).toMatchObject({ runId: ended.runId, status: { name: 'COMPLETED' } });
  });

  it('answers bad input with 400, an unknown document with 404, and writes nothing', async () => {
    const documentId = await registerDocument('none');
    const before = await counts();
    for (const body of [
      { documentId, mode: 'loan', hours: -2 },
      { documentId, mode: 'loan', hours: 0 },
      { documentId, mode: 'loan', hours: 'four' },
      { documentId, mode: 'borrow' },
      { documentId },
      { documentId, mode: 'loan', purpose: '' },
      { documentId, mode: 'loan', colour: 'red' },
    ]) {
      const bad = await call('finance-clerk', 'POST', '/api/v1/borrow-requests', { purpose: 'x', ...body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.type).toBe('application/problem+json');
      expect(bad.body).toMatchObject({ code: 'INVALID_INPUT', errors: expect.any(Array) });
    }
    const unknown = await borrow('finance-clerk', { documentId: 'no-such-document', mode: 'loan' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'DOCUMENT_NOT_FOUND' });
    expect((await call(null, 'POST', '/api/v1/borrow-requests', { documentId, mode: 'loan', purpose: 'x' })).status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it('shows a request to its requester, its approvers and the archive; lists mine, or all for the Archivist', async () => {
    const documentId = await registerDocument('none');
    const created = await borrowed('hr-manager', { documentId, mode: 'reading' });
    await taskOf('dgm-admin', created.processId, 'submit');
    for (const userId of ['hr-manager', 'dgm-admin', 'archivist', 'office-director', 'gm']) {
      expect((await call(userId, 'GET', `/api/v1/borrow-requests/${created.id}`)).status, userId).toBe(200);
    }
    for (const userId of ['biz-sales-1', 'dgm-sales', 'finance-manager']) {
      expect((await call(userId, 'GET', `/api/v1/borrow-requests/${created.id}`)).body, userId).toMatchObject({ status: 404, code: 'BORROW_REQUEST_NOT_FOUND' });
    }
    const mine = (await call('hr-manager', 'GET', '/api/v1/borrow-requests')).body.requests as { id: string; requesterId: string }[];
    expect(mine.map((r) => r.id)).toEqual([created.id]);
    const all = (await call('archivist', 'GET', '/api/v1/borrow-requests?limit=200')).body.requests as { requesterId: string }[];
    expect(new Set(all.map((r) => r.requesterId)).size).toBeGreaterThan(1);

    // pages, newest first
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Reply = await call('archivist', 'GET', `/api/v1/borrow-requests?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.requests.map((r: { id: string }) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual((all as unknown as { id: string }[]).map((r) => r.id));
    expect((await call('archivist', 'GET', `/api/v1/borrow-requests?documentId=${documentId}`)).body.requests.map((r: { id: string }) => r.id)).toEqual([created.id]);
    expect((await call('archivist', 'GET', '/api/v1/borrow-requests?status=lost')).status).toBe(400);
    expect((await call('archivist', 'GET', '/api/v1/borrow-requests?cursor=bogus')).status).toBe(400);
  });
});
