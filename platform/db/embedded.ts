// Local mode's PostgreSQL: PGlite (PostgreSQL compiled to WebAssembly, running in this process)
// with its files in a folder, served over the PostgreSQL wire protocol so that the `postgres`
// driver, and therefore every query module, uses it exactly as it uses a real server.
import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgresOptions {
  /** Where PGlite keeps its files; created on first start, reused afterwards. */
  dataDir: string;
  /** 0 for any free port (tests); the URL names the one bound. */
  port: number;
  host?: string;
}

export interface EmbeddedPostgres {
  /** A connection URL for `connect(url, { max: 1 })`. */
  url: string;
  /** Stops serving and closes the database. End the clients' pools first. */
  stop(): Promise<void>;
}

/**
 * PGlite is one PostgreSQL backend: the socket server takes one client connection, and clients
 * must use a pool of one. (The socket package can multiplex several connections onto the one
 * backend, but they would share its session: prepared statement names, settings, and a
 * transaction that another connection's queries would wait behind or run inside of.)
 */
export const EMBEDDED_POOL_SIZE = 1;

// What differs from a real server, as far as Custodian is concerned: PGlite ignores the startup
// parameters the driver sends (application_name, TimeZone), so connect()'s TimeZone=UTC holds only
// because PGlite's session time zone is UTC anyway; and a second client is turned away at the
// socket, which the `postgres` driver answers by reconnecting in a loop rather than failing.

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = path.resolve(options.dataDir);
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  const releaseLock = await lockDataDir(dataDir);

  let db: PGlite | undefined;
  try {
    db = await PGlite.create({ dataDir });
    const server = new PGLiteSocketServer({ db, host, port: options.port, maxConnections: EMBEDDED_POOL_SIZE });
    try {
      await server.start();
    } catch (error) {
      throw portError(error, host, options.port);
    }
    const opened = db;
    // The bound port, which differs from the one asked for when that was 0 (any free port).
    const port = Number(server.getServerConn().split(':').at(-1));
    let stopped: Promise<void> | undefined;
    return {
      url: `postgres://postgres:postgres@${host.includes(':') ? `[${host}]` : host}:${port}/postgres`,
      stop() {
        stopped ??= (async () => {
          try {
            await server.stop();
            // Closing checkpoints the database, so the next start needs no recovery.
            await opened.close();
          } finally {
            await releaseLock();
          }
        })();
        return stopped;
      },
    };
  } catch (error) {
    await db?.close().catch(() => {});
    await releaseLock();
    throw error;
  }
}

/**
 * A throw-away PostgreSQL in memory, on a free loopback port: where a backup is restored to be
 * checked (SEC-2). Nothing is written to disk; stop() discards it.
 */
export async function startScratchPostgres(): Promise<EmbeddedPostgres> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: EMBEDDED_POOL_SIZE });
  try {
    await server.start();
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  const port = Number(server.getServerConn().split(':').at(-1));
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop() {
      stopped ??= server.stop().then(() => db.close());
      return stopped;
    },
  };
}

function portError(error: unknown, host: string, port: number): unknown {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    return new EmbeddedPostgresError(`port ${port} on ${host} is already in use (is another Custodian, or a PostgreSQL, running?)`);
  }
  return error;
}

/**
 * PGlite keeps no postmaster.pid, so nothing stops two processes from opening the same folder,
 * and two PostgreSQL backends writing one folder corrupt it. A lock file beside the folder
 * names the process that has it open; one whose process is gone (killed, crashed) is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(lockPath, String(process.pid), { flag: 'wx' });
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await fs.rm(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(await fs.readFile(lockPath, 'utf8').catch(() => ''));
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL in ${dataDir} is open in process ${holder}; stop it first ` +
          `(if that process is not Custodian, delete ${lockPath})`,
      );
    }
    await fs.rm(lockPath, { force: true });
  }
  throw new EmbeddedPostgresError(`could not take the lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
