// `npm run seed:orders`: a demo year of orders (scripts/demo-orders.ts) for the 7P analysis, into
// the PostgreSQL server named by DATABASE_URL or, without it, into local mode's embedded database
// (PGLITE_DATA_DIR; stop `npm start` first, it holds the folder). Migrates and loads the demo
// organisation first, as `npm run seed` does. Run again, it changes nothing.
import { policyDate } from '../engine/definition/feel.ts';
import { readConfigOrExit } from '../platform/config.ts';
import { connect } from '../platform/db/client.ts';
import { EMBEDDED_POOL_SIZE, startEmbeddedPostgres } from '../platform/db/embedded.ts';
import { migrate } from '../platform/db/migrate.ts';
import { loadDemoOrganisation } from '../platform/organisation/sql.ts';
import { seedDemoOrders } from './demo-orders.ts';

const config = readConfigOrExit();
const embedded = config.DATABASE_URL === undefined ? await startEmbeddedPostgres({ dataDir: config.PGLITE_DATA_DIR, port: 0 }) : undefined;
const sql = connect(embedded?.url ?? config.DATABASE_URL!, { max: embedded ? EMBEDDED_POOL_SIZE : 1 });
try {
  await migrate(sql);
  await loadDemoOrganisation(sql);
  const started = performance.now();
  const seeded = await seedDemoOrders(sql, { until: policyDate(Date.now()) });
  console.log(
    seeded.alreadySeeded
      ? `demo orders: already seeded (${seeded.orders} orders); nothing written`
      : `demo orders: ${seeded.orders} orders (${seeded.lowMarginShowroom} showroom sales below 40%, signed or refused) over the year to today, ` +
          `${seeded.customersCreated} customers created, in ${Math.round(performance.now() - started)} ms`,
  );
} finally {
  await sql.end({ timeout: 5 });
  await embedded?.stop();
}
