// REG-3: 区域有订单需要保护时一定告知展厅经理,防止终端客户到展厅询价,损失了区域客户的利益.
// A region announces the order it protects to the Showroom Manager; a showroom quote that
// undercuts it for a terminal customer of that region is flagged, to the Showroom Manager and the
// region. Part of the showroom's application service (it opens its own transactions).
import { randomUUID } from 'node:crypto';
import { policyDate } from '../../engine/definition/feel.ts';
import { insertNotices } from '../../platform/db/audit.ts';
import { notice } from '../../platform/notifications/texts.ts';
import type { Sql } from '../../platform/db/client.ts';
import { Forbidden, PolicyViolation } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { departmentManagers, usersWithRole } from '../../platform/organisation/sql.ts';
import { findCustomer } from '../customers/index.ts';
import { announcesProtectedOrders, isRegionDepartment, isShowroomStaff, overseesShowroom, productKey } from './rules.ts';
import { insertProtectedOrder, insertQuote, listProtectedOrders, listQuotes, undercutOrder, type ProtectedOrder, type Quote } from './sql.ts';

export interface ProtectedOrderInput {
  customerId: string;
  products: string[];
  priceFloor: number;
  until: string;
  note?: string | undefined;
}

export interface QuoteInput {
  customerId?: string | undefined;
  customer?: { name: string; city: string; region: string } | undefined;
  product: string;
  price: number;
}

/** Who reads protected orders and quotes: the showroom's overseers all; a region its own; showroom staff the orders in force and their own quotes. */
type Reader = { kind: 'all' } | { kind: 'region'; departmentId: string } | { kind: 'staff'; userId: string };

function readerOf(user: User): Reader {
  if (overseesShowroom(user)) return { kind: 'all' };
  if (isRegionDepartment(user.departmentId)) return { kind: 'region', departmentId: user.departmentId };
  if (isShowroomStaff(user)) return { kind: 'staff', userId: user.id };
  throw new Forbidden('NOT_SHOWROOM_OR_REGION', 'Protected orders and showroom quotes are read by the showroom, the regions and the Marketing Director.', 'REG-3');
}

export function createProtectedOrderService(deps: { sql: Sql }) {
  const { sql } = deps;

  const knownCustomer = async (id: string) => {
    const customer = await findCustomer(sql, id);
    if (!customer) throw new PolicyViolation('UNKNOWN_CUSTOMER', 'REG-3', `No customer ${id}.`, [{ path: 'customerId', message: 'no such customer' }]);
    return customer;
  };

  return {
    /** REG-3: the region tells the Showroom Manager which order it protects, for which products, at what floor, until when. */
    async announce(user: User, input: ProtectedOrderInput): Promise<ProtectedOrder> {
      if (!announcesProtectedOrders(user)) throw new Forbidden('NOT_A_REGION', 'A region (the Market Dept or the Out-of-Province Expansion Dept) announces the orders it protects.', 'REG-3');
      const at = new Date();
      if (input.until < policyDate(at.getTime())) throw new PolicyViolation('PROTECTED_UNTIL_PAST', 'REG-3', 'A protection runs until today or later.', [{ path: 'until', message: 'today or later' }]);
      const customer = await knownCustomer(input.customerId);
      return sql.begin(async (tx) => {
        const order = await insertProtectedOrder(tx, {
          id: randomUUID(),
          departmentId: user.departmentId,
          customerId: customer.id,
          region: customer.region,
          products: input.products,
          priceFloor: input.priceFloor,
          until: input.until,
          note: input.note ?? null,
          announcedBy: user.id,
          announcedAt: at,
        });
        const managers = (await usersWithRole(tx, 'showroom_manager')).map((m) => m.id);
        await insertNotices(tx, {
          key: `protected-order:${order.id}:announced`,
          processId: null,
          userIds: managers,
          ...notice('showroom.protected_order', {
            department: { en: user.departmentName, zh: user.departmentNameZh },
            customerName: customer.name,
            region: customer.region,
            until: order.until,
            products: order.products,
            priceFloor: order.priceFloor,
          }),
          at: at.getTime(),
        });
        return order;
      });
    },

    async protectedOrders(user: User, query: { all: boolean; limit: number }): Promise<ProtectedOrder[]> {
      const reader = readerOf(user);
      const inForceOn = query.all ? undefined : policyDate(Date.now());
      return listProtectedOrders(sql, { inForceOn, limit: query.limit, departmentId: reader.kind === 'region' ? reader.departmentId : undefined });
    },

    /** REG-3: a price quoted at the showroom; flagged when it undercuts a protected order of the customer's region. */
    async quote(user: User, input: QuoteInput): Promise<Quote> {
      if (!isShowroomStaff(user)) throw new Forbidden('NOT_SHOWROOM_STAFF', 'Showroom staff 展厅人员 record the prices they quote.', 'REG-3');
      const known = input.customerId === undefined ? undefined : await knownCustomer(input.customerId);
      const customer = known ?? { id: null, ...input.customer!, cardType: 'terminal' };
      const at = new Date();
      // A distributor is the region's own customer: only terminal customers' quotes can undercut it.
      const undercut = customer.cardType === 'terminal' ? await undercutOrder(sql, { region: customer.region, productKey: productKey(input.product), price: input.price, on: policyDate(at.getTime()) }) : undefined;
      return sql.begin(async (tx) => {
        const quote = await insertQuote(tx, {
          id: randomUUID(),
          customerId: customer.id,
          customerName: customer.name,
          city: customer.city,
          region: customer.region,
          product: input.product,
          price: input.price,
          quotedBy: user.id,
          quotedAt: at,
          undercutOrderId: undercut?.id ?? null,
        });
        if (undercut) {
          const showroom = (await usersWithRole(tx, 'showroom_manager')).map((m) => m.id);
          const region = (await departmentManagers(tx, undercut.departmentId)).map((m) => m.id);
          await insertNotices(tx, {
            key: `showroom-quote:${quote.id}:undercut`,
            processId: null,
            userIds: [...showroom, ...region, undercut.announcedBy],
            ...notice('showroom.quote_undercuts', {
              quotedBy: user.id,
              product: quote.product,
              price: quote.price,
              customerName: quote.customerName,
              region: quote.region,
              priceFloor: undercut.priceFloor,
              departmentId: undercut.departmentId,
              until: undercut.until,
            }),
            at: at.getTime(),
          });
        }
        return quote;
      });
    },

    async quotes(user: User, query: { flagged: boolean; limit: number }): Promise<Quote[]> {
      const reader = readerOf(user);
      if (reader.kind === 'all') return listQuotes(sql, query);
      if (reader.kind === 'region') return listQuotes(sql, { flagged: true, undercutDepartmentId: reader.departmentId, limit: query.limit });
      return listQuotes(sql, { ...query, quotedBy: reader.userId });
    },
  };
}
