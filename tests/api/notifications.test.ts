// Notifications that reach people (issue 16.3): a real SMTP server (smtp-server) and a local
// webhook receiver standing in for the DingTalk and Feishu robots, the delivery workflow on the
// dev server with the real activities, and the caller's view through the API.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createNotificationActivities, type NotificationSettings } from '../../platform/notifications/activities.ts';
import { deliveryWorkflowId, ensureDeliveryWorkflow, ensureDigestSchedule, digestScheduleId } from '../../platform/notifications/schedules.ts';
import { insertNotices } from '../../platform/db/audit.ts';
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import type { sendDailyDigests } from '../../platform/notifications/workflows.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';

/** A process whose one step tells the GM something (the `notify` service). */
const notifyDefinition: ProcessDefinitionInput = {
  key: 'test.notify',
  version: 1,
  name: { en: 'Notify', zh: '通知' },
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'tell' },
    { id: 'tell', type: 'serviceTask', activity: 'notify', input: { userIds: '["gm"]', text: '"The audit file is ready for you."' }, next: 'end' },
    { id: 'end', type: 'endEvent', status: 'done' },
  ],
};

interface Mail {
  to: string[];
  raw: string;
}

interface Post {
  path: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the robot payloads are checked field by field
}

const mails: Mail[] = [];
const posts: Post[] = [];
let smtp: SMTPServer;
let receiver: Server;
let hooks: string;
let suite: EngineApiSuite;
let settings: NotificationSettings;

function listen(server: { listen(port: number, host: string, done: () => void): unknown }, address: () => AddressInfo): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(address().port)));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The robots: /dingtalk and /feishu accept; /feishu-flaky fails its first call; /dingtalk-refuses refuses as DingTalk does. */
function robotAnswer(path: string, calls: number): { status: number; body: unknown } {
  if (path === '/dingtalk') return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  if (path === '/feishu') return { status: 200, body: { code: 0, msg: 'success' } };
  if (path === '/feishu-flaky') return calls === 1 ? { status: 500, body: { code: 9499, msg: 'busy' } } : { status: 200, body: { code: 0, msg: 'success' } };
  return { status: 200, body: { errcode: 310000, errmsg: 'keywords not in content' } };
}

async function notices(userId: string, query = '') {
  const reply = await suite.request(userId, 'GET', `/api/v1/me/notifications${query}`);
  expect(reply.status).toBe(200);
  return reply.body as { notifications: { key: string; text: string; deliveries: { channel: string; status: string; attempts: number; lastError: string | null; deliveredAt: string | null }[] }[]; nextCursor: string | null };
}

