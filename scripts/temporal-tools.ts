// Provides the two Temporal servers that tests and local mode run, without the Temporal SDK's own
// download (which needs the internet: these machines reach package registries only).
//
// - The dev server is the Temporal CLI (`temporal server start-dev`). It is built once per machine
//   with `go install` from the Go module proxy.
// - The time-skipping test server is the Java `io.temporal:temporal-test-server`, resolved once per
//   machine from Maven Central, run by a generated wrapper script.
//
// Both land in a per-machine cache (CUSTODIAN_TOOLS_DIR, default ~/.cache/custodian). Machines
// without Go or Java fall back to the SDK's `cached-download`, which works where there is internet.
// This module is the one place that decides; tests, `npm start` and `npm run tools` all call it.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { readConfig } from '../config.ts';

/**
 * The Temporal CLI release that is built from source. v1.5.1 is the last release whose module can
 * be `go install`ed: later ones carry `replace` directives, which `go install pkg@version` refuses.
 */
export const TEMPORAL_CLI_VERSION = '1.5.1';

/** The time-skipping test server release on Maven Central. Bump it here; the next run rebuilds. */
export const TEST_SERVER_VERSION = '1.38.0';

/** Pinned so the Maven step is reproducible and does not ask Central for the newest plugin. */
const MAVEN_DEPENDENCY_PLUGIN_VERSION = '3.8.1';

const TEST_SERVER_MAIN_CLASS = 'io.temporal.testserver.TestServer';

/**
 * JVM flags for the test server. The SDK gives a server 5 s to answer gRPC, and a cold JVM loading
 * gRPC, Netty and protobuf on 2 cores takes about that long, so start-up speed is what matters:
 * C1 only (no C2 warm-up work competing for the cores), the serial collector (no GC threads to
 * start), no perf-data file, and the class-data-sharing archive made at build time.
 * `-Xshare:auto` makes an unusable archive (e.g. after a JDK update) a slowdown, not a failure.
 */
const TEST_SERVER_JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UsePerfData', '-Xshare:auto'];

/** How long a server may take to answer gRPC while we train or measure it (not the SDK's 5 s). */
const START_TIMEOUT_MS = 120_000;

export type Log = (message: string) => void;

export interface ToolsOptions {
  /** The per-machine cache the tools are built into. */
  toolsDir: string;
  /** Progress messages; builds take minutes on first run, so silence would look like a hang. */
  log?: Log;
}

export interface CliOptions extends ToolsOptions {
  /** A Temporal CLI to use as is (TEMPORAL_CLI_PATH). */
  cliPath?: string;
}

export interface TestServerOptions extends ToolsOptions {
  /** A test server executable to use as is (TEMPORAL_TEST_SERVER_PATH). */
  serverPath?: string;
}

/** The tool settings from the environment, read through the project's one config schema. */
export function toolsOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): CliOptions & TestServerOptions {
  const config = readConfig(env);
  return { cliPath: config.TEMPORAL_CLI_PATH, serverPath: config.TEMPORAL_TEST_SERVER_PATH, toolsDir: config.CUSTODIAN_TOOLS_DIR };
}

// ---------------------------------------------------------------------------------------------
// Temporal CLI (dev server)
// ---------------------------------------------------------------------------------------------

/**
 * A Temporal CLI to run the dev server with: the configured one, the one on PATH, or one built
 * into `<toolsDir>/bin` with Go (several minutes the first time). Undefined without Go.
 */
export async function temporalCliPath(opts: CliOptions): Promise<string | undefined> {
  const log = opts.log ?? (() => {});
  if (opts.cliPath !== undefined) {
    if (await isExecutable(opts.cliPath)) return opts.cliPath;
    log(`TEMPORAL_CLI_PATH ${opts.cliPath} is not an executable file; looking elsewhere`);
  }
  const onPath = await findOnPath('temporal');
  if (onPath !== undefined) return onPath;

  const binDir = path.join(path.resolve(opts.toolsDir), 'bin');
  const target = path.join(binDir, 'temporal');
  if (await cliIsCurrent(target)) return target;

  const go = await findOnPath('go');
  if (go === undefined) {
    log('No Temporal CLI and no Go to build one; falling back to the SDK download');
    return undefined;
  }
  await fs.mkdir(binDir, { recursive: true });
  return withLock(path.join(binDir, '.temporal.lock'), log, 'the Temporal CLI', async () => {
    // Whoever held the lock before us may have just built it.
    if (await cliIsCurrent(target)) return target;
    await buildCli(go, binDir, target, log);
    if (!(await cliIsCurrent(target))) {
      throw new Error(`built ${target}, but its --version does not report ${TEMPORAL_CLI_VERSION}`);
    }
    return target;
  });
}

