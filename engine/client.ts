// The API's side of the interpreter: start instances, deliver decisions and messages, read
// state. Refusals from the workflow's validators become domain errors with stable codes.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import proto from '@temporalio/proto';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../platform/errors.ts';
import type { ProcessDefinition } from './definition/definition.ts';
import { evaluateFeel } from './definition/feel.ts';
import { initialVariables } from './definition/variables.ts';
import { businessKeyAttribute, customerAttribute, initiatorAttribute, processKeyAttribute, secrecyAttribute } from './search-attributes.ts';
import { cancelUpdate, candidatesChangedSignal, completeTaskUpdate, messageSignal, stateQuery } from './workflow/messages.ts';
import type { runProcess } from './workflow/interpreter.ts';
import type { CandidatesChange, CompleteTaskInput, CompleteTaskResult, ProcessInput, ProcessView } from './workflow/types.ts';
import { HttpProblem } from '../platform/http/problem.ts';

export interface EngineClient {
  client: Client;
  taskQueue: string;
  /** How long a request waits for Temporal and a workflow to answer (API_WORKFLOW_WAIT_MS). */
  waitMs?: number;
}

export const DEFAULT_WORKFLOW_WAIT_MS = 10_000;

/**
 * Runs Temporal calls under the request's deadline, so that no request outlives it: a call still
 * unanswered then fails with DEADLINE_EXCEEDED (api/problem.ts: 503 with Retry-After).
 */
function withinDeadline<T>(engine: EngineClient, until: number, call: () => Promise<T>): Promise<T> {
  return engine.client.withDeadline(until, call);
}

const deadlineOf = (engine: EngineClient) => Date.now() + (engine.waitMs ?? DEFAULT_WORKFLOW_WAIT_MS);

/**
 * A workflow accepted the request (it is in the instance's history and will be carried out) but
 * did not finish acting on it before the deadline: the API answers 202 with where to look.
 */
export class StillWorking extends Error {
  override name = 'StillWorking';
  constructor(
    readonly processId: string,
    readonly taskId?: string,
  ) {
    super(`process ${processId} accepted the request and is still acting on it`);
  }
}

/**
 * An update that waits for the workflow to accept it (its validator ran and it is recorded in the
 * history, so it is durable), then for its result, both within one deadline. Not accepted in time:
 * the Temporal error (503, retry; the same update id makes a retry safe). Accepted but not done:
 * StillWorking (202).
 */
async function runUpdate<Result, Input>(
  engine: EngineClient,
  processId: string,
  update: UpdateDefinition<Result, [Input]>,
  input: Input,
  options: { updateId: string; taskId?: string },
): Promise<Result> {
  const handle = engine.client.workflow.getHandle(processId);
  const until = deadlineOf(engine);
  // The last quarter of the wait (at most a second) is kept to ask whether the update was accepted.
  const asking = Math.min(ACCEPTANCE_CHECK_MS, (engine.waitMs ?? DEFAULT_WORKFLOW_WAIT_MS) / 4);
  try {
    // One call, answered once the instance has acted on the request or refused it (#20: asking
    // for acceptance first and then for the result cost a second round trip on every decision).
    return await withinDeadline(engine, until - asking, () => handle.executeUpdate(update, { args: [input], updateId: options.updateId }));
  } catch (error) {
    // No answer in time: accepted (in the history, so it will be carried out) is a 202; not
    // taken up (no worker, or the server did not answer) stays the error it is (503).
    if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError && (await wasAccepted(engine, processId, options.updateId, until))) {
      throw new StillWorking(processId, options.taskId);
    }
    throw error;
  }
}

/** The most of a request's wait kept for asking whether its update was accepted. */
const ACCEPTANCE_CHECK_MS = 1_000;
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
const ACCEPTED = proto.temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED;

/** Whether the instance has accepted the update, asked once before the request's deadline. */
async function wasAccepted(engine: EngineClient, processId: string, updateId: string, until: number): Promise<boolean> {
  try {
    const response = await withinDeadline(engine, until, () =>
      engine.client.workflowService.pollWorkflowExecutionUpdate({
        namespace: engine.client.options.namespace,
        updateRef: { workflowExecution: { workflowId: processId }, updateId },
        identity: engine.client.options.identity,
        waitPolicy: { lifecycleStage: ACCEPTED },
      }),
    );
    return (response.stage ?? 0) >= ACCEPTED;
  } catch {
    // Not found (never admitted), or not accepted within the check's deadline.
    return false;
  }
}

