// The service tasks of the retention review and the destruction process (DES-1..5). Each write
// is keyed by the workflow step (`key`) or by the request, so a retried activity writes once.
import { designateSupervisors, executeDestruction, recordDecision, rejectDestruction, retentionDue, verifyItems } from './service.ts';
import { destructionSettings, policyDate, type DestructionStep } from './rules.ts';
import type { destructionServices } from './service-task-specs.ts';
import type { ServiceDeps, ServiceHandlers } from '../../engine/activities/services.ts';

/** Optional text inputs arrive as "" when the FEEL value was null (an approver acting in their own right). */
const orNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

export function destructionServiceHandlers({ sql }: ServiceDeps): ServiceHandlers<typeof destructionServices> {
  return {
    async findRetentionDue(_input, { at }) {
      const due = await retentionDue(sql, policyDate(at));
      // The list travels in the process's history: bounded, with the full count beside it.
      return { documentIds: due.slice(0, destructionSettings.retentionReviewListLimit).map((d) => d.id), count: due.length };
    },

    async recordDestructionDecision(input, { key, at }) {
      await recordDecision(sql, key, {
        requestId: String(input.requestId),
        step: input.step as DestructionStep,
        outcome: String(input.outcome),
        decidedBy: String(input.decidedBy),
        onBehalfOf: orNull(input.onBehalfOf),
        comment: orNull(input.comment),
        detail: {},
        at: new Date(at),
      });
      return {};
    },

    async designateDestructionSupervisors(input, { key, at }) {
      const supervisorIds = (input.supervisorIds as string[] | undefined) ?? [];
      const { problem } = await designateSupervisors(sql, key, {
        requestId: String(input.requestId),
        supervisorIds,
        designatedBy: String(input.designatedBy),
        onBehalfOf: orNull(input.onBehalfOf),
        at: new Date(at),
      });
      return problem === undefined ? { valid: true, problem: '', supervisorIds } : { valid: false, problem, supervisorIds: [] };
    },

    async verifyDestructionItems(input, { key, at }) {
      const { missing, unexpected } = await verifyItems(sql, key, {
        requestId: String(input.requestId),
        checkedIds: input.checkedIds as string[],
        verifiedBy: String(input.verifiedBy),
        at: new Date(at),
      });
      const problems = [
        ...(missing.length ? [`not checked: ${missing.join(', ')}`] : []),
        ...(unexpected.length ? [`not on the approved list: ${unexpected.join(', ')}`] : []),
      ];
      return {
        matches: problems.length === 0,
        problem: problems.length ? `DES-4: the item check does not match the approved list (${problems.join('; ')}); the request returns to review.` : '',
      };
    },

    async executeDestruction(input, { at }) {
      const result = await executeDestruction(sql, {
        requestId: String(input.requestId),
        confirmedBy: input.supervisorIds as string[],
        method: String(input.method),
        place: String(input.place),
        executedAt: new Date(String(input.executedAt)),
        at: new Date(at),
      });
      return { ...result };
    },

    async rejectDestruction(input, { at }) {
      await rejectDestruction(sql, String(input.requestId), new Date(at));
      return {};
    },
  };
}
