// Who may call the organisation's routes (docs/access.md).
import { anyone, permission, signedIn, type AccessDeclaration } from '../../platform/access.ts';
import { defaultAdministratorRoles, isAdministrator } from './admin-rules.ts';

/** Who administers the organisation (ORGANISATION_ADMIN_ROLES; the Office Director and HR by default). */
export const organisationAdministrators = permission({
  id: 'organisation.administer',
  ruleIds: ['ACC-7'],
  who: `${defaultAdministratorRoles.join(' and ')} (ORGANISATION_ADMIN_ROLES)`,
  allows: (subject) => isAdministrator(subject, defaultAdministratorRoles),
});

const admin = (method: 'POST' | 'PUT' | 'PATCH', path: string) => ({ method, path: `/api/v1/organisation${path}`, permission: organisationAdministrators });

export const organisationAccess: AccessDeclaration = {
  routes: [
    { method: 'GET', path: '/api/v1/me', permission: signedIn },
    { method: 'GET', path: '/api/v1/organisation', permission: organisationAdministrators },
    { method: 'POST', path: '/api/v1/auth/dev-token', permission: anyone },
    admin('POST', '/users'),
    admin('PATCH', '/users/{id}'),
    admin('POST', '/users/{id}/deactivation'),
    admin('PUT', '/users/{id}/roles'),
    admin('PUT', '/roles/{role}/holders'),
    admin('POST', '/departments'),
    admin('PUT', '/departments/{id}'),
    admin('PUT', '/departments/{id}/deputy-gm'),
  ],
};