export interface StartProcess {
  processId: string;
  definition: ProcessDefinition;
  library: Record<string, ProcessDefinition>;
  initiator: { id: string; departmentId: string };
  variables: Record<string, unknown>;
  historyLimit?: number;
  /**
   * What the Temporal UI lists the instance as (its static summary), e.g. "借阅 <document> —
   * <requester>"; absent: the definition's name, the business key and the initiator.
   */
  summary?: string;
}

/**
 * Starts an instance. Starting the same process id again returns the running instance, so a
 * retried request never starts a second process.
 */
export async function startProcess(engine: EngineClient, start: StartProcess): Promise<{ processId: string; runId: string | undefined }> {
  const { summary, ...process } = start;
  const input: ProcessInput = { ...process };
  const context = initialVariables(start);
  const text = (expression: string | undefined) => (expression ? String(evaluateFeel(expression, context) ?? '') : '');
  try {
    const handle = await withinDeadline(engine, deadlineOf(engine), () => engine.client.workflow.start<typeof runProcess>('runProcess', {
      workflowId: start.processId,
      taskQueue: engine.taskQueue,
      args: [input],
      // A running instance is returned as is; an ended one is never started again.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // Issue 16.4: what operators see of the instance in the Temporal UI's list and detail.
      staticSummary: summary ?? `${start.definition.name.zh} ${text(start.definition.businessKey) || start.processId} — ${start.initiator.id}`,
      staticDetails: `${start.definition.name.en} (${start.definition.key}@${start.definition.version}), started by ${start.initiator.id}`,
      typedSearchAttributes: [
        { key: processKeyAttribute, value: `${start.definition.key}@${start.definition.version}` },
        { key: businessKeyAttribute, value: text(start.definition.businessKey) || start.processId },
        { key: initiatorAttribute, value: start.initiator.id },
        ...(start.definition.secrecy ? [{ key: secrecyAttribute, value: text(start.definition.secrecy) }] : []),
        ...(start.definition.customer ? [{ key: customerAttribute, value: text(start.definition.customer) }] : []),
      ],
    }));
    return { processId: handle.workflowId, runId: handle.firstExecutionRunId };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      throw new StateConflict('PROCESS_ALREADY_ENDED', `process ${start.processId} already ran and has ended`);
    }
    throw error;
  }
}

const refusalStatus: Record<string, (message: string, errors?: { path: string; message: string }[]) => Error> = {
  TASK_NOT_FOUND: (m) => new NotFound('TASK_NOT_FOUND', m),
  NOT_A_CANDIDATE: (m) => new Forbidden('NOT_A_CANDIDATE', m),
  NOT_THE_INITIATOR: (m) => new Forbidden('NOT_THE_INITIATOR', m),
  TASK_ALREADY_COMPLETED: (m) => new StateConflict('TASK_ALREADY_COMPLETED', m),
  PROCESS_ENDED: (m) => new StateConflict('PROCESS_ENDED', m),
  NOT_CANCELLABLE: (m) => new StateConflict('NOT_CANCELLABLE', m),
  INVALID_OUTCOME: (m) => new PolicyViolation('INVALID_OUTCOME', undefined, m),
  INVALID_TASK_DATA: (m, errors) => new PolicyViolation('INVALID_TASK_DATA', undefined, m, errors),
  // Task actions (#16): their validators' details carry the rule ID or the wait.
  ACTIONS_NOT_AVAILABLE: (m) => new StateConflict('ACTIONS_NOT_AVAILABLE', m),
  ACTION_NOT_ALLOWED: (m, d) => new Forbidden('ACTION_NOT_ALLOWED', m, actionDetail(d).ruleId),
  TARGET_NOT_ELIGIBLE: (m, d) => new Forbidden('TARGET_NOT_ELIGIBLE', m, actionDetail(d).ruleId),
  NOT_A_PARTICIPANT: (m) => new Forbidden('NOT_A_PARTICIPANT', m),
  ALREADY_A_CANDIDATE: (m) => new StateConflict('ALREADY_A_CANDIDATE', m),
  ALREADY_A_SIGNER: (m) => new StateConflict('ALREADY_A_SIGNER', m),
  NOT_AN_EARLIER_TASK: (m) => new StateConflict('NOT_AN_EARLIER_TASK', m),
  PARALLEL_PATHS: (m) => new StateConflict('PARALLEL_PATHS', m),
  ALREADY_DECIDED: (m) => new StateConflict('ALREADY_DECIDED', m),
  ALREADY_WATCHING: (m) => new StateConflict('ALREADY_WATCHING', m),
  INVALID_COMMENT: (m) => new PolicyViolation('INVALID_COMMENT', undefined, m),
  URGED_TOO_RECENTLY: (m, d) => new HttpProblem(429, 'URGED_TOO_RECENTLY', m, { retryAfterSeconds: actionDetail(d).retryAfterSeconds }),
};

