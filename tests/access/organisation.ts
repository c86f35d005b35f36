// Probes of the organisation, notification preference, customer archive and campaign routes.
import { randomUUID } from 'node:crypto';
import { insertCustomer } from '../../areas/customers/sql.ts';
import { made, type AccessFixture } from './fixture.ts';

export const organisationFixture: AccessFixture = {
  area: 'organisation',
  async probes({ sql }) {
    // Throwaway people the administrators change; the demo users stay as they are.
    for (const id of ['matrix-org-1', 'matrix-org-2']) await sql`insert into users (id, display_name, display_name_zh, department_id) values (${id}, ${id}, ${id}, 'finance')`;
    const holders = (await sql<{ user_id: string }[]>`select user_id from user_roles where role = 'showroom_manager' order by user_id`).map((row) => row.user_id);
    return {
      'GET /api/v1/me': { path: '/api/v1/me' },
      'GET /api/v1/organisation': { path: '/api/v1/organisation' },
      'PUT /api/v1/me/notification-preferences': { path: '/api/v1/me/notification-preferences', json: { channels: [] } },
      'POST /api/v1/organisation/users': { path: '/api/v1/organisation/users', json: { id: 'matrix-new', displayName: 'Matrix New', displayNameZh: '矩阵新人', departmentId: 'finance' } },
      'PATCH /api/v1/organisation/users/{id}': { path: '/api/v1/organisation/users/matrix-org-1', json: { displayName: 'Matrix One' } },
      'POST /api/v1/organisation/users/{id}/deactivation': { path: '/api/v1/organisation/users/matrix-org-2/deactivation' },
      'PUT /api/v1/organisation/users/{id}/roles': { path: '/api/v1/organisation/users/matrix-org-1/roles', json: { roles: [{ role: 'staff', departmentId: null }] } },
      // The holders it has: a change that changes nothing.
      'PUT /api/v1/organisation/roles/{role}/holders': { path: '/api/v1/organisation/roles/showroom_manager/holders', json: { userIds: holders } },
      'POST /api/v1/organisation/departments': { path: '/api/v1/organisation/departments', json: { id: 'matrix-dept', name: 'Matrix Dept', nameZh: '矩阵部' } },
      'PUT /api/v1/organisation/departments/{id}': { path: '/api/v1/organisation/departments/finance', json: { name: 'Finance', nameZh: '财务部' } },
      'PUT /api/v1/organisation/departments/{id}/deputy-gm': { path: '/api/v1/organisation/departments/finance/deputy-gm', json: { deputyGmId: 'dgm-admin' } },
    };
  },
};

export const customerArchiveFixture: AccessFixture = {
  area: 'customer-archive',
  async probes({ api, sql }) {
    const customer = await insertCustomer(sql, { id: randomUUID(), name: '矩阵档案客户', cardType: 'terminal', city: '临沂', region: '山东', departmentId: 'business', createdBy: 'biz-manager' });
    // Owned by a salesperson after an intent order (a personal-level card, SEC-1).
    await sql`update customers set owner_id = 'biz-sales-2', status = 'owned' where id = ${customer.id}`;
    const card = { id: customer.id, name: customer.name, departmentId: 'business', ownerId: 'biz-sales-2', companyLevel: false, grantees: [] };
    const grant = made(await api.request('finance-clerk', 'POST', `/api/v1/customers/${customer.id}/view-requests`, { json: { reason: 'Matrix: checking an invoice' } }));
    const deletion = made(await api.request('biz-sales-2', 'POST', `/api/v1/customers/${customer.id}/deletion-requests`, { json: { scope: 'contacts', reason: 'Matrix: entered twice' } }));
    const on = (path: string) => `/api/v1/customers/${customer.id}${path}`;
    return {
      'GET /api/v1/customers/{id}/card': { path: on('/card'), record: card },
      'PUT /api/v1/customers/{id}/card': { path: on('/card'), json: { content: {} }, record: card },
      'GET /api/v1/customers/{id}/card/versions': { path: on('/card/versions'), record: card },
      'POST /api/v1/customers/{id}/contacts': { path: on('/contacts'), json: { channel: 'phone', summary: 'Matrix: called about the order' }, record: card },
      'GET /api/v1/customers/{id}/contacts': { path: on('/contacts'), record: card },
      'PUT /api/v1/customers/{id}/tier': { path: on('/tier'), json: { companyLevel: false } },
      'POST /api/v1/customers/{id}/view-requests': { path: on('/view-requests'), json: { reason: 'Matrix' }, record: card },
      'GET /api/v1/view-requests/{id}': { path: `/api/v1/view-requests/${grant.id}`, record: { granteeId: 'finance-clerk' } },
      'GET /api/v1/customer-views': { path: '/api/v1/customer-views' },
      'POST /api/v1/customers/{id}/deletion-requests': { path: on('/deletion-requests'), json: { scope: 'contacts', reason: 'Matrix' }, record: card },
      'GET /api/v1/customer-archive-deletions/{id}': { path: `/api/v1/customer-archive-deletions/${deletion.id}`, record: { requestedBy: 'biz-sales-2' } },
      // SEC-4: refused to everyone (403 DELETION_NEEDS_APPROVAL).
      'DELETE /api/v1/customers/{id}/card': { path: on('/card') },
      'DELETE /api/v1/customers/{id}/contacts': { path: on('/contacts') },
    };
  },
};

