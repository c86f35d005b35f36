// OVL-8: a protection month that ended without a progress report. The miss is recorded in the
// instance's audit trail (rule OVL-8), HR is copied in on the instance so it reads that trail,
// and the protector and their Department Manager are told. It does not shorten the 4 months
// unless the company allows early release (customerSettings.earlyReleaseOnMissedReport).
import type { Sql } from '../../../platform/db/client.ts';
import { insertAudit, insertNotices } from '../../../platform/db/audit.ts';
import { notice } from '../../../platform/notifications/texts.ts';
import { departmentManagers, usersWithRole } from '../../../platform/organisation/sql.ts';
import { writeActionRows } from '../../../engine/sql/task-actions.ts';
import { archiveDate } from '../../delegation/index.ts';
import { customerSettings } from '../rules.ts';
import type { Protection } from '../sql.ts';

/** The audit event of a missed monthly report. */
export const missedReportEvent = 'customer.report_missed' as const;

/**
 * Records that month `month` of an active protection ended without a report, once per service
 * call (`key`). Whether the protection may now end early: the company setting.
 */
export async function recordMissedReport(
  sql: Sql,
  protection: Protection,
  missed: { month: number; customerName: string; processId: string; key: string; at: number },
): Promise<{ earlyRelease: boolean }> {
  const earlyRelease = customerSettings.earlyReleaseOnMissedReport;
  const [managers, hr] = await Promise.all([departmentManagers(sql, protection.departmentId), usersWithRole(sql, 'hr')]);
  const endedOn = archiveDate(protection.monthEnds[missed.month - 1]!);
  await sql.begin(async (tx) => {
    await insertAudit(tx, [
      {
        key: missed.key,
        at: missed.at,
        processId: missed.processId,
        event: missedReportEvent,
        actorId: null,
        ruleId: 'OVL-8',
        detail: { protectionId: protection.id, customerId: protection.customerId, protectorId: protection.protectorId, month: missed.month, earlyRelease },
      },
    ]);
    // Copied in by the rule, not by a person: the row names the reader as the one who added them.
    await writeActionRows(tx, { watchers: hr.map((user) => ({ processId: missed.processId, userId: user.id, addedBy: user.id, at: missed.at })) });
    await insertNotices(tx, {
      key: missed.key,
      processId: missed.processId,
      userIds: [protection.protectorId, ...managers.map((user) => user.id)],
      ...notice(missedReportEvent, { month: missed.month, customerName: missed.customerName, endedOn, earlyRelease }),
      at: missed.at,
    });
  });
  return { earlyRelease };
}
