// Issue 17, anchored chains, on the dev server (the Java time-skipping server implements neither
// schedules nor visibility queries). A daily Schedule starts the checkpoint workflow, whose result
// in Temporal's history is each chain's signed head. What the chain alone cannot show, the
// checkpoint does: a deleted tail, a chain recomputed from scratch by the superuser. Numbering
// gaps are found without it. The verifiers read the checkpoint from Temporal, on a database
// (DATABASE_URL) or through a running local system (GET /api/v1/verification/{chain}).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, createAuthenticator } from '../../platform/http/auth.ts';
import { checkpointScheduleId, ensureCheckpointSchedule, latestCheckpoint } from '../../platform/chains/checkpoints.ts';
import { listen, type HttpServer } from '../../platform/http/server.ts';
import { insertAudit } from '../../platform/db/audit.ts';
import { connect, type Sql } from '../../platform/db/client.ts';
import { checkpointIsAuthentic, signCheckpoint } from '../../platform/chains/sql.ts';
import type { ChainCheckpoint } from '../../platform/chains/rules.ts';
import { freePort } from '../../scripts/temporal-tools.ts';
import { verifyAnchored, verifyChain } from '../../scripts/verify-chain.ts';
import { testApp } from '../support/app.ts';
import { startEngine, type EngineHarness } from '../support/engine.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const key = 'chain-checkpoint-test-key-of-at-least-32-characters';
const secret = 'chain-checkpoint-test-secret-of-at-least-32-chars';

let engine: EngineHarness;
let superuser: Sql;
let register: ChainCheckpoint;
let audit: ChainCheckpoint;

async function fileRegisterEntry(sql: Sql): Promise<void> {
  const id = `dr-${randomUUID()}`;
  await sql`insert into destruction_requests (id, requested_by, reason, secrecy, supervisors_required) values (${id}, 'archivist', 'retention ended', 'none', 1)`;
  await sql`
    insert into destruction_register (request_id, process_id, requested_by, reason, approval_form, approvers, items, supervisors, method, place, executed_at, registered_at, prev_hash, hash)
    values (${id}, ${`p-${id}`}, 'archivist', 'retention ended', '{}', '[]', '[]', '{}', 'shredding', 'Room 2', now(), now(), '', '')`;
}

async function until<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the condition never held');
}

/** As a superuser could: triggers off for the transaction, which is rolled back after `check`. */
async function tampered(change: (tx: Sql) => Promise<unknown>, check: (tx: Sql) => Promise<void>): Promise<void> {
  await superuser
    .begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await change(tx as unknown as Sql);
      await check(tx as unknown as Sql);
      throw new Error('roll back');
    })
    .catch((error: Error) => expect(error.message).toBe('roll back'));
}

/** Every register hash recomputed with the trigger's formula, from the genesis hash on. */
const recomputeRegister = (tx: Sql) =>
  tx.unsafe(`
    do $$
    declare
      r record;
      previous text := repeat('0', 64);
      next_hash text;
    begin
      for r in select * from destruction_register order by seq loop
        next_hash := encode(sha256(convert_to(
          previous || '|' || r.seq || '|' || r.request_id || '|' || r.process_id || '|' || r.requested_by || '|' || r.reason || '|' ||
          r.approval_form::text || '|' || r.approvers::text || '|' || r.items::text || '|' || r.supervisors::text || '|' ||
          r.method || '|' || r.place || '|' ||
          to_char(r.executed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '|' ||
          to_char(r.registered_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'UTF8')), 'hex');
        update destruction_register set prev_hash = previous, hash = next_hash where seq = r.seq;
        previous := next_hash;
      end loop;
    end $$`);

