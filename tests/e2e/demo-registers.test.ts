// Demo registers in local mode (issue 21.4): the system as `npm start` runs it (embedded PGlite with
// its ONE connection, dev server, worker and API in this process) imports the demo archive register
// and customer list as `npm start -- --demo-registers` does, and shows them through the API.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedLocalEnv, localConfig, startLocalMode, type LocalSystem } from '../../scripts/local-mode.ts';
import { DEMO_CUSTOMERS, DEMO_DOCUMENTS, demoDocumentsCsv, importDemoRegisters } from '../../scripts/demo-registers.ts';
import { installTemporalRuntime } from '../../worker/run.ts';
import { ApiClient } from '../support/api-client.ts';

let dir: string | undefined;
let system: LocalSystem | undefined;
const output: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'custodian-demo-'));
  const env = await isolatedLocalEnv(path.join(dir, 'data'), { ...process.env, LOG_LEVEL: 'warn' });
  const log = (message: string) => output.push(message);
  const config = await localConfig(env, log);
  installTemporalRuntime(config.LOG_LEVEL);
  system = await startLocalMode(config, { log }).catch((error: unknown) => {
    throw new Error(`local mode did not start: ${String(error)}\n${output.join('\n')}`, { cause: error });
  });
  expect(system.banner).toContain('one connection');
}, 180_000);

afterAll(async () => {
  await system?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

const api = new ApiClient({ baseUrl: () => system!.apiUrl, callTimeoutMs: 15_000 });

describe('demo registers in local mode', () => {
  it('the sample is generated the same way every time', () => {
    expect(demoDocumentsCsv()).toBe(demoDocumentsCsv());
    expect(demoDocumentsCsv().trim().split('\r\n')).toHaveLength(DEMO_DOCUMENTS + 1);
  });

  it('imports a few hundred documents across categories and secrecy levels and a hundred customers, once', async () => {
    const first = await importDemoRegisters(system!.sql);
    expect(first.documents).toMatchObject({ rowsImported: DEMO_DOCUMENTS, rowsInvalid: 0 });
    expect(first.customers).toMatchObject({ rowsImported: DEMO_CUSTOMERS, rowsInvalid: 0 });

    // The Archivist sees them all, Top Secret included; the levels and categories vary.
    const seen: { secrecy: string; category: string }[] = [];
    for (let cursor: string | null = ''; cursor !== null; ) {
      const page = await api.send('archivist', 'GET', `/api/v1/documents?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.documents);
      cursor = page.body.nextCursor;
    }
    expect(seen).toHaveLength(DEMO_DOCUMENTS);
    expect(new Set(seen.map((d) => d.secrecy))).toEqual(new Set(['none', 'secret', 'confidential', 'top_secret']));
    expect(new Set(seen.map((d) => d.category)).size).toBeGreaterThanOrEqual(12);

    const customers = await api.send('marketing-director', 'GET', '/api/v1/customers?limit=200');
    expect(customers.body.customers).toHaveLength(DEMO_CUSTOMERS);
    const mine = await api.send('biz-sales-1', 'GET', '/api/v1/customers?limit=200&owner=biz-sales-1');
    expect(mine.body.customers.length).toBeGreaterThan(0);

    const again = await importDemoRegisters(system!.sql);
    expect(again.documents).toMatchObject({ rowsImported: 0, rowsExisting: DEMO_DOCUMENTS });
    expect(again.customers).toMatchObject({ rowsImported: 0, rowsExisting: DEMO_CUSTOMERS });
  }, 120_000);
});
