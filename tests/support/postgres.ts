// Each suite gets a fresh database on the real PostgreSQL server named by TEST_DATABASE_URL,
// migrated from scratch, and drops it afterwards. As in production (docs/deployment.md, "Database
// roles"), the database belongs to an owner role that applies the migrations, and the suite's
// pool connects as the application role custodian_app, which owns nothing and may only INSERT and
// SELECT the append-only tables.
import { randomBytes } from 'node:crypto';
import { connect, type Sql } from '../../platform/db/client.ts';
import { migrate } from '../../platform/db/migrate.ts';

export const defaultTestDatabaseUrl = 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

export function adminUrl(): string {
  return process.env.TEST_DATABASE_URL || defaultTestDatabaseUrl;
}

/** The two roles of the test set-up (cluster-wide, made once per server): name and password alike. */
export const testRoles = { owner: 'custodian_owner', app: 'custodian_app' } as const;

export interface TestDatabase {
  /** The database as the application role. */
  url: string;
  /** A pool on it: as the application role once migrated; as the owner for `migrated: false`. */
  sql: Sql;
  /** The database as its owner, the role the migrations run as. */
  ownerUrl: string;
  /** The database as the server's superuser (TEST_DATABASE_URL's user), for tampering tests. */
  superuserUrl: string;
  drop(): Promise<void>;
}

const DUPLICATE_OBJECT = '42710';
const UNIQUE_VIOLATION = '23505';

/** Makes the two login roles when the server lacks them; suites starting together may race here. */
async function ensureTestRoles(admin: Sql): Promise<void> {
  for (const role of Object.values(testRoles)) {
    const [found] = await admin`select 1 from pg_roles where rolname = ${role}`;
    if (found) continue;
    await admin.unsafe(`create role ${role} login password '${role}'`).catch((error: { code?: string }) => {
      if (error.code !== DUPLICATE_OBJECT && error.code !== UNIQUE_VIOLATION) throw error;
    });
  }
}

function asRole(url: URL, role: string): string {
  const copy = new URL(url);
  copy.username = role;
  copy.password = role;
  return copy.toString();
}

export async function createTestDatabase(options: { migrated?: boolean; max?: number } = {}): Promise<TestDatabase> {
  const name = `custodian_test_${randomBytes(6).toString('hex')}`;
  const admin = connect(adminUrl(), { max: 1 });
  await ensureTestRoles(admin);
  await admin.unsafe(`create database ${name} owner ${testRoles.owner}`);
  const superuser = new URL(adminUrl());
  superuser.pathname = `/${name}`;
  const ownerUrl = asRole(superuser, testRoles.owner);
  const appUrl = asRole(superuser, testRoles.app);
  if (options.migrated !== false) {
    const owner = connect(ownerUrl, { max: 1 });
    try {
      await migrate(owner);
    } finally {
      await owner.end({ timeout: 5 });
    }
  }
  const sql = connect(options.migrated === false ? ownerUrl : appUrl, { max: options.max ?? 5 });
  return {
    url: appUrl,
    sql,
    ownerUrl,
    superuserUrl: superuser.toString(),
    async drop() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}
