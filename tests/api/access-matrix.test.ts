// The access matrix (issue #17): every route of the OpenAPI document has a declared permission,
// and every declared route is called as every demo user against real records (tests/access/):
// each answer's allow (2xx, or a refusal of the record's state or the data: 409, 422, 429) or deny
// (403, 404) must be what the permission says, and 404 where the caller may not know the record
// (ACC-1). 0 unexpected allows, 0 unexpected denies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessPolicy, processCatalogue } from '../../areas/catalogue.ts';
import { routeKey, type RouteAccess } from '../../platform/access.ts';
import { demoOrganisation, type User } from '../../platform/organisation/model.ts';
import { findUser } from '../../platform/organisation/sql.ts';
import { startApiSuite, type EngineApiSuite, type Reply } from '../support/api-suite.ts';
import { accessFixtures, notYetProbed } from '../access/index.ts';
import type { FixtureContext, Probe } from '../access/fixture.ts';

let api: EngineApiSuite;
let users: User[];
const probes = new Map<string, Probe>();

const sql = () => api.engine.db.sql;

const context = (): FixtureContext => ({
  api,
  sql: sql(),
  async openTask(processId, nodeId) {
    for (let attempt = 0; attempt < 400; attempt += 1) {
      const [row] = await sql()<{ id: string }[]>`
        select id from tasks where process_id = ${processId} and state = 'open' and (${nodeId ?? null}::text is null or node_id = ${nodeId ?? null}) order by created_at limit 1`;
      if (row) return row.id;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no open task ${nodeId ?? ''} in ${processId}`);
  },
  async participants(processId) {
    const rows = await sql()<{ id: string }[]>`
      select distinct id from (
        select unnest(candidate_ids || delegate_ids) as id from tasks where process_id = ${processId}
        union select decided_by from tasks where process_id = ${processId} and decided_by is not null) ids
      order by id`;
    return rows.map((row) => row.id);
  },
});

beforeAll(async () => {
  api = await startApiSuite({ definitions: processCatalogue });
  users = await Promise.all(demoOrganisation.users.map(async (demo) => (await findUser(sql(), demo.id))!));
  for (const fixture of accessFixtures) for (const [key, probe] of Object.entries(await fixture.probes(context()))) probes.set(key, probe);
}, 120_000);

afterAll(() => api?.teardown());

const declared = new Map<string, RouteAccess>(accessPolicy.flatMap((declaration) => declaration.routes.map((route) => [routeKey(route), route] as const)));

/** What an answer says of access: allowed past it (done, or refused for the record's state or the data), denied, or neither. */
function verdict(reply: Reply): 'allow' | 'deny' | 'invalid' | 'error' {
  if (reply.status >= 500) return 'error';
  if (reply.status === 400) return 'invalid';
  if (reply.status === 401 || reply.status === 403 || reply.status === 404) return 'deny';
  return 'allow';
}

interface Mismatch {
  route: string;
  user: string;
  expected: string;
  status: number;
  code: string | undefined;
}

describe('the access matrix', () => {
  it('ACC-1 every route of the OpenAPI document has a declared permission', async () => {
    const document = (await api.request('gm', 'GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    expect(routes.filter((key) => !declared.has(key))).toEqual([]);
    expect(routes.length).toBeGreaterThan(90);
  });

  it('ACC-1 every declared route is probed (or listed, with why, in tests/access/index.ts notYetProbed)', () => {
    expect([...declared.keys()].filter((key) => !probes.has(key) && !(key in notYetProbed) && key !== 'POST /api/v1/auth/dev-token')).toEqual([]);
    expect(Object.keys(notYetProbed).filter((key) => probes.has(key))).toEqual([]);
  });

  it('ACC-1 each route answers every demo user as the table says: 0 unexpected allows, 0 unexpected denies', async () => {
    const mismatches: Mismatch[] = [];
    let calls = 0;
    for (const [key, probe] of probes) {
      const route = declared.get(key);
      if (!route) throw new Error(`a probe for an undeclared route: ${key}`);
      const method = key.split(' ')[0]!;
      const ask = async (user: User) => {
        const reply = await api.request(user.id, method, probe.path, { json: probe.json, file: probe.file, headers: probe.headers });
        calls += 1;
        const allowed = route.permission.allows(user, probe.record);
        const known = route.knownTo ? route.knownTo.allows(user, probe.record) : true;
        const found = verdict(reply);
        const expected = allowed ? 'allow' : known ? 'deny' : 'deny (404)';
        const right = allowed ? found === 'allow' : found === 'deny' && (known || reply.status === 404);
        if (!right) mismatches.push({ route: key, user: user.id, expected, status: reply.status, code: reply.body?.code });
      };
      // Reads in parallel; a change one at a time, in the organisation's order, so each sees the last one's effect.
      if (method === 'GET') await Promise.all(users.map(ask));
      else for (const user of users) await ask(user);
    }
    console.log(`access matrix: ${probes.size} routes × ${users.length} demo users = ${calls} calls; ${declared.size} routes declared`);
    expect(mismatches).toEqual([]);
  }, 240_000);
});