function cli(chain: string, env: Record<string, string>) {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/verify-chain.ts', chain], {
    cwd: root,
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

const temporalEnv = () => ({ TEMPORAL_ADDRESS: engine.env.address, TEMPORAL_NAMESPACE: engine.env.namespace ?? 'default', CHAIN_CHECKPOINT_KEY: key });

beforeAll(async () => {
  engine = await startEngine({ server: 'dev', checkpointKey: key });
  superuser = connect(engine.db.superuserUrl, { max: 1 });
  for (let entry = 0; entry < 3; entry += 1) await fileRegisterEntry(engine.db.sql);
  for (let entry = 0; entry < 4; entry += 1) {
    await insertAudit(engine.db.sql, [{ key: `checkpoint-test#${entry}`, at: Date.now(), processId: 'p-checkpoint', event: 'task.completed', actorId: 'gm' }]);
  }
});

afterAll(async () => {
  await engine?.client.schedule
    .getHandle(checkpointScheduleId)
    .delete()
    .catch(() => {});
  await superuser?.end({ timeout: 5 });
  await engine?.teardown();
});

describe('the daily chain checkpoint', () => {
  it('anchored chains (issue 17): a daily Schedule starts the checkpoint workflow, whose result is each chain head with an HMAC', async () => {
    expect(await ensureCheckpointSchedule(engine.client, engine.taskQueue)).toBe('created');
    const handle = engine.client.schedule.getHandle(checkpointScheduleId);
    const described = await handle.describe();
    expect(described.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 2, end: 2, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] })]);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'chainCheckpoint', taskQueue: engine.taskQueue });
    expect(await ensureCheckpointSchedule(engine.client, engine.taskQueue)).toBe('unchanged');

    await handle.trigger();
    register = await until(() => latestCheckpoint(engine.client, 'register'));
    audit = (await latestCheckpoint(engine.client, 'audit'))!;
    const [head] = await engine.db.sql<{ seq: string; hash: string; count: number }[]>`
      select seq::text, hash, (select count(*)::int from destruction_register) as count from destruction_register order by seq desc limit 1`;
    expect(register).toMatchObject({ chain: 'register', lastSeq: head!.seq, rowCount: head!.count, headHash: head!.hash });
    expect(audit).toMatchObject({ chain: 'audit', lastSeq: '4', rowCount: 4 });
    expect(checkpointIsAuthentic(key, register)).toBe(true);
    expect(checkpointIsAuthentic('another-key-of-at-least-32-characters-long', register)).toBe(false);
    expect(checkpointIsAuthentic(key, { ...register, rowCount: register.rowCount - 1 })).toBe(false);

    const verified = await verifyAnchored({ sql: engine.db.sql, name: 'register', client: engine.client, checkpointKey: key });
    expect(verified).toMatchObject({ rows: 3, broken: undefined, checkpoint: register, checkpointNote: undefined });
  });
});

describe('what only the checkpoint exposes', () => {
  it('DES-4 anchored chains (issue 17): a deleted tail passes the chain check and is reported with the checkpoint that exposes it', async () => {
    await tampered(
      (tx) => tx`delete from destruction_register where seq = ${register.lastSeq}`,
      async (tx) => {
        expect((await verifyChain(tx, 'register')).broken).toBeUndefined();
        const report = await verifyChain(tx, 'register', { checkpoint: register });
        expect(report.broken).toMatchObject({ seq: register.lastSeq, table: 'destruction_register' });
        expect(report.broken!.reason).toBe(
          `destruction_register ends at row 2 (2 rows), but the checkpoint of ${register.checkedAt} (row 3, 3 rows, head ${register.headHash.slice(0, 12)}…) ` +
            'recorded row 3: its tail was removed',
        );
      },
    );
    await tampered(
      (tx) => tx`delete from audit_log where seq >= 3`,
      async (tx) => {
        expect((await verifyChain(tx, 'audit')).broken).toBeUndefined();
        expect((await verifyChain(tx, 'audit', { checkpoint: audit })).broken?.reason).toMatch(/^audit_log ends at row 2 \(2 rows\), but the checkpoint of .* recorded row 4: its tail was removed$/);
      },
    );
  });

  it('DES-4 anchored chains (issue 17): a chain recomputed from scratch by the superuser passes the chain check and is reported with the checkpoint', async () => {
    await tampered(
      async (tx) => {
        await tx`update destruction_register set method = 'burial' where seq = 1`;
        await recomputeRegister(tx);
      },
      async (tx) => {
        expect((await verifyChain(tx, 'register')).broken).toBeUndefined();
        const report = await verifyChain(tx, 'register', { checkpoint: register });
        expect(report.broken?.seq).toBe(register.lastSeq);
        expect(report.broken?.reason).toMatch(
          new RegExp(`^destruction_register row 3 \\(destruction request .+\\): its hash is not the head the checkpoint of ${register.checkedAt} .* recorded: the chain was rewritten$`),
        );
      },
    );
  });

  it('DES-4 sequence gaps (issue 17): a row removed from the middle and the chain recomputed after it is reported by its missing number', async () => {
    await tampered(
      async (tx) => {
        await tx`delete from destruction_register where seq = 2`;
        await recomputeRegister(tx);
      },
      async (tx) => {
        expect((await verifyChain(tx, 'register')).broken?.reason).toMatch(/^destruction_register row 3 \(.+\): row 2 is missing before it: rows were removed/);
      },
    );
    // A checkpoint forged without the key is itself reported.
    const forged = signCheckpoint('a-forger-key-of-at-least-32-characters-long', register);
    expect(checkpointIsAuthentic(key, forged)).toBe(false);
  });
});

