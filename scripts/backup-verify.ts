// `npm run backup:verify <file>`: checks a customer archive backup by hand (SEC-2): its SHA-256
// against the one written beside it, then a restore into a scratch in-memory database compared
// table by table. Exits 0 when it verifies, 1 when it does not.
import { verifyBackup } from '../areas/customer-archive/backup.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: npm run backup:verify -- <backup file>   (the backups are in BACKUP_DIR, data/backups by default)');
  process.exit(2);
}
const check = await verifyBackup(file).catch((error: unknown) => {
  console.error(`cannot check ${file}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
for (const table of check.tables) console.log(`${table.name.padEnd(28)} ${String(table.rows).padStart(8)} rows`);
console.log(`sha256 ${check.sha256}`);
if (check.verified) {
  console.log(`verified: ${file} restores and reads back exactly`);
} else {
  for (const problem of check.problems) console.error(`problem: ${problem}`);
  process.exit(1);
}
