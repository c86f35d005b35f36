// The one message catalogue (issue 21.3): what a refusal, a notification and a CSV header read in
// the caller's language. Codes and rule IDs stay the same in every language; only `title` and
// `detail` (and the column headers of CSV files) change. English is what the code writes; Chinese
// comes from here, keyed by the problem's code. A detail that carries values is a template over
// the problem's fields (its ruleId, the fields at fault); a code with no entry keeps its English
// detail, so nothing is ever lost in translation.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Problem } from './problem.ts';

export const languages = ['zh', 'en'] as const;
export type Language = (typeof languages)[number];

/**
 * The language a caller prefers: the first of zh and en by Accept-Language's q-values (zh-CN,
 * zh-TW, en-GB... count as their language), else the company's (COMPANY_LANGUAGE).
 */
export function preferredLanguage(acceptLanguage: string | undefined, companyLanguage: Language): Language {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((value) => value !== undefined);
      return { language: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0 && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const entry of ranked) {
    if (entry.language === '*') return companyLanguage;
    if ((languages as readonly string[]).includes(entry.language ?? '')) return entry.language as Language;
  }
  return companyLanguage;
}

const LANGUAGE_VARIABLE = 'language';

/**
 * The language zod writes its own messages in (errors[].message of a 400), per request: the
 * request's language is carried by async context, so concurrent requests never see each other's.
 */
const zodLanguage = new AsyncLocalStorage<Language>();
const zodChinese = z.locales.zhCN().localeError;

/**
 * Installs, once at start-up, the error map that gives zod's messages in Chinese inside a request
 * whose caller prefers zh; English (zod's own locale) otherwise. A schema's own message stays as written.
 */
export function localizeZodMessages(): void {
  z.config({ customError: (issue) => (zodLanguage.getStore() === 'zh' ? zodChinese(issue) : undefined) });
}

/** Reads the caller's language once per request, for whatever renders text later on (problem bodies, CSV, zod's messages). */
export function negotiateLanguage(companyLanguage: Language): MiddlewareHandler {
  return async (c, next) => {
    const language = preferredLanguage(c.req.header('accept-language'), companyLanguage);
    c.set(LANGUAGE_VARIABLE as never, language as never);
    await zodLanguage.run(language, next);
  };
}

/** The language negotiated for this request; the company default (zh) outside the app's middleware. */
export function languageOf(c: Context): Language {
  return (c.get(LANGUAGE_VARIABLE as never) as Language | undefined) ?? preferredLanguage(c.req.header('accept-language'), 'zh');
}

// ------------------------------------------------------------------ problem+json

const titlesZh: Record<number, string> = {
  400: '请求有误',
  401: '未认证',
  403: '无权操作',
  404: '未找到',
  405: '不允许的方法',
  409: '状态冲突',
  413: '请求内容过大',
  415: '不支持的内容类型',
  422: '不符合规定',
  500: '服务器内部错误',
  503: '服务暂不可用',
};

type Template = string | ((problem: Problem) => string);

const fields = (problem: Problem) => (problem.errors ?? []).map((e) => e.path).join('、');
const rule = (problem: Problem) => (problem.ruleId ? `（${problem.ruleId}）` : '');

