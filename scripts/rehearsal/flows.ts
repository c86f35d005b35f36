// The main flows the rehearsal drives through the two APIs: each borrowing route, a delegation, a
// destruction and a protection. Each flow stops at the rehearsal's gates (`await at('A')`), so the
// faults strike while every instance is mid-flight: open tasks, timers, decisions in transit.
// Every flow records its instances and the end each one must reach; the checks compare.
import { setTimeout as delay } from 'node:timers/promises';
import { readingRoomClosesOn } from '../../areas/borrowing/rules.ts';
import type { ApiClient } from '../../tests/support/api-client.ts';

const HOUR = 3_600_000;

/** The points between the fault steps where the flows wait for each other. */
export const gateNames = ['A', 'B', 'C'] as const;
export type GateName = (typeof gateNames)[number];

/** An instance the flow started, and the status its process must end in. */
export interface Instance {
  processId: string;
  expectedEnd: string;
}

export interface FlowContext {
  api: ApiClient;
  /** Waits at a gate until the rehearsal opens it. */
  at: (gate: GateName) => Promise<void>;
  /** Records an instance whose end the checks verify. */
  started: (instance: Instance) => void;
}

export interface Flow {
  name: string;
  /** The rule IDs of docs/policies.md the flow walks through. */
  rules: string;
  run: (context: FlowContext) => Promise<void>;
}

/** Waits for a record's status through the API; `read` fetches the record. */
function untilStatus(api: ApiClient, what: string, read: () => Promise<{ status: string }>, status: string) {
  return api.eventually(`${what} ${status}`, read, (record) => record.status === status);
}

async function borrowThroughReturn(
  { api, at, started }: FlowContext,
  input: { secrecy: string; borrower: string; mode: 'loan' | 'reading'; hours?: number; approvals: [string, string, string][] },
): Promise<void> {
  const documentId = await api.registerDocument({ secrecy: input.secrecy }, 'RH');
  const request = await api.expectStatus(201, input.borrower, 'POST', '/api/v1/borrow-requests', {
    documentId,
    mode: input.mode,
    purpose: 'rehearsal',
    ...(input.hours === undefined ? {} : { hours: input.hours }),
  });
  started({ processId: request.processId, expectedEnd: 'returned' });
  await at('A');
  for (const [userId, nodeId, outcome] of input.approvals) await api.decide(userId, request.processId, nodeId, outcome);
  await at('B');
  await api.handOver(request, 'on_loan');
  await at('C');
  await api.returnIntact(request);
  if ((await api.documentStatus(documentId)) !== 'in_archive') throw new Error(`document ${documentId} is not back in the archive after the return`);
}

