// Organisation administration (issue 21): who administers the organisation, and what a change to
// it is. Pure: no I/O. The SQL is in db/organisation-admin.ts, the routes in
// api/routes/organisation.ts.
import { departmentScopedRoles, type Role, type RoleGrant, type User } from '../../platform/organisation/model.ts';

/**
 * [interpretation] The policies name no one who keeps the staff list: by default the Office
 * Director (who runs the GM Office and the archive) and HR administer the organisation. A
 * setting (ORGANISATION_ADMIN_ROLES) changes the set.
 */
export const defaultAdministratorRoles: readonly Role[] = ['office_director', 'hr'];

export function isAdministrator(user: Pick<User, 'roles' | 'active'>, administratorRoles: readonly Role[]): boolean {
  return user.active && user.roles.some((grant) => administratorRoles.includes(grant.role));
}

/** A role grant as it is stored: a Department Manager names the department, every other role none. */
export function grantProblem(grant: RoleGrant): string | undefined {
  const scoped = departmentScopedRoles.includes(grant.role);
  if (scoped && grant.departmentId === null) return `${grant.role} is held for a department: name it`;
  if (!scoped && grant.departmentId !== null) return `${grant.role} is held in general: leave the department out`;
  return undefined;
}

export function grantKey(grant: RoleGrant): string {
  return `${grant.role}@${grant.departmentId ?? ''}`;
}

/** What turning `before` into `after` gives and takes. */
export function grantChanges(before: readonly RoleGrant[], after: readonly RoleGrant[]): { granted: RoleGrant[]; revoked: RoleGrant[] } {
  const had = new Set(before.map(grantKey));
  const has = new Set(after.map(grantKey));
  return { granted: after.filter((g) => !had.has(grantKey(g))), revoked: before.filter((g) => !has.has(grantKey(g))) };
}
