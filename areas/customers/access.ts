import type { AccessDeclaration } from '../../platform/access.ts';
import { customerProcessKeys } from './rules.ts';
export const customersAccess: AccessDeclaration = { routes: [], confidentialProcesses: Object.values(customerProcessKeys) };
