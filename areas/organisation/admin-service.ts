// The organisation administration's application service (issue 21): who may administer, the
// checks each change must pass (SEC-5 among them), and the changes themselves. It is the only code
// that opens their transactions and queues their outbox commands (commitOrganisationChange); what
// it queued is delivered after the commit. The routes (admin-routes.ts) parse, call and map.
import type { Sql, TransactionSql } from '../../platform/db/client.ts';
import {
  commitOrganisationChange,
  customersOwnedBy,
  deactivateUser,
  departmentExists,
  grantRoles,
  insertUser,
  listDepartments,
  revokeRoles,
  roleHolders,
  setOversight,
  updateUser,
  upsertDepartment,
  type CommittedChange,
  type DepartmentView,
  type OrganisationChange,
} from './admin-sql.ts';
import { findUser, listUsers } from '../../platform/organisation/sql.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import { defaultAdministratorRoles, grantChanges, grantProblem, isAdministrator } from './admin-rules.ts';
import type { Department, Role, RoleGrant, User } from '../../platform/organisation/model.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';

export type { CommittedChange, DepartmentView } from './admin-sql.ts';

export interface NewUser {
  id: string;
  displayName: string;
  displayNameZh: string;
  departmentId: string;
  roles: RoleGrant[];
}

export interface UserPatch {
  displayName?: string | undefined;
  displayNameZh?: string | undefined;
  departmentId?: string | undefined;
}

/** The roles a user's grants make them a candidate for: a Deputy GM is also the one in charge of departments. */
function candidateRolesOf(grants: readonly RoleGrant[]): string[] {
  return [...new Set(grants.flatMap((g) => (g.role === 'deputy_gm' ? [g.role, 'deputy_gm_in_charge'] : [g.role])))];
}

