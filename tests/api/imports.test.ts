// Importing existing registers (issue 21.2): the archive register and the customer list from CSV
// and XLSX, a dry run that reports the rows at fault and writes nothing, an import that writes the
// valid rows once however often it runs, each record audited as imported.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XLSX_TYPE } from '../../areas/imports/readers.ts';
import { runImport } from '../../areas/imports/service.ts';
import { findUser } from '../../platform/organisation/sql.ts';
import { createAuthenticator } from '../../platform/http/auth.ts';
import { startApiSuite, startDatabaseApiSuite, type DatabaseApiSuite, type EngineApiSuite } from '../support/api-suite.ts';
import { borrowingProcesses } from '../../areas/borrowing/definitions.ts';
import { policyDate } from '../../engine/definition/feel.ts';
import { testApp } from '../support/app.ts';

let api: DatabaseApiSuite;

beforeAll(async () => {
  api = await startDatabaseApiSuite();
});

afterAll(() => api?.teardown());

const csv = (lines: string[]) => ({ content: `\uFEFF${lines.join('\r\n')}\r\n`, type: 'text/csv; charset=utf-8' });

const documentsHeader = 'reference,title,category,secrecy,department,original,location,archived_on,retention';

/** An archive register with three good rows and four at fault. */
const register = csv([
  documentsHeader,
  'IMP-001,2019 年度财务审计报告,financial_audit,none,finance,yes,Cabinet 1,2019-12-31,30',
  'IMP-002,董事会会议记录,会议记录,机密,总经理办公室,原件,Cabinet 2,2020/3/5,永久',
  'IMP-003,"Supply contract, Linyi",contract,secret,Finance,copy,Cabinet 3,2021-06-01,',
  // ARC-3: a Confidential copy
  'IMP-004,人事档案 张三,personnel_file,confidential,hr,copy,Cabinet 4,2018-01-01,',
  'IMP-005,Unknown kind,recipes,none,finance,yes,Cabinet 5,2018-01-01,',
  'IMP-006,Nowhere,plan,none,no-such-dept,yes,Cabinet 6,2018-01-01,',
  'IMP-001,Twice in the file,plan,none,finance,yes,Cabinet 7,2018-01-01,',
]);

const importDocuments = (file: ReturnType<typeof csv> | { content: Uint8Array; type: string }, dryRun: boolean, userId = 'archivist', headers: Record<string, string> = {}) =>
  api.request(userId, 'POST', `/api/v1/imports/documents${dryRun ? '?dryRun=true' : ''}`, { file, headers });

const count = async (table: 'documents' | 'customers' | 'import_jobs') => (await api.db.sql<{ n: number }[]>`select count(*)::int as n from ${api.db.sql(table)}`)[0]!.n;