async function cliIsCurrent(cli: string): Promise<boolean> {
  if (!(await isExecutable(cli))) return false;
  // A binary still being written by someone else's build fails to run here and reads as stale.
  const result = await run(cli, ['--version'], { timeoutMs: 30_000 }).catch(() => undefined);
  return result?.code === 0 && new RegExp(`\\bversion ${escapeRegExp(TEMPORAL_CLI_VERSION)}\\b`).test(result.stdout);
}

async function buildCli(go: string, binDir: string, target: string, log: Log): Promise<void> {
  // Build into a private GOBIN beside the target and rename: the rename is atomic on one file
  // system, so a concurrent build by anyone (even one that ignores our lock) or a reader never sees
  // a half-written binary; the last rename wins, and both are the same version.
  const gobin = await fs.mkdtemp(path.join(binDir, '.build-'));
  try {
    log(`Building Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${target} (several minutes the first time)`);
    const started = performance.now();
    const heartbeat = setInterval(() => log(`  still building the Temporal CLI (${elapsed(started)})`), 30_000);
    try {
      const result = await run(
        go,
        [
          'install',
          // The release build's flags: without -X, --version reports 0.0.0-DEV (and we could not
          // tell a current build from an old one); -s -w drop the symbols (252 MB -> 213 MB).
          `-ldflags=-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
          `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`,
        ],
        // `pkg@version` ignores any go.mod or go.work around the working directory anyway.
        { env: { ...process.env, GOBIN: gobin }, cwd: binDir },
      );
      if (result.code !== 0) {
        throw new Error(`go install of the Temporal CLI failed (exit ${result.code}):\n${tail(result.stderr)}`);
      }
    } finally {
      clearInterval(heartbeat);
    }
    await fs.rename(path.join(gobin, 'temporal'), target);
    log(`Built the Temporal CLI in ${elapsed(started)}`);
  } finally {
    await fs.rm(gobin, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Java time-skipping test server
// ---------------------------------------------------------------------------------------------

/** Where one version of the test server lives; everything in it is written by `buildTestServer`. */
function testServerLayout(toolsDir: string) {
  const dir = path.join(path.resolve(toolsDir), 'test-server', TEST_SERVER_VERSION);
  return {
    dir,
    lock: `${dir}.lock`,
    lib: path.join(dir, 'lib'),
    cdsArchive: path.join(dir, 'temporal-test-server.jsa'),
    /** Identifies the JVM the archive was made with; a CDS archive only fits that exact JVM. */
    jvmStamp: path.join(dir, 'jvm.json'),
    /** Written last, so its presence means the build is complete. */
    wrapper: path.join(dir, 'temporal-test-server'),
  };
}

type TestServerLayout = ReturnType<typeof testServerLayout>;

/**
 * The time-skipping test server: the configured one, or a wrapper script around the Java server
 * in `<toolsDir>/test-server/<version>`, built with Maven on first use. Undefined without Java
 * and Maven.
 */
export async function testServerPath(opts: TestServerOptions): Promise<string | undefined> {
  const log = opts.log ?? (() => {});
  if (opts.serverPath !== undefined) {
    if (await isExecutable(opts.serverPath)) return opts.serverPath;
    log(`TEMPORAL_TEST_SERVER_PATH ${opts.serverPath} is not an executable file; looking elsewhere`);
  }
  const layout = testServerLayout(opts.toolsDir);
  const java = await findJava();
  if (await testServerIsCurrent(layout, java)) return layout.wrapper;

  const mvn = await findOnPath('mvn');
  if (java === undefined || mvn === undefined) {
    log('No Java test server and no Java and Maven to build one; falling back to the SDK download');
    return undefined;
  }
  await fs.mkdir(path.dirname(layout.dir), { recursive: true });
  return withLock(layout.lock, log, 'the Temporal test server', async () => {
    if (await testServerIsCurrent(layout, java)) return layout.wrapper;
    await buildTestServer(layout, java, mvn, log);
    return layout.wrapper;
  });
}

async function testServerIsCurrent(layout: TestServerLayout, java: string | undefined) {
  if (!(await isExecutable(layout.wrapper))) return false;
  // After a JDK update the archive no longer fits, and without it the start-up misses the SDK's
  // 5 s; rebuilding is cheap once Maven has the jars.
  if (java === undefined) return true; // nothing to compare with; the wrapper names its own JVM
  const stamp = await fs.readFile(layout.jvmStamp, 'utf8').catch(() => undefined);
  return stamp === JSON.stringify(await jvmIdentity(java));
}

async function buildTestServer(layout: TestServerLayout, java: string, mvn: string, log: Log) {
  // Start clean: an interrupted build may have left jars of a half-finished copy.
  await fs.rm(layout.dir, { recursive: true, force: true });
  await fs.mkdir(layout.dir, { recursive: true });

  log(`Resolving temporal-test-server ${TEST_SERVER_VERSION} with Maven into ${layout.dir}`);
  let started = performance.now();
  await fs.writeFile(path.join(layout.dir, 'pom.xml'), testServerPom());
  // The jars are copied next to the wrapper rather than read from ~/.m2: the CDS archive checks
  // each jar's size and modification time, so they must never change under it, and the install
  // then survives a cleaned Maven repository.
  const resolved = await run(
    mvn,
    [
      '-B',
      '-q',
      '-f',
      path.join(layout.dir, 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${layout.lib}`,
      '-DincludeScope=runtime',
    ],
    { cwd: layout.dir },
  );
  if (resolved.code !== 0) {
    throw new Error(`Maven could not resolve the test server (exit ${resolved.code}):\n${tail(resolved.stdout + resolved.stderr)}`);
  }
  log(`  resolved in ${elapsed(started)}`);
  // Also names the JVM for testServerCommand: the archive recorded below fits only this one.
  await fs.writeFile(layout.jvmStamp, JSON.stringify(await jvmIdentity(java)));

  // Training run: start the server once with -XX:ArchiveClassesAtExit, so every class it loads up
  // to answering gRPC lands in the archive, then stop it with SIGTERM; the JVM writes the archive
  // while exiting. Written under another name and renamed, so a failed run leaves no bad archive.
  log('Recording the class-data-sharing archive (one server start)');
  started = performance.now();
  const training = `${layout.cdsArchive}.tmp`;
  const { command, args } = await commandFor(layout, {
    archive: false,
    jvmFlags: [`-XX:ArchiveClassesAtExit=${training}`],
  });
  const port = await freePort();
  const child = spawn(command, [...args, String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = collect(child);
  try {
    await waitForGrpc(port, child, START_TIMEOUT_MS, stderr);
  } finally {
    await stop(child);
  }
  const archiveWritten = await fs.stat(training).then((s) => s.size > 0, () => false);
  if (archiveWritten) {
    await fs.rename(training, layout.cdsArchive);
    log(`  archive recorded in ${elapsed(started)}`);
  } else {
    log(`  the JVM wrote no archive; the server will start without it (slower):\n${tail(stderr())}`);
  }

  const wrapped = await commandFor(layout, { archive: archiveWritten });
  await writeExecutable(layout.wrapper, wrapperScript(wrapped));
  log(`Test server ready: ${layout.wrapper}`);
}

function testServerPom(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/temporal-tools.ts: only there to let Maven resolve the test server. -->
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.custodian</groupId>
  <artifactId>temporal-test-server-runtime</artifactId>
  <version>${TEST_SERVER_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
  <build>
    <pluginManagement>
      <plugins>
        <plugin>
          <groupId>org.apache.maven.plugins</groupId>
          <artifactId>maven-dependency-plugin</artifactId>
          <version>${MAVEN_DEPENDENCY_PLUGIN_VERSION}</version>
        </plugin>
      </plugins>
    </pluginManagement>
  </build>
</project>
`;
}

export interface Command {
  command: string;
  /** Arguments up to and including the main class; the caller appends the server's own. */
  args: string[];
}

export interface TestServerCommandOptions {
  /** Use the CDS archive (default true); false to record it, or to measure what it is worth. */
  archive?: boolean;
  /** Use the start-up flags (default true); false for a plain `java -cp`, also without the archive. */
  tuned?: boolean;
  /** More JVM flags, placed before the main class. */
  jvmFlags?: string[];
}

/** The java command line of the test server installed in `toolsDir`, with the JVM it was built with. */
export function testServerCommand(toolsDir: string, options: TestServerCommandOptions = {}): Promise<Command> {
  return commandFor(testServerLayout(toolsDir), options);
}

async function commandFor(layout: TestServerLayout, options: TestServerCommandOptions): Promise<Command> {
  const { java } = JSON.parse(await fs.readFile(layout.jvmStamp, 'utf8')) as { java: string };
  // Sorted explicitly: the CDS archive is only used when the class path matches the recorded one.
  const jars = (await fs.readdir(layout.lib)).filter((name) => name.endsWith('.jar')).sort();
  if (jars.length === 0) throw new Error(`no jars in ${layout.lib}`);
  const classpath = jars.map((name) => path.join(layout.lib, name)).join(path.delimiter);
  const tuned = options.tuned !== false;
  const flags = tuned ? [...TEST_SERVER_JVM_FLAGS] : [];
  if (tuned && options.archive !== false) flags.push(`-XX:SharedArchiveFile=${layout.cdsArchive}`);
  flags.push(...(options.jvmFlags ?? []));
  return { command: java, args: [...flags, '-cp', classpath, TEST_SERVER_MAIN_CLASS] };
}

function wrapperScript({ command, args }: Command): string {
  return [
    '#!/bin/sh',
    `# Temporal time-skipping test server ${TEST_SERVER_VERSION}, generated by scripts/temporal-tools.ts.`,
    '# The SDK runs it as `temporal-test-server <port>`. `exec`, so that the SDK, which stops its',
    '# server by killing the child it spawned, kills the JVM rather than only this shell.',
    `exec ${[command, ...args].map(shellQuote).join(' ')} "$@"`,
    '',
  ].join('\n');
}

async function findJava(): Promise<string | undefined> {
  const home = process.env.JAVA_HOME;
  if (home) {
    const java = path.join(home, 'bin', 'java');
    if (await isExecutable(java)) return java;
  }
  const java = await findOnPath('java');
  // The real binary, so the stamp below changes when the JDK behind the alternatives link does.
  return java === undefined ? undefined : fs.realpath(java);
}

async function jvmIdentity(java: string) {
  const stat = await fs.stat(java).catch(() => undefined);
  // libjvm.so is what a CDS archive is tied to; the launcher alone rarely changes.
  const libjvm = await fs.stat(path.join(path.dirname(java), '..', 'lib', 'server', 'libjvm.so')).catch(() => undefined);
  return { java, size: stat?.size, mtime: stat?.mtimeMs, libjvmSize: libjvm?.size, libjvmMtime: libjvm?.mtimeMs };
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

async function waitForGrpc(port: number, child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // A cheap TCP probe first: grpc-js backs off for a second after a refused connection, which would
  // blur the measurement. Once the port listens, one real gRPC call proves the server answers.
  while (!(await portAccepts(port))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before answering:\n${tail(stderr())}`);
    }
    if (Date.now() > deadline) throw new Error(`server did not open port ${port} within ${timeoutMs} ms`);
    await delay(20);
  }
  // Loaded lazily: grpc-js and the protos take a while to load, and the fast paths above need neither.
  const { Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({
    address: `127.0.0.1:${port}`,
    connectTimeout: Math.max(deadline - Date.now(), 1000),
  });
  await connection.close();
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on at the moment of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** SIGTERM, so a JVM runs its exit path (and writes a CDS archive); SIGKILL if it hangs. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(killer);
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/**
 * Runs `fn` while holding an exclusive lock file, so concurrent callers (parallel test files, a
 * second terminal) wait for one build instead of each starting their own. A lock whose process is
 * gone is taken over. Two processes taking over the same stale lock at once could both build; the
 * builds' atomic renames keep that safe, just wasteful.
 */
export async function withLock<T>(lockPath: string, log: Log, what: string, fn: () => Promise<T>): Promise<T> {
  let announced = false;
  for (;;) {
    try {
      await fs.writeFile(lockPath, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(lockPath);
    if (holder === 'stale') {
      log(`Removing the stale lock ${lockPath}`);
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (!announced) {
      log(`Waiting for another process${holder === undefined ? '' : ` (pid ${holder})`} that is building ${what}`);
      announced = true;
    }
    await delay(1000);
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}

/** The pid holding a lock, undefined while it is unknown, or 'stale' if that holder is gone. */
async function readLock(lockPath: string): Promise<number | 'stale' | undefined> {
  const [content, stat] = await Promise.all([
    fs.readFile(lockPath, 'utf8').catch(() => undefined),
    fs.stat(lockPath).catch(() => undefined),
  ]);
  if (stat === undefined) return undefined; // released meanwhile; the caller retries
  const pid = Number(content);
  // Empty: created but not yet written, unless that was long ago and the writer died in between.
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - stat.mtimeMs > 10_000 ? 'stale' : undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : 'stale';
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Keeps a child's stderr for error messages; returns a reader. */
function collect(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text = (text + chunk).slice(-20_000);
  });
  return () => text;
}

async function writeExecutable(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, content, { mode: 0o755 });
  await fs.rename(temporary, file);
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function elapsed(startedAt: number): string {
  const seconds = (performance.now() - startedAt) / 1000;
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
