// The application service of co-development (OVL-8): during a protection another salesperson
// works the customer only by agreement with its owner, sharing the commission.
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../../platform/db/client.ts';
import { Forbidden, StateConflict } from '../../../platform/errors.ts';
import type { User } from '../../../platform/organisation/model.ts';
import { enqueueStart } from '../../../engine/sql/outbox.ts';
import {
  coDevelopersOf,
  findCoDevelopmentRequest,
  insertCoDevelopmentRequest,
  pendingCoDevelopment,
  settleCoDevelopmentRequest,
  type CoDevelopmentRequest,
} from '../sql.ts';
import { coDevelopmentProcessId, customerProcessKeys, isSalesperson } from '../rules.ts';
import { customerAsKnownTo, existingCustomer, type CustomerDeps } from './customers.ts';
import { refuseLeaver } from './departures.ts';

/**
 * OVL-8: a salesperson asks the owner of a protected (or owned) customer to work it together for
 * a commission share; the request and the start of its process are committed together. Their own
 * pending request for the same share again is returned as it is (`created` false).
 */
export async function requestCoDevelopment(
  { sql, outbox }: CustomerDeps,
  user: User,
  customerId: string,
  share: number,
): Promise<{ request: CoDevelopmentRequest; created: boolean }> {
  if (!isSalesperson(user)) throw new Forbidden('NOT_A_SALESPERSON', 'Only salespeople co-develop customers.', 'OVL-8');
  await refuseLeaver(sql, user, 'a co-development request');
  const customer = await existingCustomer(sql, customerId);
  // ACC-4: the customer is named only to a caller who may see it.
  const { label } = await customerAsKnownTo(sql, user, customer);
  if (customer.ownerId === null) {
    throw new StateConflict('CUSTOMER_NOT_OWNED', `${label} is in the open pool: apply to protect it instead.`, 'OVL-8');
  }
  if (customer.ownerId === user.id) throw new StateConflict('OWN_CUSTOMER', `${customer.name} is yours already.`, 'OVL-8');
  const pending = await pendingCoDevelopment(sql, customer.id, user.id);
  if (pending) {
    if (pending.sharePercent === share && pending.ownerId === customer.ownerId) return { request: pending, created: false };
    throw new StateConflict('CO_DEVELOPMENT_PENDING', `Your co-development request ${pending.id} for ${label} awaits its owner's answer.`, 'OVL-8');
  }
  const ownerId = customer.ownerId;
  if ((await coDevelopersOf(sql, customer.id)).some((d) => d.coDeveloperId === user.id && d.ownerId === ownerId)) {
    throw new StateConflict('ALREADY_CO_DEVELOPER', `You already co-develop ${customer.name} with ${ownerId}.`, 'OVL-8');
  }
  const requestId = randomUUID();
  const request = await sql.begin(async (tx) => {
    const inserted = await insertCoDevelopmentRequest(tx, {
      id: requestId,
      customerId: customer.id,
      requesterId: user.id,
      ownerId,
      sharePercent: share,
      processId: coDevelopmentProcessId(requestId),
    });
    await enqueueStart(tx, {
      key: customerProcessKeys.coDevelopment,
      processId: inserted.processId,
      initiator: { id: user.id, departmentId: user.departmentId },
      variables: { requestId, customerId: customer.id, ownerId, departmentId: customer.departmentId, share },
    });
    return inserted;
  });
  await outbox.deliver([request.processId]);
  return { request: (await findCoDevelopmentRequest(sql, requestId))!, created: true };
}

/** The owner's answer (a step of the process); an acceptance records the agreed share on the customer. Once: a retry changes nothing. */
export async function settleCoDevelopment(sql: Sql, settle: Parameters<typeof settleCoDevelopmentRequest>[1]): Promise<void> {
  await sql.begin((tx) => settleCoDevelopmentRequest(tx, settle));
}
