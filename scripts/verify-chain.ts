// `npm run verify:register` / `npm run verify:audit`: recomputes the sha-256 chain of the
// destruction register (DES-4) or of the audit trail, row by row, in DATABASE_URL's database,
// and names the first row that is broken (content changed, or its link to the previous row
// gone). Exit 0 when the chain is intact, 1 when it is broken.
//
// The formulas below are the TypeScript twins of the triggers that write the hashes
// (audit_log_chain in 0001_foundation.sql, destruction_register_chain in 0007_destruction.sql):
// the same fields, in the same order, joined by "|". Each value is read in the text form the
// trigger hashed: jsonb as PostgreSQL prints it, times as microseconds since the epoch.
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { ConfigError, readConfig } from '../platform/config.ts';
import { connect, type Sql, type TransactionSql } from '../platform/db/client.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), from microseconds since the epoch. */
export function utcMicros(micros: bigint): string {
  const seconds = micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
  const fraction = micros - seconds * 1_000_000n;
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction.toString().padStart(6, '0')}Z`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** An audit_log row as the trigger hashed it. */
export interface AuditChainRow {
  seq: string;
  atMicros: bigint;
  processId: string | null;
  taskId: string | null;
  event: string;
  actorId: string | null;
  onBehalfOf: string | null;
  delegationId: string | null;
  ruleId: string | null;
  /** detail::text */
  detail: string;
  idempotencyKey: string;
}

/** The twin of audit_log_chain(): the row's hash given the previous row's. */
export function auditHash(prevHash: string, row: AuditChainRow): string {
  return sha256Hex(
    [
      prevHash,
      row.seq,
      utcMicros(row.atMicros),
      row.processId ?? '',
      row.taskId ?? '',
      row.event,
      row.actorId ?? '',
      row.onBehalfOf ?? '',
      row.delegationId ?? '',
      row.ruleId ?? '',
      row.detail,
      row.idempotencyKey,
    ].join('|'),
  );
}

/** A destruction_register row as the trigger hashed it (jsonb columns as their ::text). */
export interface RegisterChainRow {
  seq: string;
  requestId: string;
  processId: string;
  requestedBy: string;
  reason: string;
  approvalForm: string;
  approvers: string;
  items: string;
  supervisors: string;
  method: string;
  place: string;
  executedAtMicros: bigint;
  registeredAtMicros: bigint;
}

/** The twin of destruction_register_chain(): the row's hash given the previous row's. */
export function registerHash(prevHash: string, row: RegisterChainRow): string {
  return sha256Hex(
    [
      prevHash,
      row.seq,
      row.requestId,
      row.processId,
      row.requestedBy,
      row.reason,
      row.approvalForm,
      row.approvers,
      row.items,
      row.supervisors,
      row.method,
      row.place,
      utcMicros(row.executedAtMicros),
      utcMicros(row.registeredAtMicros),
    ].join('|'),
  );
}

export const chainNames = ['register', 'audit'] as const;
export type ChainName = (typeof chainNames)[number];

interface Stored {
  seq: string;
  prevHash: string;
  hash: string;
  /** What names the row to a person besides its number. */
  label: string;
}

const micros = (column: string) => `(extract(epoch from ${column}) * 1000000)::bigint::text`;

/** Each chain's table, the columns its formula reads (in text form), and the formula. */
const chains: Record<ChainName, { table: string; select: string; hash: (prev: string, row: Record<string, string | null>) => string; label: (row: Record<string, string | null>) => string }> = {
  audit: {
    table: 'audit_log',
    select: `seq::text as seq, ${micros('at')} as at, process_id, task_id, event, actor_id, on_behalf_of, delegation_id, rule_id,
      detail::text as detail, idempotency_key, prev_hash, hash`,
    hash: (prev, row) =>
      auditHash(prev, {
        seq: row.seq!,
        atMicros: BigInt(row.at!),
        processId: row.process_id ?? null,
        taskId: row.task_id ?? null,
        event: row.event!,
        actorId: row.actor_id ?? null,
        onBehalfOf: row.on_behalf_of ?? null,
        delegationId: row.delegation_id ?? null,
        ruleId: row.rule_id ?? null,
        detail: row.detail!,
        idempotencyKey: row.idempotency_key!,
      }),
    label: (row) => `event ${row.event} of ${row.process_id ?? 'no process'}, key ${row.idempotency_key}`,
  },
  register: {
    table: 'destruction_register',
    select: `seq::text as seq, request_id, process_id, requested_by, reason, approval_form::text as approval_form, approvers::text as approvers,
      items::text as items, supervisors::text as supervisors, method, place, ${micros('executed_at')} as executed_at,
      ${micros('registered_at')} as registered_at, prev_hash, hash`,
    hash: (prev, row) =>
      registerHash(prev, {
        seq: row.seq!,
        requestId: row.request_id!,
        processId: row.process_id!,
        requestedBy: row.requested_by!,
        reason: row.reason!,
        approvalForm: row.approval_form!,
        approvers: row.approvers!,
        items: row.items!,
        supervisors: row.supervisors!,
        method: row.method!,
        place: row.place!,
        executedAtMicros: BigInt(row.executed_at!),
        registeredAtMicros: BigInt(row.registered_at!),
      }),
    label: (row) => `destruction request ${row.request_id}`,
  },
};

export interface ChainBreak {
  /** The seq of the first broken row. */
  seq: string;
  table: string;
  reason: string;
}

export interface ChainReport {
  table: string;
  rows: number;
  broken: ChainBreak | undefined;
}

/**
 * Walks the chain in seq order. A row is broken when its stored hash is not the formula's hash
 * of its content and its stored prev_hash (the row was changed), or when its prev_hash is not
 * the previous row's hash (a row before it was removed, inserted or rehashed).
 */
export async function verifyChain(sql: Sql | TransactionSql, name: ChainName): Promise<ChainReport> {
  const chain = chains[name];
  let previous: Stored | undefined;
  let rows = 0;
  // By the table's number, not the text form of it that the row carries.
  for await (const batch of sql.unsafe<Record<string, string | null>[]>(`select ${chain.select} from ${chain.table} order by ${chain.table}.seq`).cursor(500)) {
    for (const row of batch) {
      rows += 1;
      const stored: Stored = { seq: row.seq!, prevHash: row.prev_hash!, hash: row.hash!, label: chain.label(row) };
      const expectedPrev = previous?.hash ?? GENESIS_HASH;
      const at = `${chain.table} row ${stored.seq} (${stored.label})`;
      if (stored.prevHash !== expectedPrev) {
        const reason = previous
          ? `${at}: its prev_hash is not the hash of row ${previous.seq}: the chain is broken between them`
          : `${at}: the first row does not start from the genesis hash`;
        return { table: chain.table, rows, broken: { seq: stored.seq, table: chain.table, reason } };
      }
      if (chain.hash(stored.prevHash, row) !== stored.hash) {
        return { table: chain.table, rows, broken: { seq: stored.seq, table: chain.table, reason: `${at}: its content does not match its hash: the row was changed` } };
      }
      previous = stored;
    }
  }
  return { table: chain.table, rows, broken: undefined };
}

async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  if (argv.length !== 1 || !chainNames.includes(name as ChainName)) {
    console.error('Usage: tsx scripts/verify-chain.ts register|audit   (npm run verify:register, npm run verify:audit)');
    return 2;
  }
  let url: string | undefined;
  try {
    url = readConfig().DATABASE_URL;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 2;
  }
  if (url === undefined) {
    console.error('DATABASE_URL is not set: name the PostgreSQL database whose chain to verify.');
    return 2;
  }
  const sql = connect(url, { max: 1 });
  try {
    const report = await verifyChain(sql, name as ChainName);
    if (report.broken) {
      console.error(`BROKEN ${report.broken.reason}`);
      return 1;
    }
    console.log(`${report.table}: ${report.rows} rows, chain intact`);
    return 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
