// Checks a decision passes before it is delivered to its process: where the process could only
// find out after accepting the decision that it cannot be carried out, and the person deciding
// should be told at once, with nothing changed. The process still checks for itself (the
// database guards the race between two decisions that both pass here).
import type { Sql } from '../../platform/db/client.ts';
import type { Task } from '../sql/tasks.ts';

/** The decision a guard looks at: its outcome and the data of the task's form. */
export interface GuardedDecision {
  outcome: string;
  data?: Record<string, unknown> | undefined;
}

/** A check an area declares (Area.decisionGuards) for decisions on its tasks. */
export interface DecisionGuard {
  applies(task: Task): boolean;
  check(sql: Sql, task: Task, decision: GuardedDecision): Promise<void>;
}

/**
 * Throws the refusal of the first guard the decision fails. Only for someone who may decide the
 * open task: anyone else learns nothing from a guard, and the process refuses them as it does.
 */
export async function guardDecision(sql: Sql, guards: readonly DecisionGuard[], task: Task, actorId: string, decision: GuardedDecision): Promise<void> {
  if (task.state !== 'open' || !(task.candidateIds.includes(actorId) || task.delegateIds.includes(actorId))) return;
  for (const guard of guards) if (guard.applies(task)) await guard.check(sql, task, decision);
}
