// Checks a decision passes before it is delivered to its process: where the process could only
// find out after accepting the decision that it cannot be carried out, and the person deciding
// should be told at once, with nothing changed. The process still checks for itself (the
// database guards the race between two decisions that both pass here).
import type { Sql } from '../../platform/db/client.ts';
import type { DutyRule } from '../../platform/access.ts';
import { Forbidden } from '../../platform/errors.ts';
import { approvalStepsDecidedBy } from '../sql/duties.ts';
import type { Task } from '../sql/tasks.ts';

/** The decision a guard checks: who decides, the outcome, and the form data they send. */
export interface Decision {
  actorId: string;
  outcome: string;
  data?: Record<string, unknown> | undefined;
}

/** A check an area declares (Area.decisionGuards) for decisions on its tasks. */
export interface DecisionGuard {
  applies(task: Task): boolean;
  check(sql: Sql, task: Task, decision: Decision): Promise<void>;
}

/** The engine's separation-of-duties rules, named in docs/access.md. */
export const engineDuties = {
  twoSteps: {
    id: 'SOD-1',
    ruleIds: ['SOD-1'],
    rule: 'No person decides two approval steps of the same process instance, in their own right or through a delegate acting for them.',
    enforcedBy: 'engine/http/decision-guards.ts (every POST /api/v1/tasks/{id}/complete)',
  },
  ownRequest: {
    id: 'SOD-3',
    ruleIds: ['SOD-3'],
    rule: 'Nobody decides their own request, directly or as a delegate: the engine never makes the initiator a candidate or a delegate, and refuses to transfer a task or add a signer who is the initiator (TARGET_NOT_ELIGIBLE).',
    enforcedBy: 'engine/activities/engine.ts (candidates and delegates), the workflow\'s task actions',
  },
} as const satisfies Record<string, DutyRule>;

const isApprovalStep = (task: Task) => task.outcomes.includes('approve');

/** SOD-1: the engine's own guard, before the areas'. */
async function separateDuties(sql: Sql, task: Task, { actorId }: Decision): Promise<void> {
  if (!isApprovalStep(task)) return;
  const decided = (await approvalStepsDecidedBy(sql, task.processId, actorId)).filter((nodeId) => nodeId !== task.nodeId);
  if (decided.length) {
    throw new Forbidden('SEPARATION_OF_DUTIES', `SOD-1: ${actorId} has already decided the approval step ${decided.join(', ')} of this process; another person decides this one.`, 'SOD-1');
  }
}

/**
 * Throws the refusal of the first guard the decision fails. Only for someone who may decide the
 * open task: anyone else learns nothing from a guard, and the process refuses them as it does.
 */
export async function guardDecision(sql: Sql, guards: readonly DecisionGuard[], task: Task, decision: Decision): Promise<void> {
  const { actorId } = decision;
  if (task.state !== 'open' || !(task.candidateIds.includes(actorId) || task.delegateIds.includes(actorId))) return;
  await separateDuties(sql, task, decision);
  for (const guard of guards) if (guard.applies(task)) await guard.check(sql, task, decision);
}
