// `npm start` end to end: the launcher brings up the Temporal dev server with its UI, the
// embedded PGlite, the worker and the API; a dev token works; Ctrl-C stops everything (exit 0, no
// dev server left behind); and a second start finds the first one's data: a workflow in Temporal's
// history, PGlite's tables and the local token secret. A launcher killed with SIGKILL leaves its
// dev server behind (it runs in its own process group); the next start stops it and comes up.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/temporal-tools.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
// The command `npm start` runs (package.json): node with tsx's loader, one process. Not the tsx
// CLI, which runs the script in a child and relays a Ctrl-C to it only if the child acknowledges
// it within 30 ms: on a loaded machine it then SIGKILLs the launcher (exit 130), leaving the dev
// server behind. And not `npm start` itself: npm waits for its child on a group Ctrl-C and then
// kills itself with the same signal, so its exit status would be npm's (130), not the launcher's.
const launcherCommand = [process.execPath, '--import', 'tsx', 'scripts/start.ts'] as const;

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;

interface Launch {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Milliseconds from spawn until /readyz answered 200. */
  readyMs: number;
}

/** Processes whose command line mentions `text` (Linux /proc): here, the dev server's database path. */
async function processesMentioning(text: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.includes(text)) found.push(Number(entry));
  }
  return found;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (scripts/start.ts)', () => {
  let dir: string;
  let dataDir: string;
  let ports: { api: number; pglite: number; temporal: number; ui: number };
  let env: NodeJS.ProcessEnv;
  /** Every launcher started, so that a failed test leaves none running. */
  const children: ChildProcess[] = [];

  function spawnLauncher(): { child: ChildProcess; output: () => string } {
    // Its own process group, as a terminal's foreground job: the test's Ctrl-C goes to the group.
    const child = spawn(launcherCommand[0], launcherCommand.slice(1), { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    return { child, output: () => output };
  }

  async function launch(): Promise<Launch> {
    const started = performance.now();
    const { child, output } = spawnLauncher();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const running: Launch = { child, output, exited, readyMs: 0 };

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the launcher exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
      }
      const status = await fetch(`http://127.0.0.1:${ports.api}/readyz`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.status, () => 0);
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`/readyz did not answer 200 within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
      await delay(250);
    }
    running.readyMs = performance.now() - started;
    return running;
  }

  /** Ctrl-C, as a terminal sends it: SIGINT to the launcher's process group. */
  async function interrupt(running: Launch) {
    const stopping = performance.now();
    process.kill(-running.child.pid!, 'SIGINT');
    const result = await Promise.race([running.exited, delay(STOP_TIMEOUT_MS, 'timeout' as const)]);
    if (result === 'timeout') throw new Error(`the launcher did not stop within ${STOP_TIMEOUT_MS / 1000} s:\n${running.output()}`);
    return { ...result, ms: performance.now() - stopping };
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'custodian-start-'));
    dataDir = path.join(dir, 'data');
    ports = { api: await freePort(), pglite: await freePort(), temporal: await freePort(), ui: await freePort() };
    env = {
      ...process.env,
      CUSTODIAN_DATA_DIR: dataDir,
      PGLITE_DATA_DIR: path.join(dataDir, 'pglite'),
      PORT: String(ports.api),
      PGLITE_PORT: String(ports.pglite),
      TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
      TEMPORAL_UI_URL: `http://127.0.0.1:${ports.ui}`,
      // Local mode's own choices, whatever the environment running the tests says.
      DATABASE_URL: '',
      AUTH_JWT_SECRET: '',
      AUTH_JWKS_URL: '',
      AUTH_DEV_LOGIN: '',
      HOST: '',
      PUBLIC_URL: '',
    };
  });

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null && groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGKILL');
    }
    if (dataDir) for (const pid of await processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const workflowId = `start-e2e-${randomUUID()}`;
  let token: string;
  let publishedInRun1: unknown;

  async function definitions(): Promise<unknown> {
    const response = await fetch(`http://127.0.0.1:${ports.api}/api/v1/process-definitions`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { definitions: unknown }).definitions;
  }

  async function temporalClient<T>(use: (client: Client) => Promise<T>): Promise<T> {
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    try {
      return await use(new Client({ connection }));
    } finally {
      await connection.close();
    }
  }

  it('starts everything, serves a dev token, and stops cleanly on Ctrl-C', async () => {
    const first = await launch();
    console.log(`first start (new data folder): /readyz 200 after ${Math.round(first.readyMs)} ms`);
    expect(first.output()).toContain('Custodian is running');
    // DES-2: the daily retention review is scheduled by the time the API answers.
    expect(first.output()).toContain('custodian.retention-review created');
    expect(first.output()).toContain(`http://localhost:${ports.api}/docs`);
    expect(first.output()).toContain('/api/v1/auth/dev-token');

    const ui = await fetch(`http://127.0.0.1:${ports.ui}/`);
    expect(ui.status).toBe(200);

    const issued = await fetch(`http://127.0.0.1:${ports.api}/api/v1/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'archivist' }),
    });
    expect(issued.status).toBe(200);
    ({ token } = (await issued.json()) as { token: string });
    const me = await fetch(`http://127.0.0.1:${ports.api}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: 'archivist', department: { id: 'gm-office' } });

    // What PGlite holds after run 1, to be read back in run 2 (publishedAt is set when a row is written).
    publishedInRun1 = await definitions();
    expect(publishedInRun1).not.toEqual([]);

    // A workflow no worker polls for: it stays open in Temporal's history until run 2 looks.
    await temporalClient((client) =>
      client.workflow.start('persistenceProbe', { taskQueue: `nobody-polls-${randomUUID()}`, workflowId }),
    );

    const devServers = await processesMentioning(path.join(dataDir, 'temporal.db'));
    expect(devServers).toHaveLength(1);

    const stopped = await interrupt(first);
    console.log(`first stop: exit ${stopped.code ?? stopped.signal} after ${Math.round(stopped.ms)} ms`);
    expect(stopped, first.output()).toMatchObject({ code: 0, signal: null });
    expect(groupAlive(first.child.pid!)).toBe(false);
    expect(await processesMentioning(path.join(dataDir, 'temporal.db'))).toEqual([]);
    // PGlite was closed, not abandoned: its lock is gone.
    expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
  }, 240_000);

  it('finds the first run\'s data on the second start', async () => {
    const second = await launch();
    console.log(`second start (existing data folder): /readyz 200 after ${Math.round(second.readyMs)} ms`);
    const output = second.output();
    // PGlite kept its tables and rows: nothing to migrate, the organisation already there.
    expect(output).toMatch(/migrations: 0 applied, \d+ already applied/);
    expect(output).toContain('demo organisation: 21 users in 8 departments; already up to date');
    // The token-signing secret was kept in the data folder: run 1's token is still good.
    expect(output).not.toContain('made a token-signing secret');
    const me = await fetch(`http://127.0.0.1:${ports.api}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    // The definitions run 1 published, read back as written then (same publishedAt), none again.
    expect(output).toMatch(/process catalogue: 0 published, \d+ already published/);
    expect(await definitions()).toEqual(publishedInRun1);

    // Temporal kept its history.
    const listed = await temporalClient(async (client) => {
      const found = [];
      for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) found.push(execution);
      await client.workflow.getHandle(workflowId).terminate('end of test');
      return found;
    });
    expect(listed.map((execution) => [execution.workflowId, execution.status.name])).toEqual([[workflowId, 'RUNNING']]);

    const stopped = await interrupt(second);
    console.log(`second stop: exit ${stopped.code ?? stopped.signal} after ${Math.round(stopped.ms)} ms`);
    expect(stopped, second.output()).toMatchObject({ code: 0, signal: null });
    expect(await processesMentioning(path.join(dataDir, 'temporal.db'))).toEqual([]);
  }, 240_000);

  it('after a SIGKILL of the launcher, the next start stops the dev server it left behind and comes up; a second launcher on a running data folder is refused', async () => {
    const killed = await launch();
    const orphans = await processesMentioning(path.join(dataDir, 'temporal.db'));
    expect(orphans).toHaveLength(1);
    // Killed outright, as by `kill -9` or the OOM killer: no chance to stop anything.
    process.kill(-killed.child.pid!, 'SIGKILL');
    await killed.exited;
    // The dev server runs in its own process group, so it outlived the launcher, holding its ports.
    expect(await processesMentioning(path.join(dataDir, 'temporal.db'))).toEqual(orphans);

    const next = await launch();
    console.log(`start after SIGKILL: /readyz 200 after ${Math.round(next.readyMs)} ms`);
    expect(next.output()).toContain(`stopping the Temporal dev server (process ${orphans[0]}) that a previous start on this data folder left running`);
    const running = await processesMentioning(path.join(dataDir, 'temporal.db'));
    expect(running).toHaveLength(1);
    expect(running).not.toContain(orphans[0]);
    // The data survived the kill: the token of run 1 is still good, and PGlite opened again.
    const me = await fetch(`http://127.0.0.1:${ports.api}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);

    // A second launcher on the same data folder is told, and leaves the running one alone.
    const { code, output } = await failedStart();
    expect(code, output).toBe(1);
    expect(output).toMatch(/Custodian \(process \d+\) is running on the data folder/);
    expect(await processesMentioning(path.join(dataDir, 'temporal.db'))).toEqual(running);

    const stopped = await interrupt(next);
    expect(stopped, next.output()).toMatchObject({ code: 0, signal: null });
    expect(await processesMentioning(path.join(dataDir, 'temporal.db'))).toEqual([]);
    expect(existsSync(path.join(dataDir, 'temporal-dev-server.json'))).toBe(false);
  }, 300_000);

  /** Runs the launcher until it exits by itself (a failed start). */
  async function failedStart(): Promise<{ code: number | null; output: string }> {
    const { child, output } = spawnLauncher();
    const code = await Promise.race([
      new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode))),
      delay(READY_TIMEOUT_MS, 'timeout' as const),
    ]);
    if (code === 'timeout') throw new Error(`the launcher neither started nor failed:\n${output()}`);
    return { code, output: output() };
  }

  it('refuses to start when a port is taken, naming the variable, before starting anything', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(ports.ui, '127.0.0.1', resolve));
    try {
      const { code, output } = await failedStart();
      expect(code, output).toBe(1);
      expect(output).toContain('Custodian could not start');
      expect(output).toContain(`TEMPORAL_UI_URL: port ${ports.ui} on 127.0.0.1 is in use`);
      expect(await processesMentioning(path.join(dataDir, 'temporal.db'))).toEqual([]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 120_000);

  it('stops what it had started when a later step fails (here: the PGlite folder is in use)', async () => {
    // This test process stands in for another Custodian holding the embedded database.
    const lock = path.join(dataDir, 'pglite.lock');
    await writeFile(lock, String(process.pid));
    try {
      const { code, output } = await failedStart();
      expect(code, output).toBe(1);
      expect(output).toContain(`is open in process ${process.pid}`);
      // The dev server was started alongside the database and is gone again.
      expect(output).toContain('Temporal dev server answering');
      expect(await processesMentioning(path.join(dataDir, 'temporal.db'))).toEqual([]);
    } finally {
      await rm(lock, { force: true });
    }
  }, 120_000);
});
