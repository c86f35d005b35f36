// The archive registry through the API (ARC-1..3), on a real PostgreSQL with the demo organisation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabaseApiSuite, type DatabaseApiSuite, type Reply } from '../support/api-suite.ts';
import type { TestDatabase } from '../support/postgres.ts';

let api: DatabaseApiSuite;
let db: TestDatabase;

beforeAll(async () => {
  api = await startDatabaseApiSuite();
  db = api.db;
});

afterAll(() => api?.teardown());

const call = (userId: string | null, method: string, path: string, json?: unknown) => api.request(userId, method, path, { json });

let serial = 0;
function newDocument(overrides: Record<string, unknown> = {}) {
  serial += 1;
  return {
    reference: `DOC-${String(serial).padStart(4, '0')}`,
    title: `Document ${serial}`,
    category: 'contract',
    secrecy: 'none',
    departmentId: 'finance',
    original: true,
    location: 'Archive room, cabinet 1',
    ...overrides,
  };
}

const register = (overrides: Record<string, unknown> = {}) => call('archivist', 'POST', '/api/v1/documents', newDocument(overrides));

describe('the retention schedule', () => {
  it('ARC-1 categories carry the labels of the original: 规划, 会计档案, 经营情况, 项目方案', async () => {
    const { body } = await call('archivist', 'GET', '/api/v1/retention-periods');
    const labels = Object.fromEntries(body.periods.map((p: { category: string; categoryLabel: { zh: string } }) => [p.category, p.categoryLabel.zh]));
    expect(labels).toMatchObject({ plan: '规划', accounting_record: '会计档案', operating_report: '经营情况', project_proposal: '项目方案' });
  });

  it('DES-2 a category without a period is kept permanently; the Office Director sets one, audited, and documents following the schedule become due', async () => {
    const old = await register({ category: 'notice', archivedOn: '2001-03-01' });
    const ownPeriod = await register({ category: 'notice', archivedOn: '2001-03-01', retention: 'permanent' });
    const due = async () => ((await call('archivist', 'GET', '/api/v1/destruction-candidates')).body.documents as { id: string }[]).map((d) => d.id);
    expect((await call('archivist', 'GET', '/api/v1/retention-periods')).body.periods).toContainEqual(
      expect.objectContaining({ category: 'notice', retention: 'permanent', source: 'unset', setBy: null }),
    );
    expect(await due()).not.toContain(old.body.id);

    const before = await db.sql<{ n: number }[]>`select count(*)::int as n from retention_periods`;
    for (const userId of ['archivist', 'gm', 'finance-manager']) {
      const refused = await call(userId, 'PUT', '/api/v1/retention-periods/notice', { retention: 10 });
      expect(refused.status, userId).toBe(403);
      expect(refused.body).toMatchObject({ code: 'NOT_THE_OFFICE_DIRECTOR', ruleId: 'DES-2' });
    }
    expect((await call('office-director', 'PUT', '/api/v1/retention-periods/notice', { retention: 0 })).status).toBe(400);
    expect((await call('office-director', 'PUT', '/api/v1/retention-periods/no-such-category', { retention: 10 })).status).toBe(400);
    expect(await db.sql<{ n: number }[]>`select count(*)::int as n from retention_periods`).toEqual(before);

    const set = await call('office-director', 'PUT', '/api/v1/retention-periods/notice', { retention: 10 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ category: 'notice', retention: 10, source: 'schedule', setBy: 'office-director' });
    expect((await call('finance-clerk', 'GET', `/api/v1/documents/${old.body.id}`)).body).toMatchObject({ retention: 10, retentionSource: 'schedule' });
    expect(await due()).toContain(old.body.id);
    // a document registered with a retention of its own keeps it
    expect(await due()).not.toContain(ownPeriod.body.id);

    // setting the same period again changes nothing; a change back is audited with what it replaced
    await call('office-director', 'PUT', '/api/v1/retention-periods/notice', { retention: 10 });
    await call('office-director', 'PUT', '/api/v1/retention-periods/notice', { retention: 'permanent' });
    const audit = await db.sql<{ actor_id: string; rule_id: string; detail: Record<string, unknown> }[]>`
      select actor_id, rule_id, detail from audit_log where event = 'retention.period_set' and detail ->> 'category' = 'notice' order by seq`;
    expect(audit.map((a) => [a.actor_id, a.rule_id, a.detail.previous, a.detail.retentionYears])).toEqual([
      ['office-director', 'DES-2', 'unset', 10],
      ['office-director', 'DES-2', 10, null],
    ]);
    expect(await due()).not.toContain(old.body.id);
  });
});

