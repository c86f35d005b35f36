// The API's side of the interpreter: start instances, deliver decisions and messages, read
// state. Refusals from the workflow's validators become domain errors with stable codes.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../domain/errors.ts';
import type { ProcessDefinition } from '../domain/process/definition.ts';
import { evaluateFeel } from '../domain/process/feel.ts';
import { initialVariables } from '../domain/process/variables.ts';
import { businessKeyAttribute, customerAttribute, initiatorAttribute, processKeyAttribute, secrecyAttribute } from '../domain/search-attributes.ts';
import { cancelUpdate, completeTaskUpdate, messageSignal, stateQuery } from '../workflows/engine/messages.ts';
import type { runProcess } from '../workflows/engine/interpreter.ts';
import type { CompleteTaskInput, CompleteTaskResult, ProcessInput, ProcessView } from '../workflows/engine/types.ts';

export interface EngineClient {
  client: Client;
  taskQueue: string;
}

export interface StartProcess {
  processId: string;
  definition: ProcessDefinition;
  library: Record<string, ProcessDefinition>;
  initiator: { id: string; departmentId: string };
  variables: Record<string, unknown>;
  historyLimit?: number;
}

/**
 * Starts an instance. Starting the same process id again returns the running instance, so a
 * retried request never starts a second process.
 */
export async function startProcess(engine: EngineClient, start: StartProcess): Promise<{ processId: string; runId: string | undefined }> {
  const input: ProcessInput = { ...start };
  const context = initialVariables(start);
  const text = (expression: string | undefined) => (expression ? String(evaluateFeel(expression, context) ?? '') : '');
  try {
    const handle = await engine.client.workflow.start<typeof runProcess>('runProcess', {
      workflowId: start.processId,
      taskQueue: engine.taskQueue,
      args: [input],
      // A running instance is returned as is; an ended one is never started again.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: processKeyAttribute, value: `${start.definition.key}@${start.definition.version}` },
        { key: businessKeyAttribute, value: text(start.definition.businessKey) || start.processId },
        { key: initiatorAttribute, value: start.initiator.id },
        ...(start.definition.secrecy ? [{ key: secrecyAttribute, value: text(start.definition.secrecy) }] : []),
        ...(start.definition.customer ? [{ key: customerAttribute, value: text(start.definition.customer) }] : []),
      ],
    });
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
};

/** A workflow validator's refusal as a domain error; anything else is rethrown as is. */
async function translateRefusal(engine: EngineClient, processId: string, error: unknown): Promise<never> {
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof ApplicationFailure && cause.type && refusalStatus[cause.type]) {
    throw refusalStatus[cause.type]!(cause.message, cause.details?.[0] as { path: string; message: string }[] | undefined);
  }
  if (error instanceof WorkflowNotFoundError) {
    // The server says "not found" for a process that has ended too; tell the two apart.
    const ended = await engine.client.workflow.getHandle(processId).describe().then(
      () => true,
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
  try {
    return await engine.client.workflow.getHandle(processId).executeUpdate(completeTaskUpdate, {
      args: [decision],
      updateId: requestId ?? randomUUID(),
    });
  } catch (error) {
    return translateRefusal(engine, processId, error);
  }
}

export async function cancelProcess(engine: EngineClient, processId: string, actorId: string, reason?: string): Promise<{ status: string }> {
  try {
    return await engine.client.workflow.getHandle(processId).executeUpdate(cancelUpdate, { args: [{ actorId, reason }] });
  } catch (error) {
    return translateRefusal(engine, processId, error);
  }
}

export async function sendMessage(
  engine: EngineClient,
  processId: string,
  message: { name: string; payload: Record<string, unknown>; actorId: string; id?: string },
): Promise<void> {
  try {
    await engine.client.workflow.getHandle(processId).signal(messageSignal, { id: message.id ?? randomUUID(), name: message.name, payload: message.payload, actorId: message.actorId });
  } catch (error) {
    return translateRefusal(engine, processId, error);
  }
}

export async function processState(engine: EngineClient, processId: string): Promise<ProcessView> {
  try {
    return await engine.client.workflow.getHandle(processId).query(stateQuery);
  } catch (error) {
    return translateRefusal(engine, processId, error);
  }
}
