// The customers area's HTTP contract: the schemas of its bodies (zod-openapi) and the mapping of
// the service's records to them, shared by the routers of each resource (customers.ts,
// protections.ts, co-development.ts, departures.ts).
import { z } from '@hono/zod-openapi';
import { keysetCursor } from '../../../platform/http/cursor.ts';
import { idParam, identifier } from '../../../platform/http/schemas.ts';
import { archiveDate } from '../../delegation/index.ts';
import {
  cardTypeLabels,
  cardTypes,
  customerStatuses,
  customerStatusLabels,
  ownershipReasons,
  protectionEndReasons,
  protectionKinds,
  protectionStatuses,
} from '../rules.ts';
import { releaseAt, type ProtectionView } from '../service/protections.ts';
import type { CustomerDetail } from '../service/customers.ts';
import type { DepartureView } from '../service/departures.ts';
import type { CoDevelopmentRequest, Customer, Protection, ProtectionReport } from '../service/records.ts';

export const label = z.object({ en: z.string(), zh: z.string() });
export const timestamp = z.string().openapi({ format: 'date-time', example: '2026-03-01T08:00:00.000Z' });
export const iso = (date: Date) => date.toISOString();
export const id = identifier();
export const userId = identifier(200, { trim: true });

export const ownershipChange = z
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

export const customerSchema = z
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

export const customerDetail = customerSchema
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

export const customerParams = idParam();

/** Pages of customers: by name, then id. */
export const customerKey = keysetCursor('text', 'text');

export function customerCursor(text: string): { name: string; id: string } | undefined {
  const parts = customerKey.parse(text);
  return parts && { name: parts[0], id: parts[1] };
}

export const customerQuery = z.object({
  status: z.enum(customerStatuses).optional(),
  department: identifier(100).optional(),
  owner: identifier().optional(),
  q: z.string().trim().min(1).max(200).optional().openapi({ description: 'Part of the name, city or region (case-insensitive).' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: customerKey.query,
});

export const customerPage = z
  .object({ customers: z.array(customerSchema), nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' }) })
  .openapi('CustomerPage');

export const protectionMonth = z.object({ month: z.number().int(), startsAt: timestamp, endsAt: timestamp, reports: z.number().int() });

export const reportSchema = z
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

export const protectionSchema = z
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

export const protectionParams = idParam();

export const protectionRequest = z
  .object({ reason: z.string().trim().min(1).max(2_000).openapi({ example: 'Visited twice; they plan a 2026 gift order.' }) })
  .strict()
  .openapi('ProtectionRequest');

export const assignmentRequest = z.object({ salespersonId: userId.openapi({ example: 'biz-sales-1' }) }).strict().openapi('AssignmentRequest');

export const reportRequest = z.object({ summary: z.string().trim().min(1).max(4_000) }).strict().openapi('ProgressReportRequest');

export const intentOrderRequest = z
  .object({ reference: z.string().trim().min(1).max(200).openapi({ description: 'The intent order 意向单 number.', example: 'YX-2026-0042' }) })
  .strict()
  .openapi('IntentOrderRequest');

export const coDevelopmentRequest = z
  .object({
    share: z.number().int().min(1).max(99).openapi({ description: "The co-developer's share of the commission, in percent (5:5 is 50).", example: 50 }),
  })
  .strict()
  .openapi('CoDevelopmentRequest');

export const coDevelopmentSchema = z
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

export const transferRequest = z.object({ toSalespersonId: userId }).strict().openapi('TransferRequest');

export const departureRequest = z.object({ note: z.string().trim().max(2_000).optional() }).strict().openapi('DepartureRequest');

export const departureSchema = z
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

export const departureParams = idParam();
export const userParams = idParam('id', { example: 'biz-sales-1' });

export const reassignmentRequest = z
  .object({
    assignments: z
      .array(z.object({ customerId: id, salespersonId: userId }).strict())
      .min(1)
      .max(1_000)
      .openapi({ description: 'Each customer of the leaver to another salesperson of the department.' }),
  })
  .strict()
  .openapi('ReassignmentRequest');

export const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

// ------------------------------------------------------------------ mapping

export function customerBody(customer: Customer): z.infer<typeof customerSchema> {
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

export function protectionBody(protection: Protection, reports: ProtectionReport[]): z.infer<typeof protectionSchema> {
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

export function reportBody(report: ProtectionReport): z.infer<typeof reportSchema> {
  return { ...report, filedAt: iso(report.filedAt) };
}

export function coDevelopmentBody(request: CoDevelopmentRequest): z.infer<typeof coDevelopmentSchema> {
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

export function customerDetailBody({ customer, protection, coDevelopers, history }: CustomerDetail): z.infer<typeof customerDetail> {
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
}

export const protectionViewBody = ({ protection, reports }: ProtectionView) => protectionBody(protection, reports);

export function departureBody({ departure, customers, reassignmentTaskId }: DepartureView): z.infer<typeof departureSchema> {
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
    reassignmentTaskId,
    customers: customers.map((customer) => ({
      id: customer.id,
      name: customer.name,
      status: customer.status,
      protectionEndsAt: customer.protectionEndsAt && iso(customer.protectionEndsAt),
    })),
  };
}
