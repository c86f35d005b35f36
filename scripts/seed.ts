// `npm run seed`: migrates the PostgreSQL server named by DATABASE_URL and loads the demo
// organisation into it. Safe to run again: it only corrects what differs.
import { readConfigOrExit } from '../platform/config.ts';
import { connect } from '../platform/db/client.ts';
import { migrate } from '../platform/db/migrate.ts';
import { loadDemoOrganisation } from '../platform/organisation/sql.ts';

const config = readConfigOrExit();
if (config.DATABASE_URL === undefined) {
  console.error(
    'DATABASE_URL is not set, so there is no server to seed.\n' +
      'Local mode (`npm start`) runs an embedded PostgreSQL and loads the demo organisation itself;\n' +
      'to seed a server of your own, run: DATABASE_URL=postgres://user:password@host:5432/db npm run seed',
  );
  process.exit(1);
}

const sql = connect(config.DATABASE_URL, { max: 1 });
try {
  const migrations = await migrate(sql);
  const loaded = await loadDemoOrganisation(sql);
  console.log(
    `migrations: ${migrations.applied.length} applied` +
      (migrations.applied.length > 0 ? ` (${migrations.applied.join(', ')})` : '') +
      `, ${migrations.alreadyApplied.length} already applied`,
  );
  console.log(
    `demo organisation: ${loaded.departments} departments, ${loaded.users} users, ${loaded.roleGrants} role grants, ` +
      `${loaded.oversight} Deputy GM charges; ${loaded.changed === 0 ? 'already up to date' : `${loaded.changed} rows written`}`,
  );
} finally {
  await sql.end({ timeout: 5 });
}
