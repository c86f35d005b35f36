// Who may see an instance: its initiator, anyone who is or was a candidate, delegate or decider
// of one of its tasks, the people copied in on it (#16), and its overseers (processOversight).
import type { Sql } from '../../platform/db/client.ts';
import { findProcessInstance, isProcessParticipant, mayViewTask, type ProcessInstance, type Task } from '../sql/tasks.ts';
import { NotFound } from '../../platform/errors.ts';
import { permission, type Subject } from '../../platform/access.ts';
import { holdsRole, type User } from '../../platform/organisation/model.ts';

/** The processes the Office Director does not oversee (AccessDeclaration.confidentialProcesses, all areas together). */
export type ConfidentialProcesses = readonly string[];

/**
 * [interpretation] The GM oversees every instance; the Office Director every instance except the
 * confidential ones (ACC-2: customer archives are confidential and SEC-1 names their viewers).
 */
export const processOversight = permission<{ key: string; confidential: ConfidentialProcesses }>({
  id: 'process.oversee',
  ruleIds: ['ACC-2', 'SEC-1'],
  who: 'the GM: every instance; the Office Director: every instance but the confidential ones (customer archives)',
  allows: (subject: Subject, process) => holdsRole(subject.roles, ['gm']) || (holdsRole(subject.roles, ['office_director']) && !process.confidential.includes(process.key)),
});

/** Who may see an instance: its initiator, its participants and its overseers. */
export async function mayViewProcess(sql: Sql, user: User, process: { id: string; key: string; initiatorId: string }, confidential: ConfidentialProcesses): Promise<boolean> {
  return process.initiatorId === user.id || processOversight.allows(user, { key: process.key, confidential }) || isProcessParticipant(sql, process.id, user.id);
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
  return mayViewTask(task, user.id) || mayViewProcess(sql, user, { id: task.processId, key: task.process.key, initiatorId: task.process.initiatorId }, confidential);
}
