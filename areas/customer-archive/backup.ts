// SEC-2: 营销总监为系统管理员,每月1日对数据进行备份. The customer archive's tables are written to
// a file with its SHA-256 beside it; a backup counts only once it has been restored into a scratch
// database (an in-memory PostgreSQL with the same migrations) and every table compared, row for
// row, with what was read. `npm run backup:verify <file>` runs the same check by hand.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { connect, type Sql } from '../../platform/db/client.ts';
import { EMBEDDED_POOL_SIZE, startScratchPostgres } from '../../platform/db/embedded.ts';
import { migrate } from '../../platform/db/migrate.ts';

/** Every table of the customer archive and of customer ownership, in an order that restores. */
export const backupTables = [
  'customers',
  'customer_cards',
  'customer_card_versions',
  'customer_contacts',
  'customer_view_grants',
  'customer_views',
  'protections',
  'protection_reports',
  'customer_ownership_history',
  'co_development_requests',
  'customer_co_developers',
  'user_departures',
] as const;

const FORMAT = 'custodian.customer-archive-backup';

interface BackupTable {
  name: string;
  /** Each row as PostgreSQL's row_to_json prints it (time zone UTC), sorted. */
  rows: string[];
  digest: string;
}

interface BackupFile {
  format: typeof FORMAT;
  version: 1;
  createdAt: string;
  tables: BackupTable[];
}

export interface BackupCheck {
  file: string;
  sha256: string;
  verified: boolean;
  /** What failed, when something did. */
  problems: string[];
  tables: { name: string; rows: number }[];
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
const digestOf = (rows: readonly string[]) => sha256(rows.join('\n'));

async function readTables(sql: Sql): Promise<BackupTable[]> {
  // One snapshot for all tables: a card and its versions agree with each other in the file.
  return sql.begin('isolation level repeatable read', async (tx) => {
    await tx`set local time zone 'UTC'`;
    const tables: BackupTable[] = [];
    for (const name of backupTables) {
      const rows = (await tx<{ r: string }[]>`select row_to_json(t)::text as r from ${tx(name)} t`).map((row) => row.r).sort();
      tables.push({ name, rows, digest: digestOf(rows) });
    }
    return tables;
  });
}

/** Writes a backup into `dir` (atomically, with `<file>.sha256` beside it) and returns its path. */
export async function writeBackup(sql: Sql, dir: string, at: Date): Promise<{ file: string; sha256: string }> {
  const backup: BackupFile = { format: FORMAT, version: 1, createdAt: at.toISOString(), tables: await readTables(sql) };
  await fs.mkdir(dir, { recursive: true });
  const file = path.resolve(dir, `customer-archive-${at.toISOString().replace(/[:.]/g, '-')}.json`);
  const text = JSON.stringify(backup);
  const hash = sha256(text);
  await fs.writeFile(`${file}.partial`, text, { flag: 'wx' });
  await fs.rename(`${file}.partial`, file);
  await fs.writeFile(`${file}.sha256`, `${hash}  ${path.basename(file)}\n`);
  return { file, sha256: hash };
}

/**
 * Checks a backup: its SHA-256 against the one written beside it, then a restore into a scratch
 * database whose tables must read back exactly as the file holds them.
 */
export async function verifyBackup(file: string): Promise<BackupCheck> {
  const problems: string[] = [];
  const text = await fs.readFile(file);
  const hash = sha256(text);
  const recorded = (await fs.readFile(`${file}.sha256`, 'utf8').catch(() => '')).split(/\s+/)[0];
  if (recorded !== hash) problems.push(recorded ? `the file's SHA-256 is ${hash}, not ${recorded} as recorded` : `no ${path.basename(file)}.sha256 beside it`);
  let backup: BackupFile;
  try {
    backup = JSON.parse(text.toString('utf8')) as BackupFile;
    if (backup.format !== FORMAT || !Array.isArray(backup.tables)) throw new Error(`not a ${FORMAT} file`);
  } catch (error) {
    return { file, sha256: hash, verified: false, problems: [...problems, `unreadable: ${error instanceof Error ? error.message : String(error)}`], tables: [] };
  }
  for (const table of backup.tables) if (digestOf(table.rows) !== table.digest) problems.push(`${table.name}: its rows do not match its digest`);

  const scratch = await startScratchPostgres();
  const sql = connect(scratch.url, { max: EMBEDDED_POOL_SIZE });
  try {
    await migrate(sql);
    const known = new Set<string>(backupTables);
    await sql.begin(async (tx) => {
      // A restore, not a new history: foreign keys to the organisation and the append-only guards do not apply.
      await tx`set local session_replication_role = replica`;
      for (const table of backup.tables) {
        if (!known.has(table.name)) {
          problems.push(`${table.name}: not a table of the customer archive`);
          continue;
        }
        for (let start = 0; start < table.rows.length; start += 500) {
          const chunk = `[${table.rows.slice(start, start + 500).join(',')}]`;
          await tx`insert into ${tx(table.name)} select * from json_populate_recordset(null::${tx(table.name)}, ${chunk}::text::json)`;
        }
      }
    });
    const restored = new Map((await readTables(sql)).map((table) => [table.name, table]));
    for (const table of backup.tables) {
      const back = restored.get(table.name);
      if (back && back.digest !== table.digest) problems.push(`${table.name}: ${back.rows.length} rows read back from the restore differ from the ${table.rows.length} backed up`);
    }
  } catch (error) {
    problems.push(`the restore failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await sql.end({ timeout: 5 });
    await scratch.stop();
  }
  return { file, sha256: hash, verified: problems.length === 0, problems, tables: backup.tables.map((table) => ({ name: table.name, rows: table.rows.length })) };
}
