// The process outbox (migration 0009): commands for Temporal written in the transaction of the
// record they concern, and taken out by the dispatcher (api/outbox.ts) once Temporal has them.
// Enqueueing takes a transaction and nothing else: a command exists exactly when its record does.
import type { Sql, TransactionSql } from '../../platform/db/client.ts';
import { latestDefinition } from './definitions.ts';

export interface StartCommand {
  /** The definition, pinned when the record was filed. */
  key: string;
  version: number;
  initiator: { id: string; departmentId: string };
  variables: Record<string, unknown>;
  /** What the Temporal UI lists the instance as (api/engine-client.ts: StartProcess.summary). */
  summary?: string;
}

export interface MessageCommand {
  /** The message id: the process takes a message with the same id once. */
  id: string;
  name: string;
  payload: Record<string, unknown>;
  actorId: string;
}

/** The organisation changed: the instance finds its open tasks' candidates again (issue 21). */
export interface CandidatesCommand {
  changeId: string;
  actorId: string;
  reason: string;
}

export type OutboxCommand =
  | { kind: 'start'; command: StartCommand }
  | { kind: 'message'; command: MessageCommand }
  | { kind: 'candidates'; command: CandidatesCommand };

export type OutboxRow = OutboxCommand & { id: string; processId: string; attempts: number };

/** Queues the start of the newest published version of `key` as `processId`. */
export async function enqueueStart(
  tx: TransactionSql,
  start: { key: string; processId: string; initiator: StartCommand['initiator']; variables: Record<string, unknown>; summary?: string },
): Promise<{ key: string; version: number }> {
  const definition = await latestDefinition(tx, start.key);
  if (!definition) throw new Error(`process ${start.key} is not published`);
  const command: StartCommand = {
    key: definition.key,
    version: definition.version,
    initiator: start.initiator,
    variables: start.variables,
    ...(start.summary === undefined ? {} : { summary: start.summary }),
  };
  await tx`insert into process_outbox (process_id, kind, command) values (${start.processId}, 'start', ${tx.json(command as never)})`;
  return { key: definition.key, version: definition.version };
}

/** Queues a message to `processId`, delivered after anything queued for it before. */
export async function enqueueMessage(tx: TransactionSql, processId: string, message: MessageCommand): Promise<void> {
  await tx`insert into process_outbox (process_id, kind, command) values (${processId}, 'message', ${tx.json(message as never)})`;
}

/** Queues, for each of these processes, that the organisation changed (organisation administration). */
export async function enqueueCandidatesChange(tx: TransactionSql, processIds: readonly string[], change: CandidatesCommand): Promise<void> {
  for (const processId of processIds) {
    await tx`insert into process_outbox (process_id, kind, command) values (${processId}, 'candidates', ${tx.json(change as never)})`;
  }
}

/**
 * Claims due commands for `leaseMs` in one statement (no transaction is held while they are
 * delivered). Per process, only the oldest queued command is due: a message never overtakes the
 * start of its process. `processIds` narrows the claim to what a request just queued.
 */
export async function claimDue(sql: Sql, options: { limit: number; leaseMs: number; processIds?: readonly string[] }): Promise<OutboxRow[]> {
  const rows = await sql<{ id: string; processId: string; kind: OutboxRow['kind']; command: never; attempts: number }[]>`
    update process_outbox o set claimed_until = now() + ${options.leaseMs} * interval '1 millisecond', attempts = o.attempts + 1
    where o.id in (
      select c.id from process_outbox c
      where c.next_attempt_at <= now() and (c.claimed_until is null or c.claimed_until < now())
        ${options.processIds ? sql`and c.process_id = any(${options.processIds as string[]})` : sql``}
        and not exists (select 1 from process_outbox e where e.process_id = c.process_id and e.id < c.id)
      order by c.id
      limit ${options.limit}
      for update skip locked)
    returning o.id::text as id, o.process_id as "processId", o.kind, o.command, o.attempts`;
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}

/** Temporal has the command: it leaves the outbox. */
export async function removeDelivered(sql: Sql, id: string): Promise<void> {
  await sql`delete from process_outbox where id = ${id}`;
}

/** Temporal did not take the command: it is retried after `delayMs`. */
export async function postpone(sql: Sql, id: string, delayMs: number, error: string): Promise<void> {
  await sql`
    update process_outbox set claimed_until = null, next_attempt_at = now() + ${delayMs} * interval '1 millisecond', last_error = ${error.slice(0, 2_000)}
    where id = ${id}`;
}

/** How many commands are queued for these processes (claimed ones included). */
export async function queuedCount(sql: Sql, processIds: readonly string[]): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from process_outbox where process_id = any(${processIds as string[]})`;
  return row!.n;
}

/** When the next queued command falls due, if any. */
export async function nextDue(sql: Sql): Promise<Date | undefined> {
  const [row] = await sql<{ at: Date | null }[]>`select min(greatest(next_attempt_at, coalesce(claimed_until, next_attempt_at))) as at from process_outbox`;
  return row?.at ?? undefined;
}

/** The commands still queued for a process (what GET views and tests read). */
export async function queuedFor(sql: Sql, processId: string): Promise<{ kind: OutboxRow['kind']; attempts: number; lastError: string | null }[]> {
  return sql`select kind, attempts, last_error as "lastError" from process_outbox where process_id = ${processId} order by id`;
}
