// Probes of the customer routes (SEC-1, OVL-8, SEC-5): a pool customer, a customer protected
// through its process (requested, approved by the Department Manager), and departures.
import { randomUUID } from 'node:crypto';
import { insertCustomer, insertDeparture } from '../../areas/customers/sql.ts';
import { made, type AccessFixture } from './fixture.ts';

export const customersFixture: AccessFixture = {
  area: 'customers',
  async probes({ api, sql, openTask }) {
    const customer = (name: string) => insertCustomer(sql, { id: randomUUID(), name, cardType: 'terminal', city: '临沂', region: '山东', departmentId: 'business', createdBy: 'biz-manager' });
    const [claimed] = [await customer('矩阵礼品行')];
    const protection = made(await api.request('biz-sales-1', 'POST', `/api/v1/customers/${claimed.id}/protection-requests`, { json: { reason: 'Matrix visit' } }));
    const approval = await openTask(protection.processId, 'approval');
    made(await api.request('biz-manager', 'POST', `/api/v1/tasks/${encodeURIComponent(approval)}/complete`, { json: { outcome: 'approve' } }));
    for (let attempt = 0; attempt < 200 && (await sql<{ status: string }[]>`select status from protections where id = ${protection.id}`)[0]!.status !== 'active'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const held = { ownerId: 'biz-sales-1', departmentId: 'business', status: 'protected', coDeveloperIds: [] };
    const protectionFacts = { protectorId: 'biz-sales-1', requestedBy: 'biz-sales-1', departmentId: 'business', status: 'active' };

    // Two people of the Business Dept who leave: one whose departure the matrix reports, one already reported.
    for (const id of ['matrix-leaver-1', 'matrix-leaver-2']) {
      await sql`insert into users (id, display_name, display_name_zh, department_id) values (${id}, ${id}, ${id}, 'business')`;
      await sql`insert into user_roles (user_id, role) values (${id}, 'salesperson')`;
    }
    const departureId = randomUUID();
    await insertDeparture(sql, { id: departureId, userId: 'matrix-leaver-2', departmentId: 'business', reportedBy: 'hr-manager', note: null, processId: `departure-${departureId}` });
    const departure = { userId: 'matrix-leaver-2', reportedBy: 'hr-manager', departmentId: 'business' };

    const onCustomer = (path: string) => `/api/v1/customers/${claimed.id}${path}`;
    const onProtection = (path: string) => `/api/v1/protections/${protection.id}${path}`;
    return {
      'POST /api/v1/customers': { path: '/api/v1/customers', json: { name: '矩阵新客户', cardType: 'terminal', city: '临沂', region: '山东' } },
      'GET /api/v1/customers': { path: '/api/v1/customers' },
      'GET /api/v1/customers/{id}': { path: onCustomer(''), record: held },
      // Protected: 409 PROTECTED_CUSTOMER / CUSTOMER_PROTECTED once past access (OVL-8).
      'POST /api/v1/customers/{id}/transfers': { path: onCustomer('/transfers'), json: { toSalespersonId: 'biz-sales-2' }, record: held },
      'POST /api/v1/customers/{id}/protection-requests': { path: onCustomer('/protection-requests'), json: { reason: 'Matrix' } },
      'POST /api/v1/customers/{id}/assignments': { path: onCustomer('/assignments'), json: { salespersonId: 'biz-sales-2' }, record: { salespersonDepartmentId: 'business' } },
      'GET /api/v1/protections/{id}': { path: onProtection(''), record: protectionFacts },
      'POST /api/v1/protections/{id}/reports': { path: onProtection('/reports'), json: { summary: 'Matrix: visited, price list sent' }, record: protectionFacts },
      'POST /api/v1/customers/{id}/co-development-requests': { path: onCustomer('/co-development-requests'), json: { share: 30 } },
      'POST /api/v1/users/{id}/departure': { path: '/api/v1/users/matrix-leaver-1/departure', json: {}, record: { leaverDepartmentId: 'business' } },
      'GET /api/v1/departures/{id}': { path: `/api/v1/departures/${departureId}`, record: departure },
      // No reassignment task open (no process behind this departure): 409 once past access.
      'POST /api/v1/departures/{id}/reassignments': { path: `/api/v1/departures/${departureId}/reassignments`, json: { assignments: [{ customerId: claimed.id, salespersonId: 'biz-sales-2' }] }, record: departure },
      // Last: the intent order ends the protection (the customer becomes biz-sales-1's).
      'POST /api/v1/protections/{id}/intent-orders': { path: onProtection('/intent-orders'), json: { reference: 'YX-MATRIX-1' }, record: protectionFacts },
    };
  },
};
