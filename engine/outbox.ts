// Delivers the process outbox (db/outbox.ts) to Temporal: right after a request commits, and from
// a background loop for whatever Temporal could not take then (down, restarting, unreachable),
// with backoff. Never inside a transaction: a command is claimed by one statement, delivered,
// then removed by another, so a pool of one connection is never held while Temporal is called.
// Delivery is idempotent: a start names its workflow id (derived from the record, USE_EXISTING),
// a message its id, so a command delivered twice (a lease that ran out, two API replicas) is
// taken once.
import { DEFAULT_OUTBOX_DEADLINE_MS } from '../platform/config.ts';
import type { Sql } from '../platform/db/client.ts';
import { definitionLibrary, findDefinition } from './sql/definitions.ts';
import { claimDue, nextDue, postpone, queuedCount, removeDelivered, type OutboxRow } from './sql/outbox.ts';
import { NotFound, StateConflict } from '../platform/errors.ts';
import { sendMessage, signalCandidatesChange, startProcess, type EngineClient } from './client.ts';
import { isUnavailable } from '../platform/http/problem.ts';

/** For the OpenAPI descriptions of the routes that file a record with its process. */
export const startsAsynchronously =
  'The record and the start of its process are committed together; should Temporal be momentarily unavailable, the process starts asynchronously as soon as it answers again.';

export interface ProcessOutbox {
  /**
   * Delivers what is queued for these processes now. True when Temporal took all of it; false
   * when some of it waits for the background loop (Temporal unavailable).
   */
  deliver(processIds: readonly string[]): Promise<boolean>;
  /** Starts the background loop (idempotent). */
  start(): void;
  /** Asks the loop to look at the outbox now. */
  wake(): void;
  /** Stops the loop and waits for a delivery under way. Call before ending the pool. */
  stop(): Promise<void>;
}

export interface OutboxTimings {
  /** How long one call to Temporal may take before the command is left for a retry (API_OUTBOX_DEADLINE_MS). */
  deadlineMs: number;
  /**
   * The first retry's delay; each further failure doubles it, up to `maxBackoffMs` (up to
   * `pollMs` while Temporal is unavailable).
   */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How often an idle loop looks for commands left by another API process. */
  pollMs: number;
}

export const defaultOutboxTimings: OutboxTimings = { deadlineMs: DEFAULT_OUTBOX_DEADLINE_MS, initialBackoffMs: 1_000, maxBackoffMs: 60_000, pollMs: 5_000 };

/** A claim outlives the deliveries of a batch; after it another process may retry the command. */
const LEASE_MS = 60_000;
const BATCH = 20;

