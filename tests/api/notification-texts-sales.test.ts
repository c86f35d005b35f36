// Notification texts in the reader's language (issue 21.3) for the sales, showroom and overlap
// areas: a notice each writes is stored with its kind and params, and GET /api/v1/me/notifications
// reads it in Chinese to a zh reader and in English to an en reader; the stored English text is the
// en table's. On the time-skipping server (REG-2's signature is a process), real PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesProcesses } from '../../areas/sales/definitions.ts';
import { policyDate } from '../../engine/definition/feel.ts';
import { noticeText } from '../../platform/notifications/texts.ts';
import { startApiSuite, type EngineApiSuite } from '../support/api-suite.ts';
import { decide, eventually, openTasks } from '../support/engine.ts';

const DAY = 86_400_000;

let api: EngineApiSuite;

beforeAll(async () => {
  api = await startApiSuite({ definitions: salesProcesses });
});

afterAll(() => api?.teardown());

const sql = () => api.engine.db.sql;

async function customer(o: { departmentId: string; ownerId: string; name: string; cardType?: string; region?: string }): Promise<string> {
  const id = randomUUID();
  const region = o.region ?? '临沂';
  await sql()`
    insert into customers (id, name, card_type, city, region, department_id, owner_id, status, created_by)
    values (${id}, ${o.name}, ${o.cardType ?? 'terminal'}, ${region}, ${region}, ${o.departmentId}, ${o.ownerId}, 'owned', 'gm')`;
  return id;
}

/** The reader's notice of `kind` as GET /api/v1/me/notifications gives it in `language`. */
async function read(userId: string, kind: string, language: string): Promise<string | undefined> {
  const reply = await api.request(userId, 'GET', '/api/v1/me/notifications', { headers: { 'accept-language': language } });
  expect(reply.status).toBe(200);
  return (reply.body.notifications as { kind: string; text: string }[]).find((n) => n.kind === kind)?.text;
}

async function stored(userId: string, kind: string): Promise<{ text: string; params: unknown }> {
  const [row] = await sql()<{ text: string; params: unknown }[]>`select text, params from notifications where user_id = ${userId} and kind = ${kind}`;
  expect(row, `${userId} has a ${kind} notice`).toBeDefined();
  return row!;
}

