// The HTTP steps of the main flows, as a user's client takes them: a dev token per user, every
// call with a deadline, reads polled until the workflow has caught up. Shared by the local-mode
// end-to-end suite (one API) and `npm run rehearse` (two API replicas taking turns, through
// faults). Failures are thrown as errors naming the call, so it needs no test runner.
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- each caller reads the fields it checks
  text: string;
}

export interface Task {
  id: string;
  processId: string;
  nodeId: string;
  candidateIds: string[];
  delegateIds: string[];
  via: string;
}

export interface ApiClientOptions {
  /** The base URL of the API for the next call; a function, so calls can take turns among replicas. */
  baseUrl: () => string;
  /** One HTTP call's deadline. */
  callTimeoutMs?: number;
  /** How long a process may take to reach the state a caller waits for. */
  settleTimeoutMs?: number;
  /**
   * How long to keep retrying a call that got no answer or a 502/503/504 (a replica, Temporal or
   * PostgreSQL briefly away). 0, the default, retries nothing. Writes carry an Idempotency-Key that
   * stays the same across the retries, so a retried decision is applied once.
   */
  retryForMs?: number;
  /**
   * Take a decision answered 202 (accepted; the workflow had not finished applying it within the
   * API's wait, e.g. while a worker restarts) as sent, and wait for its effects instead. Default:
   * only 200 counts.
   */
  acceptPendingDecisions?: boolean;
  /**
   * Called when a decision on a task the inbox showed is refused 404 TASK_NOT_FOUND, which happens
   * for a moment after a worker died: the inbox row was written by the dead worker's attempt, and
   * the workflow has not yet replayed to that point. With this set the decision is sent again
   * (for up to retryForMs); without it the 404 fails the call.
   */
  onUnknownTask?: (decision: SentDecision) => void;
  /** Called with each decision before it is first sent. */
  onDecision?: (decision: SentDecision) => void;
}

export interface SentDecision {
  processId: string;
  taskId: string;
  nodeId: string;
  actorId: string;
  outcome: string;
}

const transient = new Set([502, 503, 504]);

export class ApiClient {
  readonly callTimeoutMs: number;
  readonly settleTimeoutMs: number;
  private readonly tokens = new Map<string, Promise<string>>();
  private serial = 0;

  constructor(private readonly options: ApiClientOptions) {
    this.callTimeoutMs = options.callTimeoutMs ?? 15_000;
    this.settleTimeoutMs = options.settleTimeoutMs ?? 30_000;
  }

  /** One call, retried while transient (see retryForMs); throws only when no answer came at all. */
  async send(userId: string | null, method: string, urlPath: string, json?: unknown, accept?: string): Promise<Reply> {
    const call = `${method} ${urlPath}${userId ? ` as ${userId}` : ''}`;
    // English, as the assertions read; the company's default language is Chinese (api/messages.ts).
    const headers: Record<string, string> = { 'accept-language': 'en' };
    if (userId) headers.authorization = `Bearer ${await this.tokenOf(userId)}`;
    if (json !== undefined) headers['content-type'] = 'application/json';
    // Only where calls are retried: one key across the retries of one write.
    if (method !== 'GET' && this.options.retryForMs) headers['idempotency-key'] = randomUUID();
    if (accept) headers.accept = accept;
    const giveUpAt = Date.now() + (this.options.retryForMs ?? 0);
    for (;;) {
      let reply: Reply | undefined;
      let failure: Error | undefined;
      try {
        const response = await fetch(`${this.options.baseUrl()}${urlPath}`, {
          method,
          headers,
          body: json === undefined ? undefined : JSON.stringify(json),
          signal: AbortSignal.timeout(this.callTimeoutMs),
        });
        const text = await response.text();
        reply = { status: response.status, text, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
      } catch (error) {
        const timedOut = error instanceof Error && error.name === 'TimeoutError';
        failure = new Error(`${call}: ${timedOut ? `no answer within ${this.callTimeoutMs / 1000} s` : String(error)}`, { cause: error });
      }
      if (reply !== undefined && !transient.has(reply.status)) return reply;
      if (Date.now() >= giveUpAt) {
        if (reply !== undefined) return reply;
        throw failure!;
      }
      await delay(500);
    }
  }

  async tokenOf(userId: string): Promise<string> {
    let token = this.tokens.get(userId);
    if (token === undefined) {
      token = this.expectStatus(200, null, 'POST', '/api/v1/auth/dev-token', { userId }).then((body) => body.token as string);
      this.tokens.set(userId, token);
      token.catch(() => this.tokens.delete(userId));
    }
    return token;
  }

  /** A call that must answer `status`; its body. */
  async expectStatus(status: number, userId: string | null, method: string, urlPath: string, json?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- as Reply.body
    const reply = await this.send(userId, method, urlPath, json);
    if (reply.status !== status) {
      throw new Error(`${method} ${urlPath}${userId ? ` as ${userId}` : ''}: expected ${status}, got ${reply.status}: ${reply.text}`);
    }
    return reply.body;
  }

  /** Reads until `done`; fails naming `what` when it is not within settleTimeoutMs. */
  async eventually<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + this.settleTimeoutMs;
    let value = await read();
    while (!done(value)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
      await delay(200);
      value = await read();
    }
    return value;
  }

