// The organisation in PostgreSQL: loading the demo organisation, and the look-ups that
// resolve task candidates (a role, the manager of a department, the Deputy GM in charge of it).
import type { PendingQuery, Row, TransactionSql } from 'postgres';
import {
  demoOrganisation,
  executiveRoles,
  type Organisation,
  type Role,
  type User,
} from './model.ts';
import type { Queryable, Sql } from '../db/client.ts';

export interface LoadResult {
  departments: number;
  users: number;
  roleGrants: number;
  oversight: number;
  /** Rows inserted, updated or deleted: 0 when the database already held this organisation. */
  changed: number;
}

// Two launchers seeding one database at once take turns, so neither trips over the other's rows.
export const ORGANISATION_LOCK = 7_401_203;

/**
 * Makes the database hold the demo organisation (or another one given as data): departments,
 * users, their roles and the Deputy GMs' charges are inserted or corrected in place. Rows that
 * already match are left untouched, so loading twice changes nothing. Users and departments
 * outside the data are kept; the roles of the users in the data are made exactly those listed.
 */
export async function loadDemoOrganisation(sql: Sql, organisation: Organisation = demoOrganisation): Promise<LoadResult> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${ORGANISATION_LOCK})`;
    let changed = 0;

    const departments = organisation.departments.map((d) => ({ id: d.id, name: d.name, name_zh: d.nameZh }));
    changed += (
      await tx`
        insert into departments ${tx(departments, 'id', 'name', 'name_zh')}
        on conflict (id) do update set name = excluded.name, name_zh = excluded.name_zh
        where (departments.name, departments.name_zh) is distinct from (excluded.name, excluded.name_zh)`
    ).count;

    // A demo user who was deactivated comes back active: loading restores the demo as written.
    const users = organisation.users.map((u) => ({
      id: u.id,
      display_name: u.displayName,
      display_name_zh: u.displayNameZh,
      department_id: u.departmentId,
      active: true,
      left_at: null,
    }));
    changed += (
      await tx`
        insert into users ${tx(users, 'id', 'display_name', 'display_name_zh', 'department_id', 'active', 'left_at')}
        on conflict (id) do update set
          display_name = excluded.display_name, display_name_zh = excluded.display_name_zh,
          department_id = excluded.department_id, active = excluded.active, left_at = excluded.left_at
        where (users.display_name, users.display_name_zh, users.department_id, users.active, users.left_at)
          is distinct from
          (excluded.display_name, excluded.display_name_zh, excluded.department_id, excluded.active, excluded.left_at)`
    ).count;

    changed += await syncRoles(tx, organisation);

    const oversight = organisation.oversight.map((o) => ({ department_id: o.departmentId, deputy_gm_id: o.deputyGmId }));
    changed += (
      await tx`
        insert into department_oversight ${tx(oversight, 'department_id', 'deputy_gm_id')}
        on conflict (department_id) do update set deputy_gm_id = excluded.deputy_gm_id
        where department_oversight.deputy_gm_id is distinct from excluded.deputy_gm_id`
    ).count;

    return {
      departments: departments.length,
      users: users.length,
      roleGrants: organisation.users.reduce((sum, u) => sum + u.roles.length, 0),
      oversight: oversight.length,
      changed,
    };
  });
}

function grantKey(userId: string, grant: { role: string; departmentId: string | null }): string {
  return JSON.stringify([userId, grant.role, grant.departmentId]);
}

/** Makes the listed users' roles exactly those in the data; returns the rows inserted or deleted. */
async function syncRoles(tx: TransactionSql, organisation: Organisation): Promise<number> {
  const userIds = organisation.users.map((u) => u.id);
  const wanted = new Map(
    organisation.users.flatMap((u) => u.roles.map((grant) => [grantKey(u.id, grant), { userId: u.id, ...grant }] as const)),
  );
  const held = await tx<{ userId: string; role: string; departmentId: string | null }[]>`
    select user_id as "userId", role, department_id as "departmentId"
    from user_roles where user_id in ${tx(userIds)}`;
  const heldKeys = new Set(held.map((row) => grantKey(row.userId, row)));

  let changed = 0;
  for (const row of held) {
    if (wanted.has(grantKey(row.userId, row))) continue;
    changed += (
      await tx`
        delete from user_roles
        where user_id = ${row.userId} and role = ${row.role} and department_id is not distinct from ${row.departmentId}`
    ).count;
  }
  const missing = [...wanted].filter(([key]) => !heldKeys.has(key)).map(([, grant]) => grant);
  if (missing.length > 0) {
    const rows = missing.map((grant) => ({ user_id: grant.userId, role: grant.role, department_id: grant.departmentId }));
    changed += (await tx`insert into user_roles ${tx(rows, 'user_id', 'role', 'department_id')}`).count;
  }
  return changed;
}

/** Users matching a condition on `u` (users) with their department and all their roles, by id. */
function selectUsers(sql: Queryable, where: PendingQuery<Row[]>) {
  // The columns are named and shaped as the domain's User.
  return sql<User[]>`
    select u.id, u.display_name as "displayName", u.display_name_zh as "displayNameZh",
      u.department_id as "departmentId", d.name as "departmentName", d.name_zh as "departmentNameZh",
      u.active,
      coalesce(
        (select json_agg(json_build_object('role', r.role, 'departmentId', r.department_id)
                         order by r.role, r.department_id nulls first)
         from user_roles r where r.user_id = u.id),
        '[]'::json) as roles
    from users u
    join departments d on d.id = u.department_id
    where ${where}
    order by u.id`;
}

/** A user by id, active or not; undefined when there is no such user. */
export async function findUser(sql: Queryable, id: string): Promise<User | undefined> {
  const [user] = await selectUsers(sql, sql`u.id = ${id}`);
  return user;
}

/** Every user, active or not, by id. */
export async function listUsers(sql: Queryable): Promise<User[]> {
  return selectUsers(sql, sql`true`);
}

/**
 * Active users holding a role. With a department: those holding it for that department, and
 * those holding it in general whose own department it is (the salespeople of Business Dept).
 */
export async function usersWithRole(sql: Queryable, role: Role, departmentId?: string): Promise<User[]> {
  const inDepartment = departmentId === undefined ? sql`true` : sql`coalesce(r.department_id, u.department_id) = ${departmentId}`;
  return selectUsers(
    sql,
    sql`u.active and exists (select 1 from user_roles r where r.user_id = u.id and r.role = ${role} and ${inDepartment})`,
  );
}

/** The active Department Managers of a department (BOR-2: they apply for their staff). */
export async function departmentManagers(sql: Queryable, departmentId: string): Promise<User[]> {
  return usersWithRole(sql, 'department_manager', departmentId);
}

/**
 * The Deputy GM in charge 分管 of a department, when there is one and they are active; an
 * inactive one is no candidate, and the caller's empty-candidate policy decides what follows.
 */
export async function deputyGmInCharge(sql: Queryable, departmentId: string): Promise<User | undefined> {
  const [user] = await selectUsers(
    sql,
    sql`u.active and u.id = (select o.deputy_gm_id from department_oversight o where o.department_id = ${departmentId})`,
  );
  return user;
}

/** BOR-1: the active GM, Deputy GMs, Directors and Office Director. */
export async function executives(sql: Queryable): Promise<User[]> {
  return selectUsers(
    sql,
    sql`u.active and exists (select 1 from user_roles r where r.user_id = u.id and r.role in ${sql([...executiveRoles])})`,
  );
}