/** What a task action's refusal carries besides its message. */
function actionDetail(details: unknown): { ruleId?: string; retryAfterSeconds?: number } {
  return (details ?? {}) as { ruleId?: string; retryAfterSeconds?: number };
}

/** A workflow validator's refusal as a domain error; anything else is rethrown as is. */
async function translateRefusal(engine: EngineClient, processId: string, error: unknown): Promise<never> {
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof ApplicationFailure && cause.type && refusalStatus[cause.type]) {
    throw refusalStatus[cause.type]!(cause.message, cause.details?.[0] as { path: string; message: string }[] | undefined);
  }
  if (error instanceof WorkflowNotFoundError) {
    // The server says "not found" for a process that has ended too; tell the two apart. One that
    // runs now was started between the two calls (a child process): not found when asked.
    const ended = await withinDeadline(engine, deadlineOf(engine), () => engine.client.workflow.getHandle(processId).describe()).then(
      (description) => description.status.name !== 'RUNNING',
      () => false,
    );
    throw ended ? new StateConflict('PROCESS_ENDED', `process ${processId} has ended`) : new NotFound('PROCESS_NOT_FOUND', 'no such process');
  }
  throw error;
}

/**
 * Delivers a decision. `requestId` (the caller's Idempotency-Key) makes a retried request
 * return the first answer instead of deciding twice.
 */
export async function completeTask(engine: EngineClient, processId: string, decision: CompleteTaskInput, requestId?: string): Promise<CompleteTaskResult> {
  return deliverUpdate(engine, processId, completeTaskUpdate, decision, { updateId: requestId ?? randomUUID(), taskId: decision.taskId });
}

/**
 * Delivers an Update (a decision, a cancel, a task action of #16): answered once the instance has
 * acted on it, or StillWorking (202); a validator's refusal as a domain error.
 */
export async function deliverUpdate<Result, Input>(
  engine: EngineClient,
  processId: string,
  update: UpdateDefinition<Result, [Input]>,
  input: Input,
  options: { updateId?: string; taskId?: string } = {},
): Promise<Result> {
  try {
    return await runUpdate(engine, processId, update, input, { updateId: options.updateId ?? randomUUID(), ...(options.taskId ? { taskId: options.taskId } : {}) });
  } catch (error) {
    return translateRefusal(engine, processId, error);
  }
}

export async function cancelProcess(engine: EngineClient, processId: string, actorId: string, reason?: string): Promise<{ status: string }> {
  return deliverUpdate(engine, processId, cancelUpdate, { actorId, reason });
}

export async function sendMessage(
  engine: EngineClient,
  processId: string,
  message: { name: string; payload: Record<string, unknown>; actorId: string; id?: string },
): Promise<void> {
  try {
    const signal = { id: message.id ?? randomUUID(), name: message.name, payload: message.payload, actorId: message.actorId };
    await withinDeadline(engine, deadlineOf(engine), () => engine.client.workflow.getHandle(processId).signal(messageSignal, signal));
  } catch (error) {
    return translateRefusal(engine, processId, error);
  }
}

/** Tells an instance that the organisation changed: it finds its open tasks' candidates again. */
export async function signalCandidatesChange(engine: EngineClient, processId: string, change: CandidatesChange): Promise<void> {
  try {
    await withinDeadline(engine, deadlineOf(engine), () => engine.client.workflow.getHandle(processId).signal(candidatesChangedSignal, change));
  } catch (error) {
    return translateRefusal(engine, processId, error);
  }
}

export async function processState(engine: EngineClient, processId: string): Promise<ProcessView> {
  try {
    return await withinDeadline(engine, deadlineOf(engine), () => engine.client.workflow.getHandle(processId).query(stateQuery));
  } catch (error) {
    return translateRefusal(engine, processId, error);
  }
}
