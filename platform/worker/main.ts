// `npm run worker`: the production worker process. Stateless: run as many as the load needs;
// Temporal spreads the task queue over them.
import { readConfigOrExit, requireDatabaseUrl, workerSettings } from '../config.ts';
import { connect } from '../db/client.ts';
import { migrateOrCheck } from '../db/migrate.ts';
import { createLogger } from '../logging.ts';
import { installTemporalRuntime, startWorker } from './run.ts';

// No token settings: the worker neither signs nor checks tokens (issue 17).
const config = readConfigOrExit((read) => requireDatabaseUrl(workerSettings(read), 'the worker'));
const logger = createLogger(config, { name: 'worker' });
const log = (message: string) => logger.info(message);
installTemporalRuntime(config, config.WORKER_METRICS_ADDRESS, logger);

// A signal during start-up cancels the wait for Temporal; after start-up it stops the worker.
const stopping = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    stopping.abort();
  });
}

const sql = connect(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });
let exitCode = 0;
try {
  // Workers migrate too, not only the API: a worker deployed ahead of the API must not run
  // activities against an older schema. The advisory lock in migrate() makes replicas take turns,
  // and for all but the first there is nothing left to apply. As the application role (issue 17)
  // a worker may not migrate: it only checks that the owner has (docs/deployment.md).
  const migrations = await migrateOrCheck(sql);
  if (migrations.applied.length > 0) log(`migrations applied: ${migrations.applied.join(', ')}`);

  const worker = await startWorker({ config, sql, log, signal: stopping.signal });
  const stopped = new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
  // Whichever comes first: a signal, or the worker failing by itself.
  await Promise.race([stopped, worker.finished]);
  await worker.stop();
  log('stopped');
} catch (error) {
  if (!stopping.signal.aborted) {
    logger.error({ err: error }, 'failed');
    exitCode = 1;
  }
} finally {
  await sql.end({ timeout: 5 });
}
process.exit(exitCode);
