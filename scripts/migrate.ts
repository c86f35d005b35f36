// `npm run migrate`: applies db/migrations to the PostgreSQL server named by DATABASE_URL.
// The API, the workers and local mode migrate at start-up too; this is for a deploy step of its own.
import { readConfigOrExit, requireDatabaseUrl } from '../platform/config.ts';
import { connect } from '../platform/db/client.ts';
import { migrate } from '../platform/db/migrate.ts';

const config = readConfigOrExit((read) => requireDatabaseUrl(read, '`npm run migrate` (local mode migrates its embedded database itself)'));
const sql = connect(config.DATABASE_URL, { max: 1 });
try {
  const result = await migrate(sql);
  console.log(`applied: ${result.applied.join(', ') || 'nothing new'}; already applied: ${result.alreadyApplied.length}`);
} finally {
  await sql.end({ timeout: 5 });
}
