// Demo registers in local mode (issue 21.4): the system as `npm start` runs it (embedded PGlite with
// its ONE connection, dev server, worker and API in this process) imports the demo archive register
// and customer list as `npm start -- --demo-registers` does, and shows them through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMERS, DEMO_DOCUMENTS, demoDocumentsCsv, importDemoRegisters } from '../../scripts/demo-registers.ts';
import type { LocalSystem } from '../../scripts/local-mode.ts';
import { ApiClient } from '../support/api-client.ts';
import { startTestLocalSystem, type TestLocalSystem } from '../support/local-system.ts';

let local: TestLocalSystem | undefined;
let system: LocalSystem | undefined;

beforeAll(async () => {
  local = await startTestLocalSystem('custodian-demo-');
  system = local.system;
  expect(system.banner).toContain('one connection');
}, 180_000);

afterAll(() => local?.stop(), 120_000);

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