export function createProcessOutbox(deps: { sql: Sql; engine: EngineClient; log?: (message: string) => void; timings?: Partial<OutboxTimings> }): ProcessOutbox {
  const { sql, engine } = deps;
  const timings = { ...defaultOutboxTimings, ...deps.timings };
  const log = deps.log ?? ((message: string) => console.error(`[outbox] ${message}`));

  // One Temporal call normally takes milliseconds: the outbox gives each its own short deadline,
  // through the engine client's deadline like every other call (a deadline set around it would be
  // overridden by the client's own).
  const quick: EngineClient = { ...engine, waitMs: timings.deadlineMs };

  /** Hands one command to Temporal; what has nothing left to do (an ended process) counts as delivered. */
  const handOver = async (row: OutboxRow): Promise<void> => {
    if (row.kind === 'start') {
      const { key, version, initiator, variables, summary } = row.command;
      const definition = await findDefinition(sql, key, version);
      if (!definition) throw new Error(`process ${key}@${version} is not published`);
      const library = await definitionLibrary(sql, definition);
      try {
        await startProcess(quick, { processId: row.processId, definition, library, initiator, variables, summary });
      } catch (error) {
        // Started and ended already: the record's process has run.
        if (!(error instanceof StateConflict && error.code === 'PROCESS_ALREADY_ENDED')) throw error;
      }
      return;
    }
    try {
      if (row.kind === 'message') await sendMessage(quick, row.processId, row.command);
      else await signalCandidatesChange(quick, row.processId, row.command);
    } catch (error) {
      if (!(error instanceof NotFound || (error instanceof StateConflict && error.code === 'PROCESS_ENDED'))) throw error;
      log(`${row.kind === 'message' ? `message ${row.command.name}` : 'organisation change'} to ${row.processId} dropped: the process has ended`);
    }
  };

  const backoff = (attempts: number) => Math.min(timings.maxBackoffMs, timings.initialBackoffMs * 2 ** Math.max(0, attempts - 1));

  /** Delivers claimed rows in order; once Temporal is unavailable the rest wait for the next round. */
  const deliverClaimed = async (rows: OutboxRow[]): Promise<{ delivered: number; unavailable: boolean }> => {
    let delivered = 0;
    let unavailable: { delayMs: number; message: string } | undefined;
    for (const row of rows) {
      // Temporal is away: the rest of the batch backs off with the row that found it so.
      if (unavailable) {
        await postpone(sql, row.id, unavailable.delayMs, `not tried: ${unavailable.message}`);
        continue;
      }
      try {
        await handOver(row);
        await removeDelivered(sql, row.id);
        delivered += 1;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const away = isUnavailable(error);
        // Temporal away is no fault of the command: it is tried again at the next poll at the
        // latest, so that once Temporal answers every waiting record gets its process within
        // seconds. A command Temporal refused backs off further each time.
        const delayMs = away ? Math.min(backoff(row.attempts), timings.pollMs) : backoff(row.attempts);
        await postpone(sql, row.id, delayMs, message);
        if (away) unavailable = { delayMs, message };
        else log(`${row.kind} of ${row.processId} failed (attempt ${row.attempts}), retried later: ${message}`);
      }
    }
    return { delivered, unavailable: unavailable !== undefined };
  };

  let stopped = false;
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> | undefined;
  let again = false;

  const schedule = (ms: number) => {
    if (stopped || !started) return;
    clearTimeout(timer);
    timer = setTimeout(() => void runRound(), Math.max(0, ms));
    // The loop never keeps a process alive by itself.
    timer.unref();
  };

  const drain = async () => {
    for (;;) {
      const rows = await claimDue(sql, { limit: BATCH, leaseMs: LEASE_MS });
      if (rows.length === 0) return;
      const { unavailable } = await deliverClaimed(rows);
      if (unavailable || stopped) return;
    }
  };

  const runRound = async (): Promise<void> => {
    if (round) {
      again = true;
      return round;
    }
    round = (async () => {
      let wait = timings.pollMs;
      try {
        do {
          again = false;
          await drain();
        } while (again && !stopped);
        const due = await nextDue(sql);
        if (due) wait = Math.min(timings.pollMs, Math.max(50, due.getTime() - Date.now()));
      } catch (error) {
        // The pool was ended under the loop (shutdown): nothing more to do.
        if ((error as { code?: string }).code === 'CONNECTION_ENDED') {
          stopped = true;
          return;
        }
        log(`could not read the outbox: ${error instanceof Error ? error.message : String(error)}`);
      }
      schedule(wait);
    })().finally(() => {
      round = undefined;
    });
    return round;
  };

  return {
    async deliver(processIds) {
      // Round by round: a process's next command is due once the one before it is delivered.
      for (;;) {
        const rows = await claimDue(sql, { limit: BATCH, leaseMs: LEASE_MS, processIds });
        if (rows.length === 0) return (await queuedCount(sql, processIds)) === 0;
        const { delivered } = await deliverClaimed(rows);
        if (delivered < rows.length) {
          schedule(0);
          return false;
        }
      }
    },
    start() {
      if (started || stopped) return;
      started = true;
      schedule(0);
    },
    wake() {
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