describe('importing the archive register', () => {
  it('ARC-3 a dry run reports every row at fault (row, field, problem) and writes nothing', async () => {
    const before = { documents: await count('documents'), jobs: await count('import_jobs') };
    const reply = await importDocuments(register, true);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: null, dryRun: true, kind: 'documents', format: 'csv', rowsRead: 7, rowsValid: 3, rowsInvalid: 4, rowsImported: 0 });
    const problems = reply.body.problems as { row: number; field: string; problem: string }[];
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 5, field: 'original', problem: expect.stringContaining('ORIGINAL_REQUIRED (ARC-3)') }),
        expect.objectContaining({ row: 6, field: 'category' }),
        expect.objectContaining({ row: 7, field: 'department', problem: 'no department no-such-dept' }),
        expect.objectContaining({ row: 8, field: 'reference', problem: 'IMP-001 is already in row 2 of this file' }),
      ]),
    );
    expect(problems.map((p) => p.row).sort()).toEqual([5, 6, 7, 8]);
    expect({ documents: await count('documents'), jobs: await count('import_jobs') }).toEqual(before);
  });

  it('imports the valid rows once, each audited as imported; importing again duplicates nothing', async () => {
    const first = await importDocuments(register, false);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ dryRun: false, status: 'completed', rowsImported: 3, rowsExisting: 0, rowsInvalid: 4 });
    expect(first.headers.get('location')).toBe(`/api/v1/imports/${first.body.id}`);

    const documents = await api.db.sql<{ reference: string; category: string; secrecy: string; departmentId: string; original: boolean; archivedOn: string; retentionYears: number | null; retentionPermanent: boolean; registeredBy: string }[]>`
      select reference, category, secrecy, department_id as "departmentId", original, to_char(archived_on, 'YYYY-MM-DD') as "archivedOn",
        retention_years as "retentionYears", retention_permanent as "retentionPermanent", registered_by as "registeredBy"
      from documents where reference like 'IMP-%' order by reference`;
    expect(documents).toEqual([
      { reference: 'IMP-001', category: 'financial_audit', secrecy: 'none', departmentId: 'finance', original: true, archivedOn: '2019-12-31', retentionYears: 30, retentionPermanent: false, registeredBy: 'archivist' },
      { reference: 'IMP-002', category: 'meeting_minutes', secrecy: 'confidential', departmentId: 'gm-office', original: true, archivedOn: '2020-03-05', retentionYears: null, retentionPermanent: true, registeredBy: 'archivist' },
      { reference: 'IMP-003', category: 'contract', secrecy: 'secret', departmentId: 'finance', original: false, archivedOn: '2021-06-01', retentionYears: null, retentionPermanent: false, registeredBy: 'archivist' },
    ]);
    const audited = await api.db.sql<{ reference: string }[]>`
      select detail->>'reference' as reference from audit_log where event = 'document.imported' and actor_id = 'archivist' and detail->>'importId' = ${first.body.id} order by 1`;
    expect(audited.map((a) => a.reference)).toEqual(['IMP-001', 'IMP-002', 'IMP-003']);

    const job = await api.request('archivist', 'GET', `/api/v1/imports/${first.body.id}`);
    expect(job.body).toMatchObject({ status: 'completed', rowsRead: 7, rowsImported: 3, rowsInvalid: 4, createdBy: 'archivist', finishedAt: expect.any(String) });
    expect(job.body.problems).toHaveLength(4);

    const again = await importDocuments(register, false);
    expect(again.body).toMatchObject({ rowsImported: 0, rowsExisting: 3 });
    expect((await api.db.sql`select 1 from documents where reference like 'IMP-%'`).length).toBe(3);
  });

  it('reports progress a batch at a time while a large register streams in, past the API body limit', async () => {
    const rows = Array.from({ length: 450 }, (_, i) => `BIG-${String(i).padStart(4, '0')},Operating report ${i},operating_report,none,finance,yes,Shelf ${i % 40},2015-01-01,10`);
    const body = csv([documentsHeader, ...rows]).content;
    const archivist = (await findUser(api.db.sql, 'archivist'))!;
    const seen: number[] = [];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(body);
        for (let at = 0; at < bytes.length; at += 1_000) controller.enqueue(bytes.slice(at, at + 1_000));
        controller.close();
      },
    });
    const report = await runImport(api.db.sql, { kind: 'documents', format: 'csv', body: stream, actor: archivist, dryRun: false, batchRows: 100, onProgress: (c) => seen.push(c.rowsImported) });
    expect(seen).toEqual([100, 200, 300, 400, 450]);
    expect(report).toMatchObject({ rowsImported: 450, rowsInvalid: 0 });

    // The app's own limit is far below the file; imports have theirs.
    const small = testApp({ sql: api.db.sql, authenticator: createAuthenticator({ secret: 'a-test-secret-that-is-at-least-32-characters-long' }), maxBodyBytes: 1_024, importMaxBodyBytes: 4_096 });
    const { issueToken } = await import('../../platform/http/auth.ts');
    const token = await issueToken('a-test-secret-that-is-at-least-32-characters-long', 'archivist');
    const fits = await small.request('/api/v1/imports/documents?dryRun=true', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: csv([documentsHeader, ...rows.slice(0, 20)]).content });
    expect(fits.status).toBe(200);
    expect(body.length).toBeGreaterThan(4_096);
    const tooLarge = await small.request('/api/v1/imports/documents?dryRun=true', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body });
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('ARC-2 only the Archivist imports documents; a bad type, a missing column or a broken workbook changes nothing', async () => {
    const before = await count('documents');
    const refused = await importDocuments(register, false, 'finance-manager');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'ARCHIVIST_ONLY', ruleId: 'ARC-2' });
    const wrongType = await importDocuments({ content: 'x', type: 'text/plain' }, false);
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.code).toBe('IMPORT_UNSUPPORTED_TYPE');
    const missing = await importDocuments(csv(['reference,title', 'X-1,No columns']), false);
    expect(missing.status).toBe(422);
    expect(missing.body.code).toBe('IMPORT_MISSING_COLUMNS');
    expect(missing.body.errors.map((e: { path: string }) => e.path)).toEqual(['category', 'secrecy', 'department', 'original', 'location']);
    const broken = await importDocuments({ content: new TextEncoder().encode('this is not a zip'), type: XLSX_TYPE }, false);
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('IMPORT_UNREADABLE');
    expect(await count('documents')).toBe(before);
  });
});

