// `npm run verify:register` / `npm run verify:audit`: recomputes the sha-256 chain of the
// destruction register (DES-4) or of the audit trail, row by row, in DATABASE_URL's database,
// and names the first row that is broken (content changed, its link to the previous row gone, or
// a number missing). It then compares the chain with the latest daily checkpoint read from
// Temporal (issue 17, domain/chain-checkpoint.ts), which exposes a deleted tail or a chain
// recomputed from scratch. Without DATABASE_URL it asks the running local system
// (GET /api/v1/verification/{chain}), whose embedded database's one connection the system holds.
// Exit 0 when the chain is intact, 1 when it is broken, 2 when it could not be verified.
//
// The formulas below are the TypeScript twins of the triggers that write the hashes
// (audit_log_chain in 0001_foundation.sql, destruction_register_chain in 0007_destruction.sql):
// the same fields, in the same order, joined by "|". Each value is read in the text form the
// trigger hashed: jsonb as PostgreSQL prints it, times as microseconds since the epoch.
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { latestCheckpoint } from '../platform/chains/checkpoints.ts';
import { ConfigError, readConfig, type Config } from '../platform/config.ts';
import { connect, type Sql, type TransactionSql } from '../platform/db/client.ts';
import { checkpointIsAuthentic } from '../platform/chains/sql.ts';
import { chainNames, chainTables, GENESIS_HASH, type ChainCheckpoint, type ChainName } from '../platform/chains/rules.ts';

export { chainNames, GENESIS_HASH, type ChainName };

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
    table: chainTables.audit,
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
    table: chainTables.register,
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
  /** The last row walked: the chain's head when it is intact. */
  head: { seq: string; hash: string } | undefined;
  broken: ChainBreak | undefined;
  /** The checkpoint the chain was compared with. */
  checkpoint?: ChainCheckpoint;
}

/**
 * The audit trail is numbered without gaps from migration 0012 on; numbers the sequence skipped
 * before it stay skipped (audit_log_numbering). The register has always been gap-free.
 */
async function gapFreeAfter(sql: Sql | TransactionSql, name: ChainName): Promise<bigint> {
  if (name !== 'audit') return 0n;
  const [row] = await sql<{ after: string | null }[]>`
    select case when to_regclass('audit_log_numbering') is null then null else (select gap_free_after::text from audit_log_numbering limit 1) end as after`;
  // Before 0012 nothing is promised.
  return row?.after == null ? BigInt(Number.MAX_SAFE_INTEGER) : BigInt(row.after);
}

const describeCheckpoint = (checkpoint: ChainCheckpoint) =>
  `the checkpoint of ${checkpoint.checkedAt} (row ${checkpoint.lastSeq}, ${checkpoint.rowCount} rows, head ${checkpoint.headHash.slice(0, 12)}…)`;

/**
 * Walks the chain in seq order. A row is broken when its stored hash is not the formula's hash
 * of its content and its stored prev_hash (the row was changed), when its prev_hash is not the
 * previous row's hash (a row before it was removed, inserted or rehashed), or when the number
 * before it is missing. With a checkpoint, the row it names must still be there, with the hash
 * and the number of rows up to it that it recorded: a deleted tail or a chain recomputed from
 * scratch is consistent in itself, but not with its checkpoint.
 */
