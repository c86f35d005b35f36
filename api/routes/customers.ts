// Customers and their ownership: the open pool 公海, protection 保护期 with monthly progress reports
// and intent orders (OVL-8), co-development (OVL-8), transfers by the Department Manager and the
// reassignment of a leaver's customers (SEC-5). Multi-step rules run as processes
// (workflows/processes/customers.ts); these routes check what can be checked at once and start
// or feed them.
import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.ts';
import { enqueueMessage, enqueueStart } from '../../db/outbox.ts';
import {
  changeOwner,
  coDevelopersOf,
  currentProtection,
  customersOwnedBy,
  findCoDevelopmentRequest,
  findCustomer,
  findDeparture,
  findProtection,
  handOverProblemsNow,
  insertCoDevelopmentRequest,
  insertCustomer,
  insertDeparture,
  insertProtection,
  insertProtectionReport,
  isSecondProtection,
  lastReleaseFrom,
  listCustomers,
  openDepartureOf,
  ownershipHistory,
  pendingCoDevelopment,
  reportsOf,
  type CoDevelopmentRequest,
  type Customer,
  type Departure,
  type Protection,
  type ProtectionReport,
} from '../../db/customers.ts';
import { keysetCursor } from '../cursor.ts';
import { findUser } from '../../db/organisation.ts';
import { openTasksOf } from '../../db/tasks.ts';
import {
  cardTypeLabels,
  cardTypes,
  checkCardKeeper,
  companyViewerRoles,
  customerProcessKeys,
  customerScope,
  customerStatuses,
  customerStatusLabels,
  customerVisible,
  formatReassignment,
  isSalesperson,
  managesDepartment,
  mayCreateCustomer,
  mayReportDeparture,
  ownershipReasons,
  protectionEndReasons,
  protectionKinds,
  protectionStatuses,
  reclaimBlockedUntil,
  reportMessage,
  reportTarget,
  type ProtectionKind,
} from '../../domain/customers.ts';
import { archiveDate } from '../../domain/delegation.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../domain/errors.ts';
import type { User } from '../../domain/organisation.ts';
import { requireUser, type Authenticator } from '../auth.ts';
import { completeTask, processState, sendMessage, type EngineClient } from '../engine-client.ts';
import { startsAsynchronously, type ProcessOutbox } from '../outbox.ts';
import { createRouter } from '../router.ts';
import { accepted, idParam, identifier, invalidInput, unauthorized } from '../schemas.ts';

// ------------------------------------------------------------------ schemas

const label = z.object({ en: z.string(), zh: z.string() });
const timestamp = z.string().openapi({ format: 'date-time', example: '2026-03-01T08:00:00.000Z' });
const iso = (date: Date) => date.toISOString();
const id = identifier();
const userId = identifier(200, { trim: true });

const ownershipChange = z
  .object({
    fromOwnerId: z.string().nullable(),
    toOwnerId: z.string().nullable(),
    status: z.enum(customerStatuses),
    reason: z.enum(Object.keys(ownershipReasons) as [keyof typeof ownershipReasons, ...(keyof typeof ownershipReasons)[]]),
    reasonLabel: label,
    ruleId: z.string(),
    actorId: z.string().nullable().openapi({ description: 'null: the process itself (a protection expiring).' }),
    protectionId: z.string().nullable(),
    at: timestamp,
  })
  .openapi('OwnershipChange');

const customerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    cardType: z.enum(cardTypes).openapi({ description: 'CUS-4: distributor 经销商 (kept by the regions) or terminal 终端 (Business Dept, Sales Floor Dept).' }),
    cardTypeLabel: label,
    city: z.string(),
    region: z.string(),
    departmentId: z.string().openapi({ description: 'The department whose customer archive keeps the card (CUS-2).' }),
    ownerId: z.string().nullable().openapi({ description: 'The owning salesperson; null in the open pool 公海.' }),
    status: z.enum(customerStatuses).openapi({ description: 'open 公海 · protected 保护期 · owned (after an intent order 意向单)' }),
    statusLabel: label,
    createdBy: z.string(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Customer');

const customerDetail = customerSchema
  .extend({
    protection: z
      .object({ id: z.string(), status: z.enum(protectionStatuses), protectorId: z.string(), endsAt: timestamp.nullable() })
      .nullable()
      .openapi({ description: 'The pending request or running protection (OVL-8), if any.' }),
    coDevelopers: z
      .array(z.object({ coDeveloperId: z.string(), ownerId: z.string(), share: z.number().int(), agreedAt: timestamp }))
      .openapi({ description: 'OVL-8: salespeople who work the customer by agreement with its owner, with their commission share in percent.' }),
    ownershipHistory: z.array(ownershipChange),
  })
  .openapi('CustomerDetail');

export const newCustomer = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: '临沂礼品城' }),
    cardType: z.enum(cardTypes),
    city: z.string().trim().min(1).max(100).openapi({ example: '临沂' }),
    region: z.string().trim().min(1).max(100).openapi({ example: '山东' }),
  })
  .strict()
  .openapi('NewCustomer');

const customerParams = idParam();

/** Pages of customers: by name, then id. */
const customerKey = keysetCursor('text', 'text');

function customerCursor(text: string): { name: string; id: string } | undefined {
  const parts = customerKey.parse(text);
  return parts && { name: parts[0], id: parts[1] };
}

