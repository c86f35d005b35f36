// Task actions (issue #16): transfer 转交, add a signer 加签, send back 退回, urge 催办 on a task;
// withdraw 撤回, copy people in 抄送 and comment on an instance. Each goes to the instance's
// workflow as an Update whose validator refuses it at once, with nothing changed; watchers and
// comments are read from PostgreSQL.
import { createRoute, z } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../platform/db/client.ts';
import { taskActionService } from './task-action-service.ts';
import type { ConfidentialProcesses } from './process-visibility.ts';
import { COMMENT_MAX_LENGTH, mentionsIn } from '../definition/actions.ts';
import { TO_REQUESTER } from '../workflow/action-types.ts';
import { addSignerUpdate, commentUpdate, copyUpdate, sendBackUpdate, transferTaskUpdate, urgeUpdate, withdrawUpdate } from '../workflow/messages.ts';
import { requireUser, type Authenticator } from '../../platform/http/auth.ts';
import { keysetCursor } from '../../platform/http/cursor.ts';
import { deliverUpdate, type EngineClient } from '../client.ts';
import { createRouter } from '../../platform/http/router.ts';
import { accepted, idempotencyHeaders, idParam, identifier, unauthorized } from '../../platform/http/schemas.ts';

// ------------------------------------------------------------------ schemas

const timestamp = z.string().openapi({ format: 'date-time', example: '2026-03-01T08:00:00.000Z' });
const userId = identifier(100).openapi({ example: 'office-director' });
const comment = z.string().trim().min(1).max(2_000).optional().openapi({ description: 'Why, for the audit trail.' });

const taskParams = idParam('id', { max: 500 });
const processParams = idParam('id', { max: 500, example: 'borrow-42' });
const actionHeaders = idempotencyHeaders('a retried request with the same key returns the first answer and acts once.');

const actionResult = z
  .object({
    taskId: z.string(),
    actorId: z.string(),
    onBehalfOf: z.string().nullable().openapi({ description: 'The principal a delegate acted for (BOR-7).' }),
    status: z.string().openapi({ description: "The instance's status after the action." }),
    openTasks: z.array(z.object({ id: z.string(), nodeId: z.string(), candidateIds: z.array(z.string()) })).openapi({ description: 'The tasks of the instance open now.' }),
  })
  .openapi('TaskActionResult');

const transferRequest = z.object({ to: userId, comment }).strict().openapi('TransferTaskRequest');
const signerRequest = z
  .object({
    userId,
    position: z.enum(['before', 'after']).openapi({ description: 'before: they decide first, then the task comes back to me; after: they decide after my go-ahead.' }),
    comment,
  })
  .strict()
  .openapi('AddSignerRequest');
const sendBackRequest = z
  .object({ to: identifier(100).openapi({ description: `The node id of an earlier user task, or "${TO_REQUESTER}".`, example: TO_REQUESTER }), comment })
  .strict()
  .openapi('SendBackRequest');
const withdrawRequest = z.object({ reason: z.string().trim().min(1).max(2_000).optional() }).strict().openapi('WithdrawRequest');
const watchersRequest = z.object({ userIds: z.array(userId).min(1).max(50) }).strict().openapi('CopyRequest');
const commentRequest = z
  .object({ text: z.string().trim().min(1).max(COMMENT_MAX_LENGTH).openapi({ description: 'Mention people as @user-id: they get a notice and may read the instance.' }) })
  .strict()
  .openapi('CommentRequest');

const watcher = z.object({ userId: z.string(), addedBy: z.string(), addedAt: timestamp }).openapi('Watcher');
const processComment = z
  .object({ id: z.string(), authorId: z.string(), text: z.string(), mentions: z.array(z.string()), createdAt: timestamp })
  .openapi('ProcessComment');

const COMMENT_PAGE = 100;
const commentKey = keysetCursor('timestamp', 'text');
const commentQuery = z.object({ limit: z.coerce.number().int().min(1).max(COMMENT_PAGE).default(COMMENT_PAGE), cursor: commentKey.query });

const refusals = {
  403: { description: 'NOT_A_CANDIDATE, NOT_THE_INITIATOR, NOT_A_PARTICIPANT, ACTION_NOT_ALLOWED (the definition forbids it here), TARGET_NOT_ELIGIBLE (with ruleId for a policy-bound task) (problem+json)' },
  404: { description: 'TASK_NOT_FOUND, PROCESS_NOT_FOUND, USER_NOT_FOUND (problem+json)' },
  409: {
    description:
      'TASK_ALREADY_COMPLETED, PROCESS_ENDED, ACTIONS_NOT_AVAILABLE (an instance started before task actions), ALREADY_A_CANDIDATE, ALREADY_A_SIGNER, NOT_AN_EARLIER_TASK, PARALLEL_PATHS, ALREADY_DECIDED, ALREADY_WATCHING (problem+json)',
  },
  422: { description: 'INVALID_COMMENT: a comment the process refuses (problem+json)' },
};