/** Chinese details by code. */
const detailsZh: Record<string, Template> = {
  // the API itself
  INVALID_INPUT: (p) => (fields(p) ? `请求内容无效，请检查：${fields(p)}。` : '请求内容无效。'),
  INVALID_CURSOR: '分页游标无效，请从第一页重新开始。',
  MALFORMED_REQUEST: '请求格式错误（例如 JSON 无法解析）。',
  NOT_FOUND: '没有这个接口。',
  PAYLOAD_TOO_LARGE: '请求内容超过允许的大小。',
  UNSUPPORTED_MEDIA_TYPE: '不支持该内容类型。',
  INVALID_VALUE: '请求中的某个值超出了系统可保存的范围。',
  ALREADY_EXISTS: '该记录已存在，未重复创建。',
  IDEMPOTENCY_KEY_REUSED: '该 Idempotency-Key 已用于另一个不同的请求。',
  INTERNAL_ERROR: '发生意外错误，已记录日志。',
  DEPENDENCY_UNAVAILABLE: '系统依赖的服务暂时无法访问，请稍后重试。',
  IDENTITY_PROVIDER_UNAVAILABLE: '身份认证服务暂时无法访问，请稍后重试。',
  // sign-in
  TOKEN_MISSING: '请提供 Authorization: Bearer <令牌> 请求头。',
  TOKEN_NOT_BEARER: 'Authorization 请求头必须使用 Bearer 方式。',
  TOKEN_EXPIRED: '令牌已过期，请重新登录。',
  TOKEN_CLAIMS_INVALID: '令牌中的声明缺失或不被接受。',
  TOKEN_SIGNATURE_INVALID: '令牌不是由受信任的密钥签发的。',
  TOKEN_ALGORITHM_REFUSED: '令牌使用了不被接受的签名算法。',
  TOKEN_MALFORMED: '令牌不是格式正确的 JWT。',
  USER_UNKNOWN: '令牌指向的用户不属于本组织。',
  USER_INACTIVE: '该用户已停用。',
  // processes and tasks
  PROCESS_NOT_FOUND: '没有这个流程。',
  PROCESS_ENDED: '该流程已经结束。',
  PROCESS_ALREADY_ENDED: '该流程已经运行并结束。',
  PROCESS_ALREADY_EXISTS: '该流程已经存在。',
  PROCESS_REFUSED_INPUT: '流程引擎拒绝了该请求。',
  DEFINITION_NOT_FOUND: '没有这个流程定义。',
  DEFINITION_VERSION_EXISTS: '该流程定义版本已发布，不能更改。',
  UNKNOWN_PROCESS_KEY: '没有这个流程。',
  TASK_NOT_FOUND: '没有这个任务。',
  TASK_ALREADY_COMPLETED: '该任务已经处理完毕。',
  NOT_A_CANDIDATE: '您不是该任务的处理人，也未受托代为处理。',
  SEPARATION_OF_DUTIES: (p) => `同一流程的两个审批环节不能由同一人决定${rule(p)}。`,
  INVALID_DESIGNATION: (p) => `监销人不能是该销毁的审批人或档案管理员${rule(p)}。`,
  INVALID_OUTCOME: '该处理结果不是此任务允许的选项。',
  INVALID_TASK_DATA: (p) => (fields(p) ? `任务表单数据无效：${fields(p)}。` : '任务表单数据无效。'),
  NOT_CANCELLABLE: '流程已进行到不能撤回的环节。',
  NOT_THE_INITIATOR: '只有发起人可以撤回该流程。',
  // the archive and borrowing
  DOCUMENT_NOT_FOUND: '没有这份档案。',
  DOCUMENT_REFERENCE_TAKEN: '该档案编号已被使用。',
  DOCUMENT_UNAVAILABLE: '该档案正在借出或已有人申请借阅。',
  DOCUMENT_DESTROYED: '该档案已销毁。',
  DOCUMENT_IN_DESTRUCTION: '该档案已在销毁申请中。',
  ARCHIVIST_ONLY: (p) => `只有档案管理员可以办理此事${rule(p)}。`,
  NOT_ARCHIVE_STAFF: (p) => `只有档案室人员及其主管领导可以查看${rule(p)}。`,
  NOT_THE_ARCHIVIST: (p) => `只有档案管理员可以办理此事${rule(p)}。`,
  BORROW_REQUEST_NOT_FOUND: '没有这份借阅申请。',
  TOP_SECRET_NOT_BORROWABLE: (p) => `绝密档案不得外借${rule(p)}。`,
  CONFIDENTIAL_READING_ONLY: (p) => `该密级档案只能在档案室内查阅${rule(p)}。`,
  SECRET_BORROW_TOO_LONG: (p) => `机密档案的借阅时间超过了规定上限${rule(p)}。`,
  SECRET_LOAN_HOURS_REQUIRED: (p) => `借阅机密档案须注明借阅小时数${rule(p)}。`,
  LOAN_TOO_LONG: (p) => `借阅期限超过了规定上限${rule(p)}。`,
  ORIGINAL_REQUIRED: (p) => `此事须使用档案原件${rule(p)}。`,
  NOT_ON_LOAN: '该档案目前没有借出。',
  NOT_THE_REQUESTER: '只有申请人可以办理此事。',
  NOT_THE_OFFICE_DIRECTOR: (p) => `只有总经理办公室主任可以办理此事${rule(p)}。`,
  // destruction
  DESTRUCTION_REQUEST_NOT_FOUND: '没有这份销毁申请。',
  NOT_AWAITING_VERIFICATION: (p) => `该销毁申请当前不在待核对清点阶段${rule(p)}。`,
  NOT_DESTRUCTIBLE: (p) => `该档案尚不能销毁${rule(p)}。`,
  HOLD_NOT_FOUND: '没有这项保留（冻结）记录。',
  HOLD_ALREADY_RELEASED: '该保留（冻结）已经解除。',
  // powers of attorney
  DELEGATION_NOT_FOUND: '没有这份委托书。',
  DELEGATION_ALREADY_REVOKED: '该委托已经撤销。',
  DELEGATION_EXPIRED: '该委托已经到期。',
  DELEGATION_OVERLAP: (p) => `该期间内已有委托${rule(p)}。`,
  DELEGATE_NOT_FOUND: '没有这位受托人。',
  DELEGATE_INACTIVE: '受托人已停用。',
  DELEGATE_NOT_ELIGIBLE: (p) => `受托人只能是副总经理或总经理办公室主任${rule(p)}。`,
  PRINCIPAL_NOT_GM: (p) => `只有总经理可以出具委托书${rule(p)}。`,
  NOT_THE_PRINCIPAL: '只有委托人可以办理此事。',
  SELF_DELEGATION: (p) => `不能委托给自己${rule(p)}。`,
  REDELEGATION_FORBIDDEN: (p) => `受托人不得再行委托${rule(p)}。`,
  OUTSIDE_POWER_OF_ATTORNEY: (p) => `该流程不在委托书可授权的范围内${rule(p)}。`,
  VALIDITY_IN_PAST: '委托的有效期已经过去。',
  VALID_FROM_NOT_BEFORE_VALID_TO: '委托的开始时间必须早于结束时间。',
  // the showroom (OVL-5..7, REG-1, REG-3)
  NOT_SHOWROOM_STAFF: (p) => `只有展厅人员（营业部及展厅经理）可以办理此事${rule(p)}。`,
  UNKNOWN_CUSTOMER: (p) => `没有这个客户${rule(p)}。`,
  UNKNOWN_PERSON: (p) => `没有这位在职人员${rule(p)}：${fields(p)}。`,
  NO_SALESPERSON_NAMED: (p) => `客户没有提出销售人员的名字，不能填写此项${rule(p)}：${fields(p)}。`,
  NAMED_OUTCOME_REQUIRED: (p) => `客户提出了销售人员的名字，须注明是否已转交、该销售人员是否不在${rule(p)}。`,
  NOT_A_BUSINESS_DEPT_CUSTOMER: (p) => `只有业务部的客户询问其业务人员时适用此规定${rule(p)}。`,
  CONTACTS_NOT_OUTCOME: (p) => `业务部客户询问业务人员时，请记录联系经过而非转交结果${rule(p)}。`,
  NOT_ASKED_FOR_SALESPERSON: (p) => `只有客户询问其业务人员时才记录联系经过${rule(p)}。`,
  NOT_THE_SALESPERSON: (p) => `首先联系的须是客户询问的业务人员${rule(p)}。`,
  NOT_A_BUSINESS_DEPT_COLLEAGUE: (p) => `其次联系的须是业务部的其他工作人员${rule(p)}。`,
  BUSINESS_DEPT_NOT_CONTACTED_FIRST: (p) => `须先联系当事业务人员，再交业务部其他工作人员接待；业务部不能接待时展厅人员方可接待成交${rule(p)}。`,
  SALE_ALREADY_CLOSED: (p) => `该次接待的成交已经登记${rule(p)}。`,
  NOT_THE_RECEIVER: (p) => `只有接待人员、成交人员或展厅经理可以登记成交${rule(p)}。`,
  NOT_A_CLOSER: (p) => `成交人须是接待人员、被提及的销售人员或已接待的业务部人员${rule(p)}。`,
  NOT_AN_OVL7_SALE: (p) => `只有业务部跟进的意向客户在展厅成交时才可登记争议${rule(p)}。`,
  ORDER_DATE_AHEAD: (p) => `成交日期不能晚于今天${rule(p)}。`,
  VISIT_NOT_FOUND: '没有这次展厅接待记录。',
  NOT_THE_MARKETING_DIRECTOR: (p) => `只有营销总监可以办理此事${rule(p)}。`,
  NOT_A_REGION: (p) => `只有区域（市场部或外省拓展部）可以告知需保护的订单${rule(p)}。`,
  PROTECTED_UNTIL_PAST: (p) => `保护截止日期不能早于今天${rule(p)}。`,
  NOT_SHOWROOM_OR_REGION: (p) => `只有展厅、区域和营销总监可以查看${rule(p)}。`,
  // customers
  CUSTOMER_NOT_FOUND: '没有这个客户。',
  CUSTOMER_CHANGED: '客户信息已被他人更改，请刷新后重试。',
  CUSTOMER_NOT_OWNED: (p) => `该客户不属于您${rule(p)}。`,
  CUSTOMER_OWNED: (p) => `该客户已有归属的销售人员${rule(p)}。`,
  CUSTOMER_PROTECTED: (p) => `该客户正在保护期内${rule(p)}。`,
  OWN_CUSTOMER: (p) => `这是您自己的客户${rule(p)}。`,
  ALREADY_CO_DEVELOPER: (p) => `您已是该客户的共同开发人${rule(p)}。`,
  CO_DEVELOPMENT_PENDING: (p) => `已有一份共同开发申请在审批中${rule(p)}。`,
  CARD_NOT_KEPT_BY_DEPARTMENT: (p) => `该客户档案卡不由本部门保管${rule(p)}。`,
  PROTECTION_NOT_FOUND: '没有这项客户保护。',
  PROTECTION_PENDING: (p) => `该客户已有保护申请在处理中${rule(p)}。`,
  PROTECTION_ENDED: (p) => `该客户保护已经结束${rule(p)}。`,
  NOT_THE_PROTECTOR: (p) => `只有受保护的销售人员可以办理此事${rule(p)}。`,
  RECLAIM_BLOCKED: (p) => `该客户暂不能重新申请保护${rule(p)}。`,
  NOT_SALES_STAFF: (p) => `只有销售人员及其主管可以办理此事${rule(p)}。`,
  NOT_A_SALESPERSON: (p) => `该用户不是销售人员${rule(p)}。`,
  NOT_AN_ACTIVE_SALESPERSON: (p) => `该用户不是在职的销售人员${rule(p)}。`,
  NOT_THEIR_DEPARTMENT_MANAGER: (p) => `只有其部门经理可以办理此事${rule(p)}。`,
  ONLY_DEPARTMENT_MANAGER_TRANSFERS: (p) => `客户只能由部门经理调配${rule(p)}。`,
  HAND_OVER_REFUSED: (p) => `该客户不能移交给所选的销售人员${rule(p)}。`,
  LEAVER_MAY_NOT_TRANSFER: (p) => `离职人员不能自行移交客户${rule(p)}。`,
  SALESPERSON_LEAVING: (p) => `该销售人员正在办理离职${rule(p)}。`,
  DEPARTURE_NOT_FOUND: '没有这项离职记录。',
  // overlapping customers
  ADJUDICATION_NOT_FOUND: '没有这项客户界定。',
  CUSTOMER_OF_ANOTHER_DEPARTMENT: (p) => `该客户属于其他部门的公海，须由销售人员申请并经客户界定小组界定${rule(p)}。`,
  ADJUDICATION_UNDER_WAY: (p) => `该客户正在由客户界定小组界定${rule(p)}。`,
  DEFER_TO_SALES_FLOOR: (p) => `该客户已与营业部销售人员有业务来往，请推崇营业部的销售人员并礼貌退出，回公司后与其沟通客户情况${rule(p)}。`,
  INVALID_SCORES: (p) => `请为每一方打分（0至100分），改动建议分须说明理由${rule(p)}。`,
  NOT_A_TIED_PARTY: (p) => `只能在平均分相同的几方中决定${rule(p)}。`,
  NO_SCORE_TASK: (p) => `您目前没有待打分的任务${rule(p)}。`,
  NOT_A_DISPUTE_RAISER: (p) => `争议由当事方的部门经理或营销总监提出${rule(p)}。`,
  TOO_FEW_PARTIES: (p) => `争议至少涉及两名不同的销售人员${rule(p)}。`,
  DEPARTURE_NOT_ALLOWED: (p) => `离职只能由人力资源部或其部门经理申报${rule(p)}。`,
  DEPARTURE_OPEN: (p) => `该员工的离职正在办理中${rule(p)}。`,
  DEPARTURE_COMPLETED: (p) => `该员工的离职已经办结${rule(p)}。`,
  REASSIGNMENT_NOT_OPEN: (p) => `该离职的客户调配已经结束${rule(p)}。`,
  REASSIGNMENT_REFUSED: (p) => `该客户调配不被接受${rule(p)}。`,
  // orders and the 7P analysis
  ORDER_NOT_FOUND: '没有这份订单。',
  MAY_NOT_FILE_ORDER: (p) => `只有该客户的归属（保护）销售人员、其部门经理，或在展厅成交时的展厅人员可以开单${rule(p)}。`,
  SHARES_NOT_ONE: (p) => `各销售人员的提成比例之和须为 1（5:5 即各 0.5）${rule(p)}。`,
  DUPLICATE_SALESPERSON: '同一销售人员在一份订单中只能出现一次。',
  ORDER_DATE_IN_FUTURE: '订单日期不能晚于今天。',
  NOT_AN_ANALYSIS_READER: (p) => `7P 客户分析仅供营销总监、总经理、副总经理及部门经理查阅${rule(p)}。`,
  DEPARTMENT_NOT_IN_SCOPE: (p) => `您无权查阅该部门的客户分析${rule(p)}。`,
  // customer archive deletion (SEC-4)
  DELETION_NEEDS_APPROVAL: (p) => `删除客户档案资料须经营销总监批准${rule(p)}：请提交删除申请。`,
  DELETION_REQUEST_NOT_FOUND: '没有这份删除申请。',
  NOT_THE_KEEPER: (p) => `只有该客户档案的保管人可以办理此事${rule(p)}。`,
  // organisation administration
  NOT_AN_ADMINISTRATOR: '只有组织管理员（默认为总经理办公室主任和人力资源部）可以修改组织架构。',
  USER_NOT_FOUND: '没有这个用户。',
  USER_EXISTS: '该用户已存在。',
  UNKNOWN_DEPARTMENT: '没有这个部门。',
  DEPARTMENT_NOT_FOUND: '没有这个部门。',
  DEPARTMENT_EXISTS: '该部门已存在。',
  NOT_A_DEPUTY_GM: '所指定的人员不是在职的副总经理。',
  INVALID_ROLE_GRANT: '只有部门经理角色须指定部门，其他角色不指定部门。',
  DEPARTURE_REQUIRED: (p) => `该销售人员名下仍有客户，须通过离职流程由部门经理先调配其客户${rule(p)}：POST /api/v1/users/{id}/departure。`,
  CUSTOMERS_HELD: (p) => `该销售人员名下仍有客户，须先调配其客户${rule(p)}。`,
  // imports
  IMPORT_NOT_FOUND: '没有这个导入任务。',
  IMPORT_UNSUPPORTED_TYPE: '导入文件须为 CSV（text/csv）或 Excel（.xlsx）。',
  IMPORT_UNREADABLE: '导入文件无法读取（格式错误或已损坏）。',
  IMPORT_MISSING_COLUMNS: (p) => (fields(p) ? `导入文件缺少必需的列：${fields(p)}。` : '导入文件缺少必需的列。'),
  IMPORT_NOT_ALLOWED: '只有档案管理员、总经理办公室主任（档案）或营销总监（客户）可以导入。',
};