/** The customer list as a spreadsheet, Chinese headers, as a company keeps it. */
async function customerWorkbook(rows: (string | null)[][]): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('客户名单');
  sheet.addRow(['档号', '客户名称', '档案卡类型', '城市', '区域', '部门', '归属销售人员']);
  for (const row of rows) sheet.addRow(row);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

describe('importing the archive register from XLSX', () => {
  it('ARC-3 from XLSX: reads Chinese headers, label values and date cells as a spreadsheet holds them', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('档案登记簿');
    sheet.addRow(['档号', '题名', '类别', '密级', '部门', '原件', '存放位置', '归档日期', '保管期限']);
    sheet.addRow(['XL-001', '2022 年度经营情况', '经营情况', '秘密', '财务部', '是', '3 号柜', new Date(Date.UTC(2022, 11, 30)), 30]);
    sheet.addRow(['XL-002', '绝密合同', '合同', '绝密', 'business', '否', '保密柜', new Date(Date.UTC(2023, 0, 5)), '永久']);
    const file = { content: new Uint8Array(await workbook.xlsx.writeBuffer()), type: XLSX_TYPE };
    const reply = await importDocuments(file, false);
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ format: 'xlsx', rowsRead: 2, rowsImported: 1, rowsInvalid: 1 });
    expect(reply.body.problems).toEqual([expect.objectContaining({ row: 3, field: 'original', problem: expect.stringContaining('ARC-3') })]);
    const [row] = await api.db.sql`select category, secrecy, department_id, to_char(archived_on, 'YYYY-MM-DD') as archived_on, retention_years from documents where reference = 'XL-001'`;
    expect(row).toEqual({ category: 'operating_report', secrecy: 'secret', department_id: 'finance', archived_on: '2022-12-30', retention_years: 30 });
  });
});

