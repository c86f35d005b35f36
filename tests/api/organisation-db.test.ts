import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../platform/db/client.ts';
import {
  departmentManagers,
  deputyGmInCharge,
  executives,
  findUser,
  loadDemoOrganisation,
  usersWithRole,
} from '../../platform/organisation/sql.ts';
import { demoOrganisation } from '../../platform/organisation/model.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

let db: TestDatabase;
let sql: Sql;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = db.sql;
  await loadDemoOrganisation(sql);
});

afterAll(async () => {
  await db?.drop();
});

const ids = (users: { id: string }[]) => users.map((u) => u.id);

async function snapshot() {
  return {
    departments: await sql`select * from departments order by id`,
    users: await sql`select id, display_name, display_name_zh, department_id, active, left_at, created_at, xmin::text from users order by id`,
    roles: await sql`select user_id, role, department_id, xmin::text from user_roles order by user_id, role, department_id`,
    oversight: await sql`select department_id, deputy_gm_id, xmin::text from department_oversight order by department_id`,
  };
}

describe('demo organisation in PostgreSQL', () => {
  it('finds a user with department names and roles', async () => {
    expect(await findUser(sql, 'hr-manager')).toEqual({
      id: 'hr-manager',
      displayName: 'HR Manager',
      displayNameZh: '人力资源部经理',
      departmentId: 'hr',
      departmentName: 'HR',
      departmentNameZh: '人力资源部',
      active: true,
      roles: [
        { role: 'department_manager', departmentId: 'hr' },
        { role: 'hr', departmentId: null },
      ],
    });
    expect(await findUser(sql, 'nobody')).toBeUndefined();
  });

  it('the Department Manager of Finance is finance-manager', async () => {
    expect(ids(await departmentManagers(sql, 'finance'))).toEqual(['finance-manager']);
    expect(ids(await departmentManagers(sql, 'sales-floor'))).toEqual(['floor-manager']);
    expect(ids(await departmentManagers(sql, 'hr'))).toEqual(['hr-manager']);
  });

  it('the Deputy GM in charge of Business Dept is dgm-sales, of Finance dgm-admin', async () => {
    expect((await deputyGmInCharge(sql, 'business'))?.id).toBe('dgm-sales');
    expect((await deputyGmInCharge(sql, 'finance'))?.id).toBe('dgm-admin');
    expect((await deputyGmInCharge(sql, 'gm-office'))?.id).toBe('dgm-admin');
    expect(await deputyGmInCharge(sql, 'no-such-department')).toBeUndefined();
  });

  it('BOR-1 executives are the GM, Deputy GMs, Directors and the Office Director', async () => {
    const found = ids(await executives(sql));
    expect(found).toEqual(['dgm-admin', 'dgm-sales', 'finance-director', 'gm', 'marketing-director', 'office-director']);
    expect(found).not.toContain('archivist');
  });

  it('finds holders of a role, in a department through a departmental grant or their own department', async () => {
    expect(ids(await usersWithRole(sql, 'archivist'))).toEqual(['archivist']);
    expect(ids(await usersWithRole(sql, 'salesperson'))).toEqual(['biz-sales-1', 'biz-sales-2', 'expansion-sales-1', 'floor-sales-1', 'floor-sales-2', 'market-sales-1']);
    expect(ids(await usersWithRole(sql, 'salesperson', 'business'))).toEqual(['biz-sales-1', 'biz-sales-2']);
    expect(ids(await usersWithRole(sql, 'showroom_manager', 'sales-floor'))).toEqual(['floor-manager']);
    expect(ids(await usersWithRole(sql, 'department_manager', 'marketing'))).toEqual([]);
  });

  it('leaves inactive users out of every look-up, but findUser still knows them', async () => {
    await sql`update users set active = false, left_at = now() where id in ('biz-sales-2', 'dgm-sales', 'finance-manager')`;
    try {
      expect(ids(await usersWithRole(sql, 'salesperson', 'business'))).toEqual(['biz-sales-1']);
      expect(await deputyGmInCharge(sql, 'business')).toBeUndefined();
      expect(await departmentManagers(sql, 'finance')).toEqual([]);
      expect(ids(await executives(sql))).not.toContain('dgm-sales');
      expect((await findUser(sql, 'biz-sales-2'))?.active).toBe(false);
    } finally {
      await sql`update users set active = true, left_at = null where id in ('biz-sales-2', 'dgm-sales', 'finance-manager')`;
    }
  });

  it('loading the demo organisation twice changes nothing', async () => {
    const before = await snapshot();
    const again = await loadDemoOrganisation(sql);
    expect(again).toEqual({ departments: 8, users: 21, roleGrants: 23, oversight: 8, changed: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it('loading again restores what was changed, and keeps what is not part of the demo', async () => {
    await sql`insert into departments (id, name, name_zh) values ('export', 'Export Dept', '出口部')`;
    await sql`insert into users (id, display_name, display_name_zh, department_id) values ('export-manager', 'Export Manager', '出口部经理', 'export')`;
    await sql`insert into user_roles (user_id, role, department_id) values ('export-manager', 'department_manager', 'export')`;
    await sql`update users set active = false, display_name_zh = '改' where id = 'archivist'`;
    await sql`insert into user_roles (user_id, role, department_id) values ('finance-clerk', 'archivist', null)`;
    await sql`delete from user_roles where user_id = 'gm'`;
    await sql`update department_oversight set deputy_gm_id = 'dgm-admin' where department_id = 'market'`;

    const result = await loadDemoOrganisation(sql);
    expect(result.changed).toBe(4);
    expect(await findUser(sql, 'archivist')).toMatchObject({ active: true, displayNameZh: '档案管理员' });
    expect((await findUser(sql, 'finance-clerk'))?.roles).toEqual([{ role: 'staff', departmentId: null }]);
    expect((await findUser(sql, 'gm'))?.roles).toEqual([{ role: 'gm', departmentId: null }]);
    expect((await deputyGmInCharge(sql, 'market'))?.id).toBe('dgm-sales');
    expect(ids(await departmentManagers(sql, 'export'))).toEqual(['export-manager']);
  });

  it('stores each role grant once, and a Department Manager only for a department', async () => {
    await expect(sql`insert into user_roles (user_id, role, department_id) values ('gm', 'gm', null)`).rejects.toMatchObject({
      code: '23505',
    });
    await expect(
      sql`insert into user_roles (user_id, role, department_id) values ('finance-manager', 'department_manager', 'finance')`,
    ).rejects.toMatchObject({ code: '23505' });
    await expect(
      sql`insert into user_roles (user_id, role, department_id) values ('finance-clerk', 'department_manager', null)`,
    ).rejects.toMatchObject({ code: '23514' });
    await expect(sql`insert into user_roles (user_id, role, department_id) values ('gm', 'janitor', null)`).rejects.toMatchObject({
      code: '23514',
    });
  });

  it('holds as many role grants as the demo data lists', async () => {
    const grants = demoOrganisation.users.reduce((sum, u) => sum + u.roles.length, 0);
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from user_roles where user_id in ${sql(demoOrganisation.users.map((u) => u.id))}`;
    expect(row?.n).toBe(grants);
  });
});
