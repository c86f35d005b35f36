// BOR-7 at the instant a delegation starts: opening a task for the principal and listing the
// instances to tell take the same per-principal lock, so a task being opened is either listed
// by the announcement or sees the delegation as started — never neither.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instancesAwaiting } from '../../areas/delegation/sql.ts';
import { lockPrincipals } from '../../engine/sql/delegates.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

describe('delegation start and task opening', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await loadDemoOrganisation(db.sql);
    await db.sql`insert into process_definitions (key, version, checksum, definition) values ('race', 1, 'x', '{"powerOfAttorney": true}')`;
    await db.sql`insert into process_instances (id, definition_key, definition_version, initiator_id, status, started_at) values ('race-1', 'race', 1, 'finance-clerk', 'running', now())`;
  });
  afterAll(() => db?.drop());

  it('BOR-7 the announcement waits for a task being opened for the principal, and then lists its instance', async () => {
    let listed: Promise<string[]> | undefined;
    await db.sql.begin(async (tx) => {
      await lockPrincipals(tx, ['gm']);
      // The announcement starts while the task is being opened...
      listed = instancesAwaiting(db.sql, 'gm');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx`insert into tasks (id, process_id, node_id, name, name_zh, state, candidate_ids, outcomes, revision, created_at)
               values ('race-1:approval:1', 'race-1', 'approval', 'Approval', '审批', 'open', array['gm'], array['approve'], 1, now())`;
    });
    // ...and sees it once the opening transaction has committed.
    expect(await listed).toEqual(['race-1']);
  });
});
