// Process utilities the tool builds and the scripts that run servers share: running a command,
// locks for once-per-machine builds, free ports, waiting for a gRPC port, stopping a child.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export type Log = (message: string) => void;

export interface ToolsOptions {
  /** The per-machine cache the tools are built into (CUSTODIAN_TOOLS_DIR). */
  toolsDir: string;
  /** Progress messages; builds take minutes on first run, so silence would look like a hang. */
  log?: Log;
}

/** How long a server may take to answer gRPC while we train or measure it (not the SDK's 5 s). */
export const START_TIMEOUT_MS = 120_000;

export async function waitForGrpc(port: number, child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<void> {
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

/**
 * A TCP port on 127.0.0.1 that nothing listens on at the moment of asking: one the kernel picks,
 * or with `below`, one from 10000 up to it (tried at random until one is free).
 */
export async function freePort(options: { below?: number } = {}): Promise<number> {
  if (options.below === undefined) return listenOn(0);
  for (let attempt = 0; attempt < 100; attempt++) {
    const candidate = 10_000 + Math.floor(Math.random() * (options.below - 10_000));
    const port = await listenOn(candidate).catch(() => undefined);
    if (port !== undefined) return port;
  }
  throw new Error(`no free port between 10000 and ${options.below}`);
}

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/** SIGTERM, so a JVM runs its exit path (and writes a CDS archive); SIGKILL if it hangs. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(killer);
}


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

export async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

export async function findOnPath(name: string): Promise<string | undefined> {
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
export function collect(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text = (text + chunk).slice(-20_000);
  });
  return () => text;
}

export async function writeExecutable(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, content, { mode: 0o755 });
  await fs.rename(temporary, file);
}

export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function elapsed(startedAt: number): string {
  const seconds = (performance.now() - startedAt) / 1000;
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
