// Who may see an instance: its initiator, anyone who is or was a candidate, delegate or decider
// of one of its tasks, the people copied in on it (#16), and its overseers (processOversight).
import type { Sql } from '../../platform/db/client.ts';
import { findProcessInstance, isProcessParticipant, mayViewTask, type ProcessInstance, type Task } from '../sql/tasks.ts';
import { NotFound } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { processOversight, processViewers, taskKnowers, type ConfidentialProcesses, type ProcessFacts } from './access.ts';

export type { ConfidentialProcesses } from './access.ts';

/** Who may see an instance: its initiator, its participants and its overseers. */
export async function mayViewProcess(sql: Sql, user: User, process: { id: string; key: string; initiatorId: string }, confidential: ConfidentialProcesses): Promise<boolean> {
  return processViewers.allows(user, await processFacts(sql, user, process, confidential));
}

/** What the declared permissions read of an instance, for this user: whether they take part in it is asked of the database. */
async function processFacts(sql: Sql, user: User, process: { id: string; key: string; initiatorId: string }, confidential: ConfidentialProcesses): Promise<ProcessFacts> {
  // Asked only where it decides anything: the initiator and the overseers see it anyway.
  const decided = process.initiatorId === user.id || processOversight.allows(user, { key: process.key, confidential });
  const participant = !decided && (await isProcessParticipant(sql, process.id, user.id));
  return { key: process.key, initiatorId: process.initiatorId, participantIds: participant ? [user.id] : [], confidential };
}

/** The instance, if the user may see it; otherwise 404, as if there were none. */
export async function visibleInstance(sql: Sql, id: string, user: User, confidential: ConfidentialProcesses): Promise<ProcessInstance> {
  const instance = await findProcessInstance(sql, id);
  if (!instance || !(await mayViewProcess(sql, user, instance, confidential))) throw new NotFound('PROCESS_NOT_FOUND', `No process ${id}.`);
  return instance;
}

/**
 * ACC-1: whether the caller may know of a task: one they may see (a candidate, delegate, its
 * decider or the initiator), or one of an instance they may see. Anyone else is answered 404 on
 * every action, whatever the task's state.
 */
export async function knowsTask(sql: Sql, user: User, task: Task, confidential: ConfidentialProcesses): Promise<boolean> {
  if (mayViewTask(task, user.id)) return true;
  const process = await processFacts(sql, user, { id: task.processId, key: task.process.key, initiatorId: task.process.initiatorId }, confidential);
  return taskKnowers.allows(user, { process, candidateIds: task.candidateIds, delegateIds: task.delegateIds, decidedBy: task.decision?.decidedBy ?? null, workflowParticipantIds: [] });
}
