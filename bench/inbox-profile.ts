// `npx tsx bench/inbox-profile.ts [rounds]`: what one GET /api/v1/tasks costs the API process,
// variant against variant in the same run. The app is called in process (no sockets), ten
// requests at a time, in interleaved blocks, so drift in the machine's load hits every variant;
// it reports each variant's requests/s and API CPU per request (median of the blocks), and the
// ratios. Run it under `node --cpu-prof --import tsx` for a profile of the route.
import { performance } from 'node:perf_hooks';
import { Hono } from 'hono';
import { testApp } from '../tests/support/app.ts';
import { createAuthenticator, issueToken } from '../platform/http/auth.ts';
import { loadDemoOrganisation } from '../platform/organisation/sql.ts';
import { createTestDatabase } from '../tests/support/postgres.ts';
import { summary } from './stats.ts';
import { publishDefinition } from '../engine/sql/definitions.ts';
import { serviceSpecs } from '../areas/catalogue.ts';
import { twoStep } from './definitions.ts';

const secret = 'bench-secret-that-is-at-least-32-characters';
const rounds = Number(process.argv[2] ?? 5);
const perBlock = 1_000;
const concurrency = 10;

const db = await createTestDatabase({ max: 10 });
try {
  await loadDemoOrganisation(db.sql);
  await publishDefinition(db.sql, twoStep, serviceSpecs);
  const owners = 1_000;
  const ids = Array.from({ length: owners }, (_, i) => `bench-inbox-${i + 1}`);
  await db.sql`insert into users (id, display_name, display_name_zh, department_id) select id, id, id, 'finance' from unnest(${ids}::text[]) as id`;
  await db.sql`insert into process_instances (id, definition_key, definition_version, initiator_id, status, started_at)
               values ('bench-inbox-process', 'bench.two-step', 1, 'office-director', 'running', now())`;
  await db.sql`
    insert into tasks (id, process_id, node_id, name, name_zh, state, candidate_ids, outcomes, revision, created_at)
    select 'bench-inbox-task-' || n, 'bench-inbox-process', 'firstReview', 'First review', '初审', 'open',
           array['bench-inbox-' || (1 + n % ${owners})], array['approve'], 1, now() - n * interval '1 second'
    from generate_series(1, 100000) as n`;
  await db.sql`analyze tasks`;

  const token = await issueToken(secret, ids[0]!);
  const headers = { authorization: `Bearer ${token}` };
  const url = '/api/v1/tasks?state=open';
  const variants: Record<string, (request: Request) => Response | Promise<Response>> = {};
  variants.cached = testApp({ sql: db.sql, authenticator: createAuthenticator({ secret }) }).fetch;
  variants.uncached = testApp({ sql: db.sql, authenticator: createAuthenticator({ secret, principalCache: { size: 0, maxAgeSeconds: 1 } }) }).fetch;
  const sample = await (await variants.cached(new Request(`http://api${url}`, { headers }))).text();
  variants.bare = new Hono().get('/api/v1/tasks', (c) => c.body(sample, 200, { 'content-type': 'application/json' })).fetch;

  const block = async (fetch: (request: Request) => Response | Promise<Response>) => {
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < perBlock) {
          next += 1;
          const response = await fetch(new Request(`http://api${url}`, { headers }));
          if (response.status !== 200) throw new Error(`GET /tasks: ${response.status} ${await response.text()}`);
          await response.arrayBuffer();
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { rps: perBlock / seconds, cpuUsPerRequest: (cpu.user + cpu.system) / perBlock };
  };
  for (const fetch of Object.values(variants)) await block(fetch); // warm-up
  const results: Record<string, { rps: number; cpuUsPerRequest: number }[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < rounds; r += 1) {
    const order = r % 2 === 0 ? Object.keys(variants) : Object.keys(variants).reverse();
    for (const name of order) results[name]!.push(await block(variants[name]!));
  }
  const ratio = (a: string, b: string, pick: (x: { rps: number; cpuUsPerRequest: number }) => number) =>
    summary(results[a]!.map((x, i) => pick(x) / pick(results[b]![i]!)));
  const fmt = (s: { median: number; min: number; max: number }) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  console.log(`GET ${url}: ${sample.length}-byte page, 100,000 tasks, ${rounds} rounds × ${perBlock} requests, concurrency ${concurrency}, in process`);
  for (const [name, runs] of Object.entries(results)) {
    console.log(`  ${name.padEnd(9)} ${summary(runs.map((x) => x.rps)).median.toFixed(0).padStart(6)} req/s  ${summary(runs.map((x) => x.cpuUsPerRequest)).median.toFixed(0).padStart(5)} µs API CPU/request`);
  }
  console.log(`  cached / uncached req/s ${fmt(ratio('cached', 'uncached', (x) => x.rps))}; CPU/request ${fmt(ratio('cached', 'uncached', (x) => x.cpuUsPerRequest))}`);
  console.log(`  cached / bare req/s ${fmt(ratio('cached', 'bare', (x) => x.rps))}`);
} finally {
  await db.drop();
}