/** The problem as a caller of `language` reads it: title and detail translated, everything else as it is. */
export function localizeProblem(problem: Problem, language: Language): Problem {
  if (language === 'en') return problem;
  const template = detailsZh[problem.code];
  const detail = template === undefined ? problem.detail : typeof template === 'string' ? template : template(problem);
  return { ...problem, title: titlesZh[problem.status] ?? '错误', detail };
}

// ------------------------------------------------------------------ CSV headers and notices

/** Chinese column headers of the CSV files the API writes and reads, by column name. */
export const csvHeadersZh: Readonly<Record<string, string>> = {
  // the destruction register (DES-4)
  seq: '序号',
  registered_at: '登记时间',
  request_id: '申请编号',
  requested_by: '申请人',
  reason: '销毁原因',
  destroyed: '已销毁档案',
  withdrawn: '撤出档案',
  approvers: '审批人',
  supervisors: '监销人',
  method: '销毁方式',
  place: '销毁地点',
  executed_at: '执行时间',
  prev_hash: '前一条哈希',
  hash: '哈希',
  // the archive register import
  reference: '档号',
  title: '题名',
  category: '类别',
  secrecy: '密级',
  original: '原件',
  location: '存放位置',
  archived_on: '归档日期',
  retention: '保管期限',
  borrower: '借阅人',
  borrow_mode: '借阅方式',
  borrowed_on: '借出日期',
  due_on: '应还日期',
  // the customer list import
  name: '客户名称',
  card_type: '档案卡类型',
  city: '城市',
  region: '区域',
  department: '部门',
  owner: '归属销售人员',
  contact: '联系人',
  // the penalties ledger (CUS-2)
  id: '编号',
  rule_id: '条款',
  kind: '处罚类别',
  label_zh: '事由',
  amount_yuan: '金额（元）',
  dismissal: '开除',
  person_id: '被处罚人',
  evidence: '证据',
  note: '说明',
  state: '处理状态',
  proposed_by: '提出人',
  proposed_at: '提出时间',
  decided_by: '决定人',
  decided_at: '决定时间',
  decision_reason: '决定理由',
  // the record of views (CUS-2)
  customer_id: '客户编号',
  viewer_id: '查阅人',
  viewed_at: '查阅时间',
  right: '查阅依据',
  grant_id: '审批编号',
  // the campaign report (CYC-2)
  department_id: '部门编号',
  department_zh: '部门名称',
  status: '状态',
  due_at: '截止时间',
  submitted_at: '提交时间',
  received: '收到',
  accepted: '接收',
  returned: '退回',
  late: '逾期',
  days_late: '逾期天数',
  originals_outstanding: '未交原件',
  phone: '电话',
  address: '地址',
  notes: '备注',
};

/** CSV header cells in the caller's language. */
export function csvHeaderCells(columns: readonly string[], language: Language): string[] {
  return columns.map((column) => (language === 'zh' ? (csvHeadersZh[column] ?? column) : column));
}

/** A CSV header line in the caller's language. */
export function csvHeader(columns: readonly string[], language: Language): string {
  return csvHeaderCells(columns, language).join(',');
}

/** The column name a header cell names, in either language (a register exported in Chinese reads back). */
export function columnOfHeader(header: string): string {
  const text = header.trim().replace(/^\uFEFF/, '');
  const byZh = Object.entries(csvHeadersZh).find(([, zh]) => zh === text);
  return byZh ? byZh[0] : text.toLowerCase().replaceAll(' ', '_');
}
