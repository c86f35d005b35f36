// Temporal's Go programs, built once per machine with `go install` from the Go module proxy into
// `<toolsDir>/bin`: the CLI (its dev server runs tests and local mode), and the server with its SQL
// schema tool (`npm run rehearse` runs a real cluster on PostgreSQL with them, as production does).
import fs from 'node:fs/promises';
import path from 'node:path';
import { elapsed, escapeRegExp, findOnPath, isExecutable, run, tail, withLock, type Log, type ToolsOptions } from './process.ts';

/**
 * The Temporal CLI release that is built from source. v1.5.1 is the last release whose module can
 * be `go install`ed: later ones carry `replace` directives, which `go install pkg@version` refuses.
 */
export const TEMPORAL_CLI_VERSION = '1.5.1';

/**
 * The Temporal server release, the one docker-compose.yml's images carry. Its module has no
 * `replace` directives, so the server and its schema tool build with `go install` like the CLI.
 */
export const TEMPORAL_SERVER_VERSION = '1.29.1';

export interface CliOptions extends ToolsOptions {
  /** A Temporal CLI to use as is (TEMPORAL_CLI_PATH). */
  cliPath?: string;
}

/** One program of a `go install`: the package, and the file its binary becomes in the cache. */
interface GoProgram {
  pkg: string;
  /** The name `go install` gives the binary: the package path's last element. */
  built: string;
  target: string;
}

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
  const built = await goBuildOnce({
    binDir,
    what: `the Temporal CLI ${TEMPORAL_CLI_VERSION}`,
    lockName: '.temporal.lock',
    programs: [{ pkg: `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`, built: 'temporal', target }],
    // The release build's flags: without -X, --version reports 0.0.0-DEV (and we could not tell a
    // current build from an old one).
    ldflags: `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
    version: TEMPORAL_CLI_VERSION,
    log,
  });
  if (!built) log('No Temporal CLI and no Go to build one; falling back to the SDK download');
  return built ? target : undefined;
}

export interface ServerTools {
  /** `temporal-server`: `--root <dir> --config <sub> --env <name> start`. */
  server: string;
  /** `temporal-sql-tool`, which creates and upgrades the server's schemas (with embedded schemas). */
  sqlTool: string;
}

/**
 * The Temporal server and its SQL schema tool, built into `<toolsDir>/bin` with Go (one build for
 * both, about ten minutes the first time on two cores). Undefined without Go.
 */
export async function temporalServerTools(opts: ToolsOptions): Promise<ServerTools | undefined> {
  const binDir = path.join(path.resolve(opts.toolsDir), 'bin');
  const tools: ServerTools = { server: path.join(binDir, 'temporal-server'), sqlTool: path.join(binDir, 'temporal-sql-tool') };
  const module = `go.temporal.io/server`;
  const built = await goBuildOnce({
    binDir,
    what: `the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool`,
    lockName: '.temporal-server.lock',
    // The server last: it is what callers look for first.
    programs: [
      { pkg: `${module}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`, built: 'sql', target: tools.sqlTool },
      { pkg: `${module}/cmd/server@v${TEMPORAL_SERVER_VERSION}`, built: 'server', target: tools.server },
    ],
    // The server's version is a constant in its source (common/headers), no -X needed.
    ldflags: '',
    version: TEMPORAL_SERVER_VERSION,
    log: opts.log ?? (() => {}),
  });
  return built ? tools : undefined;
}

interface GoBuild {
  binDir: string;
  /** For progress messages. */
  what: string;
  lockName: string;
  programs: GoProgram[];
  ldflags: string;
  /** What every program's `--version` must report for the build to count as current. */
  version: string;
  log: Log;
}

/**
 * Makes sure every program of `build` is in place and reports `build.version`, building them once
 * per machine under a lock. False when they are missing and there is no Go to build them.
 */
async function goBuildOnce(build: GoBuild): Promise<boolean> {
  const current = async () => (await Promise.all(build.programs.map((p) => reportsVersion(p.target, build.version)))).every(Boolean);
  if (await current()) return true;
  const go = await findOnPath('go');
  if (go === undefined) return false;
  await fs.mkdir(build.binDir, { recursive: true });
  return withLock(path.join(build.binDir, build.lockName), build.log, build.what, async () => {
    // Whoever held the lock before us may have just built them.
    if (await current()) return true;
    await goInstall(go, build);
    if (!(await current())) throw new Error(`built ${build.what}, but --version does not report ${build.version}`);
    return true;
  });
}

async function reportsVersion(binary: string, version: string): Promise<boolean> {
  if (!(await isExecutable(binary))) return false;
  // A binary still being written by someone else's build fails to run here and reads as stale.
  const result = await run(binary, ['--version'], { timeoutMs: 30_000 }).catch(() => undefined);
  return result?.code === 0 && new RegExp(`\\bversion ${escapeRegExp(version)}\\b`).test(result.stdout);
}

async function goInstall(go: string, build: GoBuild): Promise<void> {
  // Build into a private GOBIN beside the targets and rename: the rename is atomic on one file
  // system, so a concurrent build by anyone (even one that ignores our lock) or a reader never sees
  // a half-written binary; the last rename wins, and both are the same version.
  const gobin = await fs.mkdtemp(path.join(build.binDir, '.build-'));
  try {
    build.log(`Building ${build.what} with Go into ${build.binDir} (minutes the first time)`);
    const started = performance.now();
    const heartbeat = setInterval(() => build.log(`  still building ${build.what} (${elapsed(started)})`), 30_000);
    try {
      // -s -w drop the symbols (the CLI: 252 MB -> 213 MB). `nice`: the machine is shared, and a
      // Go build takes every core it sees.
      const args = ['install', `-ldflags=-s -w ${build.ldflags}`.trim(), ...build.programs.map((p) => p.pkg)];
      const nice = await findOnPath('nice');
      const result = await run(nice ?? go, nice ? ['-n', '10', go, ...args] : args, {
        // `pkg@version` ignores any go.mod or go.work around the working directory anyway.
        env: { ...process.env, GOBIN: gobin },
        cwd: build.binDir,
      });
      if (result.code !== 0) {
        throw new Error(`go install of ${build.what} failed (exit ${result.code}):\n${tail(result.stderr)}`);
      }
    } finally {
      clearInterval(heartbeat);
    }
    for (const program of build.programs) await fs.rename(path.join(gobin, program.built), program.target);
    build.log(`Built ${build.what} in ${elapsed(started)}`);
  } finally {
    await fs.rm(gobin, { recursive: true, force: true });
  }
}
