// Notification texts (issue 21.3): one table per language, keyed by the notice's kind. A notice is
// stored with its kind and the values its text is built from (`params`), so it reads in Chinese to
// a recipient whose language is zh (the company's by default, COMPANY_LANGUAGE) and in English
// otherwise, at delivery and in GET /api/v1/me/notifications. The English text is stored too, for
// a notice of a kind no table knows (a definition's own `notify` text) and for notices written
// before there were params. Pure: the workflow interpreter builds its notices from here.

export type NoticeLanguage = 'zh' | 'en';

interface Bilingual {
  en: string;
  zh: string;
}

/** The values each kind's text is built from. */
export interface NoticeParams {
  'task.reminder': { task: Bilingual };
  'process.reminder': { task: Bilingual };
  'task.urged': { task: Bilingual };
  'process.copied': { actorId: string; processId: string };
  'comment.mention': { actorId: string; processId: string; text: string };
  'borrow.incident': { reference: string; title: string; condition: string; borrowerId: string; note: string };
  'customer.report_due': { month: number; customerName: string; endsOn: string };
  'customer.report_missed': { month: number; customerName: string; endedOn: string; earlyRelease: boolean };
  'customer.released': { customerName: string; outcome: 'expired' | 'released_early' };
  'customer.view_granted': { customerId: string; validTo: string };
  'customer.cards_incomplete': { cards: string[]; more: number };
  'penalty.proposed': { ruleId: string; amountYuan: number; dismissal: boolean; personId: string; kindZh: string };
  'penalty.confirmed': { ruleId: string; amountYuan: number; proposedOn: string; reason: string | null };
  'penalty.waived': { ruleId: string; amountYuan: number; proposedOn: string; reason: string | null };
  'customer.deletion_requested': { customerId: string; requesterId: string; scope: string; reason: string };
  'customer.deletion_decided': { customerId: string; approved: boolean; scope: string };
  'order.signed': { orderId: string; margin: string | null; decidedBy: string };
  'order.signature_refused': { orderId: string; margin: string | null; decidedBy: string };
  'showroom.sale_credited': { rule: string | null; amountYuan: string; customerName: string; visitId: string; credits: { userId: string; share: number }[]; disputed: boolean };
  'showroom.regional_customer_handed_over': { customerName: string; city: string; visitId: string };
  'showroom.protected_order': { department: Bilingual; customerName: string; region: string; until: string; products: string[]; priceFloor: string };
  'showroom.quote_undercuts': { quotedBy: string; product: string; price: string; customerName: string; region: string; priceFloor: string; departmentId: string; until: string };
  'customer.deference': { claimantId: string; claimant: Bilingual; customerName: string };
  'customer.adjudicated': { customerId: string; winner: string; averages: { party: string; average: number | null }[]; tieBroken: boolean };
}

export type NoticeKind = keyof NoticeParams;

type Table = { [K in NoticeKind]: (params: NoticeParams[K]) => string };

const label = (task: Bilingual) => `"${task.en}" (${task.zh})`;

const margin = (value: string | null) => (value === null ? '-' : `${Number((Number(value) * 100).toFixed(2))}%`);
const credited = (credits: { userId: string; share: number }[]) => credits.map((c) => `${c.userId} ${Math.round(c.share * 100)}%`);
const averaged = (averages: { party: string; average: number | null }[]) => averages.map((a) => `${a.party} ${a.average ?? '-'}`);

const deletionScopeZh: Record<string, string> = { card: '客户档案卡', contacts: '联系记录', all: '客户档案卡及联系记录' };

