// Before any suite: PostgreSQL must answer, and both Temporal servers must be built (the first
// run on a new machine builds them; later runs find them in the cache).
import { connect } from '../../platform/db/client.ts';
import { temporalCliPath, testServerPath, toolsOptionsFromEnv } from '../../scripts/temporal-tools.ts';
import { adminUrl } from './postgres.ts';

export default async function setup(): Promise<void> {
  const sql = connect(adminUrl(), { max: 1 });
  try {
    await sql`select 1`;
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${adminUrl().replace(/:[^:@/]*@/, ':***@')} (${(error as Error).message}). ` +
        'Start it (bash .ci/run does: apt-get install postgresql; pg_ctlcluster 15 main start) or set TEST_DATABASE_URL.',
      { cause: error },
    );
  } finally {
    await sql.end({ timeout: 1 });
  }
  const options = { ...toolsOptionsFromEnv(), log: (message: string) => console.log(`[tools] ${message}`) };
  const [cli, testServer] = await Promise.all([temporalCliPath(options), testServerPath(options)]);
  console.log(`[tools] temporal CLI: ${cli ?? 'SDK download'}; time-skipping server: ${testServer ?? 'SDK download'}`);
}
