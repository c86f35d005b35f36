// The declared access policy (issue #17): who (role, department, relationship to the record) may
// do which action on which resource. Each area declares its own entries (areas/<area>/access.ts,
// Area.access); the catalogue collects them. The same declaration is what the services call to
// decide, what docs/access.md is rendered from (npm run docs:access) and what the route × user
// matrix test (tests/api/access-matrix.test.ts) compares every answer with. Pure: no I/O.
import type { User } from './organisation/model.ts';

/** Whoever asks: a signed-in user, or a demo user of the matrix test. */
export type Subject = User;

/**
 * One permission: a named decision the services take through `allows`. `R` is what the decision
 * needs to know about the record (void for a decision on the role alone).
 */
export interface Permission<R = void> {
  /** A stable id, `area.action` (it names the row of docs/access.md). */
  id: string;
  /** The policy rules it enforces (policies.md), or ACC-n / SOD-n (docs/access.md). */
  ruleIds: readonly string[];
  /** Who, in words: the "who" column of docs/access.md. */
  who: string;
  allows(subject: Subject, record: R): boolean;
}

export function permission<R = void>(spec: Permission<R>): Permission<R> {
  return spec;
}

/** Anyone (no token), or anyone signed in: the routes with no decision of their own. */
export const anyone = permission({ id: 'public', ruleIds: [], who: 'anyone, without a token', allows: () => true });
export const signedIn = permission({ id: 'signed-in', ruleIds: [], who: 'every signed-in user (each sees only their own records in it)', allows: () => true });

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One route of the OpenAPI document and the permission that decides it. */
export interface RouteAccess {
  method: HttpMethod;
  /** The OpenAPI path, e.g. /api/v1/destruction-requests/{id}. */
  path: string;
  permission: Permission<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- each route's record is its own
  /**
   * ACC-1: who may know the record exists (the route's permission itself for most reads). Anyone
   * else is answered 404, as for a record that does not exist, never 403 or 409.
   */
  knownTo?: Permission<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the same record as `permission`
}

/** A separation-of-duties rule, enforced where decisions are taken (decision guards, designation). */
export interface DutyRule {
  id: string;
  ruleIds: readonly string[];
  rule: string;
  /** Where it is enforced, for the reader of docs/access.md. */
  enforcedBy: string;
}

/** What an area declares (Area.access). */
export interface AccessDeclaration {
  routes: readonly RouteAccess[];
  /**
   * ACC-2: processes whose records are confidential to named viewers (SEC-1): the Office
   * Director's oversight of every instance does not reach them (the GM's does).
   */
  confidentialProcesses?: readonly string[];
  duties?: readonly DutyRule[];
}

/** `METHOD path`, the key of a route in the declaration, the OpenAPI document and the fixtures. */
export const routeKey = (route: Pick<RouteAccess, 'method' | 'path'>): string => `${route.method} ${route.path}`;

/** Refuses with `refusal` a subject the permission does not allow: how a service decides through the declaration. */
export function demand<R>(granted: Permission<R>, subject: Subject, record: R, refusal: () => Error): void {
  if (!granted.allows(subject, record)) throw refusal();
}

/** A permission on the role alone: any of `roles`. */
export function byRole(spec: Omit<Permission<unknown>, 'allows'> & { roles: readonly string[] }): Permission<unknown> {
  const { roles, ...rest } = spec;
  return permission<unknown>({ ...rest, allows: (subject) => subject.roles.some((grant) => roles.includes(grant.role)) });
}

/** The access rules this declaration adds to policies.md (cited as ACC-n in code, tests and docs/access.md). */
export const accessRules: Readonly<Record<string, string>> = {
  'ACC-1': 'Whoever may not know a record exists is answered 404, as for a record that does not exist: on reads, on actions on it and on task decisions, whatever its state (never 403 or 409).',
  'ACC-2': 'The GM oversees every process instance; the Office Director every instance except the confidential ones (customer archives: SEC-1 names their viewers).',
  'ACC-3': 'A record that lists documents shows the title and reference of a Top Secret one only to those who may know it (the Archivist, the Office Director, the GM), as GET /documents/{id} does.',
  'ACC-4': 'A refusal names a customer, its protector or an end date only to a caller who may see the customer (SEC-1).',
  'ACC-5': 'A protection is read by its current protector: after a transfer or reassignment the former protector no longer reads it or its progress reports.',
  'ACC-6': 'The Office Director and the GM verify the anchored chains (the destruction register and the audit trail).',
  'ACC-7': 'The organisation is administered by the roles of ORGANISATION_ADMIN_ROLES (the Office Director and HR unless set).',
  'SOD-1': 'No person decides two approval steps of the same process instance, in their own right or through a delegate acting for them.',
  'SOD-2': 'The supervisor of a destruction is neither its final approver nor any other approver of it, nor the Archivist.',
  'SOD-3': 'Nobody decides their own request, directly or as a delegate.',
};