export function organisationAdminService(deps: { sql: Sql; outbox: ProcessOutbox; administratorRoles?: readonly Role[] }) {
  const { sql, outbox } = deps;
  const administratorRoles = deps.administratorRoles ?? defaultAdministratorRoles;

  /** Only the organisation's administrators (ORGANISATION_ADMIN_ROLES) change it. */
  function requireAdministrator(user: User): void {
    if (!isAdministrator(user, administratorRoles)) {
      throw new Forbidden('NOT_AN_ADMINISTRATOR', `The organisation is administered by ${administratorRoles.join(', ')}.`);
    }
  }

  const existingUser = async (id: string): Promise<User> => {
    const user = await findUser(sql, id);
    if (!user) throw new NotFound('USER_NOT_FOUND', `No user ${id}.`);
    return user;
  };
  const requireDepartment = async (id: string, path: string): Promise<void> => {
    if (!(await departmentExists(sql, id))) {
      throw new PolicyViolation('UNKNOWN_DEPARTMENT', undefined, `No department ${id}.`, [{ path, message: 'no such department' }]);
    }
  };
  const existingDepartment = async (id: string): Promise<void> => {
    if (!(await departmentExists(sql, id))) throw new NotFound('DEPARTMENT_NOT_FOUND', `No department ${id}.`);
  };
  const department = async (id: string): Promise<DepartmentView> => (await listDepartments(sql)).find((d) => d.id === id)!;
  /** The departments role grants name must exist. */
  const requireGrantDepartments = async (grants: readonly RoleGrant[]): Promise<void> => {
    for (const [index, grant] of grants.entries()) if (grant.departmentId !== null) await requireDepartment(grant.departmentId, `roles.${index}.departmentId`);
  };
  /** SEC-5: a salesperson's customers are reassigned before they stop being a salesperson of their department. */
  const requireNoCustomers = async (user: User, change: string): Promise<void> => {
    const owned = await customersOwnedBy(sql, user.id);
    if (owned > 0) {
      throw new StateConflict('CUSTOMERS_HELD', `${user.id} owns ${owned} customer(s): have them reassigned before ${change}.`, 'SEC-5');
    }
  };
  const requireActive = (user: User): void => {
    if (!user.active) throw new StateConflict('USER_INACTIVE', `${user.id} is inactive: roles are given to active users.`);
  };
  /** Commits the change and delivers what it queued for the instances it concerns. */
  const commit = async (actor: User, apply: (tx: TransactionSql) => Promise<OrganisationChange>): Promise<CommittedChange> => {
    const change = await commitOrganisationChange(sql, actor.id, apply);
    // Temporal away: the commands wait in the outbox and reach the instances once it answers.
    if (change.processIds.length > 0) await outbox.deliver(change.processIds);
    return change;
  };
  /** A change to one user, and the user as it left them. */
  const userChange = async (actor: User, userId: string, apply: (tx: TransactionSql) => Promise<OrganisationChange>) => {
    const change = await commit(actor, apply);
    return { change, user: await existingUser(userId) };
  };
  /** A change to one department, and the department as it left it. */
  const departmentChange = async (actor: User, id: string, apply: (tx: TransactionSql) => Promise<OrganisationChange>) => {
    const change = await commit(actor, apply);
    return { change, department: await department(id) };
  };

  /** The departments and the users with their roles. */
  async function organisation(): Promise<{ departments: DepartmentView[]; users: User[] }> {
    return { departments: await listDepartments(sql), users: await listUsers(sql) };
  }

  async function addUser(actor: User, input: NewUser) {
    if (await findUser(sql, input.id)) throw new StateConflict('USER_EXISTS', `There is already a user ${input.id}.`);
    await requireDepartment(input.departmentId, 'departmentId');
    await requireGrantDepartments(input.roles);
    return userChange(actor, input.id, async (tx) => {
      await insertUser(tx, input);
      await grantRoles(tx, input.id, input.roles);
      return {
        event: 'organisation.user_created',
        detail: { userId: input.id, departmentId: input.departmentId, roles: input.roles },
        roles: candidateRolesOf(input.roles),
        userIds: [input.id],
      };
    });
  }

  async function changeUser(actor: User, userId: string, patch: UserPatch) {
    const user = await existingUser(userId);
    if (patch.departmentId !== undefined) await requireDepartment(patch.departmentId, 'departmentId');
    const moved = patch.departmentId !== undefined && patch.departmentId !== user.departmentId;
    if (moved) await requireNoCustomers(user, 'they move to another department');
    return userChange(actor, user.id, async (tx) => {
      await updateUser(tx, user.id, patch);
      return {
        event: 'organisation.user_changed',
        detail: { userId: user.id, ...patch, ...(moved ? { fromDepartmentId: user.departmentId } : {}) },
        // A user's general roles are exercised in their own department: a move changes who holds them there.
        roles: moved ? candidateRolesOf(user.roles) : [],
        userIds: moved ? [user.id] : [],
      };
    });
  }

  /** SEC-5: a salesperson who still owns customers leaves through the departure process instead. */
  async function deactivate(actor: User, userId: string) {
    const user = await existingUser(userId);
    if (!user.active) throw new StateConflict('USER_INACTIVE', `${user.id} is already inactive.`);
    const owned = await customersOwnedBy(sql, user.id);
    if (owned > 0) {
      throw new StateConflict(
        'DEPARTURE_REQUIRED',
        `${user.id} owns ${owned} customer(s): report the departure (POST /api/v1/users/${user.id}/departure) so their Department Manager reassigns them first.`,
        'SEC-5',
      );
    }
    return userChange(actor, user.id, async (tx) => {
      await deactivateUser(tx, user.id, new Date());
      return { event: 'organisation.user_deactivated', detail: { userId: user.id }, roles: [], userIds: [user.id] };
    });
  }

  /** A user's roles made exactly `after`. */
  async function setRoles(actor: User, userId: string, after: readonly RoleGrant[]) {
    const user = await existingUser(userId);
    requireActive(user);
    await requireGrantDepartments(after);
    const { granted, revoked } = grantChanges(user.roles, after);
    if (revoked.some((g) => g.role === 'salesperson')) await requireNoCustomers(user, 'the salesperson role is taken');
    return userChange(actor, user.id, async (tx) => {
      await revokeRoles(tx, user.id, revoked);
      await grantRoles(tx, user.id, granted);
      return { event: 'organisation.roles_changed', detail: { userId: user.id, granted, revoked }, roles: candidateRolesOf([...granted, ...revoked]), userIds: [user.id] };
    });
  }

  /** Exactly `userIds` hold the role (for `departmentId`, for department_manager). */
  async function appoint(actor: User, grant: RoleGrant, holders: readonly string[]) {
    const { role, departmentId } = grant;
    const userIds = [...new Set(holders)];
    const problem = grantProblem(grant);
    if (problem) throw new PolicyViolation('INVALID_ROLE_GRANT', undefined, problem, [{ path: 'departmentId', message: problem }]);
    if (departmentId !== null) await requireDepartment(departmentId, 'departmentId');
    for (const id of userIds) requireActive(await existingUser(id));
    if (role === 'salesperson') {
      for (const id of await roleHolders(sql, role, departmentId)) if (!userIds.includes(id)) await requireNoCustomers(await existingUser(id), 'the salesperson role is taken');
    }
    const change = await commit(actor, async (tx) => {
      const before = await roleHolders(tx, role, departmentId);
      const granted = userIds.filter((id) => !before.includes(id));
      const revoked = before.filter((id) => !userIds.includes(id));
      for (const id of revoked) await revokeRoles(tx, id, [grant]);
      for (const id of granted) await grantRoles(tx, id, [grant]);
      return { event: 'organisation.role_holders_changed', detail: { role, departmentId, granted, revoked }, roles: candidateRolesOf([grant]), userIds: [...granted, ...revoked] };
    });
    return { change, holderIds: [...userIds].sort() };
  }

  async function addDepartment(actor: User, input: Department) {
    if (await departmentExists(sql, input.id)) throw new StateConflict('DEPARTMENT_EXISTS', `There is already a department ${input.id}.`);
    return departmentChange(actor, input.id, async (tx) => {
      await upsertDepartment(tx, input);
      return { event: 'organisation.department_created', detail: { ...input }, roles: [], userIds: [] };
    });
  }

  async function renameDepartment(actor: User, id: string, names: { name: string; nameZh: string }) {
    await existingDepartment(id);
    return departmentChange(actor, id, async (tx) => {
      await upsertDepartment(tx, { id, ...names });
      return { event: 'organisation.department_renamed', detail: { id, ...names }, roles: [], userIds: [] };
    });
  }

  /** The Deputy GM in charge 分管 of a department: an active Deputy GM, or none. */
  async function nameDeputyGm(actor: User, id: string, deputyGmId: string | null) {
    await existingDepartment(id);
    if (deputyGmId !== null) {
      const deputy = await existingUser(deputyGmId);
      if (!deputy.active || !deputy.roles.some((g) => g.role === 'deputy_gm')) {
        throw new PolicyViolation('NOT_A_DEPUTY_GM', undefined, `${deputyGmId} is not an active Deputy GM.`, [{ path: 'deputyGmId', message: 'not an active Deputy GM' }]);
      }
    }
    return departmentChange(actor, id, async (tx) => {
      const previous = await setOversight(tx, id, deputyGmId);
      return {
        event: 'organisation.oversight_changed',
        detail: { departmentId: id, deputyGmId, previousDeputyGmId: previous },
        roles: ['deputy_gm_in_charge'],
        userIds: [previous, deputyGmId].filter((u): u is string => u !== null),
      };
    });
  }

  return { requireAdministrator, organisation, addUser, changeUser, deactivate, setRoles, appoint, addDepartment, renameDepartment, nameDeputyGm };
}

export type OrganisationAdminService = ReturnType<typeof organisationAdminService>;