describe('registering documents', () => {
  it('ARC-1 the Archivist registers a document; without a retention of its own it follows the schedule, and its status is in the archive', async () => {
    const created = await register({ category: 'meeting_minutes', title: 'Board minutes 2025', archivedOn: '2026-01-15' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/documents/${created.body.id}`);
    expect(created.body).toMatchObject({
      title: 'Board minutes 2025',
      category: 'meeting_minutes',
      categoryLabel: { en: 'Meeting minutes', zh: '会议记录' },
      secrecy: 'none',
      secrecyLabel: { en: 'Non-classified', zh: '非密' },
      departmentId: 'finance',
      original: true,
      retention: 'permanent',
      archivedOn: '2026-01-15',
      status: 'in_archive',
      registeredBy: 'archivist',
    });
    // DES-2: the policy gives no periods, and nobody has set one: kept permanently
    const contract = await register({ category: 'contract' });
    expect(contract.body).toMatchObject({ retention: 'permanent', retentionSource: 'schedule' });
    expect(contract.body.archivedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const kept = await register({ category: 'contract', retention: 'permanent' });
    expect(kept.body.retention).toBe('permanent');
    expect(kept.body.retentionSource).toBe('document');
    const years = await register({ category: 'annual_plan', retention: 15 });
    expect(years.body).toMatchObject({ retention: 15, retentionSource: 'document' });
    expect((await call('finance-clerk', 'GET', `/api/v1/documents/${created.body.id}`)).body).toEqual(created.body);
  });

  it('ARC-2 only the Archivist registers documents: 403 for anyone else, the GM included', async () => {
    for (const userId of ['gm', 'office-director', 'finance-manager']) {
      const refused = await call(userId, 'POST', '/api/v1/documents', newDocument());
      expect(refused.status, userId).toBe(403);
      expect(refused.type).toBe('application/problem+json');
      expect(refused.body).toMatchObject({ code: 'ARCHIVIST_ONLY', ruleId: 'ARC-2' });
    }
  });

  it('ARC-3 a copy of a confidential or top secret document is refused (422), a copy of a secret one is registered', async () => {
    const before = await db.sql<{ n: number }[]>`select count(*)::int as n from documents`;
    for (const secrecy of ['confidential', 'top_secret']) {
      const refused = await register({ secrecy, original: false });
      expect(refused.status, secrecy).toBe(422);
      expect(refused.body).toMatchObject({ code: 'ORIGINAL_REQUIRED', ruleId: 'ARC-3', errors: [{ path: 'original' }] });
    }
    expect(await db.sql<{ n: number }[]>`select count(*)::int as n from documents`).toEqual(before);
    expect((await register({ secrecy: 'secret', original: false })).status).toBe(201);
    expect((await register({ secrecy: 'confidential', original: true })).status).toBe(201);
  });

  it('ARC-3 the database refuses a copy at confidential even when the API is bypassed', async () => {
    await expect(
      db.sql`insert into documents (id, reference, title, category, secrecy, department_id, original, archived_on, location, registered_by)
             values ('copy-1', 'COPY-1', 'A copy', 'contract', 'confidential', 'finance', false, '2026-01-01', 'x', 'archivist')`,
    ).rejects.toThrow(/check constraint/);
  });

  it('answers 400 for bad input, 409 for a reference already taken, 422 for an unknown department', async () => {
    for (const body of [
      { ...newDocument(), category: 'poetry' },
      { ...newDocument(), secrecy: 'very_secret' },
      { ...newDocument(), retention: 0 },
      { ...newDocument(), archivedOn: '15/01/2026' },
      { ...newDocument(), title: '  ' },
      { ...newDocument(), colour: 'red' },
      { title: 'no reference' },
    ]) {
      const bad = await call('archivist', 'POST', '/api/v1/documents', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body).toMatchObject({ code: 'INVALID_INPUT', errors: expect.any(Array) });
    }
    const first = await register();
    const taken = await call('archivist', 'POST', '/api/v1/documents', newDocument({ reference: first.body.reference }));
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'DOCUMENT_REFERENCE_TAKEN' });
    const nowhere = await register({ departmentId: 'atlantis' });
    expect(nowhere.status).toBe(422);
    expect(nowhere.body).toMatchObject({ code: 'UNKNOWN_DEPARTMENT', errors: [{ path: 'departmentId' }] });
    expect((await call(null, 'POST', '/api/v1/documents', newDocument())).status).toBe(401);
  });
});

describe('looking documents up', () => {
  it('ARC-2 [interpretation] a top secret document is 404 and unlisted for anyone without a role in the archive', async () => {
    const hidden = await register({ secrecy: 'top_secret', title: 'Strategic reserve plan', category: 'plan' });
    expect(hidden.status).toBe(201);
    for (const userId of ['archivist', 'office-director', 'gm']) {
      expect((await call(userId, 'GET', `/api/v1/documents/${hidden.body.id}`)).status, userId).toBe(200);
      const listed = await call(userId, 'GET', '/api/v1/documents?secrecy=top_secret&limit=200');
      expect(listed.body.documents.map((d: { id: string }) => d.id), userId).toContain(hidden.body.id);
    }
    for (const userId of ['dgm-admin', 'finance-director', 'finance-clerk', 'biz-sales-1']) {
      const unknown = await call(userId, 'GET', `/api/v1/documents/${hidden.body.id}`);
      expect(unknown.status, userId).toBe(404);
      // the same answer as for a document that does not exist
      const missing = await call(userId, 'GET', '/api/v1/documents/no-such-document');
      expect(missing.body).toEqual({ ...unknown.body, detail: 'No document no-such-document.', requestId: missing.body.requestId });
      expect(unknown.body).toMatchObject({ code: 'DOCUMENT_NOT_FOUND', detail: `No document ${hidden.body.id}.` });
      const all = await call(userId, 'GET', '/api/v1/documents?limit=200');
      expect(all.body.documents.some((d: { secrecy: string }) => d.secrecy === 'top_secret'), userId).toBe(false);
      expect((await call(userId, 'GET', '/api/v1/documents?q=Strategic')).body.documents).toEqual([]);
    }
  });

  it('filters by category, secrecy, status, department and words of the title or reference', async () => {
    const minutes = await register({ category: 'meeting_minutes', title: 'Sales meeting 50% target_review', departmentId: 'business', secrecy: 'secret' });
    await register({ category: 'meeting_minutes', title: 'Finance meeting', departmentId: 'finance' });
    const list = async (query: string) => (await call('finance-clerk', 'GET', `/api/v1/documents?limit=200&${query}`)).body.documents as { id: string }[];
    const ids = (docs: { id: string }[]) => docs.map((d) => d.id);
    expect(ids(await list('category=meeting_minutes&department=business'))).toEqual([minutes.body.id]);
    expect(ids(await list('secrecy=secret&department=business'))).toEqual([minutes.body.id]);
    expect(ids(await list('q=sales%20MEETING'))).toEqual([minutes.body.id]);
    expect(ids(await list(`q=${minutes.body.reference.toLowerCase()}`))).toEqual([minutes.body.id]);
    // LIKE wildcards in the words are taken literally
    expect(ids(await list('q=50%25'))).toEqual([minutes.body.id]);
    expect(ids(await list('q=target_r'))).toEqual([minutes.body.id]);
    expect(ids(await list('q=t_rget'))).toEqual([]);
    expect(await list('status=on_loan')).toEqual([]);
    for (const query of ['category=poetry', 'secrecy=secretish', 'status=lost', 'limit=0', 'limit=201', 'cursor=bogus', `cursor=${Buffer.from('["x","y"]').toString('base64url')}`]) {
      const bad = await call('finance-clerk', 'GET', `/api/v1/documents?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body).toMatchObject({ code: query.startsWith('cursor=') ? 'INVALID_CURSOR' : 'INVALID_INPUT' });
    }
  });

  it('pages through the registry with a cursor, the most recently archived first', async () => {
    for (const archivedOn of ['2020-05-01', '2020-05-01', '2020-05-02', '2020-04-30', '2020-05-01']) await register({ archivedOn, category: 'notice', departmentId: 'hr' });
    const all = (await call('hr-manager', 'GET', '/api/v1/documents?department=hr&limit=200')).body.documents as { id: string; archivedOn: string }[];
    expect(all.map((d) => d.archivedOn)).toEqual(['2020-05-02', '2020-05-01', '2020-05-01', '2020-05-01', '2020-04-30']);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Reply = await call('hr-manager', 'GET', `/api/v1/documents?department=hr&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.documents.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.documents.map((d: { id: string }) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((d) => d.id));
  });

  it('documents the routes in the OpenAPI document', async () => {
    const { body } = await call(null, 'GET', '/api/v1/openapi.json');
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/api/v1/documents', '/api/v1/documents/{id}']));
    expect(body.paths['/api/v1/documents/{id}'].get.description).toMatch(/Top Secret/);
  });
});