export const campaignsFixture: AccessFixture = {
  area: 'campaigns',
  async probes({ api }) {
    const campaign = made(await api.request('archivist', 'POST', '/api/v1/campaigns', { json: { reason: 'Matrix: documents due' } }));
    return {
      // One campaign at a time: 409 once past access.
      'POST /api/v1/campaigns': { path: '/api/v1/campaigns', json: { reason: 'Matrix' } },
      'GET /api/v1/campaigns': { path: '/api/v1/campaigns' },
      'GET /api/v1/campaigns/{id}/report': { path: `/api/v1/campaigns/${campaign.id}/report` },
      'POST /api/v1/held-originals': { path: '/api/v1/held-originals', json: { departmentId: 'finance', title: 'Matrix contract original', secrecy: 'confidential' } },
      'GET /api/v1/held-originals': { path: '/api/v1/held-originals' },
    };
  },
};

export const handOverFixture: AccessFixture = {
  area: 'campaigns (hand-overs)',
  async probes({ api }) {
    const items = [{ title: 'Matrix: Q3 statistics', category: 'statistics', secrecy: 'none', original: true, quantity: 3, unit: 'pages' }];
    const handOver = made(await api.request('finance-manager', 'POST', '/api/v1/hand-overs', { json: { items } }));
    return {
      'POST /api/v1/hand-overs': { path: '/api/v1/hand-overs', json: { items } },
      'GET /api/v1/hand-overs/{id}': { path: `/api/v1/hand-overs/${handOver.id ?? handOver.handOver?.id}`, record: { departmentId: 'finance' } },
    };
  },
};

export const importsFixture: AccessFixture = {
  area: 'imports',
  async probes({ api }) {
    const csv = (header: string, row: string) => ({ content: `${header}\n${row}\n`, type: 'text/csv' });
    const documents = csv('reference,title,category,secrecy,department,original,location', `MATRIX-IMP-${randomUUID().slice(0, 6)},Matrix import,plan,none,finance,true,Cabinet 2`);
    const job = made(await api.request('archivist', 'POST', '/api/v1/imports/documents', { file: documents }));
    return {
      'POST /api/v1/imports/documents': { path: '/api/v1/imports/documents?dryRun=true', file: documents },
      'POST /api/v1/imports/customers': { path: '/api/v1/imports/customers?dryRun=true', file: csv('reference,name,card_type,city,region,department', 'MATRIX-C-1,矩阵导入客户,terminal,临沂,山东,business') },
      'GET /api/v1/imports/{id}': { path: `/api/v1/imports/${job.id}`, record: { kind: 'documents', createdBy: 'archivist' } },
    };
  },
};