/** Waits until every delivery of `userId`'s notice `text` has settled (delivered or failed). */
async function settled(userId: string, text: string) {
  const until = Date.now() + 45_000;
  for (;;) {
    const found = (await notices(userId)).notifications.find((n) => n.text === text);
    if (found && found.deliveries.length > 0 && found.deliveries.every((d) => d.status !== 'pending')) return found;
    if (Date.now() > until) throw new Error(`the notice "${text}" to ${userId} did not settle: ${JSON.stringify(found)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function notify(userIds: string[], text: string, at = Date.now()): Promise<void> {
  await insertNotices(suite.engine.db.sql, { key: `test-${randomUUID()}`, processId: 'borrow-1', taskId: 'borrow-1:gmApproval:1', userIds, kind: 'task.reminder', text, at });
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        done();
      });
    },
  });
  const smtpPort = await listen(smtp, () => (smtp as unknown as { server: Server }).server.address() as AddressInfo);
  const calls = new Map<string, number>();
  receiver = createServer((request, response) => {
    void readBody(request).then((text) => {
      const path = request.url ?? '/';
      posts.push({ path, body: JSON.parse(text) });
      calls.set(path, (calls.get(path) ?? 0) + 1);
      const answer = robotAnswer(path, calls.get(path)!);
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  hooks = `http://127.0.0.1:${await listen(receiver, () => receiver.address() as AddressInfo)}`;
  settings = { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'Custodian <custodian@example.com>', console: true, publicUrl: 'https://custodian.example.com', webhookHosts: ['127.0.0.1'] };
  suite = await startApiSuite({ engine: { server: 'dev', notifications: settings }, definitions: [notifyDefinition] });
  await ensureDeliveryWorkflow(suite.engine.client, suite.engine.taskQueue, { maximumAttempts: 3, initialInterval: '200 milliseconds', maximumInterval: '1 second', waitMs: 2_000 });
});

afterAll(async () => {
  await suite?.engine.client.workflow.getHandle(deliveryWorkflowId).terminate('the suite is over').catch(() => {});
  await suite?.teardown();
  await new Promise((resolve) => smtp?.close(() => resolve(undefined)));
  await new Promise((resolve) => receiver?.close(() => resolve(undefined)));
});

describe('notification preferences', () => {
  it('stores a user’s channels and reads them back', async () => {
    const put = await suite.request('gm', 'PUT', '/api/v1/me/notification-preferences', {
      json: {
        channels: [
          { channel: 'email', address: 'gm@example.com' },
          { channel: 'dingtalk', address: `${hooks}/dingtalk` },
        ],
      },
    });
    expect(put.status).toBe(200);
    const get = await suite.request('gm', 'GET', '/api/v1/me/notification-preferences');
    expect(get.body.channels).toEqual([
      { channel: 'dingtalk', address: `${hooks}/dingtalk`, enabled: true, digest: false },
      { channel: 'email', address: 'gm@example.com', enabled: true, digest: false },
    ]);
  });

  it.each([
    ['an unknown channel', { channels: [{ channel: 'sms', address: '123' }] }],
    ['a channel twice', { channels: [{ channel: 'email', address: 'a@example.com' }, { channel: 'email', address: 'b@example.com' }] }],
    ['an e-mail that is no address', { channels: [{ channel: 'email', address: 'not-an-address' }] }],
    ['a webhook that is not http(s)', { channels: [{ channel: 'feishu', address: 'ftp://example.com/hook' }] }],
    ['an unknown field', { channels: [{ channel: 'email', address: 'a@example.com', sms: true }] }],
  ])('refuses %s with a 400 problem and changes nothing', async (_, body) => {
    const before = await suite.request('gm', 'GET', '/api/v1/me/notification-preferences');
    const put = await suite.request('gm', 'PUT', '/api/v1/me/notification-preferences', { json: body });
    expect(put.status).toBe(400);
    expect(put.type).toContain('application/problem+json');
    const after = await suite.request('gm', 'GET', '/api/v1/me/notification-preferences');
    expect(after.body).toEqual(before.body);
  });

  it('needs a signed-in user', async () => {
    expect((await suite.request(null, 'GET', '/api/v1/me/notification-preferences')).status).toBe(401);
    expect((await suite.request(null, 'GET', '/api/v1/me/notifications')).status).toBe(401);
  });
});

describe('delivery', () => {
  it('sends a notice by e-mail and to a DingTalk robot, and records both delivered', async () => {
    await notify(['gm'], 'Reminder: GM approval is waiting for your decision.');
    const notice = await settled('gm', 'Reminder: GM approval is waiting for your decision.');
    expect(notice.deliveries).toEqual([
      { channel: 'dingtalk', status: 'delivered', attempts: 1, lastError: null, deliveredAt: expect.any(String) },
      { channel: 'email', status: 'delivered', attempts: 1, lastError: null, deliveredAt: expect.any(String) },
    ]);
    const mail = mails.filter((m) => m.to.includes('gm@example.com'));
    expect(mail).toHaveLength(1);
    expect(mail[0]!.raw).toMatch(/^Subject: Custodian: Reminder: GM approval is waiting for your decision\.$/m);
    expect(mail[0]!.raw).toContain('process borrow-1, task borrow-1:gmApproval:1');
    expect(mail[0]!.raw).toMatch(/^From: Custodian <custodian@example\.com>$/m);
    const ding = posts.filter((p) => p.path === '/dingtalk');
    expect(ding).toHaveLength(1);
    expect(ding[0]!.body.msgtype).toBe('text');
    expect(ding[0]!.body.text.content).toContain('Reminder: GM approval is waiting for your decision.');
    expect(ding[0]!.body.text.content).toContain('https://custodian.example.com/api/v1/processes/borrow-1');
  });

  it('posts to a Feishu robot in its format, retrying a failed call and recording the failure', async () => {
    await suite.request('archivist', 'PUT', '/api/v1/me/notification-preferences', { json: { channels: [{ channel: 'feishu', address: `${hooks}/feishu-flaky` }] } });
    await notify(['archivist'], '借阅申请 borrow-1 等待归档员交付');
    const notice = await settled('archivist', '借阅申请 borrow-1 等待归档员交付');
    expect(notice.deliveries).toEqual([{ channel: 'feishu', status: 'delivered', attempts: 2, lastError: expect.stringContaining('HTTP 500'), deliveredAt: expect.any(String) }]);
    const feishu = posts.filter((p) => p.path === '/feishu-flaky');
    expect(feishu).toHaveLength(2);
    expect(feishu[1]!.body).toEqual({ msg_type: 'text', content: { text: expect.stringContaining('借阅申请 borrow-1 等待归档员交付') } });
  });

  it('gives a delivery up after its attempts, recorded failed with the robot’s refusal', async () => {
    await suite.request('office-director', 'PUT', '/api/v1/me/notification-preferences', { json: { channels: [{ channel: 'dingtalk', address: `${hooks}/dingtalk-refuses` }] } });
    await notify(['office-director'], 'Destruction list awaits your review.');
    const notice = await settled('office-director', 'Destruction list awaits your review.');
    expect(notice.deliveries).toEqual([{ channel: 'dingtalk', status: 'failed', attempts: 3, lastError: 'dingtalk answered code 310000: keywords not in content', deliveredAt: null }]);
    expect(posts.filter((p) => p.path === '/dingtalk-refuses')).toHaveLength(3);
  });

  it('sends nothing for a channel that is off, and keeps the notice in the list', async () => {
    await suite.request('finance-clerk', 'PUT', '/api/v1/me/notification-preferences', { json: { channels: [{ channel: 'email', address: 'clerk@example.com', enabled: false }] } });
    await notify(['finance-clerk', 'gm'], 'Both told.');
    await settled('gm', 'Both told.');
    const clerk = (await notices('finance-clerk')).notifications.find((n) => n.text === 'Both told.');
    expect(clerk?.deliveries).toEqual([]);
    expect(mails.some((m) => m.to.includes('clerk@example.com'))).toBe(false);
  });

  it('delivers what a process’s notify step writes', async () => {
    const processId = await suite.engine.start({ key: 'test.notify', version: 1 }, 'finance-clerk');
    const notice = await settled('gm', 'The audit file is ready for you.');
    expect(notice.deliveries.map((d) => [d.channel, d.status])).toEqual([
      ['dingtalk', 'delivered'],
      ['email', 'delivered'],
    ]);
    expect(posts.filter((p) => p.path === '/dingtalk').at(-1)!.body.text.content).toContain(`process ${processId}`);
  });

  it('delivers what was written while no worker ran, once one is back', async () => {
    await suite.engine.stopWorker();
    try {
      await notify(['gm'], 'Written while the worker was away.');
      expect((await notices('gm')).notifications.find((n) => n.text === 'Written while the worker was away.')?.deliveries).toEqual([]);
    } finally {
      await suite.engine.restartWorker();
    }
    const notice = await settled('gm', 'Written while the worker was away.');
    expect(notice.deliveries.map((d) => [d.channel, d.status, d.attempts])).toEqual([
      ['dingtalk', 'delivered', 1],
      ['email', 'delivered', 1],
    ]);
    expect(mails.filter((m) => m.raw.includes('Written while the worker was away.'))).toHaveLength(1);
  });

  it('posts to no host outside NOTIFY_WEBHOOK_HOSTS, and records why without retrying', async () => {
    // The suite allows 127.0.0.1 only: the same receiver named as localhost is refused.
    await suite.request('market-manager', 'PUT', '/api/v1/me/notification-preferences', { json: { channels: [{ channel: 'feishu', address: hooks.replace('127.0.0.1', 'localhost') + '/feishu' }] } });
    await notify(['market-manager'], 'Not for another host.');
    const notice = await settled('market-manager', 'Not for another host.');
    expect(notice.deliveries).toEqual([{ channel: 'feishu', status: 'failed', attempts: 1, lastError: 'feishu webhook host localhost is not in NOTIFY_WEBHOOK_HOSTS', deliveredAt: null }]);
    expect(posts.some((p) => p.path === '/feishu')).toBe(false);
  });

  it('does not send twice when the activity is delivered again', async () => {
    const sent = mails.length;
    const [notice] = (await notices('gm')).notifications.filter((n) => n.text === 'Both told.');
    const activities = createNotificationActivities({ sql: suite.engine.db.sql, settings });
    const again = await new MockActivityEnvironment().run(activities.deliverNotification, { notificationKey: notice!.key, channel: 'email' as const });
    expect(again).toBe('already delivered');
    expect(mails.length).toBe(sent);
    expect((await settled('gm', 'Both told.')).deliveries.find((d) => d.channel === 'email')?.attempts).toBe(1);
  });

  it('prints each notice it takes up on the console when asked to (local mode)', async () => {
    const printed = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await notify(['hr-manager'], 'Printed notice.');
      await vi.waitFor(() => expect(printed).toHaveBeenCalledWith('[notice] to hr-manager: Printed notice. (process borrow-1)'), { timeout: 30_000, interval: 100 });
    } finally {
      printed.mockRestore();
    }
  });
});

