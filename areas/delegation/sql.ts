// Powers of attorney 委托书 (BOR-7): the delegations register, its archive document (ARC-1), and
// the look-ups the delegation process needs to announce a delegation to running instances.
import type { DelegableSecrecy } from './rules.ts';
import type { Sql, TransactionSql } from '../../platform/db/client.ts';
import { lockPrincipals } from '../../engine/sql/delegates.ts';

export interface Delegation {
  id: string;
  principalId: string;
  delegateId: string;
  validFrom: Date;
  validTo: Date;
  /** null: every process. */
  processKeys: string[] | null;
  maxSecrecy: DelegableSecrecy;
  reason: string;
  revokedAt: Date | null;
  revokedBy: string | null;
  createdAt: Date;
  documentId: string;
  documentReference: string;
  idempotencyKey: string | null;
}

export type NewDelegation = Pick<Delegation, 'id' | 'principalId' | 'delegateId' | 'validFrom' | 'validTo' | 'processKeys' | 'maxSecrecy' | 'reason' | 'idempotencyKey'>;

function selectDelegations(sql: Sql | TransactionSql) {
  return sql`
    select d.id, d.principal_id as "principalId", d.delegate_id as "delegateId", d.valid_from as "validFrom", d.valid_to as "validTo",
      d.process_keys as "processKeys", d.max_secrecy as "maxSecrecy", d.reason, d.revoked_at as "revokedAt", d.revoked_by as "revokedBy",
      d.created_at as "createdAt", d.document_id as "documentId", doc.reference as "documentReference", d.idempotency_key as "idempotencyKey"
    from delegations d join documents doc on doc.id = d.document_id`;
}

export async function findDelegation(sql: Sql | TransactionSql, id: string): Promise<Delegation | undefined> {
  const [row] = await sql<Delegation[]>`${selectDelegations(sql)} where d.id = ${id}`;
  return row;
}

export async function findDelegationByIdempotencyKey(sql: Sql, principalId: string, key: string): Promise<Delegation | undefined> {
  const [row] = await sql<Delegation[]>`${selectDelegations(sql)} where d.principal_id = ${principalId} and d.idempotency_key = ${key}`;
  return row;
}

/** The delegations a user has given and those they hold, newest period first. */
export async function delegationsOf(sql: Sql, userId: string): Promise<{ given: Delegation[]; held: Delegation[] }> {
  const rows = await sql<Delegation[]>`
    ${selectDelegations(sql)} where d.principal_id = ${userId} or d.delegate_id = ${userId}
    order by d.valid_from desc, d.id`;
  return { given: rows.filter((row) => row.principalId === userId), held: rows.filter((row) => row.delegateId === userId) };
}

/** Where a page of a user's delegations ended: valid_from as PostgreSQL printed it (microseconds kept), then id. */
export interface DelegationCursor {
  validFrom: string;
  id: string;
}

/**
 * A page of the delegations a user has given or holds, newest period first (then by id), after
 * `after`; `next` is where the following page starts, null on the last.
 */
export async function delegationPageOf(
  sql: Sql,
  userId: string,
  page: { after?: DelegationCursor | undefined; limit: number },
): Promise<{ delegations: Delegation[]; next: DelegationCursor | null }> {
  const after = page.after;
  // One row more than asked tells whether another page follows.
  const rows = await sql<(Delegation & { sortAt: string })[]>`
    select d.*, d."validFrom"::text as "sortAt" from (${selectDelegations(sql)}) d
    where (d."principalId" = ${userId} or d."delegateId" = ${userId})
      ${after ? sql`and (d."validFrom", d.id) < (${after.validFrom}::timestamptz, ${after.id})` : sql``}
    order by d."validFrom" desc, d.id desc
    limit ${page.limit + 1}`;
  const delegations = rows.slice(0, page.limit).map(({ sortAt: _, ...delegation }) => delegation);
  const last = rows[page.limit - 1];
  return { delegations, next: rows.length > page.limit && last ? { validFrom: last.sortAt, id: last.id } : null };
}

/** The next power of attorney's reference number in the archive, e.g. POA-2026-0001 (its year: the day it is archived). */
export async function nextPowerOfAttorneyReference(tx: TransactionSql, archivedOn: string): Promise<string> {
  const [number] = await tx<{ value: string }[]>`select nextval('power_of_attorney_numbers')::text as value`;
  return `POA-${archivedOn.slice(0, 4)}-${number!.value.padStart(4, '0')}`;
}

/**
 * Inserts the delegation, pointing to its power of attorney already filed in the archive in the
 * caller's transaction (delegation/service.ts): neither exists without the other.
 */
export async function insertDelegation(tx: TransactionSql, delegation: NewDelegation, documentId: string): Promise<Delegation> {
  await tx`
    insert into delegations (id, principal_id, delegate_id, valid_from, valid_to, process_keys, max_secrecy, reason, document_id, idempotency_key)
    values (${delegation.id}, ${delegation.principalId}, ${delegation.delegateId}, ${delegation.validFrom}, ${delegation.validTo},
            ${delegation.processKeys}, ${delegation.maxSecrecy}, ${delegation.reason}, ${documentId}, ${delegation.idempotencyKey})`;
  return (await findDelegation(tx, delegation.id))!;
}

/**
 * Marks a live delegation revoked, in the caller's transaction (which also queues the message
 * to its process). Undefined when the delegation was revoked or had ended by then.
 */
export async function revokeDelegation(tx: TransactionSql, revocation: { id: string; revokedBy: string; at: Date }): Promise<Delegation | undefined> {
  const updated = await tx`
    update delegations set revoked_at = ${revocation.at}, revoked_by = ${revocation.revokedBy}
    where id = ${revocation.id} and revoked_at is null and valid_to > ${revocation.at}`;
  if (updated.count === 0) return undefined;
  return findDelegation(tx, revocation.id);
}


/**
 * Running instances with a task open for the user that a power of attorney may reach (their
 * definition says so, BOR-7): those a starting delegation concerns.
 */
export async function instancesAwaiting(sql: Sql, userId: string): Promise<string[]> {
  return sql.begin(async (tx) => {
    await lockPrincipals(tx, [userId]);
    return listAwaiting(tx, userId);
  });
}

async function listAwaiting(sql: TransactionSql, userId: string): Promise<string[]> {
  const rows = await sql<{ processId: string }[]>`
    select distinct t.process_id as "processId"
    from tasks t join process_instances p on p.id = t.process_id
      join process_definitions d on d.key = p.definition_key and d.version = p.definition_version
    where t.state = 'open' and t.candidate_ids @> ${[userId]}::text[] and p.ended_at is null
      and (d.definition ->> 'powerOfAttorney')::boolean is true
    order by 1`;
  return rows.map((row) => row.processId);
}

/** Running instances a delegation was announced to. */
export async function instancesAnnounced(sql: Sql, delegationId: string): Promise<string[]> {
  const rows = await sql<{ processId: string }[]>`
    select a.process_id as "processId"
    from delegation_announcements a join process_instances p on p.id = a.process_id
    where a.delegation_id = ${delegationId} and p.ended_at is null
    order by 1`;
  return rows.map((row) => row.processId);
}

/** Remembers the instances told of a delegation; telling one twice records it once. */
export async function recordAnnouncements(sql: Sql, delegationId: string, processIds: string[], at: Date): Promise<void> {
  if (processIds.length === 0) return;
  const rows = processIds.map((processId) => ({ delegation_id: delegationId, process_id: processId, announced_at: at }));
  await sql`insert into delegation_announcements ${sql(rows, 'delegation_id', 'process_id', 'announced_at')} on conflict do nothing`;
}
