// The task actions' reads and checks for the HTTP API (issue #16): the task or instance acted on
// (and whether the caller may see it), the users named, and an instance's watchers and comments.
// The actions themselves go to the workflow as Updates (task-action-routes.ts).
import type { UpdateDefinition } from '@temporalio/common';
import type { Sql } from '../../platform/db/client.ts';
import { NotFound, StateConflict } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { deliverUpdate, type EngineClient } from '../client.ts';
import { commentsOf, unknownUsers, watchersOf, type ProcessComment } from '../sql/task-actions.ts';
import { findTask, type ProcessInstance, type Task } from '../sql/tasks.ts';
import { knowsTask, visibleInstance, type ConfidentialProcesses } from './process-visibility.ts';

export type { ProcessComment, Task };

export function taskActionService(deps: { sql: Sql; engine: EngineClient; confidentialProcesses: ConfidentialProcesses }) {
  const { sql, engine } = deps;

  /** The users named must exist and be active. */
  async function requireActiveUsers(userIds: string[]): Promise<void> {
    const unknown = await unknownUsers(sql, userIds);
    if (unknown.length > 0) throw new NotFound('USER_NOT_FOUND', `No active user ${unknown.join(', ')}.`);
  }

  /** ACC-1: a task the caller may not know of is not found, whatever its state (nothing about it is revealed). */
  async function task(id: string, user: User): Promise<Task> {
    const found = await findTask(sql, id);
    if (!found || !(await knowsTask(sql, user, found, deps.confidentialProcesses))) throw new NotFound('TASK_NOT_FOUND', `No task ${id}.`);
    return found;
  }

  /** Delivers an action on a task; a task already closed is TASK_ALREADY_COMPLETED whatever the workflow says of it now. */
  async function onTask<Result, Input>(found: Task, update: UpdateDefinition<Result, [Input]>, input: Input, updateId: string): Promise<Result> {
    try {
      return await deliverUpdate(engine, found.processId, update, input, { updateId, taskId: found.id });
    } catch (error) {
      if (found.state !== 'open' && (error instanceof NotFound || error instanceof StateConflict)) {
        throw new StateConflict('TASK_ALREADY_COMPLETED', `Task ${found.id} is already ${found.state}.`);
      }
      throw error;
    }
  }

  /** The instance, if the user may see it; otherwise 404, as if there were none. */
  const instance = (id: string, user: User): Promise<ProcessInstance> => visibleInstance(sql, id, user, deps.confidentialProcesses);

  /** The people copied in on an instance the user may see, in the order they were copied in. */
  async function watchers(id: string, user: User) {
    await instance(id, user);
    return watchersOf(sql, id);
  }

  /** A page of the comments on an instance the user may see, oldest first. */
  async function comments(id: string, user: User, page: { limit: number; after?: { at: string; id: string } | undefined }) {
    await instance(id, user);
    return commentsOf(sql, id, page);
  }

  /** One comment as stored. */
  async function comment(processId: string, commentId: string): Promise<ProcessComment> {
    const [stored] = (await commentsOf(sql, processId, { limit: 1, ids: [commentId] })).comments;
    return stored!;
  }

  return { requireActiveUsers, task, onTask, instance, watchers, comments, comment };
}
