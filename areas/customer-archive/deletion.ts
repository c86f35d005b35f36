// SEC-4: deleting or destroying customer archive data only with the Marketing Director's approval.
// A request (who, what, why) starts customers.archive-deletion through the process outbox; the
// process deletes on approval and changes nothing on refusal. A deletion asked for without a
// request is refused (403) and recorded, so HR sees the attempt; nobody is fined for a refusal.
// [interpretation] "Deleted": the card is blanked by a new, empty version (its versions, kept
// forever by 0024/0025, still hold what it said) and contact records are taken out of use (no
// longer listed or checked, kept as the evidence of CUS-5 checks); the record of views is untouched.
import { randomUUID } from 'node:crypto';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import { enqueueStart } from '../../engine/sql/outbox.ts';
import { insertAudit, insertNotices } from '../../platform/db/audit.ts';
import type { Queryable, Sql, TransactionSql } from '../../platform/db/client.ts';
import { Forbidden, NotFound } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { usersWithRole } from '../../platform/organisation/sql.ts';
import { notice } from '../../platform/notifications/texts.ts';
import { changedFields, deletionProcessId, deletionProcessKey, mayRequestDeletion, readsDeletion, type DeletionScope } from './rules.ts';
import { findArchivedCustomer, findCard, writeCard } from './sql.ts';

export interface DeletionRequest {
  id: string;
  customerId: string;
  scope: DeletionScope;
  reason: string;
  requestedBy: string;
  requestedAt: Date;
  processId: string;
  status: 'requested' | 'approved' | 'refused';
  decidedBy: string | null;
  decidedAt: Date | null;
}

const columns = (sql: Queryable) => sql`
  id, customer_id as "customerId", scope, reason, requested_by as "requestedBy", requested_at as "requestedAt", process_id as "processId",
  status, decided_by as "decidedBy", decided_at as "decidedAt"`;

