// Task actions (issue #16) on the time-skipping server, with the real activities writing to
// PostgreSQL: each action allowed, refused with its code, and audited with whom it was done for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processState, deliverUpdate } from '../../engine/client.ts';
import {
  addSignerUpdate,
  commentUpdate,
  copyUpdate,
  sendBackUpdate,
  transferTaskUpdate,
  urgeUpdate,
  withdrawUpdate,
} from '../../engine/workflow/messages.ts';
import { actionsDefinition, lockedDefinition } from '../support/action-definitions.ts';
import { archived } from '../support/documents.ts';
import { decide, eventually, openTasks, startEngine, type EngineHarness } from '../support/engine.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('task actions', () => {
  let engine: EngineHarness;
  const sql = () => engine.db.sql;
  const result = (id: string) => engine.client.workflow.getHandle(id).result();
  const running: string[] = [];
  const begin = async (key: string, options: { historyLimit?: number } = {}) => {
    const id = await engine.start({ key, version: 1 }, 'finance-clerk', key === 'test.actions' ? { amount: 500 } : {}, options);
    running.push(id);
    return id;
  };
  const start = () => begin('test.actions');
  const only = async (id: string, nodeId: string) => {
    const tasks = await openTasks(engine, id);
    const task = tasks.find((t) => t.nodeId === nodeId);
    if (!task || tasks.length !== 1) throw new Error(`expected one open task at ${nodeId}, found ${tasks.map((t) => t.nodeId).join(', ')}`);
    return task;
  };
  const audit = (id: string, event: string) =>
    sql()<{ actor_id: string; on_behalf_of: string | null; rule_id: string | null; detail: Record<string, unknown> }[]>`
      select actor_id, on_behalf_of, rule_id, detail from audit_log where process_id = ${id} and event = ${event} order by seq`;
  /** Through the review to the BOR-6 approval. */
  const atApproval = async () => {
    const id = await start();
    await decide(engine, id, (await only(id, 'review')).id, 'finance-manager', 'approve');
    return { id, approval: await only(id, 'approval') };
  };

  beforeAll(async () => {
    engine = await startEngine({ suite: 'actions' });
    await engine.publish(actionsDefinition);
    await engine.publish(lockedDefinition);
  });
  afterAll(async () => {
    // Instances still waiting are cancelled, so that their histories are recorded for tests/replay too.
    for (const id of running) {
      const handle = engine.client.workflow.getHandle(id);
      await handle.cancel().catch(() => undefined);
      await handle.result().catch(() => undefined);
    }
    await engine?.teardown();
  });

  it('transfer: the task goes to the person named, who decides it; the one who handed it on no longer may', async () => {
    const id = await start();
    const review = await only(id, 'review');
    const answer = await deliverUpdate(engine, id, transferTaskUpdate, { taskId: review.id, actorId: 'finance-manager', toUserId: 'office-director', comment: 'on leave' });
    expect(answer.openTasks).toEqual([{ id: review.id, nodeId: 'review', candidateIds: ['office-director'] }]);
    const [row] = await sql()<{ candidate_ids: string[] }[]>`select candidate_ids from tasks where id = ${review.id}`;
    expect(row!.candidate_ids).toEqual(['office-director']);
    await expect(decide(engine, id, review.id, 'finance-manager', 'approve')).rejects.toMatchObject({ code: 'NOT_A_CANDIDATE' });
    await decide(engine, id, review.id, 'office-director', 'approve');
    expect((await only(id, 'approval')).candidateIds).toEqual(['dgm-admin', 'gm']);
    expect(await audit(id, 'task.transferred')).toEqual([
      { actor_id: 'finance-manager', on_behalf_of: null, rule_id: null, detail: { from: ['finance-manager'], to: 'office-director', comment: 'on leave' } },
    ]);
  });

  it('transfer is refused to the requester, to oneself, by someone who may not decide, and where the definition forbids it', async () => {
    const id = await start();
    const review = await only(id, 'review');
    const transfer = (actorId: string, toUserId: string) => deliverUpdate(engine, id, transferTaskUpdate, { taskId: review.id, actorId, toUserId });
    await expect(transfer('finance-manager', 'finance-clerk')).rejects.toMatchObject({ code: 'TARGET_NOT_ELIGIBLE' });
    await expect(transfer('finance-manager', 'finance-manager')).rejects.toMatchObject({ code: 'ALREADY_A_CANDIDATE' });
    await expect(transfer('hr-manager', 'office-director')).rejects.toMatchObject({ code: 'NOT_A_CANDIDATE' });
    await expect(deliverUpdate(engine, id, transferTaskUpdate, { taskId: `${id}:nothing:1`, actorId: 'finance-manager', toUserId: 'gm' })).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
    const locked = await begin('test.actions.locked');
    const task = await only(locked, 'review');
    await expect(deliverUpdate(engine, locked, transferTaskUpdate, { taskId: task.id, actorId: 'finance-manager', toUserId: 'office-director' })).rejects.toMatchObject({
      code: 'ACTION_NOT_ALLOWED',
    });
    expect((await processState(engine, id)).openTasks[0]!.candidateIds).toEqual(['finance-manager']);
    expect(await audit(id, 'task.transferred')).toEqual([]);
  });

  it('BOR-6 transfer and added signers stay among the GM and the Deputy GM in charge', async () => {
    const { id, approval } = await atApproval();
    await expect(deliverUpdate(engine, id, transferTaskUpdate, { taskId: approval.id, actorId: 'gm', toUserId: 'office-director' })).rejects.toMatchObject({
      code: 'TARGET_NOT_ELIGIBLE',
      message: expect.stringContaining('BOR-6'),
    });
    await expect(deliverUpdate(engine, id, addSignerUpdate, { taskId: approval.id, actorId: 'gm', userId: 'dgm-sales', position: 'after' })).rejects.toMatchObject({
      code: 'TARGET_NOT_ELIGIBLE',
    });
    await deliverUpdate(engine, id, transferTaskUpdate, { taskId: approval.id, actorId: 'gm', toUserId: 'dgm-admin' });
    await expect(decide(engine, id, approval.id, 'gm', 'approve')).rejects.toMatchObject({ code: 'NOT_A_CANDIDATE' });
    // Handed on, the task still goes back only to someone BOR-6 names.
    await expect(deliverUpdate(engine, id, transferTaskUpdate, { taskId: approval.id, actorId: 'dgm-admin', toUserId: 'dgm-sales' })).rejects.toMatchObject({
      code: 'TARGET_NOT_ELIGIBLE',
    });
    await deliverUpdate(engine, id, transferTaskUpdate, { taskId: approval.id, actorId: 'dgm-admin', toUserId: 'gm' });
    await decide(engine, id, approval.id, 'gm', 'approve');
    expect((await result(id)).status).toBe('approved');
    expect((await audit(id, 'task.transferred')).map((e) => [e.actor_id, e.rule_id, e.detail.to])).toEqual([
      ['gm', 'BOR-6', 'dgm-admin'],
      ['dgm-admin', 'BOR-6', 'gm'],
    ]);
  });

  it('add a signer after me: I approve, then the added person decides the task', async () => {
    const id = await start();
    const review = await only(id, 'review');
    await deliverUpdate(engine, id, addSignerUpdate, { taskId: review.id, actorId: 'finance-manager', userId: 'finance-director', position: 'after' });
    await expect(deliverUpdate(engine, id, addSignerUpdate, { taskId: review.id, actorId: 'finance-manager', userId: 'finance-director', position: 'after' })).rejects.toMatchObject({
      code: 'ALREADY_A_SIGNER',
    });
    const answer = await decide(engine, id, review.id, 'finance-manager', 'approve');
    const signer = answer.openTasks.find((t) => t.nodeId === 'review')!;
    expect(signer.candidateIds).toEqual(['finance-director']);
    await decide(engine, id, signer.id, 'finance-director', 'reject');
    const ended = await result(id);
    expect(ended.status).toBe('rejected');
    expect(ended.variables.review).toMatchObject({ outcome: 'reject', decidedBy: 'finance-director' });
    expect((ended.variables.review as { votes: { actorId: string }[] }).votes.map((v) => v.actorId)).toEqual(['finance-manager', 'finance-director']);
    expect(await audit(id, 'task.signer_added')).toEqual([
      { actor_id: 'finance-manager', on_behalf_of: null, rule_id: null, detail: { userId: 'finance-director', position: 'after', comment: null } },
    ]);
  });

  it('add a signer before me: they decide first, then the task comes back to me', async () => {
    const id = await start();
    const review = await only(id, 'review');
    const answer = await deliverUpdate(engine, id, addSignerUpdate, { taskId: review.id, actorId: 'finance-manager', userId: 'finance-director', position: 'before' });
    const first = answer.openTasks.find((t) => t.nodeId === 'review')!;
    expect(first).toMatchObject({ candidateIds: ['finance-director'] });
    await expect(decide(engine, id, review.id, 'finance-manager', 'approve')).rejects.toMatchObject({ code: 'TASK_ALREADY_COMPLETED' });
    const back = (await decide(engine, id, first.id, 'finance-director', 'approve')).openTasks.find((t) => t.nodeId === 'review')!;
    expect(back.candidateIds).toEqual(['finance-manager']);
    await decide(engine, id, back.id, 'finance-manager', 'approve');
    expect((await only(id, 'approval')).candidateIds).toEqual(['dgm-admin', 'gm']);
    const states = await sql()<{ state: string; decided_by: string | null }[]>`select state, decided_by from tasks where process_id = ${id} and node_id = 'review' order by created_at`;
    expect(states).toEqual([
      { state: 'cancelled', decided_by: null },
      { state: 'completed', decided_by: 'finance-director' },
      { state: 'completed', decided_by: 'finance-manager' },
    ]);
  });

  it('send back to an earlier task: the path runs again from there; a later node or an unknown one is refused', async () => {
    const { id, approval } = await atApproval();
    await expect(deliverUpdate(engine, id, sendBackUpdate, { taskId: approval.id, actorId: 'gm', to: 'approved' })).rejects.toMatchObject({ code: 'NOT_AN_EARLIER_TASK' });
    await expect(deliverUpdate(engine, id, sendBackUpdate, { taskId: approval.id, actorId: 'gm', to: 'approval' })).rejects.toMatchObject({ code: 'NOT_AN_EARLIER_TASK' });
    await expect(deliverUpdate(engine, id, sendBackUpdate, { taskId: approval.id, actorId: 'finance-clerk', to: 'review' })).rejects.toMatchObject({ code: 'NOT_A_CANDIDATE' });
    const answer = await deliverUpdate(engine, id, sendBackUpdate, { taskId: approval.id, actorId: 'gm', to: 'review', comment: 'check the amount' });
    expect(answer.openTasks.map((t) => [t.nodeId, t.candidateIds])).toEqual([['review', ['finance-manager']]]);
    await expect(decide(engine, id, approval.id, 'gm', 'approve')).rejects.toMatchObject({ code: 'TASK_ALREADY_COMPLETED' });
    expect(await audit(id, 'task.sent_back')).toEqual([{ actor_id: 'gm', on_behalf_of: null, rule_id: 'BOR-6', detail: { to: 'review', comment: 'check the amount' } }]);
  });

  it('send back to the requester, who resubmits with changed data: the path runs again from the start', async () => {
    const { id, approval } = await atApproval();
    const answer = await deliverUpdate(engine, id, sendBackUpdate, { taskId: approval.id, actorId: 'dgm-admin', to: 'requester' });
    const resubmit = answer.openTasks[0]!;
    expect(resubmit).toMatchObject({ nodeId: 'start', candidateIds: ['finance-clerk'] });
    await expect(decide(engine, id, resubmit.id, 'finance-clerk', 'resubmit', { amount: 'a lot' })).rejects.toMatchObject({ code: 'INVALID_TASK_DATA' });
    await expect(decide(engine, id, resubmit.id, 'finance-clerk', 'resubmit', { documentId: 'x' })).rejects.toMatchObject({ code: 'INVALID_TASK_DATA' });
    await expect(decide(engine, id, resubmit.id, 'finance-manager', 'resubmit', { amount: 20 })).rejects.toMatchObject({ code: 'NOT_A_CANDIDATE' });
    const after = await decide(engine, id, resubmit.id, 'finance-clerk', 'resubmit', { amount: 20, purpose: 'smaller' });
    expect(after.openTasks.map((t) => t.nodeId)).toEqual(['review']);
    expect((await processState(engine, id)).variables).toMatchObject({ amount: 20, purpose: 'smaller' });
    const [resubmitted] = await audit(id, 'process.resubmitted');
    expect(resubmitted).toMatchObject({ actor_id: 'finance-clerk', detail: { changed: { amount: 20, purpose: 'smaller' } } });
  });

  it('withdraw: the requester, until the first decision; again once sent back to them', async () => {
    const id = await start();
    await expect(deliverUpdate(engine, id, withdrawUpdate, { actorId: 'finance-manager' })).rejects.toMatchObject({ code: 'NOT_THE_INITIATOR' });
    expect(await deliverUpdate(engine, id, withdrawUpdate, { actorId: 'finance-clerk', reason: 'no longer needed' })).toEqual({ status: 'withdrawn' });
    expect((await result(id)).status).toBe('withdrawn');
    const [row] = await sql()<{ status: string }[]>`select status from process_instances where id = ${id}`;
    expect(row!.status).toBe('withdrawn');
    await expect(deliverUpdate(engine, id, withdrawUpdate, { actorId: 'finance-clerk' })).rejects.toMatchObject({ code: 'PROCESS_ENDED' });

    const { id: decided, approval } = await atApproval();
    await expect(deliverUpdate(engine, decided, withdrawUpdate, { actorId: 'finance-clerk' })).rejects.toMatchObject({ code: 'ALREADY_DECIDED' });
    await deliverUpdate(engine, decided, sendBackUpdate, { taskId: approval.id, actorId: 'gm', to: 'requester' });
    expect(await deliverUpdate(engine, decided, withdrawUpdate, { actorId: 'finance-clerk' })).toEqual({ status: 'withdrawn' });

    const locked = await begin('test.actions.locked');
    await only(locked, 'review');
    await expect(deliverUpdate(engine, locked, withdrawUpdate, { actorId: 'finance-clerk' })).rejects.toMatchObject({ code: 'ACTION_NOT_ALLOWED' });
  });

  it('urge: the requester reminds the candidates and their delegates, at most once an hour per task', async () => {
    const now = await engine.env.currentTimeMs();
    const attorney = await archived(sql(), { category: 'power_of_attorney', retentionYears: 30, archivedOn: new Date(now).toISOString().slice(0, 10) });
    await sql()`
      insert into delegations (id, principal_id, delegate_id, valid_from, valid_to, process_keys, max_secrecy, reason, document_id)
      values ('poa-urge', 'finance-manager', 'finance-director', ${new Date(now - DAY)}, ${new Date(now + 30 * DAY)}, ${['test.actions']}, 'secret', 'away', ${attorney})`;
    try {
      const id = await start();
      const review = await only(id, 'review');
      await expect(deliverUpdate(engine, id, urgeUpdate, { taskId: review.id, actorId: 'finance-manager' })).rejects.toMatchObject({ code: 'NOT_THE_INITIATOR' });
      expect(await deliverUpdate(engine, id, urgeUpdate, { taskId: review.id, actorId: 'finance-clerk' })).toEqual({ taskId: review.id, notified: ['finance-manager', 'finance-director'] });
      const notices = await sql()<{ user_id: string; kind: string }[]>`select user_id, kind from notifications where process_id = ${id} and kind = 'task.urged' order by user_id`;
      expect(notices).toEqual([
        { user_id: 'finance-director', kind: 'task.urged' },
        { user_id: 'finance-manager', kind: 'task.urged' },
      ]);
      await expect(deliverUpdate(engine, id, urgeUpdate, { taskId: review.id, actorId: 'finance-clerk' })).rejects.toMatchObject({ code: 'URGED_TOO_RECENTLY', status: 429 });

      // A delegate acts for their principal: the trail says for whom (BOR-7).
      await deliverUpdate(engine, id, transferTaskUpdate, { taskId: review.id, actorId: 'finance-director', toUserId: 'office-director' });
      expect(await audit(id, 'task.transferred')).toMatchObject([{ actor_id: 'finance-director', on_behalf_of: 'finance-manager' }]);

      await engine.env.sleep('61 minutes');
      expect((await deliverUpdate(engine, id, urgeUpdate, { taskId: review.id, actorId: 'finance-clerk' })).notified).toEqual(['office-director']);
      expect(await audit(id, 'task.urged')).toHaveLength(2);
    } finally {
      await sql()`update delegations set revoked_at = now(), revoked_by = 'finance-manager' where id = 'poa-urge'`;
    }
  });

  it('copy people in: they become watchers; copying them again, or by an outsider, is refused', async () => {
    const id = await start();
    await only(id, 'review');
    expect(await deliverUpdate(engine, id, copyUpdate, { actorId: 'finance-clerk', userIds: ['hr-manager', 'marketing-director'] })).toEqual({ added: ['hr-manager', 'marketing-director'] });
    await expect(deliverUpdate(engine, id, copyUpdate, { actorId: 'finance-manager', userIds: ['hr-manager'] })).rejects.toMatchObject({ code: 'ALREADY_WATCHING' });
    await expect(deliverUpdate(engine, id, copyUpdate, { actorId: 'floor-sales-1', userIds: ['gm'] })).rejects.toMatchObject({ code: 'NOT_A_PARTICIPANT' });
    // A watcher copies in someone else.
    expect(await deliverUpdate(engine, id, copyUpdate, { actorId: 'hr-manager', userIds: ['hr-manager', 'gm'] })).toEqual({ added: ['gm'] });
    const watchers = await sql()<{ user_id: string; added_by: string }[]>`select user_id, added_by from process_watchers where process_id = ${id} order by user_id`;
    expect(watchers).toEqual([
      { user_id: 'gm', added_by: 'hr-manager' },
      { user_id: 'hr-manager', added_by: 'finance-clerk' },
      { user_id: 'marketing-director', added_by: 'finance-clerk' },
    ]);
    expect((await audit(id, 'process.copied')).map((e) => [e.actor_id, e.detail.userIds])).toEqual([
      ['finance-clerk', ['hr-manager', 'marketing-director']],
      ['hr-manager', ['gm']],
    ]);
  });

  it('added signers, urges and watchers survive a continue-as-new', async () => {
    const id = await begin('test.actions', { historyLimit: 40 });
    const handle = engine.client.workflow.getHandle(id);
    const firstRun = (await handle.describe()).runId;
    const review = await only(id, 'review');
    await deliverUpdate(engine, id, addSignerUpdate, { taskId: review.id, actorId: 'finance-manager', userId: 'finance-director', position: 'after' });
    await deliverUpdate(engine, id, urgeUpdate, { taskId: review.id, actorId: 'finance-clerk' });
    await deliverUpdate(engine, id, copyUpdate, { actorId: 'finance-clerk', userIds: ['hr-manager'] });
    // Comments grow the history until the instance continues as new.
    for (let n = 0; n < 20 && (await handle.describe()).runId === firstRun; n += 1) {
      await deliverUpdate(engine, id, commentUpdate, { commentId: `can-${n}`, actorId: 'finance-clerk', text: `note ${n}`, mentions: [] });
    }
    expect((await eventually(() => handle.describe(), (d) => d.runId !== firstRun)).runId).not.toBe(firstRun);
    await expect(deliverUpdate(engine, id, urgeUpdate, { taskId: review.id, actorId: 'finance-clerk' })).rejects.toMatchObject({ code: 'URGED_TOO_RECENTLY' });
    await expect(deliverUpdate(engine, id, copyUpdate, { actorId: 'finance-clerk', userIds: ['hr-manager'] })).rejects.toMatchObject({ code: 'ALREADY_WATCHING' });
    const signer = (await decide(engine, id, review.id, 'finance-manager', 'approve')).openTasks.find((t) => t.nodeId === 'review')!;
    expect(signer.candidateIds).toEqual(['finance-director']);
    await decide(engine, id, signer.id, 'finance-director', 'approve');
    expect((await only(id, 'approval')).candidateIds).toEqual(['dgm-admin', 'gm']);
  });

  it('comments: stored with their mentions, who get a notice and may read the instance; refused where the definition forbids them', async () => {
    const id = await start();
    await only(id, 'review');
    await deliverUpdate(engine, id, commentUpdate, { commentId: 'c-1', actorId: 'finance-manager', text: 'Please confirm, @finance-director.', mentions: ['finance-director'] });
    const [comment] = await sql()<{ author_id: string; mentions: string[] }[]>`select author_id, mentions from process_comments where id = 'c-1'`;
    expect(comment).toEqual({ author_id: 'finance-manager', mentions: ['finance-director'] });
    const [notice] = await sql()<{ user_id: string }[]>`select user_id from notifications where process_id = ${id} and kind = 'comment.mention'`;
    expect(notice!.user_id).toBe('finance-director');
    const [watcher] = await sql()<{ user_id: string }[]>`select user_id from process_watchers where process_id = ${id}`;
    expect(watcher!.user_id).toBe('finance-director');
    await expect(deliverUpdate(engine, id, commentUpdate, { commentId: 'c-2', actorId: 'finance-manager', text: '   ', mentions: [] })).rejects.toMatchObject({ code: 'INVALID_COMMENT' });

    const locked = await begin('test.actions.locked');
    await only(locked, 'review');
    await expect(deliverUpdate(engine, locked, commentUpdate, { commentId: 'c-3', actorId: 'finance-clerk', text: 'hello', mentions: [] })).rejects.toMatchObject({ code: 'ACTION_NOT_ALLOWED' });
    await expect(deliverUpdate(engine, locked, copyUpdate, { actorId: 'finance-clerk', userIds: ['gm'] })).rejects.toMatchObject({ code: 'ACTION_NOT_ALLOWED' });
    await expect(deliverUpdate(engine, locked, urgeUpdate, { taskId: (await only(locked, 'review')).id, actorId: 'finance-clerk' })).rejects.toMatchObject({ code: 'ACTION_NOT_ALLOWED' });
  });
});
