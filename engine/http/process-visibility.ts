// Who may see an instance: its initiator, anyone who is or was a candidate, delegate or decider
// of one of its tasks, the people copied in on it (#16), and the GM and the Office Director.
import type { Sql } from '../../platform/db/client.ts';
import { findProcessInstance, isProcessParticipant, type ProcessInstance } from '../sql/tasks.ts';
import { NotFound } from '../../platform/errors.ts';
import { holdsRole, type User } from '../../platform/organisation/model.ts';

/** The GM and the Office Director oversee every instance. */
export function overseesProcesses(user: User): boolean {
  return holdsRole(user.roles, processOverseers);
}

const processOverseers = ['gm', 'office_director'] as const;

export async function mayViewProcess(sql: Sql, user: User, id: string, initiatorId: string): Promise<boolean> {
  return initiatorId === user.id || overseesProcesses(user) || isProcessParticipant(sql, id, user.id);
}

/** The instance, if the user may see it; otherwise 404, as if there were none. */
export async function visibleInstance(sql: Sql, id: string, user: User): Promise<ProcessInstance> {
  const instance = await findProcessInstance(sql, id);
  if (!instance || !(await mayViewProcess(sql, user, id, instance.initiatorId))) throw new NotFound('PROCESS_NOT_FOUND', `No process ${id}.`);
  return instance;
}