async function findDeletion(sql: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<DeletionRequest | undefined> {
  const [row] = await sql<DeletionRequest[]>`select ${columns(sql)} from customer_archive_deletions where id = ${id} ${options.forUpdate ? sql`for update` : sql``}`;
  return row;
}

export function createDeletionService(deps: { sql: Sql; outbox: ProcessOutbox }) {
  const { sql, outbox } = deps;

  return {
    /** SEC-4: the keeper (or the Marketing Director) asks; the Marketing Director decides in the process. */
    async requestDeletion(user: User, customerId: string, body: { scope: DeletionScope; reason: string }): Promise<DeletionRequest> {
      const customer = await findArchivedCustomer(sql, customerId);
      if (!customer) throw new NotFound('CUSTOMER_NOT_FOUND', `No customer ${customerId}.`);
      if (!mayRequestDeletion(user, customer)) {
        throw new Forbidden('NOT_THE_KEEPER', 'Only the keeper of the card or the Marketing Director asks to delete customer archive data (SEC-4).', 'SEC-4');
      }
      const id = randomUUID();
      const processId = deletionProcessId(id);
      const at = new Date();
      const request = await sql.begin(async (tx) => {
        const [inserted] = await tx<DeletionRequest[]>`
          insert into customer_archive_deletions (id, customer_id, scope, reason, requested_by, requested_at, process_id)
          values (${id}, ${customerId}, ${body.scope}, ${body.reason}, ${user.id}, ${at}, ${processId})
          returning ${columns(tx)}`;
        await insertAudit(tx, [
          { key: `${processId}:requested`, at: at.getTime(), processId, event: 'customer.deletion_requested', actorId: user.id, ruleId: 'SEC-4', detail: { deletionId: id, customerId, scope: body.scope, reason: body.reason } },
        ]);
        await enqueueStart(tx, {
          key: deletionProcessKey,
          processId,
          initiator: { id: user.id, departmentId: user.departmentId },
          variables: { deletionId: id, customerId, scope: body.scope, reason: body.reason },
          summary: `删除客户档案 ${customerId} — ${user.displayNameZh}`,
        });
        return inserted!;
      });
      await outbox.deliver([processId]);
      return request;
    },

    async deletionRequest(user: User, id: string): Promise<DeletionRequest> {
      const request = await findDeletion(sql, id);
      if (!request || !readsDeletion(user, request.requestedBy)) throw new NotFound('DELETION_REQUEST_NOT_FOUND', `No deletion request ${id}.`);
      return request;
    },

    /**
     * SEC-4: deleting without an approved request is refused, whoever asks. The attempt is in the
     * audit trail for HR (CUS-2), who fines on evidence of data actually destroyed, never for this refusal.
     */
    async refuseUnapprovedDeletion(user: User, customerId: string, what: DeletionScope): Promise<never> {
      const customer = await findArchivedCustomer(sql, customerId);
      if (!customer) throw new NotFound('CUSTOMER_NOT_FOUND', `No customer ${customerId}.`);
      await insertAudit(sql, [
        { key: `customer-deletion-refused:${randomUUID()}`, at: Date.now(), processId: null, event: 'customer.deletion_attempted', actorId: user.id, ruleId: 'SEC-4', detail: { customerId, scope: what } },
      ]);
      throw new Forbidden(
        'DELETION_NEEDS_APPROVAL',
        `Customer archive data is deleted only with the Marketing Director's approval (SEC-4): ask through POST /api/v1/customers/${customerId}/deletion-requests.`,
        'SEC-4',
      );
    },
  };
}

export type DeletionService = ReturnType<typeof createDeletionService>;

/** Decides a request once; the request as it stands and whether this call decided it. */
async function decide(tx: TransactionSql, id: string, status: 'approved' | 'refused', approverId: string, at: Date): Promise<{ request: DeletionRequest; decided: boolean }> {
  const request = await findDeletion(tx, id, { forUpdate: true });
  if (!request) throw new Error(`no deletion request ${id}`);
  if (request.status !== 'requested') return { request, decided: false };
  await tx`update customer_archive_deletions set status = ${status}, decided_by = ${approverId}, decided_at = ${at} where id = ${id}`;
  return { request: { ...request, status, decidedBy: approverId, decidedAt: at }, decided: true };
}

const tell = async (sql: Sql, request: DeletionRequest, approved: boolean, at: number) =>
  insertNotices(sql, {
    key: `${request.processId}:decided`,
    processId: request.processId,
    userIds: [request.requestedBy, ...(await usersWithRole(sql, 'hr')).map((u) => u.id)],
    ...notice('customer.deletion_decided', { customerId: request.customerId, approved, scope: request.scope }),
    at,
  });

/** SEC-4 approved: the data named is deleted (see the [interpretation] above), audited with the approver. */
export async function carryOutDeletion(sql: Sql, id: string, approverId: string, at: number): Promise<{ deleted: boolean }> {
  const outcome = await sql.begin(async (tx) => {
    const { request, decided } = await decide(tx, id, 'approved', approverId, new Date(at));
    if (!decided) return { request, decided, version: null as number | null, contacts: 0 };
    let version: number | null = null;
    if (request.scope !== 'contacts') {
      const current = await findCard(tx, request.customerId);
      if (current) {
        version = current.version + 1;
        await writeCard(tx, { customerId: request.customerId, version, content: {}, completeness: 0, updatedBy: approverId, updatedAt: new Date(at) }, changedFields(current.content, {}));
      }
    }
    const contacts = request.scope === 'card' ? 0 : (await tx`update customer_contacts set deleted_by = ${id} where customer_id = ${request.customerId} and deleted_by is null`).count;
    await insertAudit(tx, [
      {
        key: `${request.processId}:deleted`,
        at,
        processId: request.processId,
        event: 'customer.archive_deleted',
        actorId: approverId,
        ruleId: 'SEC-4',
        detail: { deletionId: id, customerId: request.customerId, scope: request.scope, requestedBy: request.requestedBy, cardVersion: version, contactsDeleted: contacts },
      },
    ]);
    return { request, decided, version, contacts };
  });
  if (outcome.decided) await tell(sql, outcome.request, true, at);
  return { deleted: outcome.request.status === 'approved' };
}

/** SEC-4 refused: nothing changes but the request's decision. */
export async function refuseDeletion(sql: Sql, id: string, approverId: string, at: number): Promise<{ refused: boolean }> {
  const outcome = await sql.begin(async (tx) => {
    const result = await decide(tx, id, 'refused', approverId, new Date(at));
    if (result.decided) {
      await insertAudit(tx, [
        { key: `${result.request.processId}:refused`, at, processId: result.request.processId, event: 'customer.deletion_refused', actorId: approverId, ruleId: 'SEC-4', detail: { deletionId: id, customerId: result.request.customerId } },
      ]);
    }
    return result;
  });
  if (outcome.decided) await tell(sql, outcome.request, false, at);
  return { refused: outcome.request.status === 'refused' };
}
