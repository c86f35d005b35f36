// `npm start`: Custodian on one machine, in one process (scripts/local-mode.ts): a Temporal dev
// server with its Web UI, PostgreSQL (DATABASE_URL, or an embedded PGlite), the demo organisation,
// the worker and the API. Ctrl-C stops it all; the next start finds everything where it was.
import { ConfigError, type Config } from '../platform/config.ts';
import { installTemporalRuntime } from '../platform/worker/run.ts';
import { createLogger, type Logger } from '../platform/logging.ts';
import { importDemoRegisters } from './demo-registers.ts';
import { localConfig, messageOf, startLocalMode, type LocalSystem } from './local-mode.ts';

/** The launcher's logger once the configuration (LOG_LEVEL, LOG_FORMAT) is read. */
let logger: Logger | undefined;
const log = (message: string) => (logger ? logger.info(message) : console.log(`[start] ${message}`));
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** A repeated Ctrl-C within this window is the same keypress relayed by npm or tsx, not a second one. */
const REPEATED_SIGNAL_MS = 2_000;

async function main(): Promise<number> {
  let config: Config;
  try {
    config = await localConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `Custodian could not start: ${messageOf(error)}`);
    return 1;
  }
  const root = createLogger(config);
  logger = root.child({ name: 'start' });
  installTemporalRuntime(config, undefined, root.child({ name: 'worker' }));

  const stopping = new AbortController();
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping.signal.aborted) {
      firstSignalAt = Date.now();
      log(`${signal}: stopping (press Ctrl-C again to force)`);
      stopping.abort();
    } else if (Date.now() - firstSignalAt > REPEATED_SIGNAL_MS) {
      log(`${signal} again: forcing exit`);
      process.exit(1);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stopped = new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve(), { once: true }));

  let exitCode = 0;
  let system: LocalSystem | undefined;
  try {
    system = await startLocalMode(config, { signal: stopping.signal, log, logger: root.child({ name: 'api' }) });
  } catch (error) {
    // startLocalMode has stopped whatever it had started.
    if (!stopping.signal.aborted) {
      console.error(`\nCustodian could not start:\n${messageOf(error)}\n`);
      exitCode = 1;
    }
    return exitCode;
  }
  console.log(system.banner);
  // `npm start -- --demo-registers`: the demo archive register and customer list, once (scripts/demo-registers.ts).
  if (process.argv.slice(2).includes('--demo-registers')) {
    await importDemoRegisters(system.sql, log).catch((error: unknown) => console.error(`demo registers not imported: ${messageOf(error)}`));
  }
  // Runs until a signal, or until the worker stops by itself (which it does only on failure).
  const workerStopped = system.workerFinished.then(
    () => new Error('the worker stopped'),
    (error: unknown) => error,
  );
  const failure = await Promise.race([stopped.then(() => undefined), workerStopped]);
  if (failure !== undefined && !stopping.signal.aborted) {
    console.error(`\n${messageOf(failure)}; stopping Custodian\n`);
    exitCode = 1;
  }
  const stopStarted = performance.now();
  await system.stop();
  log(`stopped in ${seconds(stopStarted)}`);
  return exitCode;
}

process.exit(await main());