const en: Table = {
  'task.reminder': ({ task }) => `Reminder: ${label(task)} is waiting for your decision.`,
  'process.reminder': ({ task }) => `Reminder: ${label(task)} is due.`,
  'task.urged': ({ task }) => `The requester asks you to decide ${label(task)} soon (催办).`,
  'process.copied': ({ actorId, processId }) => `${actorId} copied you in on ${processId} (抄送).`,
  'comment.mention': ({ actorId, processId, text }) => `${actorId} mentioned you in a comment on ${processId}: ${text}`,
  'borrow.incident': ({ reference, title, condition, borrowerId, note }) =>
    `BOR-8 incident: ${reference} 《${title}》 came back ${condition.replace('_', ' ')} from ${borrowerId}.${note ? ` Note: ${note}` : ''}`,
  'customer.report_due': ({ month, customerName, endsOn }) => `OVL-8: month ${month} of protecting ${customerName} ends on ${endsOn} and no progress report has been filed for it.`,
  'customer.report_missed': ({ month, customerName, endedOn, earlyRelease }) =>
    `OVL-8: month ${month} of protecting ${customerName} ended on ${endedOn} without a progress report. ` +
    (earlyRelease ? 'The Department Manager decides whether to keep or release the customer.' : 'The protection runs on to its end.'),
  'customer.released': ({ customerName, outcome }) =>
    `OVL-8: ${customerName} is in the open pool: ${outcome === 'expired' ? 'its protection ended without an intent order' : 'it was released early for missing progress reports'}. Salespeople may apply to develop it.`,
  'customer.view_granted': ({ customerId, validTo }) => `SEC-3: you may read the card of customer ${customerId} until ${validTo}.`,
  'customer.cards_incomplete': ({ cards, more }) => `CUS-5: complete these customer cards this month: ${cards.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`,
  'penalty.proposed': ({ ruleId, amountYuan, dismissal, personId, kindZh }) =>
    `${ruleId}: a fine of ${amountYuan} yuan${dismissal ? ' and dismissal' : ''} is proposed for ${personId} (${kindZh}); HR confirms or waives it.`,
  'penalty.confirmed': ({ ruleId, amountYuan, proposedOn, reason }) => `${ruleId}: the fine of ${amountYuan} yuan proposed on ${proposedOn} is confirmed${reason ? `: ${reason}` : ''}.`,
  'penalty.waived': ({ ruleId, amountYuan, proposedOn, reason }) => `${ruleId}: the fine of ${amountYuan} yuan proposed on ${proposedOn} is waived${reason ? `: ${reason}` : ''}.`,
  'customer.deletion_requested': ({ customerId, requesterId, scope, reason }) =>
    `SEC-4: ${requesterId} asks to delete the ${scope === 'all' ? 'card and contact records' : scope === 'card' ? 'card' : 'contact records'} of customer ${customerId}: ${reason}`,
  'customer.deletion_decided': ({ customerId, approved, scope }) =>
    `SEC-4: the deletion of the ${scope === 'all' ? 'card and contact records' : scope === 'card' ? 'card' : 'contact records'} of customer ${customerId} was ${approved ? 'approved and carried out' : 'refused; nothing was deleted'}.`,
  'order.signed': ({ orderId, margin: m, decidedBy }) => `REG-2: your showroom order ${orderId} (margin ${margin(m)}) was signed by ${decidedBy}; it is final.`,
  'order.signature_refused': ({ orderId, margin: m, decidedBy }) => `REG-2: your showroom order ${orderId} (margin ${margin(m)}) was refused by ${decidedBy}; it is cancelled.`,
  'showroom.sale_credited': ({ rule, amountYuan, customerName, visitId, credits, disputed }) =>
    `${rule ?? 'Showroom'}: a sale of ${amountYuan} yuan to ${customerName} (visit ${visitId}) credits you ${credited(credits).join(', ')}${disputed ? '; the ownership is disputed and goes to adjudication' : ''}.`,
  'showroom.regional_customer_handed_over': ({ customerName, city, visitId }) => `REG-1: the showroom hands you ${customerName} (${city}), a regional customer met on visit ${visitId}.`,
  'showroom.protected_order': ({ department, customerName, region, until, products, priceFloor }) =>
    `REG-3: ${department.en} protects an order of ${customerName} (${region}) until ${until}: ${products.join(', ')} not below ${priceFloor} yuan. Quote terminal customers of ${region} accordingly.`,
  'showroom.quote_undercuts': ({ quotedBy, product, price, customerName, region, priceFloor, departmentId, until }) =>
    `REG-3: ${quotedBy} quoted ${product} at ${price} yuan to ${customerName} (${region}), below the floor of ${priceFloor} yuan of the order ${departmentId} protects until ${until}.`,
  'customer.deference': ({ claimantId, claimant, customerName }) =>
    `OVL-4: ${claimant.en} (${claimantId}, Business Dept) met your customer ${customerName}, deferred to you and has information about them to share with you.`,
  'customer.adjudicated': ({ customerId, winner, averages, tieBroken }) =>
    `OVL-2: the committee gave customer ${customerId} to ${winner} (averages: ${averaged(averages).join(', ')}${tieBroken ? '; a tie decided by the GM' : ''}).`,
};