describe('importing the customer list', () => {
  it('CUS-4 from XLSX: a dry run names the rows at fault, the import enters the rest with their owners, once', async () => {
    const file = {
      content: await customerWorkbook([
        ['C-0001', '临沂礼品城', '终端', '临沂', '山东', '业务部', 'biz-sales-1'],
        ['C-0002', '济南百货', 'terminal', '济南', '山东', 'sales-floor', null],
        ['C-0003', '青岛经销', '经销商', '青岛', '山东', 'market', null],
        // CUS-4: a distributor card is not kept by the Business Dept
        ['C-0004', '烟台经销', '经销商', '烟台', '山东', 'business', null],
        // the owner is no salesperson of the department
        ['C-0005', '潍坊商场', '终端', '潍坊', '山东', 'business', 'floor-sales-1'],
        ['C 0006', '', '终端', '淄博', '山东', 'business', null],
      ]),
      type: XLSX_TYPE,
    };
    const dry = await api.request('marketing-director', 'POST', '/api/v1/imports/customers?dryRun=true', { file });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ format: 'xlsx', rowsRead: 6, rowsValid: 3, rowsInvalid: 3 });
    const problems = dry.body.problems as { row: number; field: string; problem: string }[];
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 5, field: 'card_type', problem: expect.stringContaining('CARD_NOT_KEPT_BY_DEPARTMENT (CUS-4)') }),
        expect.objectContaining({ row: 6, field: 'owner' }),
        expect.objectContaining({ row: 7, field: 'name' }),
        expect.objectContaining({ row: 7, field: 'reference' }),
      ]),
    );
    expect((await api.db.sql`select 1 from customers where id like 'C-%'`).length).toBe(0);

    const imported = await api.request('marketing-director', 'POST', '/api/v1/imports/customers', { file });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ rowsImported: 3, rowsInvalid: 3 });
    const customers = await api.db.sql`select id, card_type, department_id, owner_id, status, created_by from customers where id like 'C-%' order by id`;
    expect(customers).toEqual([
      { id: 'C-0001', card_type: 'terminal', department_id: 'business', owner_id: 'biz-sales-1', status: 'owned', created_by: 'marketing-director' },
      { id: 'C-0002', card_type: 'terminal', department_id: 'sales-floor', owner_id: null, status: 'open', created_by: 'marketing-director' },
      { id: 'C-0003', card_type: 'distributor', department_id: 'market', owner_id: null, status: 'open', created_by: 'marketing-director' },
    ]);
    const audited = await api.db.sql`select 1 from audit_log where event = 'customer.imported' and actor_id = 'marketing-director'`;
    expect(audited.length).toBe(3);
    const again = await api.request('marketing-director', 'POST', '/api/v1/imports/customers', { file });
    expect(again.body).toMatchObject({ rowsImported: 0, rowsExisting: 3 });
    expect((await api.db.sql`select 1 from customers where id like 'C-%'`).length).toBe(3);
  });

  it('a dry-run report reads in Chinese for a Chinese caller; the codes stay', async () => {
    const refused = await api.request('biz-sales-1', 'POST', '/api/v1/imports/customers?dryRun=true', { file: csv(['reference']), headers: { 'accept-language': 'zh-CN' } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'IMPORT_NOT_ALLOWED', title: '无权操作' });
  });
});

