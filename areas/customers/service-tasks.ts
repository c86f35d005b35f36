// The customer processes' service tasks (domain/services/customers.ts). Each state change is one
// transaction guarded by the state it expects (db/customers.ts), and keyed by the service call
// where it writes history or notices, so a retried call changes nothing twice.
import { ApplicationFailure } from '@temporalio/common';
import {
  changeOwner,
  completeDeparture,
  customersOwnedBy,
  declineProtectionRequest,
  endProtection,
  findCustomer,
  findDeparture,
  findProtection,
  handOverProblemsNow,
  settleCoDevelopment,
  startProtection,
  type Protection,
} from './sql.ts';
import { departmentManagers, usersWithRole } from '../../platform/organisation/sql.ts';
import { parseReassignments, protectionMonths } from './rules.ts';
import { archiveDate } from '../delegation/rules.ts';
import type { customerServices } from './service-task-specs.ts';
import { insertNotices } from '../../platform/db/audit.ts';
import type { ServiceDeps, ServiceHandlers } from '../../engine/activities/services.ts';

export function customerServiceHandlers({ sql }: ServiceDeps): ServiceHandlers<typeof customerServices> {
  /** The process is started after its record is stored: a missing one is a defect, not a fault to retry. */
  const protectionOf = async (id: string): Promise<Protection> => {
    const protection = await findProtection(sql, id);
    if (!protection) throw ApplicationFailure.nonRetryable(`no protection ${id}`, 'PROTECTION_NOT_FOUND');
    return protection;
  };
  const customerName = async (id: string) => (await findCustomer(sql, id))?.name ?? id;

  return {
    async beginProtection(input, { key, at }) {
      const id = String(input.protectionId);
      const months = protectionMonths(at);
      const protection = await startProtection(sql, {
        id,
        startedAt: new Date(at),
        monthEnds: months.map((month) => new Date(month.endsAt)),
        grantedBy: String(input.grantedBy),
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
      await declineProtectionRequest(sql, String(input.protectionId), new Date(at));
      return {};
    },

    async remindProtector(input, { processId, key, at }) {
      const protection = await protectionOf(String(input.protectionId));
      if (protection.status !== 'active') return {};
      const month = Number(input.month);
      const endsOn = archiveDate(protection.monthEnds[month - 1]!);
      const name = await customerName(protection.customerId);
      // The protector of now: after a departure (SEC-5) the reports are due from the new owner.
      await insertNotices(sql, {
        key,
        processId,
        userIds: [protection.protectorId],
        kind: 'customer.report_due',
        text:
          `OVL-8: month ${month} of protecting ${name} ends on ${endsOn} and no progress report has been filed for it. ` +
          `客户保护期第${month}个月将于${endsOn}结束，尚未提交进展报告。`,
        at,
      });
      return {};
    },

    async convertProtection(input, { key, at }) {
      const converted = await endProtection(sql, {
        id: String(input.protectionId),
        outcome: 'intent_order',
        reference: String(input.reference),
        actorId: String(input.filedBy),
        at: new Date(at),
        key,
      });
      return { applied: converted !== undefined };
    },

    async releaseProtection(input, { processId, key, at }) {
      const outcome = input.reason === 'released_early' ? 'released_early' : 'expired';
      const released = await endProtection(sql, {
        id: String(input.protectionId),
        outcome,
        actorId: typeof input.decidedBy === 'string' ? input.decidedBy : null,
        at: new Date(at),
        key,
      });
      if (!released) return { applied: false };
      // OVL-8: the department learns the customer is free: its manager and its salespeople may apply.
      const department = released.departmentId;
      const [managers, salespeople] = await Promise.all([departmentManagers(sql, department), usersWithRole(sql, 'salesperson', department)]);
      const name = await customerName(released.customerId);
      const why = outcome === 'expired' ? 'its protection ended without an intent order' : 'it was released early for missing progress reports';
      const whyZh = outcome === 'expired' ? '保护期满且无意向单' : '因未按月汇报被提前释放';
      await insertNotices(sql, {
        key,
        processId,
        userIds: [...managers, ...salespeople].map((user) => user.id),
        kind: 'customer.released',
        text: `OVL-8: ${name} is in the open pool: ${why}. Salespeople may apply to develop it. 客户${name}${whyZh}，已转入公海，销售人员可申请开发。`,
        at,
      });
      return { applied: true };
    },

    async settleCoDevelopment(input, { at }) {
      await settleCoDevelopment(sql, { id: String(input.requestId), outcome: input.outcome === 'accepted' ? 'accepted' : 'declined', at: new Date(at) });
      return {};
    },

    async reassignCustomers(input, { key, at }) {
      const id = String(input.departureId);
      const departure = await findDeparture(sql, id);
      if (!departure) throw ApplicationFailure.nonRetryable(`no departure ${id}`, 'DEPARTURE_NOT_FOUND');
      const leaver = { id: departure.userId, departmentId: departure.departmentId };
      // Entries that are malformed or not allowed are skipped: the task opens again for what is left.
      const { pairs } = parseReassignments(input.assignments as string[]);
      for (const [index, pair] of pairs.entries()) {
        if ((await handOverProblemsNow(sql, leaver, pair)).length > 0) continue;
        await changeOwner(sql, {
          customerId: pair.customerId,
          fromOwnerId: leaver.id,
          toOwnerId: pair.salespersonId,
          reason: 'reassigned',
          actorId: typeof input.decidedBy === 'string' ? input.decidedBy : null,
          at: new Date(at),
          key: `${key}:${index}`,
        });
      }
      return { remaining: (await customersOwnedBy(sql, leaver.id)).length };
    },

    async completeDeparture(input, { at }) {
      await completeDeparture(sql, String(input.departureId), new Date(at));
      return {};
    },
  };
}
