// Organisation administration (issue 21): an administrator (ORGANISATION_ADMIN_ROLES, by default
// the Office Director and HR) adds and deactivates users, moves them, gives and takes roles,
// names departments and the Deputy GM in charge 分管 of each. Every change is audited with who
// made it, and reaches the open tasks it concerns: their instances find their candidates again.
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../platform/db/client.ts';
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
  type OrganisationChange,
} from './admin-sql.ts';
import { findUser, listUsers } from '../../platform/organisation/sql.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import { defaultAdministratorRoles, grantChanges, grantProblem, isAdministrator } from './admin-rules.ts';
import { roleLabels, roles, type Role, type RoleGrant, type User } from '../../platform/organisation/model.ts';
import type { MiddlewareHandler } from 'hono';
import { requireUser, type AuthEnv, type Authenticator } from '../../platform/http/auth.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import { createRouter } from '../../platform/http/router.ts';
import { idParam, identifier, invalidInput, unauthorized } from '../../platform/http/schemas.ts';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

const displayName = z.string().trim().min(1).max(200);

const roleGrantInput = z
  .object({
    role: z.enum(roles),
    departmentId: identifier().nullable().default(null).openapi({ description: 'Only for department_manager: the department managed.' }),
  })
  .strict()
  .superRefine((grant, context) => {
    const problem = grantProblem(grant);
    if (problem) context.addIssue({ code: 'custom', message: problem, path: ['departmentId'] });
  })
  .openapi('RoleGrantInput');

const rolesInput = z
  .array(roleGrantInput)
  .max(20)
  .superRefine((grants, context) => {
    const keys = grants.map((g) => `${g.role}@${g.departmentId ?? ''}`);
    if (new Set(keys).size !== keys.length) context.addIssue({ code: 'custom', message: 'a role is listed twice' });
  });

const userRequest = z
  .object({
    id: identifier(100).openapi({ example: 'office-director-2' }),
    displayName: displayName.openapi({ example: 'Wang Fang' }),
    displayNameZh: displayName.openapi({ example: '王芳' }),
    departmentId: identifier().openapi({ example: 'gm-office' }),
    roles: rolesInput.default([]),
  })
  .strict()
  .openapi('UserRequest');

const userPatch = z
  .object({ displayName: displayName.optional(), displayNameZh: displayName.optional(), departmentId: identifier().optional() })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change')
  .openapi('UserPatch');

const rolesRequest = z.object({ roles: rolesInput }).strict().openapi('UserRolesRequest');

const holdersRequest = z
  .object({
    userIds: z.array(identifier()).max(50).openapi({ example: ['office-director-2'] }),
    departmentId: identifier().nullable().default(null).openapi({ description: 'For department_manager: the department.' }),
  })
  .strict()
  .openapi('RoleHoldersRequest');

const departmentRequest = z
  .object({ id: identifier(100).openapi({ example: 'legal' }), name: displayName.openapi({ example: 'Legal' }), nameZh: displayName.openapi({ example: '法务部' }) })
  .strict()
  .openapi('DepartmentRequest');

const departmentPatch = z.object({ name: displayName, nameZh: displayName }).strict().openapi('DepartmentPatch');

const oversightRequest = z
  .object({ deputyGmId: identifier().nullable().openapi({ description: 'The Deputy GM in charge 分管; null for none.', example: 'dgm-admin' }) })
  .strict()
  .openapi('OversightRequest');

const roleGrantSchema = z.object({ role: z.enum(roles), departmentId: z.string().nullable(), label: z.string(), labelZh: z.string() });

const userSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    displayNameZh: z.string(),
    departmentId: z.string(),
    active: z.boolean(),
    roles: z.array(roleGrantSchema),
  })
  .openapi('OrganisationUser');

const departmentSchema = z
  .object({ id: z.string(), name: z.string(), nameZh: z.string(), managerIds: z.array(z.string()), deputyGmInChargeId: z.string().nullable() })
  .openapi('OrganisationDepartment');