export async function verifyChain(sql: Sql | TransactionSql, name: ChainName, options: { checkpoint?: ChainCheckpoint } = {}): Promise<ChainReport> {
  const chain = chains[name];
  const { checkpoint } = options;
  const gapsAllowedUpTo = await gapFreeAfter(sql, name);
  let previous: Stored | undefined;
  let rows = 0;
  const report = (broken: ChainBreak | undefined): ChainReport => ({
    table: chain.table,
    rows,
    head: previous && { seq: previous.seq, hash: previous.hash },
    broken,
    ...(checkpoint ? { checkpoint } : {}),
  });
  const breakAt = (seq: string, reason: string) => report({ seq, table: chain.table, reason });
  const checkpointSeq = checkpoint && checkpoint.lastSeq !== '0' ? BigInt(checkpoint.lastSeq) : undefined;
  // By the table's number, not the text form of it that the row carries.
  for await (const batch of sql.unsafe<Record<string, string | null>[]>(`select ${chain.select} from ${chain.table} order by ${chain.table}.seq`).cursor(500)) {
    for (const row of batch) {
      const stored: Stored = { seq: row.seq!, prevHash: row.prev_hash!, hash: row.hash!, label: chain.label(row) };
      const seq = BigInt(stored.seq);
      const expectedPrev = previous?.hash ?? GENESIS_HASH;
      const at = `${chain.table} row ${stored.seq} (${stored.label})`;
      const expectedSeq = previous ? BigInt(previous.seq) + 1n : 1n;
      if (checkpoint && checkpointSeq !== undefined && seq > checkpointSeq && (previous === undefined || BigInt(previous.seq) < checkpointSeq)) {
        return breakAt(checkpoint.lastSeq, `${chain.table} has no row ${checkpoint.lastSeq}, which ${describeCheckpoint(checkpoint)} recorded as its head: rows were removed`);
      }
      rows += 1;
      if (stored.prevHash !== expectedPrev) {
        const reason = previous
          ? `${at}: its prev_hash is not the hash of row ${previous.seq}: the chain is broken between them`
          : `${at}: the first row does not start from the genesis hash`;
        return breakAt(stored.seq, reason);
      }
      if (chain.hash(stored.prevHash, row) !== stored.hash) {
        return breakAt(stored.seq, `${at}: its content does not match its hash: the row was changed`);
      }
      if (seq !== expectedSeq && expectedSeq > gapsAllowedUpTo) {
        const missing = seq - expectedSeq === 1n ? `row ${expectedSeq} is` : `rows ${expectedSeq} to ${seq - 1n} are`;
        return breakAt(stored.seq, `${at}: ${missing} missing before it: rows were removed and the chain after them recomputed`);
      }
      if (checkpoint && seq === checkpointSeq) {
        if (stored.hash !== checkpoint.headHash) {
          return breakAt(stored.seq, `${at}: its hash is not the head ${describeCheckpoint(checkpoint)} recorded: the chain was rewritten`);
        }
        if (rows !== checkpoint.rowCount) {
          return breakAt(stored.seq, `${at}: ${rows} rows lead up to it, but ${describeCheckpoint(checkpoint)} counted ${checkpoint.rowCount}: rows were removed or added`);
        }
      }
      previous = stored;
    }
  }
  if (checkpoint && checkpointSeq !== undefined && (previous === undefined || BigInt(previous.seq) < checkpointSeq)) {
    const end = previous ? `ends at row ${previous.seq} (${rows} rows)` : 'is empty';
    return breakAt(checkpoint.lastSeq, `${chain.table} ${end}, but ${describeCheckpoint(checkpoint)} recorded row ${checkpoint.lastSeq}: its tail was removed`);
  }
  return report(undefined);
}

/** What a verification found, and how the chain stands against its latest checkpoint. */
export interface AnchoredReport extends ChainReport {
  /** Why the chain was not compared with a checkpoint (none yet, no key, Temporal not answering). */
  checkpointNote: string | undefined;
}

/**
 * verifyChain against the latest checkpoint in Temporal. A checkpoint whose HMAC does not verify
 * under `checkpointKey` is itself a finding: it was not written by the checkpoint workflow.
 */
export async function verifyAnchored(options: { sql: Sql; name: ChainName; client?: Client; checkpointKey?: string }): Promise<AnchoredReport> {
  const { sql, name, client, checkpointKey } = options;
  let checkpoint: ChainCheckpoint | undefined;
  let note: string | undefined;
  if (checkpointKey === undefined) note = 'CHAIN_CHECKPOINT_KEY is not set: not compared with a checkpoint';
  else if (client === undefined) note = 'Temporal does not answer: not compared with a checkpoint';
  else {
    try {
      checkpoint = await latestCheckpoint(client, name);
      if (checkpoint === undefined) note = 'no checkpoint has been recorded yet: not compared with one';
    } catch (error) {
      note = `the checkpoints could not be read from Temporal (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): not compared with one`;
    }
  }
  if (checkpoint && checkpointKey !== undefined && !checkpointIsAuthentic(checkpointKey, checkpoint)) {
    const table = chains[name].table;
    return {
      table,
      rows: 0,
      head: undefined,
      checkpoint,
      checkpointNote: undefined,
      broken: { seq: checkpoint.lastSeq, table, reason: `${describeCheckpoint(checkpoint)} does not carry a valid HMAC under CHAIN_CHECKPOINT_KEY: it was not written by the checkpoint workflow` },
    };
  }
  return { ...(await verifyChain(sql, name, { checkpoint })), checkpointNote: note };
}

