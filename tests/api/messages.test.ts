// Chinese first (issue 21.3): problem+json title and detail in the caller's language, the company's
// language (zh by default) when the caller names none; codes and rule IDs the same in both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, issueToken } from '../../platform/http/auth.ts';
import { readConfig } from '../../platform/config.ts';
import { csvHeader, columnOfHeader, preferredLanguage } from '../../platform/http/messages.ts';
import { startDatabaseApiSuite, type DatabaseApiSuite } from '../support/api-suite.ts';
import { testApp } from '../support/app.ts';

let api: DatabaseApiSuite;

beforeAll(async () => {
  api = await startDatabaseApiSuite();
  await api.db.sql`
    insert into customers (id, name, card_type, city, region, department_id, owner_id, status, created_by)
    values ('cust-lang', 'Hangzhou Trading', 'terminal', 'Hangzhou', 'East', 'business', 'biz-sales-2', 'owned', 'biz-sales-2')`;
});

afterAll(() => api?.teardown());

const deactivate = (language?: string) =>
  api.request('hr-manager', 'POST', '/api/v1/organisation/users/biz-sales-2/deactivation', { headers: language === undefined ? {} : { 'accept-language': language } });

describe('messages in the caller language', () => {
  it('SEC-5: a refusal reads in Chinese with Accept-Language zh-CN and in English with en; code and rule ID unchanged', async () => {
    const zh = await deactivate('zh-CN,zh;q=0.9,en;q=0.8');
    const en = await deactivate('en');
    expect(zh.status).toBe(409);
    expect(en.status).toBe(409);
    expect(zh.headers.get('content-language')).toBe('zh');
    expect(zh.body).toMatchObject({ code: 'DEPARTURE_REQUIRED', ruleId: 'SEC-5', title: '状态冲突' });
    expect(zh.body.detail).toContain('离职流程');
    expect(zh.body.detail).toContain('SEC-5');
    expect(en.body).toMatchObject({ code: 'DEPARTURE_REQUIRED', ruleId: 'SEC-5', title: 'Conflict' });
    expect(en.body.detail).toContain('report the departure');
    expect(en.headers.get('content-language')).toBe('en');
  });

  it('a caller who names no language reads the company language: Chinese by default, English when set so', async () => {
    expect(readConfig({}).COMPANY_LANGUAGE).toBe('zh');
    const chineseCompany = testApp({ sql: api.db.sql, authenticator: createAuthenticator({ secret: 'a-test-secret-that-is-at-least-32-characters-long' }), companyLanguage: 'zh' });
    const anonymous = await chineseCompany.request('/api/v1/organisation/users/biz-sales-2/deactivation', {
      method: 'POST',
      headers: { authorization: `Bearer ${await issueToken('a-test-secret-that-is-at-least-32-characters-long', 'hr-manager')}` },
    });
    const body = await anonymous.json();
    expect(body).toMatchObject({ code: 'DEPARTURE_REQUIRED', title: '状态冲突' });

    const english = testApp({ sql: api.db.sql, authenticator: createAuthenticator({ secret: 'a-test-secret-that-is-at-least-32-characters-long' }), companyLanguage: 'en' });
    const reply = await english.request('/api/v1/no-such-route');
    expect(await reply.json()).toMatchObject({ code: 'NOT_FOUND', title: 'Not Found' });
    const chinese = await english.request('/api/v1/no-such-route', { headers: { 'accept-language': 'zh-TW' } });
    expect(await chinese.json()).toMatchObject({ code: 'NOT_FOUND', title: '未找到', detail: '没有这个接口。' });
  });

  it('invalid input names the fields at fault in either language', async () => {
    const zh = await api.request('hr-manager', 'POST', '/api/v1/organisation/users', { json: { id: 'x' }, headers: { 'accept-language': 'zh' } });
    expect(zh.status).toBe(400);
    expect(zh.body.code).toBe('INVALID_INPUT');
    expect(zh.body.detail).toMatch(/^请求内容无效，请检查：.*displayName/);
    const en = await api.request('hr-manager', 'POST', '/api/v1/organisation/users', { json: { id: 'x' } });
    expect(en.body.detail).toBe('The request json is invalid.');
  });

  it("a 400's errors[] messages are zod's in Chinese with Accept-Language zh-CN and in English with en; paths unchanged", async () => {
    const body = { id: 'x', displayName: 42 };
    const [zh, en] = await Promise.all([
      api.request('hr-manager', 'POST', '/api/v1/organisation/users', { json: body, headers: { 'accept-language': 'zh-CN' } }),
      api.request('hr-manager', 'POST', '/api/v1/organisation/users', { json: body, headers: { 'accept-language': 'en' } }),
    ]);
    expect(zh.status).toBe(400);
    expect(en.status).toBe(400);
    const message = (reply: typeof zh, path: string) => (reply.body.errors as { path: string; message: string }[]).find((e) => e.path === path)?.message;
    expect(zh.body.errors.map((e: { path: string }) => e.path)).toEqual(en.body.errors.map((e: { path: string }) => e.path));
    expect(message(zh, 'displayName')).toBe('无效输入：期望 string，实际接收 数字');
    expect(message(en, 'displayName')).toBe('Invalid input: expected string, received number');
    expect(message(zh, 'departmentId')).toMatch(/^无效输入/);
    expect(message(en, 'departmentId')).toMatch(/^Invalid input/);
  });

  it('Accept-Language is read by its q-values; an unknown language falls back to the company one', () => {
    expect(preferredLanguage('en;q=0.5, zh-CN', 'en')).toBe('zh');
    expect(preferredLanguage('fr, en;q=0.3', 'zh')).toBe('en');
    expect(preferredLanguage('fr', 'zh')).toBe('zh');
    expect(preferredLanguage('zh;q=0, en', 'zh')).toBe('en');
    expect(preferredLanguage(undefined, 'en')).toBe('en');
  });

  it('CUS-2 the penalties ledger exports its CSV headers in the caller language', async () => {
    const zh = await api.request('hr-manager', 'GET', '/api/v1/penalties?format=csv', { headers: { 'accept-language': 'zh-CN' } });
    const en = await api.request('hr-manager', 'GET', '/api/v1/penalties?format=csv', { headers: { 'accept-language': 'en' } });
    expect(zh.status).toBe(200);
    expect(zh.text.split('\r\n')[0]).toBe('编号,条款,处罚类别,事由,金额（元）,开除,被处罚人,证据,说明,处理状态,提出人,提出时间,决定人,决定时间,决定理由');
    expect(en.text.split('\r\n')[0]).toBe('id,rule_id,kind,label_zh,amount_yuan,dismissal,person_id,evidence,note,state,proposed_by,proposed_at,decided_by,decided_at,decision_reason');
  });

  it('CSV headers are written in Chinese for a Chinese reader and read back in either language', () => {
    expect(csvHeader(['seq', 'registered_at', 'hash'], 'zh')).toBe('序号,登记时间,哈希');
    expect(csvHeader(['seq', 'registered_at'], 'en')).toBe('seq,registered_at');
    expect(columnOfHeader('密级')).toBe('secrecy');
    expect(columnOfHeader('\uFEFFArchived On')).toBe('archived_on');
  });
});
