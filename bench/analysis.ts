// Scenario 6 of `npm run bench`: the 7P analysis (CRM-1) on a seeded year of orders
// (scripts/demo-orders.ts). Each endpoint is asked for the year as the Marketing Director (the
// whole company) and as a Department Manager (one department), in the API process without a
// socket, one request at a time: what a reader waits for, not throughput.
import type { Sql } from '../platform/db/client.ts';
import { createAuthenticator, issueToken } from '../platform/http/auth.ts';
import { policyDate } from '../engine/definition/feel.ts';
import { seedDemoOrders } from '../scripts/demo-orders.ts';
import { testApp } from '../tests/support/app.ts';
import { percentile, round } from './stats.ts';

const analyses = ['profiling', 'persistency', 'profitability', 'performance', 'prospecting', 'product', 'promotion'] as const;
const readers = ['marketing-director', 'market-manager'] as const;
const WARM_UP = 5;
const SAMPLES = 50;

export interface AnalysisLatency {
  orders: number;
  samples: number;
  endpoints: Record<string, { p50: number; p99: number; rows: number }>;
}

export async function analysisLatency(sql: Sql, secret: string): Promise<AnalysisLatency> {
  const today = policyDate(Date.now());
  const seeded = await seedDemoOrders(sql, { until: today });
  await sql`analyze`;
  console.log(`\n6. 7P analysis on a seeded year (${seeded.orders} orders), ${SAMPLES} requests per endpoint and reader, one at a time`);
  const app = testApp({ sql, authenticator: createAuthenticator({ secret }) });
  const endpoints: AnalysisLatency['endpoints'] = {};
  for (const reader of readers) {
    const headers = { authorization: `Bearer ${await issueToken(secret, reader)}` };
    for (const analysis of analyses) {
      const path = `/api/v1/analysis/7p/${analysis}`;
      const latencies: number[] = [];
      let rows = 0;
      for (let i = 0; i < WARM_UP + SAMPLES; i += 1) {
        const t0 = performance.now();
        const response = await app.request(path, { headers });
        const body = (await response.json()) as { rows: unknown[] };
        if (response.status !== 200) throw new Error(`${path} as ${reader}: ${response.status} ${JSON.stringify(body)}`);
        if (i >= WARM_UP) latencies.push(performance.now() - t0);
        rows = body.rows.length;
      }
      const figures = { p50: round(percentile(latencies, 50), 1), p99: round(percentile(latencies, 99), 1), rows };
      endpoints[`${analysis} (${reader})`] = figures;
      console.log(`  ${analysis.padEnd(14)} ${reader.padEnd(19)} p50 ${String(figures.p50).padStart(7)} ms  p99 ${String(figures.p99).padStart(7)} ms  (${rows} rows)`);
    }
  }
  return { orders: seeded.orders, samples: SAMPLES, endpoints };
}