// ------------------------------------------------------------------ routes

export function taskActionRoutes(deps: { sql: Sql; engine: EngineClient; authenticator: Authenticator; confidentialProcesses: ConfidentialProcesses }) {
  const { engine } = deps;
  const actions = taskActionService(deps);
  const router = createRouter();
  const authenticated = requireUser(deps);
  const { onTask, requireActiveUsers: existingUsers, task: taskOr404 } = actions;

  /** The update's id: the caller's Idempotency-Key scoped to them, the action and its object; else a fresh one. */
  const updateId = (action: string, actorId: string, id: string, key: string | undefined) => (key === undefined ? randomUUID() : `${action}:${actorId}:${id}:${key}`);

  const taskAction = <Body extends z.ZodType>(path: string, summary: string, description: string, body: Body) =>
    createRoute({
      method: 'post',
      path: `/api/v1/tasks/{id}/${path}`,
      tags: ['tasks'],
      summary,
      description,
      middleware: [authenticated] as const,
      request: { params: taskParams, headers: actionHeaders, body: { required: true, content: { 'application/json': { schema: body } } } },
      responses: {
        200: { description: 'Done; the instance has acted on it', content: { 'application/json': { schema: actionResult } } },
        202: accepted,
        400: { description: 'INVALID_INPUT (problem+json)' },
        401: unauthorized,
        ...refusals,
      },
    });


  /** The contract of a POST on an instance: a body, a result, and the refusals every action shares. */
  const processAction = <Body extends z.ZodType, Result extends z.ZodType, Status extends 200 | 201>(spec: {
    path: string;
    summary: string;
    description: string;
    body: Body;
    bodyRequired: boolean;
    result: Result;
    status: Status;
  }) =>
    createRoute({
      method: 'post',
      path: `/api/v1/processes/{id}/${spec.path}`,
      tags: ['processes'],
      summary: spec.summary,
      description: spec.description,
      middleware: [authenticated] as const,
      request: { params: processParams, body: { required: spec.bodyRequired, content: { 'application/json': { schema: spec.body } } } },
      responses: {
        [spec.status]: { description: 'Done; the instance has acted on it', content: { 'application/json': { schema: spec.result } } },
        202: accepted,
        400: { description: 'INVALID_INPUT (problem+json)' },
        401: unauthorized,
        ...refusals,
      },
    });

  router.openapi(
    taskAction('transfer', 'Transfer a task to another eligible person (转交)', 'The person named decides it instead of its candidates. A policy-bound task (BOR-6, DES-3, ...) goes only to someone its candidate rule names.', transferRequest),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const user = c.var.user;
      const found = await taskOr404(id, user);
      await existingUsers([body.to]);
      const input = { taskId: id, actorId: user.id, toUserId: body.to, ...(body.comment ? { comment: body.comment } : {}) };
      return c.json(await onTask(found, transferTaskUpdate, input, updateId('transfer', user.id, id, c.req.valid('header')['idempotency-key'])), 200);
    },
  );

  router.openapi(
    taskAction(
      'signers',
      'Add a signer before or after me (加签)',
      'before: they decide first, then the task comes back to me; after: once I give the go-ahead (the first outcome), they decide. Any other outcome decides the task at once.',
      signerRequest,
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const user = c.var.user;
      const found = await taskOr404(id, user);
      await existingUsers([body.userId]);
      const input = { taskId: id, actorId: user.id, userId: body.userId, position: body.position, ...(body.comment ? { comment: body.comment } : {}) };
      return c.json(await onTask(found, addSignerUpdate, input, updateId('signer', user.id, id, c.req.valid('header')['idempotency-key'])), 200);
    },
  );

  router.openapi(
    taskAction(
      'send-back',
      'Send a task back to an earlier step or to the requester (退回)',
      `The path runs again from the earlier user task; sent to "${TO_REQUESTER}", the requester resubmits (POST /api/v1/tasks/{id}/complete with outcome "resubmit" and the changed fields as data) and the path runs again from the start.`,
      sendBackRequest,
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const user = c.var.user;
      const found = await taskOr404(id, user);
      const input = { taskId: id, actorId: user.id, to: body.to, ...(body.comment ? { comment: body.comment } : {}) };
      return c.json(await onTask(found, sendBackUpdate, input, updateId('send-back', user.id, id, c.req.valid('header')['idempotency-key'])), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/tasks/{id}/urge',
      tags: ['tasks'],
      summary: "The requester reminds a task's candidates (催办)",
      description: 'Its candidates and their delegates get a notice. At most once an hour per task: sooner is 429 URGED_TOO_RECENTLY with Retry-After.',
      middleware: [authenticated] as const,
      request: { params: taskParams },
      responses: {
        200: { description: 'Reminded', content: { 'application/json': { schema: z.object({ taskId: z.string(), notified: z.array(z.string()) }).openapi('UrgeResult') } } },
        202: accepted,
        401: unauthorized,
        ...refusals,
        429: { description: 'URGED_TOO_RECENTLY, with Retry-After (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const found = await taskOr404(id, c.var.user);
      return c.json(await onTask(found, urgeUpdate, { taskId: id, actorId: c.var.user.id }, randomUUID()), 200);
    },
  );

  router.openapi(
    processAction({
      path: 'withdraw',
      summary: 'The requester withdraws their request (撤回), until the first decision',
      description: 'Also while it waits for them after a send-back. The instance ends as `withdrawn`; a definition with an onCancel service (borrowing) records the cancellation of its request.',
      body: withdrawRequest,
      bodyRequired: false,
      result: z.object({ status: z.string() }).openapi('WithdrawResult'),
      status: 200,
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json') ?? {};
      await actions.instance(id, c.var.user);
      return c.json(await deliverUpdate(engine, id, withdrawUpdate, { actorId: c.var.user.id, ...(reason ? { reason } : {}) }), 200);
    },
  );

  router.openapi(
    processAction({
      path: 'watchers',
      summary: 'Copy people in (抄送): they may read the instance and its comments, and decide nothing',
      description: 'By its requester, anyone who may decide one of its open tasks, or someone already copied in. Each person copied in gets a notice.',
      body: watchersRequest,
      bodyRequired: true,
      result: z.object({ added: z.array(z.string()) }).openapi('CopyResult'),
      status: 200,
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { userIds } = c.req.valid('json');
      await actions.instance(id, c.var.user);
      await existingUsers(userIds);
      return c.json(await deliverUpdate(engine, id, copyUpdate, { actorId: c.var.user.id, userIds: [...new Set(userIds)] }), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/processes/{id}/watchers',
      tags: ['processes'],
      summary: 'The people copied in on an instance',
      middleware: [authenticated] as const,
      request: { params: processParams },
      responses: {
        200: { description: 'Its watchers, in the order they were copied in', content: { 'application/json': { schema: z.object({ watchers: z.array(watcher) }) } } },
        401: unauthorized,
        404: { description: 'PROCESS_NOT_FOUND: no such instance, or one the caller may not see (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const watchers = await actions.watchers(id, c.var.user);
      return c.json({ watchers: watchers.map((w) => ({ ...w, addedAt: w.addedAt.toISOString() })) }, 200);
    },
  );

  router.openapi(
    processAction({
      path: 'comments',
      summary: 'Comment on an instance; @user-id mentions get a notice',
      description: 'By whoever may see the instance (GET /api/v1/processes/{id}), while it runs. A person mentioned is copied in, so that they may read it.',
      body: commentRequest,
      bodyRequired: true,
      result: processComment,
      status: 201,
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { text } = c.req.valid('json');
      const user = c.var.user;
      await actions.instance(id, user);
      const mentions = mentionsIn(text).filter((mentioned) => mentioned !== user.id);
      await existingUsers(mentions);
      const commentId = randomUUID();
      await deliverUpdate(engine, id, commentUpdate, { commentId, actorId: user.id, text, mentions });
      const stored = await actions.comment(id, commentId);
      return c.json({ ...stored, createdAt: stored.createdAt.toISOString() }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/processes/{id}/comments',
      tags: ['processes'],
      summary: "An instance's comments, oldest first, a page at a time",
      description: 'Visible to whoever may see the instance: its participants, the people copied in, the GM and the Office Director.',
      middleware: [authenticated] as const,
      request: { params: processParams, query: commentQuery },
      responses: {
        200: {
          description: 'A page of comments',
          content: { 'application/json': { schema: z.object({ comments: z.array(processComment), nextCursor: z.string().nullable() }).openapi('CommentPage') } },
        },
        400: { description: 'INVALID_CURSOR (problem+json)' },
        401: unauthorized,
        404: { description: 'PROCESS_NOT_FOUND: no such instance, or one the caller may not see (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { limit, cursor } = c.req.valid('query');
      const parts = cursor === undefined ? undefined : commentKey.parse(cursor)!;
      const page = await actions.comments(id, c.var.user, { limit, after: parts && { at: parts[0], id: parts[1] } });
      return c.json(
        {
          comments: page.comments.map((stored) => ({ ...stored, createdAt: stored.createdAt.toISOString() })),
          nextCursor: page.next && commentKey.format([page.next.at, page.next.id]),
        },
        200,
      );
    },
  );

  return router;
}
