// Organisation administration (issue 21): an administrator (ORGANISATION_ADMIN_ROLES, by default
// the Office Director and HR) adds and deactivates users, moves them, gives and takes roles,
// names departments and the Deputy GM in charge 分管 of each. Every change is audited with who
// made it, and reaches the open tasks it concerns: their instances find their candidates again.
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../platform/db/client.ts';
import { grantProblem } from './admin-rules.ts';
import { organisationAdminService, type CommittedChange } from './admin-service.ts';
import { roleLabels, roles, type Role, type User } from '../../platform/organisation/model.ts';
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

const adminOnly = { description: 'NOT_AN_ADMINISTRATOR: only the organisation\'s administrators (ORGANISATION_ADMIN_ROLES) (problem+json)' };

export function organisationRoutes(deps: { sql: Sql; authenticator: Authenticator; outbox: ProcessOutbox; administratorRoles?: readonly Role[] }) {
  const admin = organisationAdminService(deps);
  const router = createRouter();
  const authenticated = requireUser(deps);
  const administrator: MiddlewareHandler<AuthEnv> = async (c, next) => {
    admin.requireAdministrator(c.var.user);
    await next();
  };
  const userAnswer = ({ change, user }: { change: CommittedChange; user: User }) => ({ ...changeBody(change), user: userBody(user) });

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
      const { departments, users } = await admin.organisation();
      return c.json({ departments, users: users.map(userBody) }, 200);
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
      const answer = await admin.addUser(c.var.user, input);
      c.header('location', `/api/v1/organisation/users/${input.id}`);
      return c.json(userAnswer(answer), 201);
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
      return c.json(userAnswer(await admin.changeUser(c.var.user, c.req.valid('param').id, c.req.valid('json'))), 200);
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
      return c.json(userAnswer(await admin.deactivate(c.var.user, c.req.valid('param').id)), 200);
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
      return c.json(userAnswer(await admin.setRoles(c.var.user, c.req.valid('param').id, c.req.valid('json').roles)), 200);
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
      const { departmentId, userIds } = c.req.valid('json');
      const { change, holderIds } = await admin.appoint(c.var.user, { role, departmentId }, userIds);
      return c.json({ ...changeBody(change), holderIds }, 200);
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
      const input = c.req.valid('json');
      const { change, department } = await admin.addDepartment(c.var.user, input);
      c.header('location', `/api/v1/organisation/departments/${input.id}`);
      return c.json({ ...changeBody(change), department }, 201);
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
      const { change, department } = await admin.renameDepartment(c.var.user, c.req.valid('param').id, c.req.valid('json'));
      return c.json({ ...changeBody(change), department }, 200);
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
      const { change, department } = await admin.nameDeputyGm(c.var.user, c.req.valid('param').id, c.req.valid('json').deputyGmId);
      return c.json({ ...changeBody(change), department }, 200);
    },
  );

  return router;
}