export const flows: Flow[] = [
  {
    name: 'borrow, direct',
    rules: 'BOR-1 BOR-8',
    run: (context) => borrowThroughReturn(context, { secrecy: 'none', borrower: 'finance-director', mode: 'loan', approvals: [] }),
  },
  {
    name: 'borrow, department',
    rules: 'BOR-2 BOR-8',
    run: (context) =>
      borrowThroughReturn(context, {
        secrecy: 'none',
        borrower: 'finance-clerk',
        mode: 'loan',
        hours: 48,
        approvals: [
          ['finance-manager', 'submit', 'submit'],
          ['office-director', 'approval', 'approve'],
        ],
      }),
  },
  {
    name: 'borrow, secret',
    rules: 'BOR-5 BOR-6 BOR-8',
    run: (context) =>
      borrowThroughReturn(context, { secrecy: 'secret', borrower: 'biz-sales-1', mode: 'loan', hours: 4, approvals: [['gm', 'approval', 'approve']] }),
  },
  {
    name: 'borrow, confidential reading',
    rules: 'BOR-4 BOR-8',
    async run({ api, at, started }) {
      const documentId = await api.registerDocument({ secrecy: 'confidential' }, 'RH');
      const request = await api.expectStatus(201, 'biz-sales-2', 'POST', '/api/v1/borrow-requests', { documentId, mode: 'reading', purpose: 'rehearsal' });
      // The reading room closes at 17:30 in Shanghai and this runs on the real clock: a hand-over
      // after closing time opens no session, and the requester withdraws instead.
      const instance = { processId: request.processId, expectedEnd: 'returned' };
      started(instance);
      await at('A');
      await api.decide('gm', request.processId, 'approval', 'approve');
      await at('B');
      const handOver = await api.taskOf('archivist', request.processId, 'handOver');
      await api.completeTask('archivist', handOver, 'handed_over');
      const opened = await api.eventually(
        `the reading of ${request.id} opened, or its hand-over task opened again`,
        async () => {
          if ((await api.borrowRequest(request.id)).status === 'in_reading') return true;
          const tasks = (await api.expectStatus(200, 'archivist', 'GET', '/api/v1/tasks?limit=200')).tasks as { processId: string; nodeId: string; id: string }[];
          return tasks.some((t) => t.processId === request.processId && t.nodeId === 'handOver' && t.id !== handOver.id) ? false : undefined;
        },
        (value) => value !== undefined,
      );
      await at('C');
      if (opened) {
        await api.returnIntact(request);
      } else {
        if (Date.now() < readingRoomClosesOn(Date.now())) throw new Error(`the reading of ${request.id} did not open although the room is open`);
        instance.expectedEnd = 'cancelled';
        // 200 once the process has recorded the cancellation, or 202 when it accepted the cancel and
        // is still acting on it (its onCancel service held up by the faults): either way it ends cancelled.
        const cancel = await api.send('biz-sales-2', 'POST', `/api/v1/borrow-requests/${request.id}/cancel`, { reason: 'the room has closed' });
        if (cancel.status !== 200 && cancel.status !== 202) throw new Error(`cancel of ${request.id}: expected 200 or 202, got ${cancel.status}: ${cancel.text}`);
        await api.untilBorrowStatus(request.id, 'cancelled');
      }
    },
  },
  {
    name: 'delegation',
    rules: 'BOR-7',
    async run({ api, at, started }) {
      const now = Date.now();
      const delegation = await api.expectStatus(201, 'gm', 'POST', '/api/v1/delegations', {
        delegateId: 'dgm-admin',
        validFrom: new Date(now - 60_000).toISOString(),
        validTo: new Date(now + 24 * HOUR).toISOString(),
        scope: { processKeys: ['archive.borrow.secret'], maxSecrecy: 'secret' },
        reason: 'GM away (rehearsal)',
      });
      started({ processId: delegation.processId, expectedEnd: 'revoked' });
      await api.eventually(
        `delegation process ${delegation.processId} in force`,
        () => api.expectStatus(200, 'gm', 'GET', `/api/v1/processes/${delegation.processId}`),
        (view) => !view.activeNodes.includes('awaitStart'),
      );
      const documentId = await api.registerDocument({ secrecy: 'secret' }, 'RH');
      const request = await api.expectStatus(201, 'biz-sales-1', 'POST', '/api/v1/borrow-requests', { documentId, mode: 'loan', hours: 2, purpose: 'rehearsal, delegated' });
      started({ processId: request.processId, expectedEnd: 'returned' });
      await at('A');
      const task = await api.taskOf('dgm-admin', request.processId, 'approval');
      await api.completeTask('dgm-admin', task, 'approve');
      await api.untilBorrowStatus(request.id, 'approved');
      // The decision may have been answered 202 (still being applied); its audit entry says for whom.
      const detail = await api.expectStatus(200, 'gm', 'GET', `/api/v1/processes/${request.processId}`);
      const entry = (detail.auditTrail as { event: string; taskId: string | null; onBehalfOf: string | null; delegationId: string | null }[]).find(
        (event) => event.event === 'task.completed' && event.taskId === task.id,
      );
      if (entry?.onBehalfOf !== 'gm' || entry.delegationId !== delegation.id) throw new Error(`the Deputy GM's approval is not recorded on the GM's behalf: ${JSON.stringify(entry)}`);
      await at('B');
      await api.handOver(request, 'on_loan');
      await api.returnIntact(request);
      await at('C');
      // 202: revoked, and the withdrawal from open tasks still under way (the process ends after it).
      const revoked = await api.send('gm', 'POST', `/api/v1/delegations/${delegation.id}/revoke`);
      if (![200, 202].includes(revoked.status) || revoked.body?.status !== 'revoked') throw new Error(`delegation ${delegation.id} not revoked: ${revoked.status} ${revoked.text}`);
    },
  },
  {
    name: 'destruction',
    rules: 'DES-2 DES-4 DES-5',
    async run({ api, at, started }) {
      const documentId = await api.registerDocument({ secrecy: 'none', category: 'accounting_record', retention: 1, archivedOn: '2015-01-01' }, 'RH');
      const filed = await api.expectStatus(201, 'archivist', 'POST', '/api/v1/destruction-requests', { documentIds: [documentId], reason: 'Retention ended (rehearsal)' });
      started({ processId: filed.processId, expectedEnd: 'destroyed' });
      const read = () => api.expectStatus(200, 'archivist', 'GET', `/api/v1/destruction-requests/${filed.id}`);
      await at('A');
      await api.decide('office-director', filed.processId, 'officeReview', 'approve', { supervisorIds: ['finance-director'] });
      await untilStatus(api, `destruction request ${filed.id}`, read, 'approved');
      await at('B');
      await api.expectStatus(202, 'archivist', 'POST', `/api/v1/destruction-requests/${filed.id}/verification`, { checkedIds: [documentId] });
      await api.taskOf('finance-director', filed.processId, 'supervise');
      await at('C');
      await api.decide('finance-director', filed.processId, 'supervise', 'confirm', { method: 'incineration', place: 'Boiler room', executedAt: new Date().toISOString() });
      await untilStatus(api, `destruction request ${filed.id}`, read, 'destroyed');
      if ((await api.documentStatus(documentId)) !== 'destroyed') throw new Error(`document ${documentId} is not destroyed`);
    },
  },
  {
    name: 'protection',
    rules: 'OVL-8',
    async run({ api, at, started }) {
      const customer = await api.expectStatus(201, 'biz-sales-1', 'POST', '/api/v1/customers', { name: `彩排客户 ${Date.now()}`, cardType: 'terminal', city: '临沂', region: '山东' });
      const protection = await api.expectStatus(201, 'biz-sales-1', 'POST', `/api/v1/customers/${customer.id}/protection-requests`, { reason: 'visited twice' });
      // Converted by the intent order: the process ends with the protection.
      started({ processId: protection.processId, expectedEnd: 'converted' });
      const read = () => api.expectStatus(200, 'biz-sales-1', 'GET', `/api/v1/protections/${protection.id}`);
      await at('A');
      await api.decide('biz-manager', protection.processId, 'approval', 'approve');
      await at('B');
      await untilStatus(api, `protection ${protection.id}`, read, 'active');
      await at('C');
      await api.expectStatus(202, 'biz-sales-1', 'POST', `/api/v1/protections/${protection.id}/intent-orders`, { reference: `YX-RH-${Date.now()}` });
      await untilStatus(api, `protection ${protection.id}`, read, 'converted');
      const owned = await api.expectStatus(200, 'biz-sales-1', 'GET', `/api/v1/customers/${customer.id}`);
      if (owned.status !== 'owned' || owned.ownerId !== 'biz-sales-1') throw new Error(`customer ${customer.id} is not owned by biz-sales-1: ${JSON.stringify(owned)}`);
    },
  },
];

