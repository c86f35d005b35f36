// Probes of the platform's and the engine's routes (health, notifications, verification, definitions,
// instances, tasks): a destruction under review and a borrowing request as the records.
import { randomUUID } from 'node:crypto';
import type { ProcessFacts, TaskFacts } from '../../engine/http/access.ts';
import { confidentialProcesses } from '../../areas/catalogue.ts';
import { archived } from '../support/documents.ts';
import type { AccessFixture } from './fixture.ts';

export const platformFixture: AccessFixture = {
  area: 'platform',
  async probes() {
    return {
      'GET /healthz': { path: '/healthz' },
      'GET /readyz': { path: '/readyz' },
      'GET /api/v1/me/notifications': { path: '/api/v1/me/notifications' },
      'GET /api/v1/me/notification-preferences': { path: '/api/v1/me/notification-preferences' },
      'PUT /api/v1/me/language': { path: '/api/v1/me/language', json: { language: null } },
      'GET /api/v1/verification/{chain}': { path: '/api/v1/verification/register' },
    };
  },
};

export const engineFixture: AccessFixture = {
  area: 'engine',
  async probes({ api, sql, openTask, participants }) {
    const documentId = await archived(sql);
    const filed = await api.request('archivist', 'POST', '/api/v1/destruction-requests', { json: { documentIds: [documentId], reason: 'Matrix: retention ended' } });
    if (filed.status !== 201) throw new Error(`destruction not filed: ${filed.text}`);
    const processId = filed.body.processId as string;
    const taskId = await openTask(processId, 'officeReview');
    const process: ProcessFacts = { key: 'archive.destruction', initiatorId: 'archivist', participantIds: ['office-director'], confidential: confidentialProcesses };
    const task: TaskFacts = { process, candidateIds: ['office-director'], delegateIds: [], decidedBy: null, workflowParticipantIds: ['archivist', 'office-director'] };

    // The withdrawal's own instance: a Department Manager's borrowing of a non-classified document.
    const lent = await archived(sql);
    const borrowed = await api.request('finance-manager', 'POST', '/api/v1/borrow-requests', { json: { documentId: lent, mode: 'loan', hours: 2, purpose: 'Matrix' }, headers: { 'idempotency-key': randomUUID() } });
    if (borrowed.status !== 201 && borrowed.status !== 202) throw new Error(`borrowing not filed: ${borrowed.text}`);
    await openTask(borrowed.body.processId);
    const borrowProcess: ProcessFacts = { key: 'archive.borrow', initiatorId: 'finance-manager', participantIds: await participants(borrowed.body.processId), confidential: confidentialProcesses };

    const instance = (path: string) => `/api/v1/processes/${processId}${path}`;
    const onTask = (path: string) => `/api/v1/tasks/${encodeURIComponent(taskId)}${path}`;
    return {
      'GET /api/v1/tasks/counts': { path: '/api/v1/tasks/counts' },
      'GET /api/v1/me/requests': { path: '/api/v1/me/requests' },
      'GET /api/v1/process-definitions': { path: '/api/v1/process-definitions' },
      'GET /api/v1/process-definitions/{key}/{version}': { path: '/api/v1/process-definitions/archive.destruction/1' },
      'GET /api/v1/process-definitions/{key}/{version}/bpmn': { path: '/api/v1/process-definitions/archive.destruction/1/bpmn' },
      'GET /api/v1/processes/{id}': { path: instance(''), record: process },
      'GET /api/v1/processes/{id}/audit-trail': { path: instance('/audit-trail'), record: process },
      'GET /api/v1/processes/{id}/open-tasks': { path: instance('/open-tasks'), record: process },
      'GET /api/v1/processes/{id}/decisions': { path: instance('/decisions'), record: process },
      'GET /api/v1/processes/{id}/watchers': { path: instance('/watchers'), record: process },
      'GET /api/v1/processes/{id}/comments': { path: instance('/comments'), record: process },
      'POST /api/v1/processes/{id}/comments': { path: instance('/comments'), json: { text: 'Matrix: noted' }, record: process },
      'POST /api/v1/processes/{id}/watchers': { path: instance('/watchers'), json: { userIds: ['office-director'] }, record: task },
      'POST /api/v1/processes/{id}/withdraw': { path: `/api/v1/processes/${borrowed.body.processId}/withdraw`, json: {}, record: borrowProcess },
      'GET /api/v1/tasks': { path: '/api/v1/tasks' },
      'GET /api/v1/tasks/{id}': { path: onTask(''), record: task },
      // Refused by the process, not by access: an outcome it does not offer, a person already asked.
      'POST /api/v1/tasks/{id}/complete': { path: onTask('/complete'), json: { outcome: 'matrix-no-such-outcome' }, record: task },
      'POST /api/v1/tasks/{id}/transfer': { path: onTask('/transfer'), json: { to: 'office-director' }, record: task },
      'POST /api/v1/tasks/{id}/signers': { path: onTask('/signers'), json: { userId: 'office-director', position: 'before' }, record: task },
      'POST /api/v1/tasks/{id}/send-back': { path: onTask('/send-back'), json: { to: 'matrixNoSuchNode' }, record: task },
      'POST /api/v1/tasks/{id}/urge': { path: onTask('/urge'), json: {}, record: task },
    };
  },
};
