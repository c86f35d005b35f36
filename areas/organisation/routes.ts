import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../platform/db/client.ts';
import { roleLabels, roles, type User } from '../../platform/organisation/model.ts';
import { issueToken, requireUser, type Authenticator, type TokenClaims } from '../../platform/http/auth.ts';
import { createRouter } from '../../platform/http/router.ts';
import { identifier, unauthorized } from '../../platform/http/schemas.ts';
import { delegationBody, delegationSchema } from '../delegation/index.ts';
import type { OrganisationService } from './service.ts';

const roleGrant = z
  .object({
    role: z.enum(roles),
    departmentId: z.string().nullable().openapi({ description: 'The department the role is held for; null for a general role.' }),
    label: z.string().openapi({ example: 'Department Manager' }),
    labelZh: z.string().openapi({ example: '部门经理' }),
  })
  .openapi('RoleGrant');

const me = z
  .object({
    id: z.string().openapi({ example: 'finance-manager' }),
    displayName: z.string(),
    displayNameZh: z.string(),
    department: z.object({ id: z.string(), name: z.string(), nameZh: z.string() }),
    roles: z.array(roleGrant),
    delegations: z
      .object({ held: z.array(delegationSchema), given: z.array(delegationSchema) })
      .openapi({ description: 'Powers of attorney 委托书 (BOR-7) the user holds and has given that are scheduled or in force; GET /api/v1/delegations lists them all.' }),
  })
  .openapi('Me');

const devTokenRequest = z.object({ userId: identifier().openapi({ example: 'archivist' }) }).openapi('DevTokenRequest');
const devTokenResponse = z.object({ token: z.string() }).openapi('DevTokenResponse');

function meBody(user: User, delegations: z.infer<typeof me>['delegations']): z.infer<typeof me> {
  return {
    id: user.id,
    displayName: user.displayName,
    displayNameZh: user.displayNameZh,
    department: { id: user.departmentId, name: user.departmentName, nameZh: user.departmentNameZh },
    roles: user.roles.map((grant) => ({
      role: grant.role,
      departmentId: grant.departmentId,
      label: roleLabels[grant.role].en,
      labelZh: roleLabels[grant.role].zh,
    })),
    delegations,
  };
}

export function meRoutes(deps: { organisation: OrganisationService; sql: Sql; authenticator: Authenticator; jwtSecret?: string; tokenClaims?: TokenClaims; devLogin: boolean }) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/me',
      tags: ['organisation'],
      summary: 'The signed-in user, their roles and department',
      middleware: [requireUser(deps)] as const,
      responses: {
        200: { description: 'The caller', content: { 'application/json': { schema: me } } },
        401: unauthorized,
      },
    }),
    async (c) => {
      const now = new Date();
      const { held, given } = await deps.organisation.delegationsInForce(c.var.user, now);
      const bodies = (list: typeof held) => list.map((delegation) => delegationBody(delegation, now));
      return c.json(meBody(c.var.user, { held: bodies(held), given: bodies(given) }), 200);
    },
  );

  // Dev login hands a token to anyone who names a user, so it exists only when enabled; when
  // it is not, the route is not registered at all and the path is an ordinary 404.
  if (deps.devLogin) {
    const secret = deps.jwtSecret;
    if (secret === undefined) throw new Error('AUTH_DEV_LOGIN needs AUTH_JWT_SECRET to sign the tokens it hands out');
    router.openapi(
      createRoute({
        method: 'post',
        path: '/api/v1/auth/dev-token',
        tags: ['organisation'],
        summary: 'A token for any active user (local mode only: AUTH_DEV_LOGIN=true)',
        security: [],
        request: { body: { required: true, content: { 'application/json': { schema: devTokenRequest } } } },
        responses: {
          200: { description: 'A bearer token for the user, valid for AUTH_TOKEN_MAX_LIFETIME_SECONDS (12 hours by default)', content: { 'application/json': { schema: devTokenResponse } } },
          400: { description: 'The body is not {"userId": "..."} (problem+json)' },
          404: { description: 'No active user by that id (problem+json)' },
        },
      }),
      async (c) => {
        const { userId } = c.req.valid('json');
        const user = await deps.organisation.activeUser(userId);
        return c.json({ token: await issueToken(secret, user.id, deps.tokenClaims) }, 200);
      },
    );
  }
  return router;
}