  /** The user's open task at `nodeId` of a process, once the workflow has opened it (other than `not`). */
  async taskOf(userId: string, processId: string, nodeId: string, not?: string): Promise<Task> {
    const find = (tasks: Task[]) => tasks.find((t) => t.processId === processId && t.nodeId === nodeId && t.id !== not);
    const tasks = await this.eventually(
      `task ${nodeId} of ${processId} in the inbox of ${userId}`,
      async () => (await this.expectStatus(200, userId, 'GET', '/api/v1/tasks?limit=200')).tasks as Task[],
      (list) => find(list) !== undefined,
    );
    return find(tasks)!;
  }

  /** Completes `task` as `userId`; the decision's answer. */
  async completeTask(userId: string, task: Task, outcome: string, data?: Record<string, unknown>): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- as Reply.body
    const decision = { processId: task.processId, taskId: task.id, nodeId: task.nodeId, actorId: userId, outcome };
    this.options.onDecision?.(decision);
    const urlPath = `/api/v1/tasks/${encodeURIComponent(task.id)}/complete`;
    const giveUpAt = Date.now() + (this.options.retryForMs ?? 0);
    let reply = await this.send(userId, 'POST', urlPath, { outcome, ...(data ? { data } : {}) });
    while (reply.status === 404 && reply.body?.code === 'TASK_NOT_FOUND' && this.options.onUnknownTask && Date.now() < giveUpAt) {
      this.options.onUnknownTask(decision);
      await delay(1000);
      reply = await this.send(userId, 'POST', urlPath, { outcome, ...(data ? { data } : {}) });
    }
    if (reply.status === 200 || (reply.status === 202 && this.options.acceptPendingDecisions)) return reply.body;
    throw new Error(`POST ${urlPath} as ${userId}: expected 200, got ${reply.status}: ${reply.text}`);
  }

  /** Waits for the user's task at `nodeId` and completes it. */
  async decide(userId: string, processId: string, nodeId: string, outcome: string, data?: Record<string, unknown>): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- as Reply.body
    return this.completeTask(userId, await this.taskOf(userId, processId, nodeId), outcome, data);
  }

  /** The Archivist registers a document in the finance department; its id. `prefix` starts its reference. */
  async registerDocument(fields: { secrecy: string; category?: string; retention?: number; archivedOn?: string }, prefix = 'LM'): Promise<string> {
    this.serial += 1;
    const reference = `${prefix}-${fields.secrecy}-${this.serial}`;
    const created = await this.expectStatus(201, 'archivist', 'POST', '/api/v1/documents', {
      reference,
      title: `Document ${reference}`,
      category: fields.category ?? 'contract',
      secrecy: fields.secrecy,
      departmentId: 'finance',
      original: true,
      location: 'Archive room, cabinet 1',
      ...(fields.retention === undefined ? {} : { retention: fields.retention }),
      ...(fields.archivedOn === undefined ? {} : { archivedOn: fields.archivedOn }),
    });
    return created.id as string;
  }

  borrowRequest(id: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- as Reply.body
    return this.expectStatus(200, 'archivist', 'GET', `/api/v1/borrow-requests/${id}`);
  }

  untilBorrowStatus(id: string, status: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- as Reply.body
    return this.eventually(`borrow request ${id} ${status}`, () => this.borrowRequest(id), (request) => request.status === status);
  }

  async documentStatus(id: string): Promise<string> {
    return (await this.expectStatus(200, 'archivist', 'GET', `/api/v1/documents/${id}`)).status as string;
  }

  /** The Archivist hands the document over, and the request is out (on loan or in reading). */
  async handOver(request: { id: string; processId: string }, status: 'on_loan' | 'in_reading'): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- as Reply.body
    await this.decide('archivist', request.processId, 'handOver', 'handed_over');
    return this.untilBorrowStatus(request.id, status);
  }

  /** BOR-8: the Archivist records an intact return; the request once returned, and its process once ended. */
  async returnIntact(request: { id: string; processId: string }): Promise<{ returned: any; process: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- as Reply.body
    await this.expectStatus(202, 'archivist', 'POST', `/api/v1/borrow-requests/${request.id}/return`, { condition: 'intact' });
    const returned = await this.untilBorrowStatus(request.id, 'returned');
    return { returned, process: await this.processEnded('archivist', request.processId) };
  }

  /** The process's view once it is no longer running. */
  processEnded(userId: string, processId: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- as Reply.body
    return this.eventually(
      `process ${processId} ended`,
      () => this.expectStatus(200, userId, 'GET', `/api/v1/processes/${processId}`),
      (view) => view.status !== 'running',
    );
  }
}
