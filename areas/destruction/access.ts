import type { AccessDeclaration } from '../../platform/access.ts';
export const destructionAccess: AccessDeclaration = { routes: [] };
