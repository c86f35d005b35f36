// The shapes the task actions' updates carry (issue #16).
import type { CompleteTaskResult } from './types.ts';

/** Where a task is sent back to: an earlier user task's node id, or the requester. */
export const TO_REQUESTER = 'requester';

export interface TransferInput {
  taskId: string;
  actorId: string;
  toUserId: string;
  comment?: string;
}

export interface AddSignerInput {
  taskId: string;
  actorId: string;
  userId: string;
  /** before: they decide first, then the task comes back; after: they decide after the actor. */
  position: 'before' | 'after';
  comment?: string;
}

export interface SendBackInput {
  taskId: string;
  actorId: string;
  /** A node id of an earlier user task, or `requester`. */
  to: string;
  comment?: string;
}

export interface WithdrawInput {
  actorId: string;
  reason?: string;
}

export interface UrgeInput {
  taskId: string;
  actorId: string;
}

export interface CopyInput {
  actorId: string;
  userIds: string[];
}

export interface CommentInput {
  commentId: string;
  actorId: string;
  text: string;
  mentions: string[];
}

export interface TaskActionResult {
  taskId: string;
  actorId: string;
  onBehalfOf: string | null;
  status: string;
  openTasks: CompleteTaskResult['openTasks'];
}

export interface UrgeResult {
  taskId: string;
  notified: string[];
}

export interface WatchersResult {
  added: string[];
}
