// Who may call the platform's own routes (docs/access.md): health, notifications, chain verification.
import { anyone, byRole, signedIn, type AccessDeclaration } from '../access.ts';

/** ACC-6: the Office Director and the GM verify the register and the audit trail (platform/chains/routes.ts checks the same list). */
export const chainVerifiers = byRole({ id: 'chains.verify', ruleIds: ['DES-4', 'ACC-6'], who: 'the Office Director and the GM', roles: ['office_director', 'gm'] });

export const platformAccess: AccessDeclaration = {
  routes: [
    { method: 'GET', path: '/healthz', permission: anyone },
    { method: 'GET', path: '/readyz', permission: anyone },
    { method: 'GET', path: '/api/v1/me/notifications', permission: signedIn },
    { method: 'GET', path: '/api/v1/me/notification-preferences', permission: signedIn },
    { method: 'PUT', path: '/api/v1/me/notification-preferences', permission: signedIn },
    { method: 'PUT', path: '/api/v1/me/language', permission: signedIn },
    { method: 'GET', path: '/api/v1/verification/{chain}', permission: chainVerifiers },
  ],
};
