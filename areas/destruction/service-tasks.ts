// The service tasks of the retention review and the destruction process (DES-1..5). Each write
// is keyed by the workflow step (`key`) or by the request, so a retried activity writes once.
// Inputs are parsed with zod here (the engine has checked them against the specs already).
import { z } from 'zod';
import { designateSupervisors, executeDestruction, recordDecision, rejectDestruction, retentionDue, verifyItems } from './service.ts';
import { destructionMethodIds, destructionSettings, destructionSteps, policyDate } from './rules.ts';
import type { destructionServices } from './service-task-specs.ts';
import type { ServiceDeps, ServiceHandlers } from '../../engine/activities/services.ts';

/** Optional text inputs arrive as "" when the FEEL value was null (an approver acting in their own right). */
const orNull = z
  .string()
  .nullish()
  .transform((value) => (value ? value : null));
const request = z.object({ requestId: z.string() });
const ids = z.array(z.string());

const decisionInput = request.extend({ step: z.enum(destructionSteps), outcome: z.string(), decidedBy: z.string(), onBehalfOf: orNull, comment: orNull });
const designationInput = request.extend({ supervisorIds: ids.nullish().transform((value) => value ?? []), designatedBy: z.string(), onBehalfOf: orNull });
const verificationInput = request.extend({ checkedIds: ids, verifiedBy: z.string() });
const executionInput = request.extend({ supervisorIds: ids, method: z.enum(destructionMethodIds), place: z.string(), executedAt: z.string() });

export function destructionServiceHandlers({ sql }: ServiceDeps): ServiceHandlers<typeof destructionServices> {
  return {
    async findRetentionDue(_input, { at }) {
      const due = await retentionDue(sql, policyDate(at));
      // The list travels in the process's history: bounded, with the full count beside it.
      return { documentIds: due.slice(0, destructionSettings.retentionReviewListLimit).map((d) => d.id), count: due.length };
    },

    async recordDestructionDecision(input, { key, at }) {
      await recordDecision(sql, key, { ...decisionInput.parse(input), detail: {}, at: new Date(at) });
      return {};
    },

    async designateDestructionSupervisors(input, { key, at }) {
      const designation = designationInput.parse(input);
      const { problem } = await designateSupervisors(sql, key, { ...designation, at: new Date(at) });
      return problem === undefined ? { valid: true, problem: '', supervisorIds: designation.supervisorIds } : { valid: false, problem, supervisorIds: [] };
    },

    async verifyDestructionItems(input, { key, at }) {
      const { missing, unexpected } = await verifyItems(sql, key, { ...verificationInput.parse(input), at: new Date(at) });
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
      const { requestId, supervisorIds, method, place, executedAt } = executionInput.parse(input);
      const result = await executeDestruction(sql, { requestId, confirmedBy: supervisorIds, method, place, executedAt: new Date(executedAt), at: new Date(at) });
      return { ...result };
    },

    async rejectDestruction(input, { at }) {
      await rejectDestruction(sql, request.parse(input).requestId, new Date(at));
      return {};
    },
  };
}