describe('the verifiers', () => {
  it('anchored chains (issue 17): verify:register on a database compares with the latest checkpoint in Temporal and names it', async () => {
    const result = await cli('register', { DATABASE_URL: engine.db.url, ...temporalEnv() });
    expect(result).toMatchObject({ code: 0, stdout: `destruction_register: 3 rows, chain intact, consistent with the checkpoint of ${register.checkedAt}\n` });
  });

  it('GET /api/v1/verification/{chain}: the Office Director and the GM verify through the running system', async () => {
    const app = testApp({ sql: engine.db.sql, engine, authenticator: createAuthenticator({ secret }), checkpointKey: key });
    const get = async (userId: string, chain: string) => {
      const response = await app.request(`/api/v1/verification/${chain}`, { headers: { authorization: `Bearer ${await issueToken(secret, userId)}` } });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    for (const userId of ['office-director', 'gm']) {
      expect(await get(userId, 'register')).toEqual({
        status: 200,
        body: {
          chain: 'register',
          table: 'destruction_register',
          rows: 3,
          head: { seq: register.lastSeq, hash: register.headHash },
          intact: true,
          broken: null,
          checkpoint: { checkedAt: register.checkedAt, lastSeq: register.lastSeq, rowCount: register.rowCount, headHash: register.headHash },
          checkpointNote: null,
        },
      });
    }
    expect((await get('office-director', 'audit')).body).toMatchObject({ chain: 'audit', intact: true, rows: 4 });
    expect(await get('archivist', 'register')).toMatchObject({ status: 403, body: { code: 'NOT_A_VERIFIER' } });
    expect((await get('gm', 'ledger')).status).toBe(400);
  });

  it('anchored chains (issue 17): without DATABASE_URL the CLI asks the local system, and says so plainly when nothing answers', async () => {
    const app = testApp({ sql: engine.db.sql, engine, authenticator: createAuthenticator({ secret }), jwtSecret: secret, devLogin: true, checkpointKey: key });
    const server: HttpServer = await listen(app, { hostname: '127.0.0.1', port: 0 });
    const port = String(server.address.port);
    try {
      const result = await cli('register', { HOST: '127.0.0.1', PORT: port });
      expect(result).toMatchObject({ code: 0, stdout: `destruction_register: 3 rows, chain intact, consistent with the checkpoint of ${register.checkedAt}\n` });
    } finally {
      await server.close();
    }
    const silent = String(await freePort());
    const nothing = await cli('audit', { HOST: '127.0.0.1', PORT: silent });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toBe(
      `Nothing answers at http://127.0.0.1:${silent}, and DATABASE_URL is not set. Start the local system (npm start) and run this again, ` +
        'or set DATABASE_URL to verify a PostgreSQL database directly.\n',
    );
  });

  it('DES-4 anchored chains (issue 17): a committed deletion of the tail makes verify:register exit 1 naming the checkpoint', async () => {
    await superuser.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`delete from destruction_register where seq = ${register.lastSeq}`;
    });
    const result = await cli('register', { DATABASE_URL: engine.db.url, ...temporalEnv() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`BROKEN destruction_register ends at row 2 (2 rows), but the checkpoint of ${register.checkedAt}`);
  });
});
