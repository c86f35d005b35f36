// Provides the Temporal servers that tests, local mode and the rehearsal run, without the Temporal
// SDK's own download (which needs the internet: these machines reach package registries only).
//
// - The dev server is the Temporal CLI (`temporal server start-dev`), and the production server
//   is `temporal-server` with `temporal-sql-tool`: Go programs built once per machine with
//   `go install` from the Go module proxy (tools/go-builds.ts).
// - The time-skipping test server is the Java `io.temporal:temporal-test-server`, resolved once per
//   machine from Maven Central, run by a generated wrapper script (tools/test-server.ts).
//
// All land in a per-machine cache (CUSTODIAN_TOOLS_DIR, default ~/.cache/custodian). Machines
// without Go or Java fall back to the SDK's `cached-download`, which works where there is internet.
// This module is the one place that decides; tests, `npm start` and `npm run tools` all call it.
import { spawn } from 'node:child_process';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { readConfig } from '../platform/config.ts';
import { temporalCliPath, type CliOptions } from './tools/go-builds.ts';
import { collect, freePort, START_TIMEOUT_MS, stop, waitForGrpc } from './tools/process.ts';
import { testServerPath, type TestServerOptions } from './tools/test-server.ts';

export { TEMPORAL_CLI_VERSION, TEMPORAL_SERVER_VERSION, temporalCliPath, temporalServerTools, type CliOptions, type ServerTools } from './tools/go-builds.ts';
export { freePort, run, tail, withLock, type Log, type RunResult, type ToolsOptions } from './tools/process.ts';
export { TEST_SERVER_VERSION, testServerCommand, testServerPath, type Command, type TestServerCommandOptions, type TestServerOptions } from './tools/test-server.ts';

/** The tool settings from the environment, read through the project's one config schema. */
export function toolsOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): CliOptions & TestServerOptions {
  const config = readConfig(env);
  return { cliPath: config.TEMPORAL_CLI_PATH, serverPath: config.TEMPORAL_TEST_SERVER_PATH, toolsDir: config.CUSTODIAN_TOOLS_DIR };
}

// ---------------------------------------------------------------------------------------------
// The executables as @temporalio/testing takes them
// ---------------------------------------------------------------------------------------------

/** The dev server for `TestWorkflowEnvironment.createLocal({ server: { executable } })`. */
export async function devServerExecutable(opts: CliOptions): Promise<EphemeralServerExecutable> {
  const cli = await temporalCliPath(opts);
  return cli === undefined ? { type: 'cached-download' } : { type: 'existing-path', path: cli };
}

/** The time-skipping server for `TestWorkflowEnvironment.createTimeSkipping({ server: { executable } })`. */
export async function testServerExecutable(opts: TestServerOptions): Promise<EphemeralServerExecutable> {
  const server = await testServerPath(opts);
  return server === undefined ? { type: 'cached-download' } : { type: 'existing-path', path: server };
}

// ---------------------------------------------------------------------------------------------
// Measuring start-up
// ---------------------------------------------------------------------------------------------

/**
 * Milliseconds from spawning `command args... <extra>` until its gRPC port answers GetSystemInfo,
 * which is the check the SDK makes (it gives up after 5 s). `serverArgs` maps the port to the
 * server's own arguments. The server is stopped afterwards.
 */
export async function measureStart(command: string, args: string[], serverArgs: (port: number) => string[]): Promise<number> {
  // Loaded before the clock starts, so the first sample does not include loading grpc-js.
  await import('@temporalio/client');
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command, [...args, ...serverArgs(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = collect(child);
  try {
    await waitForGrpc(port, child, START_TIMEOUT_MS, stderr);
    return performance.now() - started;
  } finally {
    await stop(child);
  }
}

/** The dev server arguments the SDK passes (see sdk-core's ephemeral_server), for measuring. */
export function devServerArgs(port: number): string[] {
  return ['server', 'start-dev', '--port', String(port), '--ip', '127.0.0.1', '--headless', '--log-level', 'warn'];
}