const customerQuery = z.object({
  status: z.enum(customerStatuses).optional(),
  department: identifier(100).optional(),
  owner: identifier().optional(),
  q: z.string().trim().min(1).max(200).optional().openapi({ description: 'Part of the name, city or region (case-insensitive).' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: customerKey.query,
});

const customerPage = z
  .object({ customers: z.array(customerSchema), nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' }) })
  .openapi('CustomerPage');

const protectionMonth = z.object({ month: z.number().int(), startsAt: timestamp, endsAt: timestamp, reports: z.number().int() });

const reportSchema = z
  .object({
    id: z.string(),
    protectionId: z.string(),
    month: z.number().int().openapi({ description: 'The protection month it counts for.' }),
    authorId: z.string(),
    summary: z.string(),
    forwarded: z.boolean().openapi({ description: "Whether it was the month's report for the process (later ones in a month are recorded only)." }),
    filedAt: timestamp,
  })
  .openapi('ProtectionReport');

const protectionSchema = z
  .object({
    id: z.string(),
    customerId: z.string(),
    protectorId: z.string(),
    departmentId: z.string(),
    kind: z.enum(protectionKinds).openapi({ description: "request: the salesperson applied; assignment: the Department Manager assigned the customer." }),
    requestedBy: z.string(),
    reason: z.string().nullable(),
    status: z.enum(protectionStatuses),
    processId: z.string().openapi({ description: 'The customer.protection instance (Temporal UI: CustodianBusinessKey = the customer id).' }),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    endsAt: timestamp.nullable().openapi({ description: 'The end of the fourth month: without an intent order the customer goes to the open pool then.' }),
    releaseDay: z.string().nullable().openapi({ description: 'The date (Asia/Shanghai) of endsAt.', example: '2026-07-15' }),
    months: z.array(protectionMonth).openapi({ description: 'OVL-8: each protection month with the progress reports filed in it.' }),
    reportCount: z.number().int(),
    reports: z.array(reportSchema),
    endedAt: timestamp.nullable(),
    endReason: z.enum(protectionEndReasons).nullable(),
    intentOrderReference: z.string().nullable(),
  })
  .openapi('Protection');

const protectionParams = idParam();

const protectionRequest = z
  .object({ reason: z.string().trim().min(1).max(2_000).openapi({ example: 'Visited twice; they plan a 2026 gift order.' }) })
  .strict()
  .openapi('ProtectionRequest');

const assignmentRequest = z.object({ salespersonId: userId.openapi({ example: 'biz-sales-1' }) }).strict().openapi('AssignmentRequest');

const reportRequest = z.object({ summary: z.string().trim().min(1).max(4_000) }).strict().openapi('ProgressReportRequest');

const intentOrderRequest = z
  .object({ reference: z.string().trim().min(1).max(200).openapi({ description: 'The intent order 意向单 number.', example: 'YX-2026-0042' }) })
  .strict()
  .openapi('IntentOrderRequest');

const coDevelopmentRequest = z
  .object({
    share: z.number().int().min(1).max(99).openapi({ description: "The co-developer's share of the commission, in percent (5:5 is 50).", example: 50 }),
  })
  .strict()
  .openapi('CoDevelopmentRequest');

const coDevelopmentSchema = z
  .object({
    id: z.string(),
    customerId: z.string(),
    requesterId: z.string(),
    ownerId: z.string(),
    share: z.number().int(),
    status: z.enum(['pending', 'accepted', 'declined']),
    processId: z.string(),
    createdAt: timestamp,
    decidedAt: timestamp.nullable(),
  })
  .openapi('CoDevelopment');

const transferRequest = z.object({ toSalespersonId: userId }).strict().openapi('TransferRequest');

const departureRequest = z.object({ note: z.string().trim().max(2_000).optional() }).strict().openapi('DepartureRequest');

const departureSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    departmentId: z.string(),
    reportedBy: z.string(),
    note: z.string().nullable(),
    status: z.enum(['reassigning', 'completed']).openapi({ description: "reassigning: the leaver's account stays active until every customer is reassigned." }),
    processId: z.string(),
    reportedAt: timestamp,
    completedAt: timestamp.nullable(),
    reassignmentTaskId: z.string().nullable().openapi({ description: "The Department Manager's open reassignment task, if any." }),
    customers: z
      .array(z.object({ id: z.string(), name: z.string(), status: z.enum(customerStatuses), protectionEndsAt: timestamp.nullable() }))
      .openapi({ description: 'The customers the leaver still holds.' }),
  })
  .openapi('Departure');

const departureParams = idParam();
const userParams = idParam('id', { example: 'biz-sales-1' });

const reassignmentRequest = z
  .object({
    assignments: z
      .array(z.object({ customerId: id, salespersonId: userId }).strict())
      .min(1)
      .max(1_000)
      .openapi({ description: 'Each customer of the leaver to another salesperson of the department.' }),
  })
  .strict()
  .openapi('ReassignmentRequest');

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

// ------------------------------------------------------------------ mapping

function customerBody(customer: Customer): z.infer<typeof customerSchema> {
  return {
    id: customer.id,
    name: customer.name,
    cardType: customer.cardType,
    cardTypeLabel: { en: cardTypeLabels[customer.cardType].en, zh: cardTypeLabels[customer.cardType].zh },
    city: customer.city,
    region: customer.region,
    departmentId: customer.departmentId,
    ownerId: customer.ownerId,
    status: customer.status,
    statusLabel: customerStatusLabels[customer.status],
    createdBy: customer.createdBy,
    createdAt: iso(customer.createdAt),
    updatedAt: iso(customer.updatedAt),
  };
}

const releaseAt = (protection: Protection): Date | undefined => protection.monthEnds.at(-1);

function protectionBody(protection: Protection, reports: ProtectionReport[]): z.infer<typeof protectionSchema> {
  const ends = protection.monthEnds;
  const endsAt = releaseAt(protection);
  return {
    id: protection.id,
    customerId: protection.customerId,
    protectorId: protection.protectorId,
    departmentId: protection.departmentId,
    kind: protection.kind,
    requestedBy: protection.requestedBy,
    reason: protection.reason,
    status: protection.status,
    processId: protection.processId,
    createdAt: iso(protection.createdAt),
    startedAt: protection.startedAt && iso(protection.startedAt),
    endsAt: endsAt ? iso(endsAt) : null,
    releaseDay: endsAt ? archiveDate(endsAt) : null,
    months: protection.startedAt
      ? ends.map((end, i) => ({
          month: i + 1,
          startsAt: iso(i === 0 ? protection.startedAt! : ends[i - 1]!),
          endsAt: iso(end),
          reports: reports.filter((report) => report.month === i + 1).length,
        }))
      : [],
    reportCount: reports.length,
    reports: reports.map(reportBody),
    endedAt: protection.endedAt && iso(protection.endedAt),
    endReason: protection.endReason,
    intentOrderReference: protection.intentOrderReference,
  };
}

function reportBody(report: ProtectionReport): z.infer<typeof reportSchema> {
  return { ...report, filedAt: iso(report.filedAt) };
}

function coDevelopmentBody(request: CoDevelopmentRequest): z.infer<typeof coDevelopmentSchema> {
  return {
    id: request.id,
    customerId: request.customerId,
    requesterId: request.requesterId,
    ownerId: request.ownerId,
    share: request.sharePercent,
    status: request.status,
    processId: request.processId,
    createdAt: iso(request.createdAt),
    decidedAt: request.decidedAt && iso(request.decidedAt),
  };
}

export const protectionProcessId = (protectionId: string) => `protection-${protectionId}`;
export const coDevelopmentProcessId = (requestId: string) => `co-development-${requestId}`;
export const departureProcessId = (departureId: string) => `departure-${departureId}`;

function isCompanyViewer(user: User): boolean {
  return user.roles.some((grant) => companyViewerRoles.includes(grant.role));
}

/** A user by the id a request names: 422 (the request cannot be carried out) rather than 404 (the resource is there). */
async function namedUser(sql: Sql, userIdValue: string, path: string): Promise<User> {
  const named = await findUser(sql, userIdValue);
  if (!named) throw new PolicyViolation('USER_NOT_FOUND', undefined, `No user "${userIdValue}".`, [{ path, message: 'names no user' }]);
  return named;
}

// ------------------------------------------------------------------ routes

export function customerRoutes(deps: { sql: Sql; engine: EngineClient; outbox: ProcessOutbox; authenticator: Authenticator }) {
  const { sql, engine, outbox } = deps;
  const router = createRouter();
  const authenticated = requireUser(deps);

  const customerNotFound = (customerId: string) => new NotFound('CUSTOMER_NOT_FOUND', `No customer ${customerId}.`);

  /** A customer the user may see (SEC-1); the same 404 for one that does not exist and one they may not see. */
  const visibleCustomer = async (user: User, customerId: string): Promise<Customer> => {
    const customer = await findCustomer(sql, customerId);
    if (!customer) throw customerNotFound(customerId);
    const coDevelopers = (await coDevelopersOf(sql, customer.id)).map((d) => d.coDeveloperId);
    if (!customerVisible(customerScope(user), customer, coDevelopers)) throw customerNotFound(customerId);
    return customer;
  };

  const customerDetailBody = async (customer: Customer): Promise<z.infer<typeof customerDetail>> => {
    const [protection, coDevelopers, history] = await Promise.all([currentProtection(sql, customer.id), coDevelopersOf(sql, customer.id), ownershipHistory(sql, customer.id)]);
    const endsAt = protection && releaseAt(protection);
    return {
      ...customerBody(customer),
      protection: protection ? { id: protection.id, status: protection.status, protectorId: protection.protectorId, endsAt: endsAt ? iso(endsAt) : null } : null,
      coDevelopers: coDevelopers.map((d) => ({ coDeveloperId: d.coDeveloperId, ownerId: d.ownerId, share: d.sharePercent, agreedAt: iso(d.agreedAt) })),
      ownershipHistory: history.map((change) => ({
        fromOwnerId: change.fromOwnerId,
        toOwnerId: change.toOwnerId,
        status: change.status,
        reason: change.reason,
        reasonLabel: { en: ownershipReasons[change.reason].en, zh: ownershipReasons[change.reason].zh },
        ruleId: change.ruleId,
        actorId: change.actorId,
        protectionId: change.protectionId,
        at: iso(change.at),
      })),
    };
  };

  /** SEC-5: a salesperson who is leaving takes on no customers. */
  const refuseLeaver = async (person: User, action: string): Promise<void> => {
    if (await openDepartureOf(sql, person.id)) {
      throw new Forbidden('SALESPERSON_LEAVING', `${person.id} is leaving: ${action} is refused while their customers are reassigned.`, 'SEC-5');
    }
  };

  /**
   * OVL-8: whether the customer may be protected for `salesperson` now: it is in the open pool
   * with no request pending, its card is one their department keeps (CUS-4), and they did not
   * lose it to the pool within the reclaim block.
   */
  const checkClaim = async (customer: Customer, current: Protection | undefined, salesperson: User): Promise<void> => {
    if (current?.status === 'requested') {
      throw new StateConflict('PROTECTION_PENDING', `A protection request for ${customer.name} is awaiting its Department Manager's decision.`, 'OVL-8');
    }
    if (current?.status === 'active') {
      const protector = await findUser(sql, current.protectorId);
      const until = archiveDate(releaseAt(current)!);
      const who = current.protectorId === salesperson.id ? 'you' : `${protector?.displayNameZh ?? current.protectorId} (${current.protectorId})`;
      throw new StateConflict(
        'CUSTOMER_PROTECTED',
        `${customer.name} is protected by ${who} until ${until}; during the protection others may work it only by agreement with the protector (a co-development request).`,
        'OVL-8',
      );
    }
    if (customer.status === 'owned') {
      throw new StateConflict('CUSTOMER_OWNED', `${customer.name} is ${customer.ownerId === salesperson.id ? 'yours' : `${customer.ownerId}'s`} (an intent order ended its protection).`, 'OVL-8');
    }
    checkCardKeeper(salesperson.departmentId, customer.cardType);
    const released = await lastReleaseFrom(sql, customer.id, salesperson.id);
    const until = released && reclaimBlockedUntil(released);
    if (until && until > new Date()) {
      throw new PolicyViolation(
        'RECLAIM_BLOCKED',
        'OVL-8',
        `${salesperson.id} lost ${customer.name} to the open pool on ${archiveDate(released)} and may not reclaim it until ${archiveDate(until)}.`,
      );
    }
  };

  /** Records a protection with the start of its process, both in one transaction, then starts it. */
  const startProtection = async (customer: Customer, salesperson: User, kind: ProtectionKind, requestedBy: User, reason: string | null): Promise<Protection> => {
    const protectionId = randomUUID();
    let protection: Protection;
    try {
      protection = await sql.begin(async (tx) => {
        const inserted = await insertProtection(tx, {
          id: protectionId,
          customerId: customer.id,
          protectorId: salesperson.id,
          departmentId: salesperson.departmentId,
          kind,
          requestedBy: requestedBy.id,
          reason,
          processId: protectionProcessId(protectionId),
        });
        await enqueueStart(tx, {
          key: customerProcessKeys.protection,
          processId: inserted.processId,
          // The protector is the initiator, also of an assignment: the Department Manager decides its
          // monthly tasks, which the engine never gives to an instance's initiator.
          initiator: { id: salesperson.id, departmentId: salesperson.departmentId },
          variables: {
            protectionId,
            customerId: customer.id,
            protectorId: salesperson.id,
            departmentId: salesperson.departmentId,
            requestedBy: requestedBy.id,
            assigned: kind === 'assignment',
          },
        });
        return inserted;
      });
    } catch (error) {
      if (isSecondProtection(error)) {
        throw new StateConflict('PROTECTION_PENDING', `${customer.name} was claimed a moment ago; its protection request or protection is under way.`, 'OVL-8');
      }
      throw error;
    }
    await outbox.deliver([protection.processId]);
    return protection;
  };

  /** A protection the user may see: its protector, its requester, the Department Manager, and the company-level viewers (SEC-1). */
  const visibleProtection = async (user: User, protectionId: string): Promise<Protection> => {
    const protection = await findProtection(sql, protectionId);
    const visible =
      protection &&
      (protection.protectorId === user.id || protection.requestedBy === user.id || managesDepartment(user, protection.departmentId) || isCompanyViewer(user));
    if (!visible) throw new NotFound('PROTECTION_NOT_FOUND', `No protection ${protectionId}.`);
    return protection;
  };

  const protectionEnded = (protection: Protection) =>
    new StateConflict('PROTECTION_ENDED', `Protection ${protection.id} is ${protection.status === 'requested' ? 'not yet approved' : `over (${protection.status})`}.`, 'OVL-8');

  const departureBody = async (departure: Departure): Promise<z.infer<typeof departureSchema>> => {
    const [customers, tasks] = await Promise.all([customersOwnedBy(sql, departure.userId), openTasksOf(sql, departure.processId)]);
    return {
      id: departure.id,
      userId: departure.userId,
      departmentId: departure.departmentId,
      reportedBy: departure.reportedBy,
      note: departure.note,
      status: departure.status,
      processId: departure.processId,
      reportedAt: iso(departure.reportedAt),
      completedAt: departure.completedAt && iso(departure.completedAt),
      reassignmentTaskId: tasks.find((task) => task.nodeId === 'reassign')?.id ?? null,
      customers: customers.map((customer) => ({
        id: customer.id,
        name: customer.name,
        status: customer.status,
        protectionEndsAt: customer.protectionEndsAt && iso(customer.protectionEndsAt),
      })),
    };
  };

  /** A departure the user may see: the leaver, the reporter, HR, the department's manager and the company-level viewers. */
  const visibleDeparture = async (user: User, departureId: string): Promise<Departure> => {
    const departure = await findDeparture(sql, departureId);
    const visible =
      departure &&
      (departure.userId === user.id || departure.reportedBy === user.id || mayReportDeparture(user, departure.departmentId) || isCompanyViewer(user));
    if (!visible) throw new NotFound('DEPARTURE_NOT_FOUND', `No departure ${departureId}.`);
    return departure;
  };

  // ---------------------------------------------------------------- customers

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers',
      tags: ['customers'],
      summary: 'Enter a prospect into the customer archive (CUS-1)',
      description:
        '[interpretation] CUS-1 covers future customers, so a prospect is archived at once, in the creator\'s department, and starts in the open pool 公海 (status open, no owner): ' +
        'only a protection request approved by the Department Manager, or an assignment, makes it a salesperson\'s (OVL-8). CUS-4: the card type must be one the department keeps.',
      middleware: [authenticated] as const,
      request: { body: { required: true, ...json(newCustomer) } },
      responses: {
        201: { description: 'Archived, in the open pool', ...json(customerSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_SALES_STAFF: only salespeople and Department Managers enter customers (CUS-2) (problem+json)' },
        422: { description: 'CARD_NOT_KEPT_BY_DEPARTMENT (CUS-4) (problem+json)' },
      },
    }),
    async (c) => {
      const user = c.var.user;
      const body = c.req.valid('json');
      if (!mayCreateCustomer(user)) throw new Forbidden('NOT_SALES_STAFF', 'Only salespeople and Department Managers enter customers into their department\'s archive.', 'CUS-2');
      checkCardKeeper(user.departmentId, body.cardType);
      const customer = await insertCustomer(sql, { id: randomUUID(), ...body, departmentId: user.departmentId, createdBy: user.id });
      c.header('location', `/api/v1/customers/${customer.id}`);
      return c.json(customerBody(customer), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/customers',
      tags: ['customers'],
      summary: 'The customers I may see: by status, department, owner or words of the name, city or region',
      description:
        'SEC-1 (light): the GM, the Marketing Director and the Marketing VP see every customer; a Department Manager their department\'s and the open pool; a salesperson ' +
        'their own, those they co-develop and the open pool; anyone else none. By name, a page at a time.',
      middleware: [authenticated] as const,
      request: { query: customerQuery },
      responses: {
        200: { description: 'A page of customers', ...json(customerPage) },
        400: { description: 'INVALID_INPUT: an unknown status, a bad limit or cursor (problem+json)' },
        401: unauthorized,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const page = await listCustomers(sql, {
        scope: customerScope(c.var.user),
        status: query.status,
        departmentId: query.department,
        ownerId: query.owner,
        q: query.q,
        limit: query.limit,
        after: query.cursor === undefined ? undefined : customerCursor(query.cursor),
      });
      return c.json({ customers: page.customers.map(customerBody), nextCursor: page.next && customerKey.format([page.next.name, page.next.id]) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/customers/{id}',
      tags: ['customers'],
      summary: 'One customer, with its protection, co-developers and ownership history',
      middleware: [authenticated] as const,
      request: { params: customerParams },
      responses: {
        200: { description: 'The customer', ...json(customerDetail) },
        401: unauthorized,
        404: { description: 'CUSTOMER_NOT_FOUND: no such customer, or one the caller may not see (problem+json)' },
      },
    }),
    async (c) => c.json(await customerDetailBody(await visibleCustomer(c.var.user, c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers/{id}/protection-requests',
      tags: ['customers'],
      summary: 'Apply to protect a customer of the open pool for 4 months (OVL-8)',
      description:
        'The caller\'s Department Manager decides. While the customer is protected by someone else the request is refused (409 CUSTOMER_PROTECTED, naming the protector and ' +
        'the end date): ask to co-develop instead. [interpretation] A salesperson who lost the customer to the open pool may not apply for it again for 30 days ' +
        '(422 RECLAIM_BLOCKED, OVL-8). Retrying while one\'s own request is pending returns it (200).',
      middleware: [authenticated] as const,
      request: { params: customerParams, body: { required: true, ...json(protectionRequest) } },
      responses: {
        201: { description: `Requested: the Department Manager has a task. ${startsAsynchronously}`, ...json(protectionSchema) },
        200: { description: 'The caller\'s request already pending', ...json(protectionSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_A_SALESPERSON (OVL-8), SALESPERSON_LEAVING (SEC-5) (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
        409: { description: 'CUSTOMER_PROTECTED, PROTECTION_PENDING, CUSTOMER_OWNED (OVL-8) (problem+json)' },
        422: { description: 'RECLAIM_BLOCKED (OVL-8), CARD_NOT_KEPT_BY_DEPARTMENT (CUS-4) (problem+json)' },
      },
    }),
    async (c) => {
      const user = c.var.user;
      const { reason } = c.req.valid('json');
      if (!isSalesperson(user)) throw new Forbidden('NOT_A_SALESPERSON', 'Only salespeople apply to protect customers.', 'OVL-8');
      await refuseLeaver(user, 'a protection request');
      const customer = await findCustomer(sql, c.req.valid('param').id);
      if (!customer) throw customerNotFound(c.req.valid('param').id);
      const current = await currentProtection(sql, customer.id);
      if (current?.status === 'requested' && current.kind === 'request' && current.protectorId === user.id) {
        return c.json(protectionBody(current, []), 200);
      }
      await checkClaim(customer, current, user);
      const protection = await startProtection(customer, user, 'request', user, reason);
      c.header('location', `/api/v1/protections/${protection.id}`);
      return c.json(protectionBody(protection, []), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers/{id}/assignments',
      tags: ['customers'],
      summary: 'Assign a customer of the open pool to a salesperson: their 4-month protection starts at once (OVL-8)',
      description:
        'By the Department Manager of the salesperson, to an active salesperson of their department. The same checks as a protection request apply to the salesperson. ' +
        'Retrying returns the protection it started (200).',
      middleware: [authenticated] as const,
      request: { params: customerParams, body: { required: true, ...json(assignmentRequest) } },
      responses: {
        201: { description: `Assigned: the protection is starting. ${startsAsynchronously}`, ...json(protectionSchema) },
        200: { description: 'This assignment was already made', ...json(protectionSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THEIR_DEPARTMENT_MANAGER (CUS-2) (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
        409: { description: 'CUSTOMER_PROTECTED, PROTECTION_PENDING, CUSTOMER_OWNED (OVL-8) (problem+json)' },
        422: { description: 'USER_NOT_FOUND, NOT_AN_ACTIVE_SALESPERSON (SEC-5), RECLAIM_BLOCKED (OVL-8), CARD_NOT_KEPT_BY_DEPARTMENT (CUS-4) (problem+json)' },
      },
    }),
    async (c) => {
      const user = c.var.user;
      const { salespersonId } = c.req.valid('json');
      const salesperson = await namedUser(sql, salespersonId, 'salespersonId');
      if (!managesDepartment(user, salesperson.departmentId)) {
        throw new Forbidden('NOT_THEIR_DEPARTMENT_MANAGER', `Only the Department Manager of ${salesperson.departmentId} assigns customers to ${salesperson.id}.`, 'CUS-2');
      }
      const leaving = await openDepartureOf(sql, salesperson.id);
      if (!salesperson.active || !isSalesperson(salesperson) || leaving) {
        throw new PolicyViolation('NOT_AN_ACTIVE_SALESPERSON', leaving ? 'SEC-5' : undefined, `${salesperson.id} is not an active salesperson${leaving ? ' (leaving)' : ''}.`, [
          { path: 'salespersonId', message: 'must be an active salesperson' },
        ]);
      }
      const customer = await findCustomer(sql, c.req.valid('param').id);
      if (!customer) throw customerNotFound(c.req.valid('param').id);
      const current = await currentProtection(sql, customer.id);
      if (current?.kind === 'assignment' && current.protectorId === salesperson.id && current.requestedBy === user.id) {
        return c.json(protectionBody(current, await reportsOf(sql, current.id)), 200);
      }
      await checkClaim(customer, current, salesperson);
      const protection = await startProtection(customer, salesperson, 'assignment', user, null);
      c.header('location', `/api/v1/protections/${protection.id}`);
      return c.json(protectionBody(protection, []), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers/{id}/co-development-requests',
      tags: ['customers'],
      summary: 'Ask the owner of a protected (or owned) customer to work it together, offering a commission share (OVL-8)',
      description: 'The owner accepts or declines (a task). An accepted share is kept on the customer. Retrying while one\'s own request is pending returns it (200).',
      middleware: [authenticated] as const,
      request: { params: customerParams, body: { required: true, ...json(coDevelopmentRequest) } },
      responses: {
        201: { description: `Requested: the owner has a task. ${startsAsynchronously}`, ...json(coDevelopmentSchema) },
        200: { description: 'The caller\'s request already pending', ...json(coDevelopmentSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_A_SALESPERSON (OVL-8), SALESPERSON_LEAVING (SEC-5) (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
        409: { description: 'CUSTOMER_NOT_OWNED (in the open pool: apply to protect it), OWN_CUSTOMER, CO_DEVELOPMENT_PENDING, ALREADY_CO_DEVELOPER (problem+json)' },
      },
    }),
    async (c) => {
      const user = c.var.user;
      const { share } = c.req.valid('json');
      if (!isSalesperson(user)) throw new Forbidden('NOT_A_SALESPERSON', 'Only salespeople co-develop customers.', 'OVL-8');
      await refuseLeaver(user, 'a co-development request');
      const customer = await findCustomer(sql, c.req.valid('param').id);
      if (!customer) throw customerNotFound(c.req.valid('param').id);
      if (customer.ownerId === null) {
        throw new StateConflict('CUSTOMER_NOT_OWNED', `${customer.name} is in the open pool: apply to protect it instead.`, 'OVL-8');
      }
      if (customer.ownerId === user.id) throw new StateConflict('OWN_CUSTOMER', `${customer.name} is yours already.`, 'OVL-8');
      const pending = await pendingCoDevelopment(sql, customer.id, user.id);
      if (pending) {
        if (pending.sharePercent === share && pending.ownerId === customer.ownerId) return c.json(coDevelopmentBody(pending), 200);
        throw new StateConflict('CO_DEVELOPMENT_PENDING', `Your co-development request ${pending.id} for ${customer.name} awaits its owner's answer.`, 'OVL-8');
      }
      const ownerId = customer.ownerId;
      if ((await coDevelopersOf(sql, customer.id)).some((d) => d.coDeveloperId === user.id && d.ownerId === ownerId)) {
        throw new StateConflict('ALREADY_CO_DEVELOPER', `You already co-develop ${customer.name} with ${ownerId}.`, 'OVL-8');
      }
      const requestId = randomUUID();
      const request = await sql.begin(async (tx) => {
        const inserted = await insertCoDevelopmentRequest(tx, {
          id: requestId,
          customerId: customer.id,
          requesterId: user.id,
          ownerId,
          sharePercent: share,
          processId: coDevelopmentProcessId(requestId),
        });
        await enqueueStart(tx, {
          key: customerProcessKeys.coDevelopment,
          processId: inserted.processId,
          initiator: { id: user.id, departmentId: user.departmentId },
          variables: { requestId, customerId: customer.id, ownerId, departmentId: customer.departmentId, share },
        });
        return inserted;
      });
      await outbox.deliver([request.processId]);
      return c.json(coDevelopmentBody((await findCoDevelopmentRequest(sql, requestId))!), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers/{id}/transfers',
      tags: ['customers'],
      summary: 'Hand a customer to another salesperson of its department (the Department Manager only, SEC-5)',
      description:
        'SEC-5: customers are handed over by the Department Manager, never by their salesperson; a leaver\'s own attempt is refused (403, ruleId SEC-5). A running protection ' +
        'goes with the customer: the new owner files its reports from now on.',
      middleware: [authenticated] as const,
      request: { params: customerParams, body: { required: true, ...json(transferRequest) } },
      responses: {
        200: { description: 'Transferred', ...json(customerDetail) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'LEAVER_MAY_NOT_TRANSFER, ONLY_DEPARTMENT_MANAGER_TRANSFERS (SEC-5) (problem+json)' },
        404: { description: 'CUSTOMER_NOT_FOUND (problem+json)' },
        409: { description: 'CUSTOMER_NOT_OWNED (in the open pool: assign it instead), CUSTOMER_CHANGED (problem+json)' },
        422: { description: 'HAND_OVER_REFUSED with `errors` (SEC-5) (problem+json)' },
      },
    }),
    async (c) => {
      const user = c.var.user;
      const { toSalespersonId } = c.req.valid('json');
      const customer = await visibleCustomer(user, c.req.valid('param').id);
      if (customer.ownerId === user.id && (await openDepartureOf(sql, user.id))) {
        throw new Forbidden('LEAVER_MAY_NOT_TRANSFER', 'A salesperson who is leaving may not hand customers over themselves: the Department Manager reassigns them.', 'SEC-5');
      }
      if (!managesDepartment(user, customer.departmentId)) {
        throw new Forbidden('ONLY_DEPARTMENT_MANAGER_TRANSFERS', `Only the Department Manager of ${customer.departmentId} hands its customers over.`, 'SEC-5');
      }
      if (customer.ownerId === null) throw new StateConflict('CUSTOMER_NOT_OWNED', `${customer.name} is in the open pool: assign it instead.`);
      const owner = { id: customer.ownerId, departmentId: customer.departmentId };
      const problems = await handOverProblemsNow(sql, owner, { customerId: customer.id, salespersonId: toSalespersonId });
      if (problems.length > 0) {
        throw new PolicyViolation('HAND_OVER_REFUSED', 'SEC-5', `${customer.name} cannot go to ${toSalespersonId}.`, problems.map((message) => ({ path: 'toSalespersonId', message })));
      }
      const changed = await changeOwner(sql, {
        customerId: customer.id,
        fromOwnerId: owner.id,
        toOwnerId: toSalespersonId,
        reason: 'transferred',
        actorId: user.id,
        at: new Date(),
        key: `transfer:${randomUUID()}`,
      });
      if (!changed) throw new StateConflict('CUSTOMER_CHANGED', `${customer.name} changed hands meanwhile; look again.`);
      return c.json(await customerDetailBody((await findCustomer(sql, customer.id))!), 200);
    },
  );

  // ---------------------------------------------------------------- protections

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/protections/{id}',
      tags: ['customers'],
      summary: 'A protection: its months, the progress reports filed in each, and the release day (OVL-8)',
      description: 'Visible to the protector, the requester, the Department Manager and the company-level viewers (SEC-1); 404 for anyone else.',
      middleware: [authenticated] as const,
      request: { params: protectionParams },
      responses: {
        200: { description: 'The protection', ...json(protectionSchema) },
        401: unauthorized,
        404: { description: 'PROTECTION_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => {
      const protection = await visibleProtection(c.var.user, c.req.valid('param').id);
      return c.json(protectionBody(protection, await reportsOf(sql, protection.id)), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/protections/{id}/reports',
      tags: ['customers'],
      summary: 'File a progress report to the Department Manager (OVL-8: at least one a month)',
      description:
        'By the protector. Every report is recorded; the first of a protection month satisfies that month in the process (`forwarded`). A report filed while the Department ' +
        'Manager decides on a missed month counts for the month under way.',
      middleware: [authenticated] as const,
      request: { params: protectionParams, body: { required: true, ...json(reportRequest) } },
      responses: {
        201: { description: 'Filed', ...json(reportSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_PROTECTOR (OVL-8) (problem+json)' },
        404: { description: 'PROTECTION_NOT_FOUND (problem+json)' },
        409: { description: 'PROTECTION_ENDED: not yet approved, or over (problem+json)' },
      },
    }),
    async (c) => {
      const user = c.var.user;
      const { summary } = c.req.valid('json');
      const protection = await visibleProtection(user, c.req.valid('param').id);
      if (protection.protectorId !== user.id) throw new Forbidden('NOT_THE_PROTECTOR', `Progress reports on protection ${protection.id} are filed by its protector.`, 'OVL-8');
      if (protection.status !== 'active') throw protectionEnded(protection);
      // Which month it counts for is where the instance is, in workflow time.
      const view = await processState(engine, protection.processId).catch((error: unknown) => {
        throw error instanceof StateConflict ? protectionEnded({ ...protection, status: 'released' }) : error;
      });
      const target = reportTarget(view.activeNodes);
      // Between its last month and its end (releasing, or recording an intent order): nothing left to report on.
      if (!target) throw new StateConflict('PROTECTION_ENDED', `Protection ${protection.id} is ending; it takes no more reports.`, 'OVL-8');
      const reports = await reportsOf(sql, protection.id);
      const forwarded = target.forward && !reports.some((report) => report.month === target.month && report.forwarded);
      const reportId = randomUUID();
      // The report and the message that counts it for its month are committed together.
      const report = await sql.begin(async (tx) => {
        const inserted = await insertProtectionReport(tx, { id: reportId, protectionId: protection.id, month: target.month, authorId: user.id, summary, forwarded });
        // One message a month, by id: the process ignores a repeat.
        if (forwarded) await enqueueMessage(tx, protection.processId, { id: `${protection.id}:report:${target.month}`, name: reportMessage(target.month), payload: { reportId }, actorId: user.id });
        return inserted;
      });
      if (forwarded) await outbox.deliver([protection.processId]);
      return c.json(reportBody(report), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/protections/{id}/intent-orders',
      tags: ['customers'],
      summary: 'File the intent order 意向单 that ends the protection successfully: the customer stays the protector\'s (OVL-8)',
      description: 'By the protector or their Department Manager, at any time during the protection. The process records it at once; the answer is the protection as it is now.',
      middleware: [authenticated] as const,
      request: { params: protectionParams, body: { required: true, ...json(intentOrderRequest) } },
      responses: {
        202: { description: 'Accepted: the protection ends with the customer owned', ...json(protectionSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'NOT_THE_PROTECTOR (OVL-8) (problem+json)' },
        404: { description: 'PROTECTION_NOT_FOUND (problem+json)' },
        409: { description: 'PROTECTION_ENDED (problem+json)' },
      },
    }),
    async (c) => {
      const user = c.var.user;
      const { reference } = c.req.valid('json');
      const protection = await visibleProtection(user, c.req.valid('param').id);
      if (protection.protectorId !== user.id && !managesDepartment(user, protection.departmentId)) {
        throw new Forbidden('NOT_THE_PROTECTOR', `The intent order of protection ${protection.id} is filed by its protector or their Department Manager.`, 'OVL-8');
      }
      if (protection.status !== 'active') throw protectionEnded(protection);
      await sendMessage(engine, protection.processId, { id: `${protection.id}:intent-order`, name: 'intentOrder', payload: { reference, filedBy: user.id }, actorId: user.id }).catch(
        (error: unknown) => {
          throw error instanceof StateConflict ? protectionEnded({ ...protection, status: 'released' }) : error;
        },
      );
      return c.json(protectionBody(protection, await reportsOf(sql, protection.id)), 202);
    },
  );

  // ---------------------------------------------------------------- departures (SEC-5)

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/users/{id}/departure',
      tags: ['customers'],
      summary: 'Report a salesperson leaving: their Department Manager reassigns their customers (SEC-5)',
      description:
        'By HR or the leaver\'s Department Manager. The leaver\'s account stays active until every customer is reassigned, then it is closed (users.active false, left_at set). ' +
        'Reporting again while the reassignment is under way returns it (200).',
      middleware: [authenticated] as const,
      request: { params: userParams, body: { required: true, ...json(departureRequest) } },
      responses: {
        201: { description: `Reported: the Department Manager has a reassignment task (none if the leaver holds no customer). ${startsAsynchronously}`, ...json(departureSchema) },
        200: { description: 'The departure already under way', ...json(departureSchema) },
        400: invalidInput,
        401: unauthorized,
        403: { description: 'DEPARTURE_NOT_ALLOWED (SEC-5) (problem+json)' },
        404: { description: 'USER_NOT_FOUND (problem+json)' },
        409: { description: 'USER_INACTIVE: the user has left already (problem+json)' },
        422: { description: 'NOT_A_SALESPERSON (SEC-5) (problem+json)' },
      },
    }),
    async (c) => {
      const user = c.var.user;
      const { note } = c.req.valid('json');
      const leaver = await findUser(sql, c.req.valid('param').id);
      if (!leaver) throw new NotFound('USER_NOT_FOUND', `No user ${c.req.valid('param').id}.`);
      if (!mayReportDeparture(user, leaver.departmentId)) {
        throw new Forbidden('DEPARTURE_NOT_ALLOWED', `A departure is reported by HR or the Department Manager of ${leaver.departmentId}.`, 'SEC-5');
      }
      const open = await openDepartureOf(sql, leaver.id);
      if (open) return c.json(await departureBody(open), 200);
      if (!isSalesperson(leaver)) throw new PolicyViolation('NOT_A_SALESPERSON', 'SEC-5', `${leaver.id} is not a salesperson: there are no customers to reassign.`);
      if (!leaver.active) throw new StateConflict('USER_INACTIVE', `${leaver.id} has left already.`);
      const departureId = randomUUID();
      const departure = await sql.begin(async (tx) => {
        const inserted = await insertDeparture(tx, {
          id: departureId,
          userId: leaver.id,
          departmentId: leaver.departmentId,
          reportedBy: user.id,
          note: note ?? null,
          processId: departureProcessId(departureId),
        });
        await enqueueStart(tx, {
          key: customerProcessKeys.departure,
          processId: inserted.processId,
          // SEC-5: the leaver is the initiator, whom the engine never makes a candidate.
          initiator: { id: leaver.id, departmentId: leaver.departmentId },
          variables: { departureId, departmentId: leaver.departmentId, reportedBy: user.id },
        });
        return inserted;
      });
      await outbox.deliver([departure.processId]);
      c.header('location', `/api/v1/departures/${departureId}`);
      return c.json(await departureBody(departure), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/departures/{id}',
      tags: ['customers'],
      summary: "A departure: the customers the leaver still holds, and the Department Manager's reassignment task",
      description: 'Visible to the leaver, the reporter, HR, the Department Manager and the company-level viewers; 404 for anyone else.',
      middleware: [authenticated] as const,
      request: { params: departureParams },
      responses: {
        200: { description: 'The departure', ...json(departureSchema) },
        401: unauthorized,
        404: { description: 'DEPARTURE_NOT_FOUND (problem+json)' },
      },
    }),
    async (c) => c.json(await departureBody(await visibleDeparture(c.var.user, c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/departures/{id}/reassignments',
      tags: ['customers'],
      summary: "Decide the reassignment task: each of the leaver's customers to another salesperson of the department (SEC-5)",
      description:
        'Checked before the task is decided: every customer must still be the leaver\'s and every salesperson an active salesperson of the department, not leaving (422 with ' +
        '`errors`). Customers left out stay with the task, which opens again for them. A running protection goes with its customer.',
      middleware: [authenticated] as const,
      request: { params: departureParams, body: { required: true, ...json(reassignmentRequest) } },
      responses: {
        200: { description: 'Reassigned; the departure as it is now', ...json(departureSchema) },
        202: accepted,
        400: invalidInput,
        401: unauthorized,
        403: { description: 'LEAVER_MAY_NOT_TRANSFER (SEC-5), NOT_A_CANDIDATE (problem+json)' },
        404: { description: 'DEPARTURE_NOT_FOUND (problem+json)' },
        409: { description: 'DEPARTURE_COMPLETED, REASSIGNMENT_NOT_OPEN (problem+json)' },
        422: { description: 'REASSIGNMENT_REFUSED with `errors` (SEC-5) (problem+json)' },
      },
    }),
    async (c) => {
      const user = c.var.user;
      const { assignments } = c.req.valid('json');
      const departure = await visibleDeparture(user, c.req.valid('param').id);
      if (departure.userId === user.id) {
        throw new Forbidden('LEAVER_MAY_NOT_TRANSFER', 'A salesperson who is leaving may not hand customers over themselves: the Department Manager reassigns them.', 'SEC-5');
      }
      if (departure.status === 'completed') throw new StateConflict('DEPARTURE_COMPLETED', `Every customer of ${departure.userId} is reassigned.`);
      const task = (await openTasksOf(sql, departure.processId)).find((open) => open.nodeId === 'reassign');
      if (!task) throw new StateConflict('REASSIGNMENT_NOT_OPEN', 'The reassignment task is not open just now; look at the departure again.');
      if (!task.candidateIds.includes(user.id) && !task.delegateIds.includes(user.id)) {
        throw new Forbidden('NOT_A_CANDIDATE', `${user.id} may not decide the reassignment of ${departure.userId}'s customers.`);
      }
      const leaver = { id: departure.userId, departmentId: departure.departmentId };
      const errors: { path: string; message: string }[] = [];
      const seen = new Set<string>();
      for (const [index, pair] of assignments.entries()) {
        if (seen.has(pair.customerId)) errors.push({ path: `assignments.${index}.customerId`, message: 'the customer is named twice' });
        seen.add(pair.customerId);
        for (const message of await handOverProblemsNow(sql, leaver, pair)) errors.push({ path: `assignments.${index}`, message });
      }
      if (errors.length > 0) throw new PolicyViolation('REASSIGNMENT_REFUSED', 'SEC-5', 'Some customers cannot go where the reassignment sends them.', errors);
      await completeTask(engine, departure.processId, { taskId: task.id, actorId: user.id, outcome: 'reassign', data: { assignments: assignments.map(formatReassignment) } });
      return c.json(await departureBody((await findDeparture(sql, departure.id))!), 200);
    },
  );

  return router;
}