/**
 * Gates the flows wait at. A flow that ended (or failed) counts as having passed every gate, so a
 * failure never leaves the rehearsal waiting.
 */
export class Gates {
  private readonly opened = new Map<GateName, () => void>();
  private readonly openedPromises = new Map<GateName, Promise<void>>();
  private readonly arrived = new Map<GateName, number>();
  private finished = 0;

  constructor(private readonly flowCount: number) {
    for (const gate of gateNames) {
      this.openedPromises.set(gate, new Promise((resolve) => this.opened.set(gate, resolve)));
      this.arrived.set(gate, 0);
    }
  }

  at(gate: GateName): Promise<void> {
    this.arrived.set(gate, this.arrived.get(gate)! + 1);
    return this.openedPromises.get(gate)!;
  }

  /** A flow has ended, one way or the other. */
  done(): void {
    this.finished += 1;
  }

  /** Resolves once every flow waits at `gate` or has ended; throws after `timeoutMs`. */
  async allAt(gate: GateName, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.arrived.get(gate)! + this.finished < this.flowCount) {
      if (Date.now() > deadline) throw new Error(`the flows did not all reach gate ${gate} within ${timeoutMs / 1000} s`);
      await delay(100);
    }
  }

  open(gate: GateName): void {
    this.opened.get(gate)!();
  }
}