/** Prints a report; the exit code it stands for. */
function print(report: { table: string; rows: number; broken?: { reason: string } | null; checkpoint?: { checkedAt: string } | null; checkpointNote?: string | null }): number {
  if (report.broken) {
    console.error(`BROKEN ${report.broken.reason}`);
    return 1;
  }
  const anchored = report.checkpoint ? `, consistent with the checkpoint of ${report.checkpoint.checkedAt}` : '';
  console.log(`${report.table}: ${report.rows} rows, chain intact${anchored}`);
  if (report.checkpointNote) console.error(`NOTE ${report.checkpointNote}`);
  return 0;
}

const TEMPORAL_CONNECT_TIMEOUT = '3s';

/** A PostgreSQL database named by DATABASE_URL, compared with the checkpoints in Temporal when it answers. */
async function verifyDatabase(config: Config & { DATABASE_URL: string }, name: ChainName): Promise<number> {
  const sql = connect(config.DATABASE_URL, { max: 1 });
  // Without the key a checkpoint cannot be checked, so Temporal is not asked.
  const connection =
    config.CHAIN_CHECKPOINT_KEY === undefined
      ? undefined
      : await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: TEMPORAL_CONNECT_TIMEOUT }).catch(() => undefined);
  try {
    const client = connection && new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    return print(await verifyAnchored({ sql, name, client, checkpointKey: config.CHAIN_CHECKPOINT_KEY }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOTFOUND' || code === '28P01' || code === '3D000') {
      console.error(`The database at ${new URL(config.DATABASE_URL).host} cannot be read (${(error as Error).message}). Is it running, and is DATABASE_URL right?`);
      return 2;
    }
    throw error;
  } finally {
    await connection?.close();
    await sql.end({ timeout: 5 });
  }
}

/** The verifying user local mode's dev login hands a token to. */
const LOCAL_VERIFIER = 'office-director';

/**
 * Local mode (no DATABASE_URL): the embedded database's one connection is the running system's,
 * so the system verifies itself, through GET /api/v1/verification/{chain}, as the Office Director.
 */
async function verifyLocalSystem(config: Config, name: ChainName): Promise<number> {
  const base = `http://${config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
  let token: string;
  try {
    const login = await fetch(`${base}/api/v1/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: LOCAL_VERIFIER }),
    });
    if (!login.ok) {
      console.error(`The system at ${base} gives no dev-login token (HTTP ${login.status}): it is not a local system. Set DATABASE_URL to verify a PostgreSQL database.`);
      return 2;
    }
    token = ((await login.json()) as { token: string }).token;
  } catch {
    console.error(
      `Nothing answers at ${base}, and DATABASE_URL is not set. Start the local system (npm start) and run this again, ` +
        'or set DATABASE_URL to verify a PostgreSQL database directly.',
    );
    return 2;
  }
  const response = await fetch(`${base}/api/v1/verification/${name}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    console.error(`The local system could not verify the chain (HTTP ${response.status}): ${await response.text()}`);
    return 2;
  }
  return print((await response.json()) as Parameters<typeof print>[0]);
}

async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  if (argv.length !== 1 || !chainNames.includes(name as ChainName)) {
    console.error('Usage: tsx scripts/verify-chain.ts register|audit   (npm run verify:register, npm run verify:audit)');
    return 2;
  }
  let config: Config;
  try {
    config = readConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 2;
  }
  const url = config.DATABASE_URL;
  return url === undefined ? verifyLocalSystem(config, name as ChainName) : verifyDatabase({ ...config, DATABASE_URL: url }, name as ChainName);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