const changeSchema = z
  .object({
    changeId: z.string().openapi({ description: 'The audit entry of the change (audit_log, event organisation.*).' }),
    reresolvedProcesses: z.array(z.string()).openapi({ description: 'Instances told to find their open tasks\' candidates again.' }),
  })
  .openapi('OrganisationChange');

const userChangeSchema = changeSchema.extend({ user: userSchema }).openapi('OrganisationUserChange');
const departmentChangeSchema = changeSchema.extend({ department: departmentSchema }).openapi('OrganisationDepartmentChange');

function userBody(user: User): z.infer<typeof userSchema> {
  return {
    id: user.id,
    displayName: user.displayName,
    displayNameZh: user.displayNameZh,
    departmentId: user.departmentId,
    active: user.active,
    roles: user.roles.map((g) => ({ ...g, label: roleLabels[g.role].en, labelZh: roleLabels[g.role].zh })),
  };
}

const changeBody = (change: CommittedChange) => ({ changeId: change.changeId, reresolvedProcesses: change.processIds });

/** The roles a user's grants make them a candidate for: a Deputy GM is also the one in charge of departments. */
function candidateRolesOf(grants: readonly RoleGrant[]): string[] {
  return [...new Set(grants.flatMap((g) => (g.role === 'deputy_gm' ? [g.role, 'deputy_gm_in_charge'] : [g.role])))];
}

const adminOnly = { description: 'NOT_AN_ADMINISTRATOR: only the organisation\'s administrators (ORGANISATION_ADMIN_ROLES) (problem+json)' };