describe('notification texts of the sales, showroom and overlap areas', () => {
  it('REG-2 the filer is told of the signature on a low-margin showroom order in zh and in en', async () => {
    const id = await customer({ departmentId: 'sales-floor', ownerId: 'floor-sales-2', name: '展厅客户甲' });
    const filed = await api.request('floor-sales-1', 'POST', '/api/v1/orders', { json: { kind: 'order', customerId: id, channel: 'showroom', amount: 1000, cost: 650, productKind: '礼品' } });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const processId = filed.body.signatureProcessId as string;
    const [task] = await openTasks(api.engine, processId);
    await decide(api.engine, processId, task!.id, 'floor-manager', 'sign');
    await eventually(() => read('floor-sales-1', 'order.signed', 'en'), (text) => text !== undefined);
    const orderId = filed.body.id as string;
    expect(await read('floor-sales-1', 'order.signed', 'zh-CN')).toBe(`REG-2：您的展厅开单 ${orderId}（利润率 35%）已由 floor-manager 签字，开单生效。`);
    expect(await read('floor-sales-1', 'order.signed', 'en')).toBe(`REG-2: your showroom order ${orderId} (margin 35%) was signed by floor-manager; it is final.`);
    const row = await stored('floor-sales-1', 'order.signed');
    expect(row.params).toEqual({ orderId, margin: '0.3500', decidedBy: 'floor-manager' });
    expect(row.text).toBe(noticeText('en', 'order.signed', { orderId, margin: '0.3500', decidedBy: 'floor-manager' }));
  });

  it('REG-3 the Showroom Manager is told of an order a region protects in zh and in en', async () => {
    const id = await customer({ departmentId: 'market', ownerId: 'market-sales-1', name: '济宁经销商', cardType: 'distributor', region: '济宁' });
    const until = policyDate(Date.now() + 30 * DAY);
    const announced = await api.request('market-manager', 'POST', '/api/v1/showroom/protected-orders', { json: { customerId: id, products: ['茶具礼盒', '茶叶'], priceFloor: 300, until } });
    expect(announced.status, JSON.stringify(announced.body)).toBe(201);
    const zh = await read('floor-manager', 'showroom.protected_order', 'zh-CN');
    expect(zh).toMatch(new RegExp(`^REG-3：.+有订单需要保护：客户济宁经销商（济宁），保护至 ${until}，茶具礼盒、茶叶报价不低于 300.00 元。济宁的终端客户到展厅询价时请据此报价。$`));
    expect(await read('floor-manager', 'showroom.protected_order', 'en')).toMatch(
      new RegExp(`^REG-3: .+ protects an order of 济宁经销商 \\(济宁\\) until ${until}: 茶具礼盒, 茶叶 not below 300.00 yuan. Quote terminal customers of 济宁 accordingly.$`),
    );
    const [department] = await sql()<{ name: string; nameZh: string }[]>`select name, name_zh as "nameZh" from departments where id = 'market'`;
    expect(zh).toContain(department!.nameZh);
    expect((await stored('floor-manager', 'showroom.protected_order')).text).toContain(`REG-3: ${department!.name} protects`);
  });

  it('OVL-4 the Sales Floor salesperson is told in zh and in en that a Business Dept colleague deferred to them', async () => {
    const id = await customer({ departmentId: 'sales-floor', ownerId: 'floor-sales-1', name: '营业部老客户' });
    const orderId = randomUUID();
    await sql()`
      insert into orders (id, kind, customer_id, channel, department_id, region, city, amount, cost, ordered_on, status, created_by)
      values (${orderId}, 'order', ${id}, 'showroom', 'sales-floor', '临沂', '临沂', 3000, 1500, ${policyDate(Date.now() - 40 * DAY)}, 'final', 'floor-sales-1')`;
    await sql()`insert into order_salespeople (order_id, user_id, share, rate_department_id) values (${orderId}, 'floor-sales-1', 1, 'sales-floor')`;
    const refused = await api.request('biz-sales-1', 'POST', `/api/v1/customers/${id}/protection-requests`, { json: { reason: 'I met them on a visit.' } });
    expect(refused.status).toBe(409);
    const [claimant] = await sql()<{ name: string; nameZh: string }[]>`select display_name as name, display_name_zh as "nameZh" from users where id = 'biz-sales-1'`;
    expect(await read('floor-sales-1', 'customer.deference', 'zh-CN')).toBe(
      `OVL-4：业务部${claimant!.nameZh}（biz-sales-1）拜访了您的客户营业部老客户，已推崇您并礼貌退出，将与您沟通客户情况和有关信息。`,
    );
    expect(await read('floor-sales-1', 'customer.deference', 'en')).toBe(
      `OVL-4: ${claimant!.name} (biz-sales-1, Business Dept) met your customer 营业部老客户, deferred to you and has information about them to share with you.`,
    );
  });

  it('OVL-2 OVL-5 the adjudication result and a showroom sale credited read in either language', () => {
    const result = { customerId: 'c-1', winner: 'floor-sales-2', averages: [{ party: 'biz-sales-1', average: 80 }, { party: 'floor-sales-2', average: 80 }], tieBroken: true };
    expect(noticeText('zh', 'customer.adjudicated', result)).toBe('OVL-2：客户界定小组已将客户 c-1 界定给 floor-sales-2（平均分：biz-sales-1 80、floor-sales-2 80；平分，由总经理决定）。');
    expect(noticeText('en', 'customer.adjudicated', result)).toBe('OVL-2: the committee gave customer c-1 to floor-sales-2 (averages: biz-sales-1 80, floor-sales-2 80; a tie decided by the GM).');
    const sale = { rule: 'OVL-5', amountYuan: '1000.00', customerName: '张先生', visitId: 'v-1', credits: [{ userId: 'floor-sales-1', share: 0.5 }, { userId: 'floor-sales-2', share: 0.5 }], disputed: false };
    expect(noticeText('zh', 'showroom.sale_credited', sale)).toBe('OVL-5：客户张先生在展厅成交 1000.00 元（接待记录 v-1），销售提成分成：floor-sales-1 50%、floor-sales-2 50%。');
    expect(noticeText('en', 'showroom.sale_credited', { ...sale, disputed: true })).toBe(
      'OVL-5: a sale of 1000.00 yuan to 张先生 (visit v-1) credits you floor-sales-1 50%, floor-sales-2 50%; the ownership is disputed and goes to adjudication.',
    );
  });
});
