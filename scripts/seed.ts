// `npm run seed`: migrates the PostgreSQL server named by DATABASE_URL and loads the demo
// organisation into it. Safe to run again: it only corrects what differs.
// `npm run seed -- --demo-registers` also imports the demo archive register and customer list
// (scripts/demo-registers.ts); without DATABASE_URL it seeds local mode's embedded database
// (PGLITE_DATA_DIR), which the next `npm start` opens.
import { readConfigOrExit } from '../platform/config.ts';
import { connect } from '../platform/db/client.ts';
import { migrate } from '../platform/db/migrate.ts';
import { loadDemoOrganisation } from '../platform/organisation/sql.ts';
import { EMBEDDED_POOL_SIZE, startEmbeddedPostgres } from '../platform/db/embedded.ts';
import { importDemoRegisters } from './demo-registers.ts';

const demoRegisters = process.argv.slice(2).includes('--demo-registers');
const config = readConfigOrExit();
if (config.DATABASE_URL === undefined && !demoRegisters) {
  console.error(
    'DATABASE_URL is not set, so there is no server to seed.\n' +
      'Local mode (`npm start`) runs an embedded PostgreSQL and loads the demo organisation itself;\n' +
      'to seed a server of your own, run: DATABASE_URL=postgres://user:password@host:5432/db npm run seed\n' +
      '(`npm run seed -- --demo-registers` without DATABASE_URL imports the demo registers into local mode\'s database).',
  );
  process.exit(1);
}

// Local mode's database, when no server is named: stop `npm start` first (it holds the folder).
const embedded = config.DATABASE_URL === undefined ? await startEmbeddedPostgres({ dataDir: config.PGLITE_DATA_DIR, port: 0 }) : undefined;
const sql = connect(embedded?.url ?? config.DATABASE_URL!, { max: embedded ? EMBEDDED_POOL_SIZE : 1 });
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
  if (demoRegisters) await importDemoRegisters(sql, (message) => console.log(message));
} finally {
  await sql.end({ timeout: 5 });
  await embedded?.stop();
}