export function organisationRoutes(deps: { sql: Sql; authenticator: Authenticator; outbox: ProcessOutbox; administratorRoles?: readonly Role[] }) {
  const { sql, outbox } = deps;
  const administratorRoles = deps.administratorRoles ?? defaultAdministratorRoles;
  const router = createRouter<AuthEnv>();
  const authenticated = requireUser(deps);
  const administrator: MiddlewareHandler<AuthEnv> = async (c, next) => {
    if (!isAdministrator(c.var.user, administratorRoles)) {
      throw new Forbidden('NOT_AN_ADMINISTRATOR', `The organisation is administered by ${administratorRoles.join(', ')}.`);
    }
    await next();
  };

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
  /** Commits the change and delivers what it queued for the instances it concerns. */
  const commit = async (actor: User, apply: Parameters<typeof commitOrganisationChange>[2]): Promise<CommittedChange> => {
    const change = await commitOrganisationChange(sql, actor.id, apply);
    // Temporal away: the commands wait in the outbox and reach the instances once it answers.
    if (change.processIds.length > 0) await outbox.deliver(change.processIds);
    return change;
  };
  /** A user's roles made exactly `after`. */
  const rolesChange = async (tx: Parameters<Parameters<typeof commitOrganisationChange>[2]>[0], user: User, after: readonly RoleGrant[]): Promise<OrganisationChange> => {
    const { granted, revoked } = grantChanges(user.roles, after);
    await revokeRoles(tx, user.id, revoked);
    await grantRoles(tx, user.id, granted);
    return {
      event: 'organisation.roles_changed',
      detail: { userId: user.id, granted, revoked },
      roles: candidateRolesOf([...granted, ...revoked]),
      userIds: [user.id],
    };
  };

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/organisation',
      tags: ['organisation'],
      summary: 'The organisation: departments (managers, Deputy GM in charge) and users with their roles',
      middleware: [authenticated, administrator] as const,
      responses: {
        200: { description: 'The organisation', ...json(z.object({ departments: z.array(departmentSchema), users: z.array(userSchema) }).openapi('Organisation')) },
        401: unauthorized,
        403: adminOnly,
      },
    }),
    async (c) => {
      return c.json({ departments: await listDepartments(sql), users: (await listUsers(sql)).map(userBody) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/organisation/users',
      tags: ['organisation'],
      summary: 'Add a user (an employee), with their department and roles',
      middleware: [authenticated, administrator] as const,
      request: { body: { required: true, ...json(userRequest) } },
      responses: {
        201: { description: 'Added; open tasks the new user\'s roles name are re-resolved', ...json(userChangeSchema) },
        400: invalidInput,
        401: unauthorized,
        403: adminOnly,
        409: { description: 'USER_EXISTS (problem+json)' },
        422: { description: 'UNKNOWN_DEPARTMENT (problem+json)' },
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      if (await findUser(sql, input.id)) throw new StateConflict('USER_EXISTS', `There is already a user ${input.id}.`);
      await requireDepartment(input.departmentId, 'departmentId');
      await requireGrantDepartments(input.roles);
      const change = await commit(c.var.user, async (tx) => {
        await insertUser(tx, input);
        await grantRoles(tx, input.id, input.roles);
        return {
          event: 'organisation.user_created',
          detail: { userId: input.id, departmentId: input.departmentId, roles: input.roles },
          roles: candidateRolesOf(input.roles),
          userIds: [input.id],
        };
      });
      c.header('location', `/api/v1/organisation/users/${input.id}`);
      return c.json({ ...changeBody(change), user: userBody(await existingUser(input.id)) }, 201);
    },
  );

  const userParams = idParam();

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/organisation/users/{id}',
      tags: ['organisation'],
      summary: 'Rename a user or move them to another department',
      middleware: [authenticated, administrator] as const,
      request: { params: userParams, body: { required: true, ...json(userPatch) } },
      responses: {
        200: { description: 'Changed; a move re-resolves the open tasks the user\'s roles name', ...json(userChangeSchema) },
        400: invalidInput,
        401: unauthorized,
        403: adminOnly,
        404: { description: 'USER_NOT_FOUND (problem+json)' },
        409: { description: 'CUSTOMERS_HELD (SEC-5): a salesperson with customers moves once they are reassigned (problem+json)' },
        422: { description: 'UNKNOWN_DEPARTMENT (problem+json)' },
      },
    }),
    async (c) => {
      const patch = c.req.valid('json');
      const user = await existingUser(c.req.valid('param').id);
      if (patch.departmentId !== undefined) await requireDepartment(patch.departmentId, 'departmentId');
      const moved = patch.departmentId !== undefined && patch.departmentId !== user.departmentId;
      if (moved) await requireNoCustomers(user, 'they move to another department');
      const change = await commit(c.var.user, async (tx) => {
        await updateUser(tx, user.id, patch);
        return {
          event: 'organisation.user_changed',
          detail: { userId: user.id, ...patch, ...(moved ? { fromDepartmentId: user.departmentId } : {}) },
          // A user's general roles are exercised in their own department: a move changes who holds them there.
          roles: moved ? candidateRolesOf(user.roles) : [],
          userIds: moved ? [user.id] : [],
        };
      });
      return c.json({ ...changeBody(change), user: userBody(await existingUser(user.id)) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/organisation/users/{id}/deactivation',
      tags: ['organisation'],
      summary: 'Deactivate a user: they can no longer sign in, and lose their open tasks',
      description:
        'SEC-5: a salesperson who still owns customers leaves through the departure process (POST /api/v1/users/{id}/departure), which reassigns their customers and then closes the account; deactivating them here is refused with DEPARTURE_REQUIRED.',
      middleware: [authenticated, administrator] as const,
      request: { params: userParams },
      responses: {
        200: { description: 'Deactivated; their open tasks go to whoever their rules now name', ...json(userChangeSchema) },
        401: unauthorized,
        403: adminOnly,
        404: { description: 'USER_NOT_FOUND (problem+json)' },
        409: { description: 'USER_INACTIVE, or DEPARTURE_REQUIRED (SEC-5) (problem+json)' },
      },
    }),
    async (c) => {
      const user = await existingUser(c.req.valid('param').id);
      if (!user.active) throw new StateConflict('USER_INACTIVE', `${user.id} is already inactive.`);
      const owned = await customersOwnedBy(sql, user.id);
      if (owned > 0) {
        throw new StateConflict(
          'DEPARTURE_REQUIRED',
          `${user.id} owns ${owned} customer(s): report the departure (POST /api/v1/users/${user.id}/departure) so their Department Manager reassigns them first.`,
          'SEC-5',
        );
      }
      const change = await commit(c.var.user, async (tx) => {
        await deactivateUser(tx, user.id, new Date());
        return { event: 'organisation.user_deactivated', detail: { userId: user.id }, roles: [], userIds: [user.id] };
      });
      return c.json({ ...changeBody(change), user: userBody(await existingUser(user.id)) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/organisation/users/{id}/roles',
      tags: ['organisation'],
      summary: "Make a user's roles exactly these",
      middleware: [authenticated, administrator] as const,
      request: { params: userParams, body: { required: true, ...json(rolesRequest) } },
      responses: {
        200: { description: 'Changed; open tasks the roles given or taken name are re-resolved', ...json(userChangeSchema) },
        400: invalidInput,
        401: unauthorized,
        403: adminOnly,
        404: { description: 'USER_NOT_FOUND (problem+json)' },
        409: { description: 'USER_INACTIVE, CUSTOMERS_HELD (SEC-5) (problem+json)' },
        422: { description: 'UNKNOWN_DEPARTMENT (problem+json)' },
      },
    }),
    async (c) => {
      const { roles: after } = c.req.valid('json');
      const user = await existingUser(c.req.valid('param').id);
      if (!user.active) throw new StateConflict('USER_INACTIVE', `${user.id} is inactive: roles are given to active users.`);
      await requireGrantDepartments(after);
      if (grantChanges(user.roles, after).revoked.some((g) => g.role === 'salesperson')) await requireNoCustomers(user, 'the salesperson role is taken');
      const change = await commit(c.var.user, (tx) => rolesChange(tx, user, after));
      return c.json({ ...changeBody(change), user: userBody(await existingUser(user.id)) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/organisation/roles/{role}/holders',
      tags: ['organisation'],
      summary: 'Appoint: make exactly these users hold a role (for a department, for department_manager)',
      description: 'Whoever held the role and is not listed loses it; the open tasks it names move to the holders listed.',
      middleware: [authenticated, administrator] as const,
      request: { params: z.object({ role: z.enum(roles).openapi({ param: { name: 'role', in: 'path' }, example: 'office_director' }) }), body: { required: true, ...json(holdersRequest) } },
      responses: {
        200: { description: 'Appointed', ...json(changeSchema.extend({ holderIds: z.array(z.string()) }).openapi('RoleHolders')) },
        400: invalidInput,
        401: unauthorized,
        403: adminOnly,
        404: { description: 'USER_NOT_FOUND (problem+json)' },
        409: { description: 'USER_INACTIVE, CUSTOMERS_HELD (SEC-5) (problem+json)' },
        422: { description: 'UNKNOWN_DEPARTMENT, INVALID_ROLE_GRANT (problem+json)' },
      },
    }),
    async (c) => {
      const { role } = c.req.valid('param');
      const { departmentId } = c.req.valid('json');
      const userIds = [...new Set(c.req.valid('json').userIds)];
      const grant: RoleGrant = { role, departmentId };
      const problem = grantProblem(grant);
      if (problem) throw new PolicyViolation('INVALID_ROLE_GRANT', undefined, problem, [{ path: 'departmentId', message: problem }]);
      if (departmentId !== null) await requireDepartment(departmentId, 'departmentId');
      for (const id of userIds) {
        const user = await existingUser(id);
        if (!user.active) throw new StateConflict('USER_INACTIVE', `${id} is inactive: roles are given to active users.`);
      }
      if (role === 'salesperson') {
        for (const id of await roleHolders(sql, role, departmentId)) if (!userIds.includes(id)) await requireNoCustomers(await existingUser(id), 'the salesperson role is taken');
      }
      const change = await commit(c.var.user, async (tx) => {
        const before = await roleHolders(tx, role, departmentId);
        const granted = userIds.filter((id) => !before.includes(id));
        const revoked = before.filter((id) => !userIds.includes(id));
        for (const id of revoked) await revokeRoles(tx, id, [grant]);
        for (const id of granted) await grantRoles(tx, id, [grant]);
        return {
          event: 'organisation.role_holders_changed',
          detail: { role, departmentId, granted, revoked },
          roles: candidateRolesOf([grant]),
          userIds: [...granted, ...revoked],
        };
      });
      return c.json({ ...changeBody(change), holderIds: [...userIds].sort() }, 200);
    },
  );

  const departmentParams = idParam();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/organisation/departments',
      tags: ['organisation'],
      summary: 'Add a department',
      middleware: [authenticated, administrator] as const,
      request: { body: { required: true, ...json(departmentRequest) } },
      responses: {
        201: { description: 'Added', ...json(departmentChangeSchema) },
        400: invalidInput,
        401: unauthorized,
        403: adminOnly,
        409: { description: 'DEPARTMENT_EXISTS (problem+json)' },
      },
    }),
    async (c) => {
      const department = c.req.valid('json');
      if (await departmentExists(sql, department.id)) throw new StateConflict('DEPARTMENT_EXISTS', `There is already a department ${department.id}.`);
      const change = await commit(c.var.user, async (tx) => {
        await upsertDepartment(tx, department);
        return { event: 'organisation.department_created', detail: department, roles: [], userIds: [] };
      });
      c.header('location', `/api/v1/organisation/departments/${department.id}`);
      return c.json({ ...changeBody(change), department: (await listDepartments(sql)).find((d) => d.id === department.id)! }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/organisation/departments/{id}',
      tags: ['organisation'],
      summary: "Rename a department (its English and Chinese names)",
      middleware: [authenticated, administrator] as const,
      request: { params: departmentParams, body: { required: true, ...json(departmentPatch) } },
      responses: {
        200: { description: 'Renamed', ...json(departmentChangeSchema) },
        400: invalidInput,
        401: unauthorized,
        403: adminOnly,
        404: { description: 'DEPARTMENT_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await departmentExists(sql, id))) throw new NotFound('DEPARTMENT_NOT_FOUND', `No department ${id}.`);
      const names = c.req.valid('json');
      const change = await commit(c.var.user, async (tx) => {
        await upsertDepartment(tx, { id, ...names });
        return { event: 'organisation.department_renamed', detail: { id, ...names }, roles: [], userIds: [] };
      });
      return c.json({ ...changeBody(change), department: (await listDepartments(sql)).find((d) => d.id === id)! }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/organisation/departments/{id}/deputy-gm',
      tags: ['organisation'],
      summary: 'Name the Deputy GM in charge 分管 of a department',
      description: 'Open tasks of the department\'s Deputy GM in charge move to the one named.',
      middleware: [authenticated, administrator] as const,
      request: { params: departmentParams, body: { required: true, ...json(oversightRequest) } },
      responses: {
        200: { description: 'Changed', ...json(departmentChangeSchema) },
        400: invalidInput,
        401: unauthorized,
        403: adminOnly,
        404: { description: 'DEPARTMENT_NOT_FOUND, USER_NOT_FOUND (problem+json)' },
        422: { description: 'NOT_A_DEPUTY_GM: the user named is not an active Deputy GM (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { deputyGmId } = c.req.valid('json');
      if (!(await departmentExists(sql, id))) throw new NotFound('DEPARTMENT_NOT_FOUND', `No department ${id}.`);
      if (deputyGmId !== null) {
        const deputy = await existingUser(deputyGmId);
        if (!deputy.active || !deputy.roles.some((g) => g.role === 'deputy_gm')) {
          throw new PolicyViolation('NOT_A_DEPUTY_GM', undefined, `${deputyGmId} is not an active Deputy GM.`, [{ path: 'deputyGmId', message: 'not an active Deputy GM' }]);
        }
      }
      const change = await commit(c.var.user, async (tx) => {
        const previous = await setOversight(tx, id, deputyGmId);
        return {
          event: 'organisation.oversight_changed',
          detail: { departmentId: id, deputyGmId, previousDeputyGmId: previous },
          roles: ['deputy_gm_in_charge'],
          userIds: [previous, deputyGmId].filter((u): u is string => u !== null),
        };
      });
      return c.json({ ...changeBody(change), department: (await listDepartments(sql)).find((d) => d.id === id)! }, 200);
    },
  );

  return router;
}
