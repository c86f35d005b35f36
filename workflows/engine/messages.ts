// The interpreter's messages, declared once and typed: the API and tests import them from here.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CancelInput, CandidatesChange, ChildWaiting, CompleteTaskInput, CompleteTaskResult, DelegationNotice, Message, ProcessView } from './types.ts';

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
} as const;
