// The interpreter's messages, declared once and typed: the API and tests import them from here.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CancelInput, CandidatesChange, ChildWaiting, CompleteTaskInput, CompleteTaskResult, DelegationNotice, Message, ProcessView } from './types.ts';
import type {
  AddSignerInput,
  CommentInput,
  CopyInput,
  SendBackInput,
  TaskActionResult,
  TransferInput,
  UrgeInput,
  UrgeResult,
  WatchersResult,
  WithdrawInput,
} from './action-types.ts';

/** A decision on a task. The validator refuses it (without entering history) unless it is valid. */
export const completeTaskUpdate = defineUpdate<CompleteTaskResult, [CompleteTaskInput]>('completeTask');
/** The initiator withdraws the request while the definition allows it. */
export const cancelUpdate = defineUpdate<{ status: string }, [CancelInput]>('cancel');
/** An event for a receiveTask (document returned, intent order filed); buffered until awaited. */
export const messageSignal = defineSignal<[Message]>('message');
/** A delegation started or ended (BOR-7). */
export const delegationSignal = defineSignal<[DelegationNotice]>('delegation');
/** The organisation changed: open tasks find their candidates again (issue 21). */
export const candidatesChangedSignal = defineSignal<[CandidatesChange]>('candidatesChanged');
/** A child process tells its parent it waits (its tasks written), so a decision that started it is answered (#22.9). */
export const childWaitingSignal = defineSignal<[ChildWaiting]>('childWaiting');
export const stateQuery = defineQuery<ProcessView>('state');

// Task actions (#16), each refused by its validator without entering history.
/** 转交: hand an open task to another eligible person. */
export const transferTaskUpdate = defineUpdate<TaskActionResult, [TransferInput]>('transferTask');
/** 加签: someone decides too, before (then it comes back) or after the actor. */
export const addSignerUpdate = defineUpdate<TaskActionResult, [AddSignerInput]>('addSigner');
/** 退回: back to an earlier user task, or to the requester to resubmit. */
export const sendBackUpdate = defineUpdate<TaskActionResult, [SendBackInput]>('sendBack');
/** 撤回: the requester withdraws until the first decision. */
export const withdrawUpdate = defineUpdate<{ status: string }, [WithdrawInput]>('withdraw');
/** 催办: the requester reminds a task's candidates, at most once an hour per task. */
export const urgeUpdate = defineUpdate<UrgeResult, [UrgeInput]>('urge');
/** 抄送: people copied in as watchers. */
export const copyUpdate = defineUpdate<WatchersResult, [CopyInput]>('copy');
/** A comment on the instance; the users it mentions get a notice. */
export const commentUpdate = defineUpdate<{ commentId: string }, [CommentInput]>('comment');

/** Stable codes of refused updates, for the API to map to 403/404/409/422. */
export const refusalCodes = {
  TASK_NOT_FOUND: 'TASK_NOT_FOUND',
  TASK_ALREADY_COMPLETED: 'TASK_ALREADY_COMPLETED',
  NOT_A_CANDIDATE: 'NOT_A_CANDIDATE',
  INVALID_OUTCOME: 'INVALID_OUTCOME',
  INVALID_TASK_DATA: 'INVALID_TASK_DATA',
  NOT_CANCELLABLE: 'NOT_CANCELLABLE',
  NOT_THE_INITIATOR: 'NOT_THE_INITIATOR',
  PROCESS_ENDED: 'PROCESS_ENDED',
  // Task actions (#16)
  ACTIONS_NOT_AVAILABLE: 'ACTIONS_NOT_AVAILABLE',
  ACTION_NOT_ALLOWED: 'ACTION_NOT_ALLOWED',
  TARGET_NOT_ELIGIBLE: 'TARGET_NOT_ELIGIBLE',
  ALREADY_A_CANDIDATE: 'ALREADY_A_CANDIDATE',
  ALREADY_A_SIGNER: 'ALREADY_A_SIGNER',
  NOT_AN_EARLIER_TASK: 'NOT_AN_EARLIER_TASK',
  PARALLEL_PATHS: 'PARALLEL_PATHS',
  ALREADY_DECIDED: 'ALREADY_DECIDED',
  URGED_TOO_RECENTLY: 'URGED_TOO_RECENTLY',
  NOT_A_PARTICIPANT: 'NOT_A_PARTICIPANT',
  ALREADY_WATCHING: 'ALREADY_WATCHING',
  INVALID_COMMENT: 'INVALID_COMMENT',
} as const;
