// `npm run api`: the production API process. Stateless: run as many replicas as the load needs.
import { Connection } from '@temporalio/client';
import { readConfigOrExit, requireDatabaseUrl, requireProductionAuthConfig } from '../config.ts';
import { connect } from '../db/client.ts';
import { migrateOrCheck } from '../db/migrate.ts';
import { publishCatalogue, schedules } from '../../areas/catalogue.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import { describeScheduleChanges, ensureSchedules } from '../schedules.ts';
import { buildApi, listen } from './server.ts';
import { createLogger } from '../logging.ts';
import { listenMetrics } from './metrics-server.ts';
import { notificationSchedule } from '../notifications/schedules.ts';
import { ensureCheckpointSchedule } from '../chains/checkpoints.ts';

const config = readConfigOrExit((read) => requireDatabaseUrl(requireProductionAuthConfig(read), 'the API'));
const logger = createLogger(config, { name: 'api' });
const log = (message: string) => logger.info(message);
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
  const catalogue = await publishCatalogue(sql);
  if (catalogue.created.length > 0) log(`process definitions published: ${catalogue.created.join(', ')}`);

  const api = buildApi({ config, sql, connection, logger });
  const { app, engine } = api;
  outbox = api.outbox;
  const server = await listen(app, { hostname: config.HOST, port: config.PORT });
  const metricsServer = await listenMetrics(api, config);
  if (metricsServer) log(`metrics on http://${config.API_METRICS_ADDRESS}/metrics`);
  // The areas' Schedules (DES-2's daily retention review, ...). Not awaited: Temporal may not be up
  // yet (the connection is lazy); the next start, or the next replica, creates them then.
  ensureSchedules({ client: engine.client, taskQueue: config.TEMPORAL_TASK_QUEUE, sql, schedules, notifications: notificationSchedule(config) }).then(
    (changes) => log(`schedules: ${describeScheduleChanges(changes)}`),
    (error: unknown) => log(`schedules not ensured yet: ${error instanceof Error ? error.message : String(error)}`),
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
  await Promise.all([server.close(), metricsServer?.close()]);
  await stop();
  log('stopped');
  process.exit(0);
} catch (error) {
  logger.error({ err: error }, 'failed to start');
  await stop().catch(() => {});
  process.exit(1);
}
