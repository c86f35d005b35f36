// The application service of the customer archive (CUS-1..4, SEC-1, SEC-5): entering customers,
// who sees them, and handing them from one salesperson to another. With protections.ts,
// co-development.ts and departures.ts it is the only code of the area that opens transactions and
// starts or messages processes.
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../../platform/db/client.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../../platform/errors.ts';
import type { User } from '../../../platform/organisation/model.ts';
import { findUser } from '../../../platform/organisation/sql.ts';
import type { EngineClient } from '../../../engine/client.ts';
import type { ProcessOutbox } from '../../../engine/outbox.ts';
import {
  coDevelopersOf,
  currentProtection,
  findCustomer,
  insertCustomer,
  listCustomers,
  moveCustomer,
  openDepartureOf,
  ownershipHistory,
  type CoDeveloper,
  type Customer,
  type CustomerCursor,
  type OwnershipChange,
  type Protection,
} from '../sql.ts';
import {
  checkCardKeeper,
  checkTransferable,
  customerScope,
  customerVisible,
  handOverProblems,
  managesDepartment,
  mayCreateCustomer,
  type CardType,
  type CustomerStatus,
  type Reassignment,
} from '../rules.ts';

/** What the customers' service needs: the database, Temporal and the process outbox. */
export interface CustomerDeps {
  sql: Sql;
  engine: EngineClient;
  outbox: ProcessOutbox;
}

export const customerNotFound = (customerId: string) => new NotFound('CUSTOMER_NOT_FOUND', `No customer ${customerId}.`);

/** A customer by id, or 404. */
export async function existingCustomer(sql: Sql, customerId: string): Promise<Customer> {
  const customer = await findCustomer(sql, customerId);
  if (!customer) throw customerNotFound(customerId);
  return customer;
}

/** A customer the user may see (SEC-1); the same 404 for one that does not exist and one they may not see. */
export async function visibleCustomer(sql: Sql, user: User, customerId: string): Promise<Customer> {
  const customer = await existingCustomer(sql, customerId);
  const coDevelopers = (await coDevelopersOf(sql, customer.id)).map((d) => d.coDeveloperId);
  if (!customerVisible(customerScope(user), customer, coDevelopers)) throw customerNotFound(customerId);
  return customer;
}

/**
 * ACC-4: how a refusal names a customer to `user`: by name when they may see it (SEC-1), else by
 * its id alone, so that a 409 tells nobody outside its tier who holds it or until when.
 */
export async function customerAsKnownTo(sql: Sql, user: User, customer: Customer): Promise<{ known: boolean; label: string }> {
  const coDevelopers = (await coDevelopersOf(sql, customer.id)).map((d) => d.coDeveloperId);
  const known = customerVisible(customerScope(user), customer, coDevelopers);
  return { known, label: known ? customer.name : `Customer ${customer.id}` };
}

/** A user by the id a request names: 422 (the request cannot be carried out) rather than 404 (the resource is there). */
export async function namedUser(sql: Sql, userId: string, path: string): Promise<User> {
  const named = await findUser(sql, userId);
  if (!named) throw new PolicyViolation('USER_NOT_FOUND', undefined, `No user "${userId}".`, [{ path, message: 'names no user' }]);
  return named;
}

/** CUS-1/CUS-4: a prospect enters the creator's department's archive, in the open pool. */
export async function createCustomer(sql: Sql, user: User, card: { name: string; cardType: CardType; city: string; region: string }): Promise<Customer> {
  if (!mayCreateCustomer(user)) throw new Forbidden('NOT_SALES_STAFF', 'Only salespeople and Department Managers enter customers into their department\'s archive.', 'CUS-2');
  checkCardKeeper(user.departmentId, card.cardType);
  return insertCustomer(sql, { id: randomUUID(), ...card, departmentId: user.departmentId, createdBy: user.id });
}

