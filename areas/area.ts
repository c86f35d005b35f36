// The shape of a policy area, as the catalogue (catalogue.ts) lists it. Each area is one folder:
//   rules.ts              pure policy rules (deterministic; definitions may use them)
//   definitions.ts        its process definitions (data for the engine)
//   service-task-specs.ts the services its definitions call, with their input and result forms
//   service-tasks.ts      the handlers of those services (activities)
//   sql.ts                its tables
//   service.ts            the application service: the only code that opens transactions and
//                         starts or messages processes for the area
//   routes.ts             thin HTTP routes: parse, call the service, map the result
//   schedules.ts          the processes it starts on a calendar
//   index.ts              its public face: this object, and what other areas may use
// Another area is used only through its index.ts (lint holds it; docs/architecture.md).
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ProcessDefinitionInput } from '../engine/definition/definition.ts';
import type { ServiceSpecs } from '../engine/definition/services.ts';
import type { ServiceDeps, ServiceHandler } from '../engine/activities/services.ts';
import type { EngineClient } from '../engine/client.ts';
import type { DecisionGuard } from '../engine/http/decision-guards.ts';
import type { ProcessOutbox } from '../engine/outbox.ts';
import type { Sql } from '../platform/db/client.ts';
import type { Authenticator, TokenClaims } from '../platform/http/auth.ts';
import type { ProcessSchedule } from '../platform/schedules.ts';
import type { Role } from '../platform/organisation/model.ts';
import type { AccessDeclaration } from '../platform/access.ts';

/** What an area's routes are built with. */
export interface RouteDeps {
  sql: Sql;
  engine: EngineClient;
  outbox: ProcessOutbox;
  authenticator: Authenticator;
  /** Signs dev-login tokens (AUTH_JWT_SECRET). */
  jwtSecret?: string;
  /** Serves POST /api/v1/auth/dev-token (AUTH_DEV_LOGIN). */
  devLogin: boolean;
  /** The issuer, audience and lifetime of dev-login tokens. */
  tokenClaims?: TokenClaims;
  /** Who administers the organisation (ORGANISATION_ADMIN_ROLES); the Office Director and HR when absent. */
  administratorRoles?: readonly Role[];
  /** The largest register file an import reads (IMPORT_MAX_BODY_BYTES). */
  importMaxBodyBytes?: number;
  /** REG-2: days to sign a low-margin showroom order before the fine (SALES_SIGNATURE_DEADLINE_DAYS). */
  salesSignatureDeadlineDays?: number;
}

export interface Area {
  name: string;
  /** Published at start-up, each immutable once published under its key@version. */
  definitions?: readonly ProcessDefinitionInput[];
  /** The services its definitions may call (the allow-list is every area's together). */
  serviceSpecs?: ServiceSpecs;
  /** One handler per name in serviceSpecs. */
  serviceHandlers?: (deps: ServiceDeps) => Readonly<Record<string, ServiceHandler>>;
  /** Its HTTP routes, mounted at the API's root. */
  routes?: (deps: RouteDeps) => OpenAPIHono[];
  /** Checks a decision on one of its tasks must pass before it is delivered. */
  decisionGuards?: readonly DecisionGuard[];
  /** Processes it starts on a calendar. */
  schedules?: readonly ProcessSchedule[];
  /** Who may call each of its routes (access.ts; docs/access.md and the access matrix test read it). */
  access?: AccessDeclaration;
}
