// Probes of the archive, destruction, borrowing, delegation and penalty routes.
import { randomUUID } from 'node:crypto';
import { archived } from '../support/documents.ts';
import { made, type AccessFixture } from './fixture.ts';

export const archiveFixture: AccessFixture = {
  area: 'archive',
  async probes({ sql }) {
    const topSecret = await archived(sql, { secrecy: 'top_secret' });
    return {
      'POST /api/v1/documents': {
        path: '/api/v1/documents',
        json: { reference: `MATRIX-${randomUUID().slice(0, 8)}`, title: 'Matrix minutes', category: 'meeting_minutes', secrecy: 'none', departmentId: 'finance', original: true, location: 'Cabinet 1' },
      },
      'GET /api/v1/documents': { path: '/api/v1/documents' },
      'GET /api/v1/documents/{id}': { path: `/api/v1/documents/${topSecret}`, record: { secrecy: 'top_secret' } },
      'GET /api/v1/retention-periods': { path: '/api/v1/retention-periods' },
      'PUT /api/v1/retention-periods/{category}': { path: '/api/v1/retention-periods/plan', json: { retention: 30 } },
    };
  },
};

export const destructionFixture: AccessFixture = {
  area: 'destruction',
  async probes({ api, sql }) {
    const [held, released, filed, young] = [await archived(sql), await archived(sql), await archived(sql), await archived(sql, { archivedOn: '2025-01-15' })];
    const hold = made(await api.request('office-director', 'POST', `/api/v1/documents/${released}/holds`, { json: { reason: 'Matrix audit' } }));
    const { id, requestedBy, supervisorIds, decisions } = made(await api.request('archivist', 'POST', '/api/v1/destruction-requests', { json: { documentIds: [filed], reason: 'Matrix: retention ended' } }));
    const facts = { requestedBy, supervisorIds, decisions };
    return {
      'POST /api/v1/documents/{id}/holds': { path: `/api/v1/documents/${held}/holds`, json: { reason: 'Matrix audit' } },
      'POST /api/v1/documents/{id}/holds/{holdId}/release': { path: `/api/v1/documents/${released}/holds/${hold.hold.id}/release`, json: {} },
      'GET /api/v1/destruction-candidates': { path: '/api/v1/destruction-candidates' },
      // Refused by DES-2 (retention not over) once past access.
      'POST /api/v1/destruction-requests': { path: '/api/v1/destruction-requests', json: { documentIds: [young], reason: 'Matrix' } },
      'GET /api/v1/destruction-requests/{id}': { path: `/api/v1/destruction-requests/${id}`, record: facts },
      // Under review, not approved: 409 NOT_AWAITING_VERIFICATION once past access.
      'POST /api/v1/destruction-requests/{id}/verification': { path: `/api/v1/destruction-requests/${id}/verification`, json: { checkedIds: [filed] }, record: facts },
      'GET /api/v1/destruction-register': { path: '/api/v1/destruction-register' },
    };
  },
};

export const borrowingFixture: AccessFixture = {
  area: 'borrowing',
  async probes({ api, sql, openTask, participants }) {
    const [topSecret, reading] = [await archived(sql, { secrecy: 'top_secret' }), await archived(sql)];
    const asked = made(await api.request('finance-clerk', 'POST', '/api/v1/borrow-requests', { json: { documentId: reading, mode: 'reading', purpose: 'Matrix' } }));
    await openTask(asked.processId);
    const facts = { requesterId: 'finance-clerk', participantIds: await participants(asked.processId), secrecy: 'none' };
    const request = `/api/v1/borrow-requests/${asked.id}`;
    return {
      // BOR-3: refused for everyone who may know of the document (422), 404 for anyone else.
      'POST /api/v1/borrow-requests': { path: '/api/v1/borrow-requests', json: { documentId: topSecret, mode: 'reading', purpose: 'Matrix' }, record: { secrecy: 'top_secret' } },
      'GET /api/v1/borrow-requests': { path: '/api/v1/borrow-requests' },
      'GET /api/v1/borrow-requests/{id}': { path: request, record: facts },
      // Not lent out: 409 NOT_ON_LOAN once past access.
      'POST /api/v1/borrow-requests/{id}/return': { path: `${request}/return`, json: { condition: 'intact' }, record: facts },
      'POST /api/v1/borrow-requests/{id}/cancel': { path: `${request}/cancel`, json: {}, record: facts },
    };
  },
};

export const delegationFixture: AccessFixture = {
  area: 'delegation',
  async probes({ api }) {
    const day = 86_400_000;
    const period = (from: number, to: number) => ({ validFrom: new Date(Date.now() + from * day).toISOString(), validTo: new Date(Date.now() + to * day).toISOString() });
    const given = made(await api.request('gm', 'POST', '/api/v1/delegations', { json: { delegateId: 'dgm-admin', ...period(30, 31), scope: { maxSecrecy: 'secret' }, reason: 'Matrix trip' } }));
    const facts = { principalId: 'gm', delegateId: 'dgm-admin' };
    return {
      // Overlaps the one above once past access: 422.
      'POST /api/v1/delegations': { path: '/api/v1/delegations', json: { delegateId: 'office-director', ...period(30, 31), scope: { maxSecrecy: 'secret' }, reason: 'Matrix trip' } },
      'GET /api/v1/delegations': { path: '/api/v1/delegations' },
      'GET /api/v1/delegations/{id}': { path: `/api/v1/delegations/${given.id}`, record: facts },
      'POST /api/v1/delegations/{id}/revoke': { path: `/api/v1/delegations/${given.id}/revoke`, record: facts },
    };
  },
};

export const penaltiesFixture: AccessFixture = {
  area: 'penalties',
  async probes({ api }) {
    const proposal = { kind: 'card-not-updated', personId: 'biz-sales-1', evidence: 'Matrix: card not updated' };
    const proposed = made(await api.request('hr-manager', 'POST', '/api/v1/penalties', { json: proposal }));
    return {
      'GET /api/v1/penalties': { path: '/api/v1/penalties' },
      'POST /api/v1/penalties': { path: '/api/v1/penalties', json: proposal, record: { personId: 'biz-sales-1', departmentId: 'business' } },
      'GET /api/v1/penalties/totals': { path: '/api/v1/penalties/totals' },
      'GET /api/v1/penalties/{id}': { path: `/api/v1/penalties/${proposed.id}`, record: { personId: 'biz-sales-1' } },
      'POST /api/v1/penalties/{id}/decision': { path: `/api/v1/penalties/${proposed.id}/decision`, json: { decision: 'confirm' }, record: { personId: 'biz-sales-1' } },
    };
  },
};
