// The system as `npm start` runs it (scripts/local-mode.ts: embedded PGlite with its ONE
// connection, the dev server, the worker and the API in this process), in a temporary data folder
// on free ports, for the end-to-end suites.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isolatedLocalEnv, localConfig, startLocalMode, type LocalSystem } from '../../scripts/local-mode.ts';
import { installTemporalRuntime } from '../../platform/worker/run.ts';

export interface TestLocalSystem {
  system: LocalSystem;
  /** Stops the system and removes its data folder. */
  stop(): Promise<void>;
}

export async function startTestLocalSystem(prefix: string): Promise<TestLocalSystem> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const output: string[] = [];
  const env = await isolatedLocalEnv(path.join(dir, 'data'), { ...process.env, LOG_LEVEL: 'warn' });
  const log = (message: string) => output.push(message);
  const config = await localConfig(env, log);
  installTemporalRuntime(config);
  const system = await startLocalMode(config, { log }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`local mode did not start: ${String(error)}\n${output.join('\n')}`, { cause: error });
  });
  return {
    system,
    async stop() {
      await system.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