describe('card content in the customer list', () => {
  const header = 'reference,name,card_type,city,region,department,owner,地址,phone,legal_representative,founded_on,annual_sales,信用状况';
  const list = csv([
    header,
    'CARD-001,临沂礼品城,终端,临沂,山东,business,biz-sales-1,临沂市兰山区 1 号,0539-1234567,王总 (稳重),2005-03-01,"1,200,000",良好',
    'CARD-002,济南百货,terminal,济南,山东,sales-floor,,,,,,,',
    'CARD-003,青岛商场,terminal,青岛,山东,business,,,,,2005-13-40,lots,',
  ]);

  it('CUS-3 a dry run judges each row card by the card format and writes nothing; the import writes version 1 of each card, audited', async () => {
    const before = await api.db.sql`select (select count(*)::int from customer_card_versions) as versions, (select count(*)::int from customers) as customers, (select count(*)::int from customer_views) as views`;
    const dry = await api.request('marketing-director', 'POST', '/api/v1/imports/customers?dryRun=true', { file: list });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ rowsRead: 3, rowsValid: 2, rowsInvalid: 1 });
    expect((dry.body.problems as { row: number; field: string }[]).map((p) => [p.row, p.field]).sort()).toEqual([
      [4, 'annual_sales'],
      [4, 'founded_on'],
    ]);
    const unchanged = await api.db.sql`select (select count(*)::int from customer_card_versions) as versions, (select count(*)::int from customers) as customers, (select count(*)::int from customer_views) as views`;
    expect(unchanged).toEqual(before);

    const imported = await api.request('marketing-director', 'POST', '/api/v1/imports/customers', { file: list });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ rowsImported: 2, rowsInvalid: 1 });
    const [card] = await api.db.sql<{ version: number; content: Record<string, Record<string, unknown>>; completeness: number; updated_by: string }[]>`
      select version, content, completeness, updated_by from customer_cards where customer_id = 'CARD-001'`;
    expect(card).toMatchObject({ version: 1, updated_by: 'marketing-director' });
    expect(card!.content).toEqual({
      basic: { name: '临沂礼品城', address: '临沂市兰山区 1 号', phone: '0539-1234567', legalRepresentative: '王总 (稳重)', foundedOn: '2005-03-01' },
      characteristics: { annualSales: 1_200_000 },
      trading: { credit: '良好' },
    });
    expect(card!.completeness).toBeGreaterThan(0);
    const versions = await api.db.sql`select version, changed_by, changed_fields from customer_card_versions where customer_id = 'CARD-001'`;
    expect(versions).toEqual([{ version: 1, changed_by: 'marketing-director', changed_fields: expect.arrayContaining(['basic.address', 'trading.credit']) }]);
    // No card columns filled: the customer comes in without a card.
    expect(await api.db.sql`select 1 from customer_cards where customer_id = 'CARD-002'`).toHaveLength(0);
    const audited = await api.db.sql`select detail->>'customerId' as customer from audit_log where event = 'customer.card_imported' and actor_id = 'marketing-director'`;
    expect(audited).toEqual([{ customer: 'CARD-001' }]);
    // Importing reads no card: the record of views is untouched.
    expect((await api.db.sql`select count(*)::int as n from customer_views`)[0]).toEqual({ n: before[0]!.views });
  });
});

