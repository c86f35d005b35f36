// Each suite gets a fresh database on the real PostgreSQL server named by TEST_DATABASE_URL,
// migrated from scratch, and drops it afterwards.
import { randomBytes } from 'node:crypto';
import { connect, type Sql } from '../../platform/db/client.ts';
import { migrate } from '../../platform/db/migrate.ts';

export const defaultTestDatabaseUrl = 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

export function adminUrl(): string {
  return process.env.TEST_DATABASE_URL || defaultTestDatabaseUrl;
}

export interface TestDatabase {
  url: string;
  sql: Sql;
  drop(): Promise<void>;
}

export async function createTestDatabase(options: { migrated?: boolean; max?: number } = {}): Promise<TestDatabase> {
  const name = `custodian_test_${randomBytes(6).toString('hex')}`;
  const admin = connect(adminUrl(), { max: 1 });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const sql = connect(url.toString(), { max: options.max ?? 5 });
  if (options.migrated !== false) await migrate(sql);
  return {
    url: url.toString(),
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}
