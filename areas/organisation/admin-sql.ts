// Organisation administration in PostgreSQL (issue 21): users, departments, role grants and the
// Deputy GMs' charges changed by an administrator, each change audited with who made it, and the
// running instances whose open tasks it may concern told through the process outbox, in the
// same transaction: they find their candidates again (workflows/engine/user-tasks.ts).
import { randomUUID } from 'node:crypto';
import type { Department, RoleGrant } from '../../platform/organisation/model.ts';
import { insertAudit } from '../../platform/db/audit.ts';
import type { Queryable, Sql, TransactionSql } from '../../platform/db/client.ts';
import { ORGANISATION_LOCK } from '../../platform/organisation/sql.ts';
import { enqueueCandidatesChange } from '../../engine/sql/outbox.ts';

export interface OrganisationChange {
  /** The audit event, e.g. `organisation.roles_changed`. */
  event: string;
  detail: Record<string, unknown>;
  /** Candidate roles (domain/process/candidates.ts) whose holders the change may alter. */
  roles: string[];
  /** Users who may have become, or stopped being, candidates. */
  userIds: string[];
}

export interface CommittedChange {
  changeId: string;
  /** The instances told to find their open tasks' candidates again. */
  processIds: string[];
}

/**
 * Runs one change in a transaction, audits it as `actorId`'s, and queues a `candidates` command
 * for every instance with an open task the change may concern. The caller delivers the outbox
 * for `processIds` after the commit.
 */
export async function commitOrganisationChange(
  sql: Sql,
  actorId: string,
  apply: (tx: TransactionSql) => Promise<OrganisationChange>,
): Promise<CommittedChange> {
  const changeId = randomUUID();
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${ORGANISATION_LOCK})`;
    const change = await apply(tx);
    await insertAudit(tx, [{ key: `organisation:${changeId}`, at: Date.now(), processId: null, event: change.event, actorId, detail: { changeId, ...change.detail } }]);
    const processIds = await instancesConcerned(tx, change);
    await enqueueCandidatesChange(tx, processIds, { changeId, actorId, reason: change.event });
    return { changeId, processIds };
  });
}

/**
 * Instances with an open task whose candidates include one of `userIds`, or whose node names one
 * of `roles` in its candidate rule (fallbacks included) or in its escalation.
 */
export async function instancesConcerned(tx: Queryable, change: Pick<OrganisationChange, 'roles' | 'userIds'>): Promise<string[]> {
  const rows = await tx<{ processId: string }[]>`
    select distinct t.process_id as "processId"
    from tasks t
    join process_instances p on p.id = t.process_id
    join process_definitions d on d.key = p.definition_key and d.version = p.definition_version
    cross join lateral jsonb_path_query(d.definition, '$.nodes[*] ? (@.id == $node)', jsonb_build_object('node', t.node_id)) as n(node)
    where t.state = 'open'
      and (t.candidate_ids && ${change.userIds}::text[]
        or exists (
          select 1 from unnest(${change.roles}::text[]) as r(role)
          where jsonb_path_exists(jsonb_build_array(n.node->'candidates', n.node->'escalation'), '$.** ? (@.role == $role)', jsonb_build_object('role', r.role))))
    order by 1`;
  return rows.map((row) => row.processId);
}

// ------------------------------------------------------------------ reads

export interface DepartmentView extends Department {
  managerIds: string[];
  deputyGmInChargeId: string | null;
}

export async function listDepartments(sql: Queryable): Promise<DepartmentView[]> {
  return sql<DepartmentView[]>`
    select d.id, d.name, d.name_zh as "nameZh",
      coalesce((select array_agg(r.user_id order by r.user_id) from user_roles r join users u on u.id = r.user_id
                where r.role = 'department_manager' and r.department_id = d.id and u.active), '{}') as "managerIds",
      o.deputy_gm_id as "deputyGmInChargeId"
    from departments d left join department_oversight o on o.department_id = d.id
    order by d.id`;
}

export async function departmentExists(sql: Queryable, id: string): Promise<boolean> {
  const [row] = await sql<{ found: boolean }[]>`select exists (select 1 from departments where id = ${id}) as found`;
  return row!.found;
}

/** The users holding a role (for a department, when it is held for one), active or not. */
export async function roleHolders(sql: Queryable, role: string, departmentId: string | null): Promise<string[]> {
  const rows = await sql<{ userId: string }[]>`
    select user_id as "userId" from user_roles
    where role = ${role} and department_id is not distinct from ${departmentId}
    order by user_id`;
  return rows.map((row) => row.userId);
}

/** How many customers a user owns (SEC-5: a salesperson's departure reassigns them). */
export async function customersOwnedBy(sql: Queryable, userId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from customers where owner_id = ${userId}`;
  return row!.n;
}

// ------------------------------------------------------------------ writes

export async function insertUser(
  tx: TransactionSql,
  user: { id: string; displayName: string; displayNameZh: string; departmentId: string },
): Promise<void> {
  await tx`
    insert into users (id, display_name, display_name_zh, department_id)
    values (${user.id}, ${user.displayName}, ${user.displayNameZh}, ${user.departmentId})`;
}

export async function updateUser(
  tx: TransactionSql,
  id: string,
  changes: { displayName?: string | undefined; displayNameZh?: string | undefined; departmentId?: string | undefined },
): Promise<void> {
  await tx`
    update users set
      display_name = coalesce(${changes.displayName ?? null}, display_name),
      display_name_zh = coalesce(${changes.displayNameZh ?? null}, display_name_zh),
      department_id = coalesce(${changes.departmentId ?? null}, department_id)
    where id = ${id}`;
}

export async function deactivateUser(tx: TransactionSql, id: string, at: Date): Promise<void> {
  await tx`update users set active = false, left_at = ${at} where id = ${id}`;
}

export async function grantRoles(tx: TransactionSql, userId: string, grants: readonly RoleGrant[]): Promise<void> {
  for (const grant of grants) {
    await tx`insert into user_roles (user_id, role, department_id) values (${userId}, ${grant.role}, ${grant.departmentId})`;
  }
}

export async function revokeRoles(tx: TransactionSql, userId: string, grants: readonly RoleGrant[]): Promise<void> {
  for (const grant of grants) {
    await tx`delete from user_roles where user_id = ${userId} and role = ${grant.role} and department_id is not distinct from ${grant.departmentId}`;
  }
}

export async function upsertDepartment(tx: TransactionSql, department: Department): Promise<void> {
  await tx`
    insert into departments (id, name, name_zh) values (${department.id}, ${department.name}, ${department.nameZh})
    on conflict (id) do update set name = excluded.name, name_zh = excluded.name_zh`;
}

export async function setOversight(tx: TransactionSql, departmentId: string, deputyGmId: string | null): Promise<string | null> {
  const [previous] = await tx<{ deputyGmId: string }[]>`select deputy_gm_id as "deputyGmId" from department_oversight where department_id = ${departmentId}`;
  if (deputyGmId === null) await tx`delete from department_oversight where department_id = ${departmentId}`;
  else {
    await tx`
      insert into department_oversight (department_id, deputy_gm_id) values (${departmentId}, ${deputyGmId})
      on conflict (department_id) do update set deputy_gm_id = excluded.deputy_gm_id`;
  }
  return previous?.deputyGmId ?? null;
}
