// BOR-7: a power of attorney starting or ending is told to the running instances it concerns,
// which add or remove the delegate on their open tasks (the engine checks the scope). Tasks that
// open later read the delegations table themselves (activities/engine.ts resolveCandidates).
import { WorkflowNotFoundError } from '@temporalio/common';
import { findDelegation, instancesAnnounced, instancesAwaiting, recordAnnouncements } from './sql.ts';
import { delegationServices } from './service-task-specs.ts';
import { delegationSignal } from '../../engine/workflow/messages.ts';
import type { DelegationNotice } from '../../engine/workflow/types.ts';
import { typedServiceHandlers, type ServiceDeps, type ServiceHandlers } from '../../engine/activities/services.ts';

export function delegationServiceHandlers({ sql, client }: ServiceDeps): ServiceHandlers<typeof delegationServices> {
  return typedServiceHandlers(delegationServices, {
    // Idempotent: the engine ignores a notice that changes nothing, and the announcements are
    // recorded with on-conflict-do-nothing, so a retried call tells everyone again harmlessly.
    async announceDelegation(input, { at }) {
      const delegation = await findDelegation(sql, input.delegationId);
      // Only a registration undone because its process could not start leaves a process without its row.
      if (!delegation) return { notified: 0 };
      // A revocation may land while the start is being announced: a revoked delegation is never
      // announced as active (its process announces the end right after).
      const active = input.active && delegation.revokedAt === null;
      const notice: DelegationNotice = {
        delegationId: delegation.id,
        principalId: delegation.principalId,
        delegateId: delegation.delegateId,
        ...(delegation.processKeys ? { processKeys: delegation.processKeys } : {}),
        maxSecrecy: delegation.maxSecrecy,
        validFrom: delegation.validFrom.getTime(),
        validTo: delegation.validTo.getTime(),
        active,
      };
      const awaiting = await instancesAwaiting(sql, delegation.principalId);
      let targets: string[];
      if (active) {
        // Recorded before telling, so that the end reaches every instance that may have heard of the start.
        await recordAnnouncements(sql, delegation.id, awaiting, new Date(at));
        targets = awaiting;
      } else {
        targets = [...new Set([...awaiting, ...(await instancesAnnounced(sql, delegation.id))])].sort();
      }
      let notified = 0;
      for (const processId of targets) {
        try {
          await client.workflow.getHandle(processId).signal(delegationSignal, notice);
          notified += 1;
        } catch (error) {
          // The instance ended after it was listed: nothing left to tell it.
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
      }
      return { notified };
    },
  });
}
