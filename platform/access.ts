// The declared access policy (issue #17): who (role, department, relationship to the record) may
// do which action on which resource. Each area declares its own entries (areas/<area>/access.ts,
// Area.access); the catalogue collects them. The same declaration is what the services call to
// decide, what docs/access.md is rendered from (npm run docs:access) and what the route × user
// matrix test (tests/api/access-matrix.test.ts) compares every answer with. Pure: no I/O.
import type { RoleGrant } from './organisation/model.ts';

/** Whoever asks: a signed-in user, or a demo user of the matrix test. */
export interface Subject {
  id: string;
  departmentId: string;
  roles: readonly RoleGrant[];
}

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
   * ACC-1: a caller denied a record they may not know exists gets 404 (as for a record that does
   * not exist), never 403 or 409. False for role-level refusals (403).
   */
  hidden?: boolean;
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
