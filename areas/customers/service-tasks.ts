// The customer processes' service tasks (service-task-specs.ts). Each state change is one
// transaction of the application service (service/), guarded by the state it expects, and keyed
// by the service call where it writes history or notices, so a retried call changes nothing twice.
// Inputs are parsed with zod here (the engine has checked them against the specs already).
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { declineProtectionRequest, findCustomer, findProtection, type Protection } from './sql.ts';
import { departmentManagers, usersWithRole } from '../../platform/organisation/sql.ts';
import { parseReassignments, protectionMonths, type Reassignment } from './rules.ts';
import { archiveDate } from '../delegation/index.ts';
import type { customerServices } from './service-task-specs.ts';
import { insertNotices } from '../../platform/db/audit.ts';
import { notice } from '../../platform/notifications/texts.ts';
import type { ServiceDeps, ServiceHandlers } from '../../engine/activities/services.ts';
import { endProtection, startProtection } from './service/protections.ts';
import { settleCoDevelopment } from './service/co-development.ts';
import { applyReassignment, completeDeparture } from './service/departures.ts';
import { recordMissedReport } from './service/missed-reports.ts';

const protectionInput = z.object({ protectionId: z.string() });
/** An optional text: absent, null or a string. */
const optionalText = z.string().nullish();
const departureInput = z.object({ departureId: z.string() });
const reassignmentInput = departureInput.extend({ decidedBy: optionalText });

export function customerServiceHandlers({ sql }: ServiceDeps): ServiceHandlers<typeof customerServices> {
  /** The process is started after its record is stored: a missing one is a defect, not a fault to retry. */
  const protectionOf = async (id: string): Promise<Protection> => {
    const protection = await findProtection(sql, id);
    if (!protection) throw ApplicationFailure.nonRetryable(`no protection ${id}`, 'PROTECTION_NOT_FOUND');
    return protection;
  };
  const customerName = async (id: string) => (await findCustomer(sql, id))?.name ?? id;

  /** SEC-5: the pairs applied, or a defect when the departure is missing. */
  const reassign = async (departureId: string, pairs: readonly Reassignment[], decidedBy: string | null | undefined, key: string, at: number) => {
    const result = await applyReassignment(sql, departureId, pairs, { decidedBy: decidedBy ?? null, key, at: new Date(at) });
    if (!result) throw ApplicationFailure.nonRetryable(`no departure ${departureId}`, 'DEPARTURE_NOT_FOUND');
    return result;
  };

  return {
    async beginProtection(input, { key, at }) {
      const { protectionId: id, grantedBy } = protectionInput.extend({ grantedBy: z.string() }).parse(input);
      const months = protectionMonths(at);
      const protection = await startProtection(sql, {
        id,
        startedAt: new Date(at),
        monthEnds: months.map((month) => new Date(month.endsAt)),
        grantedBy,
        key,
      });
      if (!protection?.startedAt) {
        throw ApplicationFailure.nonRetryable(`protection ${id} cannot start: the customer is no longer in the open pool`, 'CUSTOMER_NOT_AVAILABLE');
      }
      return {
        startedAt: protection.startedAt.toISOString(),
        ...Object.fromEntries(protection.monthEnds.map((end, i) => [`month${i + 1}EndsAt`, end.toISOString()])),
      };
    },

    async declineProtection(input, { at }) {
      await declineProtectionRequest(sql, protectionInput.parse(input).protectionId, new Date(at));
      return {};
    },

    async remindProtector(input, { processId, key, at }) {
      const { protectionId, month } = protectionInput.extend({ month: z.number().int().min(1) }).parse(input);
      const protection = await protectionOf(protectionId);
      if (protection.status !== 'active') return {};
      const endsOn = archiveDate(protection.monthEnds[month - 1]!);
      const name = await customerName(protection.customerId);
      // The protector of now: after a departure (SEC-5) the reports are due from the new owner.
      await insertNotices(sql, {
        key,
        processId,
        userIds: [protection.protectorId],
        ...notice('customer.report_due', { month, customerName: name, endsOn }),
        at,
      });
      return {};
    },

    async recordMissedReport(input, { processId, key, at }) {
      const { protectionId, month } = protectionInput.extend({ month: z.number().int().min(1) }).parse(input);
      const protection = await protectionOf(protectionId);
      // Ended meanwhile (an intent order): nothing was missed that still counts.
      if (protection.status !== 'active') return { earlyRelease: false };
      return recordMissedReport(sql, protection, { month, customerName: await customerName(protection.customerId), processId, key, at });
    },

    async convertProtection(input, { key, at }) {
      const { protectionId, reference, filedBy } = protectionInput.extend({ reference: z.string(), filedBy: z.string() }).parse(input);
      const converted = await endProtection(sql, { id: protectionId, outcome: 'intent_order', reference, actorId: filedBy, at: new Date(at), key });
      return { applied: converted !== undefined };
    },

    async releaseProtection(input, { processId, key, at }) {
      const { protectionId, reason: outcome, decidedBy } = protectionInput.extend({ reason: z.enum(['expired', 'released_early']), decidedBy: optionalText }).parse(input);
      const released = await endProtection(sql, { id: protectionId, outcome, actorId: decidedBy ?? null, at: new Date(at), key });
      if (!released) return { applied: false };
      // OVL-8: the department learns the customer is free: its manager and its salespeople may apply.
      const department = released.departmentId;
      const [managers, salespeople] = await Promise.all([departmentManagers(sql, department), usersWithRole(sql, 'salesperson', department)]);
      const name = await customerName(released.customerId);
      await insertNotices(sql, {
        key,
        processId,
        userIds: [...managers, ...salespeople].map((user) => user.id),
        ...notice('customer.released', { customerName: name, outcome }),
        at,
      });
      return { applied: true };
    },

    async settleCoDevelopment(input, { at }) {
      const { requestId, outcome } = z.object({ requestId: z.string(), outcome: z.enum(['accepted', 'declined']) }).parse(input);
      await settleCoDevelopment(sql, { id: requestId, outcome, at: new Date(at) });
      return {};
    },

    // customer.departure@1: entries that are malformed or not allowed are skipped: the task opens again for what is left.
    async reassignCustomers(input, { key, at }) {
      const { departureId, assignments, decidedBy } = reassignmentInput.extend({ assignments: z.array(z.string()) }).parse(input);
      return reassign(departureId, parseReassignments(assignments).pairs, decidedBy, key, at);
    },

    async reassignCustomerRecords(input, { key, at }) {
      const pair = z.object({ customerId: z.string(), salespersonId: z.string() });
      const { departureId, assignments, decidedBy } = reassignmentInput.extend({ assignments: z.array(pair) }).parse(input);
      return reassign(departureId, assignments, decidedBy, key, at);
    },

    async completeDeparture(input, { at }) {
      await completeDeparture(sql, departureInput.parse(input).departureId, new Date(at));
      return {};
    },
  };
}
