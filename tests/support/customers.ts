// Customers for suites that need them in the register without going through the API: in the open
// pool, or protected as the protection's first service task leaves one.
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../platform/db/client.ts';
import { insertCustomer, insertProtection } from '../../areas/customers/sql.ts';
import { startProtection } from '../../areas/customers/service/protections.ts';
import { protectionMonths, type CardType } from '../../areas/customers/rules.ts';

/** A customer straight into the register, in the open pool. */
export function poolCustomer(sql: Sql, name: string, departmentId = 'business', cardType: CardType = 'terminal') {
  return insertCustomer(sql, { id: randomUUID(), name, cardType, city: '临沂', region: '山东', departmentId, createdBy: 'biz-manager' });
}

/** A customer protected for `protectorId` since `startedAt`, as the protection's first service task leaves it. */
export async function protectedCustomer(sql: Sql, name: string, protectorId: string, options: { departmentId?: string; startedAt?: Date } = {}) {
  const departmentId = options.departmentId ?? 'business';
  const startedAt = options.startedAt ?? new Date();
  const customer = await poolCustomer(sql, name, departmentId);
  const id = randomUUID();
  await insertProtection(sql, { id, customerId: customer.id, protectorId, departmentId, kind: 'request', requestedBy: protectorId, reason: 'visited', processId: `protection-${id}` });
  const protection = await startProtection(sql, {
    id,
    startedAt,
    monthEnds: protectionMonths(startedAt.getTime()).map((month) => new Date(month.endsAt)),
    grantedBy: 'biz-manager',
    key: `test:${id}`,
  });
  return { customer, protection: protection! };
}
