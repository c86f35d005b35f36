// The authenticated principal cached for its token's life (issue 20): a change to the user, their
// roles or their department, made by any code path, is seen by the very next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { createAuthenticator, issueToken } from '../../platform/http/auth.ts';
import { organisationRevision, principalCache } from '../../platform/http/principal-cache.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import type { User } from '../../platform/organisation/model.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const secret = 'a-test-secret-that-is-at-least-32-characters-long';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await loadDemoOrganisation(db.sql);
});

afterAll(async () => {
  await db?.drop();
});

describe('principal cache', () => {
  it('keeps a verified token’s user, and sees a deactivation made directly in the database at the next request', async () => {
    const authenticator = createAuthenticator({ secret });
    const app = testApp({ sql: db.sql, authenticator });
    const token = await issueToken(secret, 'biz-sales-1');
    const me = () => app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
    expect((await me()).status).toBe(200);
    expect(authenticator.principals!.size).toBe(1);
    expect((await me()).status).toBe(200);

    await db.sql`update users set active = false, left_at = now() where id = 'biz-sales-1'`;
    const refused = await me();
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe('USER_INACTIVE');
    await db.sql`update users set active = true, left_at = null where id = 'biz-sales-1'`;
    expect((await me()).status).toBe(200);
  });

  it('answers with the roles and department as they are now, after a role is granted and a department renamed', async () => {
    const authenticator = createAuthenticator({ secret });
    const app = testApp({ sql: db.sql, authenticator });
    const token = await issueToken(secret, 'biz-sales-1');
    const me = async () => (await (await app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
    const before = JSON.stringify(await me());
    expect(before).not.toContain('archivist');

    await db.sql`insert into user_roles (user_id, role, department_id) values ('biz-sales-1', 'archivist', null)`;
    expect(JSON.stringify(await me())).toContain('archivist');
    await db.sql`delete from user_roles where user_id = 'biz-sales-1' and role = 'archivist'`;
    expect(JSON.stringify(await me())).not.toContain('archivist');

    const [department] = await db.sql<{ id: string; name: string }[]>`select d.id, d.name from departments d join users u on u.department_id = d.id where u.id = 'biz-sales-1'`;
    await db.sql`update departments set name = 'Renamed Dept' where id = ${department!.id}`;
    expect(JSON.stringify(await me())).toContain('Renamed Dept');
    await db.sql`update departments set name = ${department!.name} where id = ${department!.id}`;
  });

  it('every change to users, user_roles and departments raises the organisation’s revision', async () => {
    const first = BigInt(await organisationRevision(db.sql));
    await db.sql`update users set display_name = display_name where id = 'gm'`;
    const second = BigInt(await organisationRevision(db.sql));
    expect(second).toBeGreaterThan(first);
    await db.sql`update departments set name = name where false`;
    expect(BigInt(await organisationRevision(db.sql))).toBeGreaterThan(second);
  });

  it('a token refused is never cached, and AUTH_PRINCIPAL_CACHE_SIZE=0 caches nothing', async () => {
    const cached = createAuthenticator({ secret });
    const off = createAuthenticator({ secret, principalCache: { size: 0, maxAgeSeconds: 300 } });
    const wrong = await issueToken('another-secret-that-is-at-least-32-characters-long', 'gm');
    const response = await testApp({ sql: db.sql, authenticator: cached }).request('/api/v1/me', { headers: { authorization: `Bearer ${wrong}` } });
    expect(response.status).toBe(401);
    expect(cached.principals!.size).toBe(0);
    const ok = await testApp({ sql: db.sql, authenticator: off }).request('/api/v1/me', { headers: { authorization: `Bearer ${await issueToken(secret, 'gm')}` } });
    expect(ok.status).toBe(200);
    expect(off.principals!.size).toBe(0);
  });

  it('is bounded: the least recently used token is dropped, and an entry ends with its token or its maximum age', () => {
    const cache = principalCache({ size: 2, maxAgeSeconds: 60 });
    const user = { id: 'gm' } as User;
    const now = 1_000_000;
    cache.set('a', user, '1', now + 3_600_000, now);
    cache.set('b', user, '1', now + 10_000, now);
    expect(cache.get('a', now)).toBeDefined();
    cache.set('c', user, '1', now + 3_600_000, now);
    expect(cache.get('b', now)).toBeUndefined();
    expect(cache.size).toBe(2);
    expect(cache.get('a', now + 59_999)).toBeDefined();
    expect(cache.get('a', now + 60_000)).toBeUndefined();
    cache.set('d', user, '1', now + 10_000, now);
    expect(cache.get('d', now + 10_000)).toBeUndefined();
  });
});
