import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { createAuthenticator, issueToken } from '../../platform/http/auth.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const secret = 'a-test-secret-that-is-at-least-32-characters-long';
const otherSecret = 'another-secret-that-is-at-least-32-characters-long';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await loadDemoOrganisation(db.sql);
  await db.sql`update users set active = false, left_at = now() where id = 'biz-sales-2'`;
});

afterAll(async () => {
  await db?.drop();
});

function app(options: { devLogin?: boolean; issuer?: string; audience?: string; maxLifetimeSeconds?: number } = {}) {
  const tokenClaims = { issuer: options.issuer, audience: options.audience, maxLifetimeSeconds: options.maxLifetimeSeconds };
  return testApp({
    sql: db.sql,
    authenticator: createAuthenticator({ secret, ...tokenClaims }),
    jwtSecret: secret,
    tokenClaims,
    devLogin: options.devLogin ?? false,
  });
}

function me(authorization?: string, options?: Parameters<typeof app>[0]) {
  return app(options).request('/api/v1/me', authorization === undefined ? {} : { headers: { authorization } });
}

function sign(claims: { sub?: string; exp?: number | string; iss?: string; aud?: string }, key = secret) {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt();
  if (claims.sub !== undefined) jwt = jwt.setSubject(claims.sub);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  if (claims.iss !== undefined) jwt = jwt.setIssuer(claims.iss);
  if (claims.aud !== undefined) jwt = jwt.setAudience(claims.aud);
  return jwt.sign(new TextEncoder().encode(key));
}

async function expectUnauthorized(response: Response, code: string) {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status: 401, title: 'Unauthorized', code });
  expect(typeof body.detail).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
}

describe('authentication', () => {
  it('refuses a request without an Authorization header', async () => {
    await expectUnauthorized(await me(), 'TOKEN_MISSING');
  });

  it('refuses a scheme other than Bearer', async () => {
    await expectUnauthorized(await me('Basic YXJjaGl2aXN0OnNlY3JldA=='), 'TOKEN_NOT_BEARER');
    await expectUnauthorized(await me('Bearer'), 'TOKEN_NOT_BEARER');
  });

  it('refuses a malformed token', async () => {
    await expectUnauthorized(await me('Bearer not-a-jwt'), 'TOKEN_MALFORMED');
    await expectUnauthorized(await me('Bearer a.b.c'), 'TOKEN_MALFORMED');
  });

  it('refuses a token signed with another secret', async () => {
    await expectUnauthorized(await me(`Bearer ${await sign({ sub: 'gm', exp: '1h' }, otherSecret)}`), 'TOKEN_SIGNATURE_INVALID');
  });

  it('refuses a token whose signature was tampered with', async () => {
    const [header, payload] = (await issueToken(secret, 'archivist')).split('.');
    const forged = `${header}.${payload}.${Buffer.from('x'.repeat(32)).toString('base64url')}`;
    await expectUnauthorized(await me(`Bearer ${forged}`), 'TOKEN_SIGNATURE_INVALID');
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const expired = await sign({ sub: 'gm', exp: Math.floor(Date.now() / 1000) - 60 });
    await expectUnauthorized(await me(`Bearer ${expired}`), 'TOKEN_EXPIRED');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const unsigned = new UnsecuredJWT({}).setSubject('gm').setIssuedAt().setExpirationTime('1h').encode();
    await expectUnauthorized(await me(`Bearer ${unsigned}`), 'TOKEN_ALGORITHM_REFUSED');
  });

  it('refuses a token without a subject or without an expiry', async () => {
    await expectUnauthorized(await me(`Bearer ${await sign({ exp: '1h' })}`), 'TOKEN_CLAIMS_INVALID');
    await expectUnauthorized(await me(`Bearer ${await sign({ sub: 'gm' })}`), 'TOKEN_CLAIMS_INVALID');
  });

  it('refuses a token for a user the organisation does not know', async () => {
    await expectUnauthorized(await me(`Bearer ${await issueToken(secret, 'nobody')}`), 'USER_UNKNOWN');
  });

  it('refuses a token for a user who is no longer active', async () => {
    await expectUnauthorized(await me(`Bearer ${await issueToken(secret, 'biz-sales-2')}`), 'USER_INACTIVE');
  });

  it('checks issuer and audience when they are configured', async () => {
    const options = { issuer: 'https://id.example.com', audience: 'custodian' };
    await expectUnauthorized(await me(`Bearer ${await issueToken(secret, 'gm')}`, options), 'TOKEN_CLAIMS_INVALID');
    const wrongAudience = await sign({ sub: 'gm', exp: '1h', iss: options.issuer, aud: 'someone-else' });
    await expectUnauthorized(await me(`Bearer ${wrongAudience}`, options), 'TOKEN_CLAIMS_INVALID');
    const right = await sign({ sub: 'gm', exp: '1h', iss: options.issuer, aud: options.audience });
    expect((await me(`Bearer ${right}`, options)).status).toBe(200);
  });

  it('token lifetime (issue 17): a token valid longer than AUTH_TOKEN_MAX_LIFETIME_SECONDS is refused, with or without iat', async () => {
    // The default ceiling is 12 hours.
    await expectUnauthorized(await me(`Bearer ${await sign({ sub: 'gm', exp: '13h' })}`), 'TOKEN_LIFETIME_TOO_LONG');
    expect((await me(`Bearer ${await sign({ sub: 'gm', exp: '11h' })}`)).status).toBe(200);
    await expectUnauthorized(await me(`Bearer ${await sign({ sub: 'gm', exp: '2h' })}`, { maxLifetimeSeconds: 3600 }), 'TOKEN_LIFETIME_TOO_LONG');
    // Without iat, the lifetime counts from now: a year-long token is refused however old it claims to be.
    const noIssuedAt = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('gm').setExpirationTime('365d').sign(new TextEncoder().encode(secret));
    await expectUnauthorized(await me(`Bearer ${noIssuedAt}`), 'TOKEN_LIFETIME_TOO_LONG');
    // And a token without exp stays refused.
    await expectUnauthorized(await me(`Bearer ${await sign({ sub: 'gm' })}`), 'TOKEN_CLAIMS_INVALID');
  });

  it('needs a secret or a JWKS URL', () => {
    expect(() => createAuthenticator({})).toThrow(/AUTH_JWT_SECRET/);
  });
});

