// Notification texts in the reader's language (issue 21.3): a reminder a process wrote reads in
// Chinese for a Chinese reader and in English for an English one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessDefinitionInput } from '../../domain/process/definition.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';
import { eventually } from '../support/engine.ts';

/** A review the Office Director is reminded of after a day. */
const remindedReview: ProcessDefinitionInput = {
  key: 'test.reminded-review',
  version: 1,
  name: { en: 'Reminded review', zh: '提醒审核' },
  input: {},
  nodes: [
    { id: 'start', type: 'startEvent', next: 'review' },
    {
      id: 'review',
      type: 'userTask',
      name: { en: 'Review', zh: '审核' },
      candidates: { anyOf: [{ role: 'office_director' }] },
      reminders: [{ after: 'duration("P1D")' }],
      outcomes: ['approve'],
      next: 'done',
    },
    { id: 'done', type: 'endEvent', status: 'approved' },
  ],
};

let api: EngineApiSuite;

beforeAll(async () => {
  api = await startApiSuite({ definitions: [remindedReview] });
});

afterAll(() => api?.teardown());

const notices = async (language: string) =>
  (await api.request('office-director', 'GET', '/api/v1/me/notifications', { headers: { 'accept-language': language } })).body.notifications as { kind: string; text: string; processId: string }[];

describe('notifications in the reader language', () => {
  it('a reminder reads in Chinese with Accept-Language zh-CN and in English with en', async () => {
    const processId = await api.engine.start(remindedReview, 'finance-clerk');
    await eventually(
      async () => (await api.request('office-director', 'GET', '/api/v1/tasks')).body.tasks.some((t: { processId: string }) => t.processId === processId),
      (found) => found,
    );
    await api.engine.env.sleep('25 hours');
    const zh = await eventually(
      () => notices('zh-CN'),
      (list) => list.some((n) => n.processId === processId),
    );
    expect(zh.find((n) => n.processId === processId)).toMatchObject({ kind: 'task.reminder', text: '提醒：「审核」正等待您的决定。' });
    const en = await notices('en');
    expect(en.find((n) => n.processId === processId)).toMatchObject({ kind: 'task.reminder', text: 'Reminder: "Review" (审核) is waiting for your decision.' });
  });
});