describe('loans still out in the archive register', () => {
  let engine: EngineApiSuite;
  beforeAll(async () => {
    engine = await startApiSuite({ definitions: borrowingProcesses });
  });
  afterAll(() => engine?.teardown());

  const DAY = 86_400_000;
  const day = (offset: number) => policyDate(Date.now() + offset * DAY);
  const header = `${documentsHeader},borrower,borrow_mode,borrowed_on,due_on`;
  const register = csv([
    header,
    `LOAN-001,Sales plan 2026,plan,none,finance,yes,Cabinet 1,2025-12-31,10,finance-clerk,借出,${day(-3)},${day(10)}`,
    `LOAN-002,Audit 2024,financial_audit,none,finance,yes,Cabinet 2,2025-01-31,10,biz-sales-1,loan,${day(-30)},${day(-5)}`,
    'LOAN-003,Plain document,plan,none,finance,yes,Cabinet 3,2025-01-31,10,,,,',
    // BOR-5: a Secret loan out for days
    `LOAN-004,Secret contract,contract,secret,finance,yes,Cabinet 4,2025-01-31,,gm,loan,${day(-2)},${day(1)}`,
    // BOR-3: Top Secret is never lent
    `LOAN-005,Top secret plan,plan,top_secret,finance,yes,Safe,2025-01-31,,gm,reading,${day(-1)},${day(1)}`,
    `LOAN-006,Unknown borrower,plan,none,finance,yes,Cabinet 6,2025-01-31,,nobody,loan,${day(-1)},${day(1)}`,
    `LOAN-007,Due before lent,plan,none,finance,yes,Cabinet 7,2025-01-31,,gm,loan,${day(-1)},${day(-9)}`,
  ]);
  const call = (userId: string, method: string, path: string, json?: unknown) => engine.request(userId, method, path, { json });
  const tables = async () =>
    (await engine.engine.db.sql`select (select count(*)::int from documents) as documents, (select count(*)::int from borrow_requests) as loans, (select count(*)::int from process_outbox) as outbox`)[0];

  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
    const until = Date.now() + 30_000;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const loanOf = async (reference: string) =>
    (await engine.engine.db.sql<{ id: string; processId: string; status: string; requesterId: string; documentStatus: string }[]>`
      select r.id, r.process_id as "processId", r.status, r.requester_id as "requesterId", d.status as "documentStatus"
      from borrow_requests r join documents d on d.id = r.document_id where d.reference = ${reference}`)[0];
  const instanceStatus = async (processId: string) => (await engine.engine.db.sql<{ status: string }[]>`select status from process_instances where id = ${processId}`)[0]?.status;

  it('BOR-5 a dry run reports the loans at fault (borrower, BOR-3, BOR-5, dates) and changes nothing', async () => {
    const before = await tables();
    const dry = await engine.request('archivist', 'POST', '/api/v1/imports/documents?dryRun=true', { file: register });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ rowsRead: 7, rowsValid: 3, rowsInvalid: 4 });
    expect(dry.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 5, field: 'due_on', problem: expect.stringContaining('SECRET_BORROW_TOO_LONG (BOR-5)') }),
        expect.objectContaining({ row: 6, field: 'borrow_mode', problem: expect.stringContaining('TOP_SECRET_NOT_BORROWABLE (BOR-3)') }),
        expect.objectContaining({ row: 7, field: 'borrower', problem: 'nobody is not an active user' }),
        expect.objectContaining({ row: 8, field: 'due_on', problem: 'due after the day it was lent' }),
      ]),
    );
    expect(await tables()).toEqual(before);
  });

  it('BOR-8 a loan still out is imported on loan (or overdue) with its process, audited as imported, and returned through the API', async () => {
    const imported = await engine.request('archivist', 'POST', '/api/v1/imports/documents', { file: register });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ rowsImported: 3, rowsInvalid: 4 });
    const onLoan = (await loanOf('LOAN-001'))!;
    const overdue = (await loanOf('LOAN-002'))!;
    expect(onLoan).toMatchObject({ status: 'on_loan', requesterId: 'finance-clerk', documentStatus: 'on_loan' });
    expect(overdue).toMatchObject({ status: 'overdue', requesterId: 'biz-sales-1', documentStatus: 'on_loan' });
    expect(await loanOf('LOAN-003')).toBeUndefined();
    const audited = await engine.engine.db.sql`select process_id, actor_id from audit_log where event = 'borrow.imported' order by process_id`;
    expect(audited).toEqual([onLoan.processId, overdue.processId].sort().map((processId) => ({ process_id: processId, actor_id: 'archivist' })));

    // The overdue loan waits for its recovery; the other for its return.
    await eventually(() => instanceStatus(overdue.processId), (s) => s === 'running', 'the overdue loan running');
    await eventually(
      async () => (await call('archivist', 'GET', '/api/v1/tasks?limit=200')).body.tasks as { processId: string; nodeId: string }[],
      (tasks) => tasks.some((t) => t.processId === overdue.processId && t.nodeId === 'recover'),
      'the recovery task',
    );
    await eventually(() => instanceStatus(onLoan.processId), (s) => s === 'running', 'the loan running');

    for (const loan of [onLoan, overdue]) {
      const back = await call('archivist', 'POST', `/api/v1/borrow-requests/${loan.id}/return`, { condition: 'intact' });
      expect([200, 202]).toContain(back.status);
      expect(await eventually(() => instanceStatus(loan.processId), (s) => s === 'returned', `${loan.processId} returned`)).toBe('returned');
    }
    expect(await loanOf('LOAN-001')).toMatchObject({ status: 'returned', documentStatus: 'in_archive' });
    expect(await loanOf('LOAN-002')).toMatchObject({ status: 'returned', documentStatus: 'in_archive' });
    // A user's own import writes nothing twice.
    const again = await engine.request('archivist', 'POST', '/api/v1/imports/documents', { file: register });
    expect(again.body).toMatchObject({ rowsImported: 0, rowsExisting: 3 });
    expect((await engine.engine.db.sql`select 1 from borrow_requests`).length).toBe(2);
  });
});