/** SEC-1 (light): the customers the user may see that match the filters, a page at a time. */
export async function customersVisibleTo(
  sql: Sql,
  user: User,
  query: { status?: CustomerStatus | undefined; departmentId?: string | undefined; ownerId?: string | undefined; q?: string | undefined; limit: number; after?: CustomerCursor | undefined },
): Promise<{ customers: Customer[]; next: CustomerCursor | null }> {
  return listCustomers(sql, { scope: customerScope(user), ...query });
}

export interface CustomerDetail {
  customer: Customer;
  protection: Protection | undefined;
  coDevelopers: CoDeveloper[];
  history: OwnershipChange[];
}

/** A customer with its pending request or running protection, its co-developers and its ownership history. */
export async function customerDetail(sql: Sql, customer: Customer): Promise<CustomerDetail> {
  const [protection, coDevelopers, history] = await Promise.all([currentProtection(sql, customer.id), coDevelopersOf(sql, customer.id), ownershipHistory(sql, customer.id)]);
  return { customer, protection, coDevelopers, history };
}

/**
 * SEC-5, CUS-2: what stands in the way of handing `pair.customerId` from `owner` to
 * `pair.salespersonId`, from the records as they are now (see handOverProblems).
 */
export async function handOverProblemsNow(sql: Sql, owner: { id: string; departmentId: string }, pair: Reassignment): Promise<string[]> {
  const [customer, salesperson, leaving] = await Promise.all([
    findCustomer(sql, pair.customerId),
    findUser(sql, pair.salespersonId),
    openDepartureOf(sql, pair.salespersonId),
  ]);
  return handOverProblems(owner, customer, salesperson && { ...salesperson, leaving: leaving !== undefined });
}

/**
 * Gives an owned or protected customer to another salesperson of its department, a running
 * protection with it, in one transaction. False when the customer is no longer `fromOwnerId`'s.
 */
export async function changeOwner(sql: Sql, change: Parameters<typeof moveCustomer>[1]): Promise<boolean> {
  return sql.begin((tx) => moveCustomer(tx, change));
}

/**
 * SEC-5: the Department Manager hands an owned customer to another salesperson of its department;
 * a leaver's own attempt is refused, and so is a protected customer (OVL-8). The customer as it is
 * afterwards.
 */
export async function transferCustomer(sql: Sql, user: User, customerId: string, toSalespersonId: string): Promise<CustomerDetail> {
  const customer = await visibleCustomer(sql, user, customerId);
  if (customer.ownerId === user.id && (await openDepartureOf(sql, user.id))) {
    throw new Forbidden('LEAVER_MAY_NOT_TRANSFER', 'A salesperson who is leaving may not hand customers over themselves: the Department Manager reassigns them.', 'SEC-5');
  }
  if (!managesDepartment(user, customer.departmentId)) {
    throw new Forbidden('ONLY_DEPARTMENT_MANAGER_TRANSFERS', `Only the Department Manager of ${customer.departmentId} hands its customers over.`, 'SEC-5');
  }
  if (customer.ownerId === null) throw new StateConflict('CUSTOMER_NOT_OWNED', `${customer.name} is in the open pool: assign it instead.`);
  checkTransferable(customer);
  const owner = { id: customer.ownerId, departmentId: customer.departmentId };
  const problems = await handOverProblemsNow(sql, owner, { customerId: customer.id, salespersonId: toSalespersonId });
  if (problems.length > 0) {
    throw new PolicyViolation('HAND_OVER_REFUSED', 'SEC-5', `${customer.name} cannot go to ${toSalespersonId}.`, problems.map((message) => ({ path: 'toSalespersonId', message })));
  }
  const changed = await changeOwner(sql, {
    customerId: customer.id,
    fromOwnerId: owner.id,
    toOwnerId: toSalespersonId,
    reason: 'transferred',
    actorId: user.id,
    at: new Date(),
    key: `transfer:${randomUUID()}`,
  });
  if (!changed) throw new StateConflict('CUSTOMER_CHANGED', `${customer.name} changed hands meanwhile; look again.`);
  return customerDetail(sql, (await findCustomer(sql, customer.id))!);
}