describe('my notifications', () => {
  it('lists my notices newest first, a page at a time', async () => {
    const now = Date.now();
    for (const [index, text] of ['First.', 'Second.', 'Third.'].entries()) await notify(['marketing-vp'], text, now + index);
    const first = await notices('marketing-vp', '?limit=2');
    expect(first.notifications.map((n) => n.text)).toEqual(['Third.', 'Second.']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await notices('marketing-vp', `?limit=2&cursor=${first.nextCursor}`);
    expect(second.notifications.map((n) => n.text)).toEqual(['First.']);
    expect(second.nextCursor).toBeNull();
    // Nobody else's.
    expect((await notices('marketing-director')).notifications).toEqual([]);
  });

  it('refuses a cursor it did not hand out', async () => {
    const reply = await suite.request('gm', 'GET', '/api/v1/me/notifications?cursor=bm90LWEtY3Vyc29y');
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('INVALID_CURSOR');
  });
});

describe('daily digest', () => {
  it('is a Schedule in Asia/Shanghai at NOTIFY_DIGEST_AT', async () => {
    expect(await ensureDigestSchedule(suite.engine.client, suite.engine.taskQueue, '08:30')).toBe('created');
    expect(await ensureDigestSchedule(suite.engine.client, suite.engine.taskQueue, '08:30')).toBe('unchanged');
    const described = await suite.engine.client.schedule.getHandle(digestScheduleId).describe();
    expect(described.spec.timezone).toBe('Asia/Shanghai');
    expect(described.action.workflowType).toBe('sendDailyDigests');
    expect(await ensureDigestSchedule(suite.engine.client, suite.engine.taskQueue, '09:00')).toBe('updated');
  });

  it('sends one digest per user who chose it, of the notices since the last, and none of them one by one', async () => {
    await suite.request('finance-manager', 'PUT', '/api/v1/me/notification-preferences', { json: { channels: [{ channel: 'email', address: 'fm@example.com', digest: true }] } });
    // Written after the preference (a digest covers what comes after it, to the millisecond).
    await notify(['finance-manager'], 'Digest line one.', Date.now() + 1);
    await notify(['finance-manager'], 'Digest line two.', Date.now() + 2);
    const run = () =>
      suite.engine.client.workflow.execute<typeof sendDailyDigests>('sendDailyDigests', { taskQueue: suite.engine.taskQueue, workflowId: `digest-${randomUUID()}` });
    expect(await run()).toEqual({ sent: 1 });
    const digests = mails.filter((m) => m.to.includes('fm@example.com'));
    expect(digests).toHaveLength(1);
    expect(digests[0]!.raw).toMatch(/^Subject: Custodian: 2 notifications \(\d{4}-\d{2}-\d{2}\)$/m);
    expect(digests[0]!.raw).toContain('Digest line one.');
    expect(digests[0]!.raw).toContain('Digest line two.');
    // Nothing new: no second digest.
    expect(await run()).toEqual({ sent: 0 });
    expect(mails.filter((m) => m.to.includes('fm@example.com'))).toHaveLength(1);
    const listed = (await notices('finance-manager')).notifications.find((n) => n.text === 'Digest line one.');
    expect(listed?.deliveries).toEqual([]);
  });
});
