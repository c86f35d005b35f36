// Notification texts in the recipient's language (issue 21.3): one table per language
// (platform/notifications/texts.ts); a notice reads in Chinese to a zh reader and in English to an
// en reader, in GET /api/v1/me/notifications (the request's language) and when delivered (the
// recipient's language, the company's by default).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeMessage, type Notice } from '../../platform/notifications/channels.ts';
import { noticeText } from '../../platform/notifications/texts.ts';
import { startDatabaseApiSuite, type DatabaseApiSuite } from '../support/api-suite.ts';

let api: DatabaseApiSuite;

beforeAll(async () => {
  api = await startDatabaseApiSuite();
});

afterAll(() => api?.teardown());

const penaltyNotice = async (language: string) => {
  const reply = await api.request('biz-sales-1', 'GET', '/api/v1/me/notifications', { headers: { 'accept-language': language } });
  expect(reply.status).toBe(200);
  return (reply.body.notifications as { kind: string; text: string }[]).find((n) => n.kind === 'penalty.proposed');
};

describe('notification texts', () => {
  it('CUS-2 a proposed fine is told in Chinese to a zh reader and in English to an en reader', async () => {
    const proposed = await api.request('hr-manager', 'POST', '/api/v1/penalties', { json: { kind: 'viewed-without-approval', personId: 'biz-sales-1', evidence: 'view log entry 7' } });
    expect(proposed.status).toBe(201);
    const zh = await penaltyNotice('zh-CN');
    const en = await penaltyNotice('en');
    expect(zh!.text).toBe('SEC-4：拟对 biz-sales-1 处以罚款 50 元（未经审批私自查看客户档案），由人力资源部确认或免除。');
    expect(en!.text).toBe('SEC-4: a fine of 50 yuan is proposed for biz-sales-1 (未经审批私自查看客户档案); HR confirms or waives it.');
  });

  it('a delivered notice is in the recipient language: the company language (zh) unless they chose en', async () => {
    const [row] = await api.db.sql<Notice[]>`
      select key, user_id as "userId", process_id as "processId", task_id as "taskId", kind, text, params, created_at as "createdAt"
      from notifications where user_id = 'biz-sales-1' and kind = 'penalty.proposed'`;
    expect(noticeMessage({ ...row!, language: null }).body).toContain('拟对 biz-sales-1 处以罚款 50 元');
    expect(noticeMessage({ ...row!, language: null }, undefined, 'en').body).toContain('a fine of 50 yuan');
    const chosen = await api.request('biz-sales-1', 'PUT', '/api/v1/me/language', { json: { language: 'en' } });
    expect(chosen.status).toBe(200);
    const [language] = await api.db.sql<{ language: string }[]>`select language from users where id = 'biz-sales-1'`;
    expect(language!.language).toBe('en');
    expect(noticeMessage({ ...row!, language: 'en' }).subject).toBe('Custodian: SEC-4: a fine of 50 yuan is proposed for biz-sales-1 (未经审批私自查看客户档案); HR confirms or waives it.');
    expect((await api.request('biz-sales-1', 'PUT', '/api/v1/me/language', { json: { language: 'fr' } })).status).toBe(400);
  });

  it('a notice of no known kind keeps its stored text; a reminder names its task in the reader language', async () => {
    const plain = { key: 'k', userId: 'gm', processId: null, taskId: null, kind: 'process.notice', text: 'The audit file is ready.', params: null, createdAt: new Date() };
    expect(noticeMessage(plain).body).toBe('The audit file is ready.');
    const task = { en: 'Approve the Secret loan', zh: '审批秘密档案借阅' };
    expect(noticeText('zh', 'task.reminder', { task })).toBe('提醒：「审批秘密档案借阅」正等待您的决定。');
    expect(noticeText('en', 'task.reminder', { task })).toBe('Reminder: "Approve the Secret loan" (审批秘密档案借阅) is waiting for your decision.');
  });
});