describe('authentication with an identity provider (JWKS)', () => {
  let server: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
    // The key set is fetched over HTTP by jose, so it is served for real; the API is not.
    server = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  const idpApp = (url: string, log: (message: string, error?: unknown) => void = () => {}) =>
    testApp({
      sql: db.sql,
      authenticator: createAuthenticator({ jwksUrl: url, issuer: 'https://id.example.com' }),
      devLogin: false,
      log,
    });

  const idpToken = (sub: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
      .setSubject(sub)
      .setIssuer('https://id.example.com')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);

  it("accepts a token signed with the provider's key", async () => {
    const response = await idpApp(jwksUrl).request('/api/v1/me', { headers: { authorization: `Bearer ${await idpToken('finance-director')}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 'finance-director', roles: [{ role: 'director', labelZh: '总监' }] });
  });

  it('refuses an HS256 token once an identity provider is configured', async () => {
    const hs256 = await sign({ sub: 'gm', exp: '1h', iss: 'https://id.example.com' });
    const response = await idpApp(jwksUrl).request('/api/v1/me', { headers: { authorization: `Bearer ${hs256}` } });
    await expectUnauthorized(response, 'TOKEN_ALGORITHM_REFUSED');
  });

  it('answers 503 with Retry-After when the key set cannot be fetched', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const logged: unknown[] = [];
    const response = await idpApp(`http://127.0.0.1:${port}/jwks.json`, (_, error) => logged.push(error)).request('/api/v1/me', {
      headers: { authorization: `Bearer ${await idpToken('gm')}` },
    });
    expect(response.status).toBe(503);
    expect(logged).toHaveLength(1);
    expect((logged[0] as Error).cause).toBeDefined();
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(await response.json()).toMatchObject({ status: 503, code: 'IDENTITY_PROVIDER_UNAVAILABLE' });
  });
});

describe('GET /api/v1/me', () => {
  it('returns the user, their department and their roles with Chinese labels', async () => {
    const response = await me(`Bearer ${await issueToken(secret, 'floor-manager')}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: 'floor-manager',
      displayName: 'Sales Floor Manager',
      displayNameZh: '营业部经理（展厅经理）',
      department: { id: 'sales-floor', name: 'Sales Floor Dept', nameZh: '营业部' },
      roles: [
        { role: 'department_manager', departmentId: 'sales-floor', label: 'Department Manager', labelZh: '部门经理' },
        { role: 'showroom_manager', departmentId: null, label: 'Showroom Manager', labelZh: '展厅经理' },
      ],
      delegations: { held: [], given: [] },
    });
  });

  it('accepts the scheme name in any case', async () => {
    const response = await me(`bearer ${await issueToken(secret, 'gm')}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 'gm', roles: [{ role: 'gm', labelZh: '总经理' }] });
  });

  it('appears in the OpenAPI document; dev-token only when dev login is on', async () => {
    const off = (await (await app().request('/api/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(off.paths)).toContain('/api/v1/me');
    expect(Object.keys(off.paths)).not.toContain('/api/v1/auth/dev-token');
    const on = (await (await app({ devLogin: true }).request('/api/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(on.paths)).toContain('/api/v1/auth/dev-token');
  });
});

describe('POST /api/v1/auth/dev-token', () => {
  const devToken = (body: unknown, devLogin: boolean) =>
    app({ devLogin }).request('/api/v1/auth/dev-token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('does not exist when dev login is off', async () => {
    const response = await devToken({ userId: 'gm' }, false);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('hands out a token that authenticates the user when dev login is on', async () => {
    const response = await devToken({ userId: 'archivist' }, true);
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };
    const whoami = await me(`Bearer ${token}`);
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toMatchObject({ id: 'archivist', displayNameZh: '档案管理员', roles: [{ role: 'archivist', labelZh: '档案管理员' }] });
  });

  it('token claims (issue 17): a dev-login token names the configured issuer and audience and lasts the configured lifetime', async () => {
    const options = { devLogin: true, issuer: 'custodian', audience: 'custodian-api', maxLifetimeSeconds: 1800 };
    const response = await app(options).request('/api/v1/auth/dev-token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'gm' }),
    });
    const { token } = (await response.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iss: string; aud: string; iat: number; exp: number };
    expect(claims).toMatchObject({ iss: 'custodian', aud: 'custodian-api' });
    expect(claims.exp - claims.iat).toBe(1800);
    expect((await me(`Bearer ${token}`, options)).status).toBe(200);
  });

  it('answers 404 for an unknown or inactive user', async () => {
    for (const userId of ['nobody', 'biz-sales-2']) {
      const response = await devToken({ userId }, true);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    }
  });

  it('answers 400 for a body without a userId', async () => {
    const response = await devToken({ user: 'gm' }, true);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
  });

  it('needs a secret to sign with', () => {
    expect(() =>
      testApp({
        sql: db.sql,
        authenticator: createAuthenticator({ secret }),
        devLogin: true,
      }),
    ).toThrow(/AUTH_JWT_SECRET/);
  });
});