const zh: Table = {
  'task.reminder': ({ task }) => `提醒：「${task.zh}」正等待您的决定。`,
  'process.reminder': ({ task }) => `提醒：「${task.zh}」已到期。`,
  'task.urged': ({ task }) => `申请人催办：请尽快处理「${task.zh}」。`,
  'process.copied': ({ actorId, processId }) => `${actorId} 将流程 ${processId} 抄送给您。`,
  'comment.mention': ({ actorId, processId, text }) => `${actorId} 在流程 ${processId} 的评论中提到了您：${text}`,
  'borrow.incident': ({ reference, title, condition, borrowerId, note }) =>
    `借阅事故（BOR-8）：档案 ${reference}《${title}》由 ${borrowerId} 归还时${({ damaged: '已损坏', missing_pages: '缺页', lost: '已遗失' } as Record<string, string>)[condition] ?? condition}。${note ? `备注：${note}` : ''}`,
  'customer.report_due': ({ month, customerName, endsOn }) => `OVL-8：客户${customerName}保护期第${month}个月将于${endsOn}结束，尚未提交进展报告。`,
  'customer.report_missed': ({ month, customerName, endedOn, earlyRelease }) =>
    `OVL-8：客户${customerName}保护期第${month}个月已于${endedOn}结束，未提交进展报告。` + (earlyRelease ? '由部门经理决定保留或释放客户。' : '保护期照常进行至期满。'),
  'customer.released': ({ customerName, outcome }) => `OVL-8：客户${customerName}${outcome === 'expired' ? '保护期满且无意向单' : '因未按月汇报被提前释放'}，已转入公海，销售人员可申请开发。`,
  'customer.view_granted': ({ customerId, validTo }) => `SEC-3：您可查阅客户 ${customerId} 的档案卡，有效期至 ${validTo}。`,
  'customer.cards_incomplete': ({ cards, more }) => `CUS-5：请在本月内完善以下客户档案卡：${cards.join('、')}${more > 0 ? ` 等另外 ${more} 份` : ''}。`,
  'penalty.proposed': ({ ruleId, amountYuan, dismissal, personId, kindZh }) =>
    `${ruleId}：拟对 ${personId} 处以罚款 ${amountYuan} 元${dismissal ? '并予以开除' : ''}（${kindZh}），由人力资源部确认或免除。`,
  'penalty.confirmed': ({ ruleId, amountYuan, proposedOn, reason }) => `${ruleId}：${proposedOn} 拟处的 ${amountYuan} 元罚款已由人力资源部确认${reason ? `：${reason}` : ''}。`,
  'penalty.waived': ({ ruleId, amountYuan, proposedOn, reason }) => `${ruleId}：${proposedOn} 拟处的 ${amountYuan} 元罚款已由人力资源部免除${reason ? `：${reason}` : ''}。`,
  'customer.deletion_requested': ({ customerId, requesterId, scope, reason }) =>
    `SEC-4：${requesterId} 申请删除客户 ${customerId} 的${deletionScopeZh[scope] ?? scope}，理由：${reason}`,
  'customer.deletion_decided': ({ customerId, approved, scope }) =>
    `SEC-4：删除客户 ${customerId} 的${deletionScopeZh[scope] ?? scope}的申请${approved ? '已批准并执行' : '未获批准，未删除任何数据'}。`,
  'order.signed': ({ orderId, margin: m, decidedBy }) => `REG-2：您的展厅开单 ${orderId}（利润率 ${margin(m)}）已由 ${decidedBy} 签字，开单生效。`,
  'order.signature_refused': ({ orderId, margin: m, decidedBy }) => `REG-2：您的展厅开单 ${orderId}（利润率 ${margin(m)}）未获 ${decidedBy} 签字，开单已取消。`,
  'showroom.sale_credited': ({ rule, amountYuan, customerName, visitId, credits, disputed }) =>
    `${rule ?? '展厅'}：客户${customerName}在展厅成交 ${amountYuan} 元（接待记录 ${visitId}），销售提成分成：${credited(credits).join('、')}${disputed ? '；客户归属有争议，由客户界定小组界定' : ''}。`,
  'showroom.regional_customer_handed_over': ({ customerName, city, visitId }) => `REG-1：展厅将区域客户${customerName}（${city}）交于您（接待记录 ${visitId}）。`,
  'showroom.protected_order': ({ department, customerName, region, until, products, priceFloor }) =>
    `REG-3：${department.zh}有订单需要保护：客户${customerName}（${region}），保护至 ${until}，${products.join('、')}报价不低于 ${priceFloor} 元。${region}的终端客户到展厅询价时请据此报价。`,
  'showroom.quote_undercuts': ({ quotedBy, product, price, customerName, region, priceFloor, departmentId, until }) =>
    `REG-3：${quotedBy} 向${customerName}（${region}）报价${product} ${price} 元，低于 ${departmentId} 保护订单（保护至 ${until}）的底价 ${priceFloor} 元。`,
  'customer.deference': ({ claimantId, claimant, customerName }) =>
    `OVL-4：业务部${claimant.zh}（${claimantId}）拜访了您的客户${customerName}，已推崇您并礼貌退出，将与您沟通客户情况和有关信息。`,
  'customer.adjudicated': ({ customerId, winner, averages, tieBroken }) =>
    `OVL-2：客户界定小组已将客户 ${customerId} 界定给 ${winner}（平均分：${averaged(averages).join('、')}${tieBroken ? '；平分，由总经理决定' : ''}）。`,
};

const tables: Record<NoticeLanguage, Table> = { en, zh };

/** A notice's text in `language`, from its kind's entry. */
export function noticeText<K extends NoticeKind>(language: NoticeLanguage, kind: K, params: NoticeParams[K]): string {
  return (tables[language][kind] as (p: NoticeParams[K]) => string)(params);
}

/** A stored notice as `language` reads it: its kind's text where the tables know the kind and it has params, else the stored text. */
export function renderNotice(notice: { kind: string; text: string; params?: unknown }, language: NoticeLanguage): string {
  if (notice.params === null || notice.params === undefined || !(notice.kind in en)) return notice.text;
  try {
    return noticeText(language, notice.kind as NoticeKind, notice.params as never);
  } catch {
    return notice.text;
  }
}

/** What a writer of a notice gives: its kind, the values of its text, and the English text stored beside them. */
export function notice<K extends NoticeKind>(kind: K, params: NoticeParams[K]): { kind: K; params: NoticeParams[K]; text: string } {
  return { kind, params, text: noticeText('en', kind, params) };
}
