// `npm run api`: the production API process. Stateless: run as many replicas as the load needs.
import { Connection } from '@temporalio/client';
import { readConfigOrExit, requireDatabaseUrl, requireProductionAuthConfig } from '../config.ts';
import { connect } from '../db/client.ts';
import { migrateOrCheck } from '../db/migrate.ts';
import { processCatalogue } from '../workflows/processes/index.ts';
import type { ProcessOutbox } from './outbox.ts';
import { ensureSchedules } from './schedules.ts';
import { ensureCheckpointSchedule } from './chain-checkpoints.ts';
import { buildApi, listen, publishCatalogue } from './server.ts';

const log = (message: string) => console.log(`[api] ${message}`);

const config = readConfigOrExit((read) => requireDatabaseUrl(requireProductionAuthConfig(read), 'the API'));
const sql = connect(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });
// Lazy: the API serves (and /readyz answers 503) while Temporal is still starting or down, and
// the gRPC channel reconnects by itself once it is back.
const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS });

let outbox: ProcessOutbox | undefined;

async function stop(): Promise<void> {
  await outbox?.stop();
  await connection.close();
  await sql.end({ timeout: 5 });
}

try {
  const migrations = await migrateOrCheck(sql);
  if (migrations.applied.length > 0) log(`migrations applied: ${migrations.applied.join(', ')}`);
  const catalogue = await publishCatalogue(sql, processCatalogue);
  if (catalogue.created.length > 0) log(`process definitions published: ${catalogue.created.join(', ')}`);

  const api = buildApi({ config, sql, connection });
  const { app, engine } = api;
  outbox = api.outbox;
  const server = await listen(app, { hostname: config.HOST, port: config.PORT });
  // DES-2: the daily retention review. Not awaited: Temporal may not be up yet (the connection
  // is lazy); the next start, or the next replica, creates it then.
  ensureSchedules({ client: engine.client, taskQueue: config.TEMPORAL_TASK_QUEUE, sql }).then(
    (changes) => log(`retention review schedule: ${changes.retention}`),
    (error: unknown) => log(`retention review schedule not ensured yet: ${error instanceof Error ? error.message : String(error)}`),
  );
  // Issue 17: the daily chain checkpoint, the witness verify:register and verify:audit compare with.
  ensureCheckpointSchedule(engine.client, config.TEMPORAL_TASK_QUEUE).then(
    (change) => log(`chain checkpoint schedule: ${change}`),
    (error: unknown) => log(`chain checkpoint schedule not ensured yet: ${error instanceof Error ? error.message : String(error)}`),
  );
  log(`listening on http://${config.HOST}:${server.address.port} (Temporal ${config.TEMPORAL_ADDRESS}, namespace "${config.TEMPORAL_NAMESPACE}")`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log(`${signal}: finishing requests in flight`);
  await server.close();
  await stop();
  log('stopped');
  process.exit(0);
} catch (error) {
  console.error('[api] failed to start:', error instanceof Error ? error.message : error);
  await stop().catch(() => {});
  process.exit(1);
}
