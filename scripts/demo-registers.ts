// Demo registers (issue 21.4): a realistic archive register (300 documents across the categories,
// departments and secrecy levels) and customer list (100 customers, most of them with their
// salesperson), generated the same way every time and imported through the import path of
// POST /api/v1/imports (api/imports.ts), so local mode shows a lived-in system.
// `npm run seed -- --demo-registers`, or `npm start -- --demo-registers`.
import { Readable } from 'node:stream';
import { runImport, type ImportReport } from '../areas/imports/service.ts';
import type { Sql } from '../platform/db/client.ts';
import { findUser } from '../platform/organisation/sql.ts';
import { documentCategories, documentCategoryIds, type DocumentCategory } from '../areas/archive/rules.ts';
import type { ImportKind } from '../areas/imports/rules.ts';

export const DEMO_DOCUMENTS = 300;
export const DEMO_CUSTOMERS = 100;

/** A small deterministic generator (a linear congruential one): the same registers on every machine. */
export function sequence(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

export const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;

const csvLine = (values: readonly (string | number)[]) => values.map((v) => (/[",\r\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v))).join(',');

const departments = ['gm-office', 'finance', 'marketing', 'business', 'sales-floor', 'market', 'hr'];
const departmentNamesZh: Record<string, string> = {
  'gm-office': '总经理办公室',
  finance: '财务部',
  marketing: '营销部',
  business: '业务部',
  'sales-floor': '营业部',
  market: '市场部',
  hr: '人力资源部',
};

/** Which departments file which kinds of material, so a register reads as a real one does. */
const filedBy: Partial<Record<DocumentCategory, readonly string[]>> = {
  financial_audit: ['finance'],
  accounting_record: ['finance'],
  labour_wages: ['hr', 'finance'],
  personnel_file: ['hr'],
  meeting_minutes: ['gm-office'],
  decision: ['gm-office'],
  power_of_attorney: ['gm-office'],
  contract: ['business', 'sales-floor', 'market', 'finance'],
  agreement: ['business', 'market', 'marketing'],
  project_proposal: ['marketing', 'market'],
};

/** Most of an archive is unclassified; a few per cent is Top Secret. */
const secrecyWeights: readonly [string, number][] = [
  ['非密', 0.55],
  ['秘密', 0.25],
  ['机密', 0.15],
  ['绝密', 0.05],
];

function secrecyOf(next: () => number): string {
  let roll = next();
  for (const [label, weight] of secrecyWeights) {
    if (roll < weight) return label;
    roll -= weight;
  }
  return '非密';
}

/** The archive register as an archive keeps it: Chinese headers and labels. */
export function demoDocumentsCsv(count = DEMO_DOCUMENTS): string {
  const next = sequence(21);
  const lines = [csvLine(['档号', '题名', '类别', '密级', '部门', '原件', '存放位置', '归档日期', '保管期限'])];
  for (let i = 1; i <= count; i += 1) {
    const category = documentCategoryIds[(i * 7) % documentCategoryIds.length]!;
    const department = pick(next, filedBy[category] ?? departments);
    const year = 2008 + Math.floor(next() * 18);
    const secrecy = secrecyOf(next);
    // ARC-3: Confidential and Top Secret are originals; a quarter of the rest are copies.
    const original = secrecy === '机密' || secrecy === '绝密' || next() > 0.25 ? '原件' : '复印件';
    const retention = category === 'personnel_file' || category === 'decision' ? '永久' : next() > 0.5 ? String(pick(next, [10, 15, 30])) : '';
    const month = 1 + Math.floor(next() * 12);
    const day = 1 + Math.floor(next() * 28);
    lines.push(
      csvLine([
        `${department.toUpperCase()}-${year}-${String(i).padStart(4, '0')}`,
        `${year} 年${departmentNamesZh[department]}${documentCategories[category].zh}（第 ${i} 号）`,
        documentCategories[category].zh,
        secrecy,
        departmentNamesZh[department]!,
        original,
        `档案室 ${1 + (i % 12)} 号柜 ${1 + (i % 5)} 层`,
        `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
        retention,
      ]),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

const cities: readonly [string, string][] = [
  ['临沂', '山东'],
  ['济南', '山东'],
  ['青岛', '山东'],
  ['徐州', '江苏'],
  ['南京', '江苏'],
  ['郑州', '河南'],
  ['合肥', '安徽'],
  ['石家庄', '河北'],
];
const trades = ['礼品城', '百货', '商贸', '家居', '建材', '超市', '文具', '五金'];

/** CUS-4: terminal-customer cards with the Business and Sales Floor Depts, distributor cards with the Market Dept. */
const keepers: readonly { department: string; card: string; owners: readonly string[] }[] = [
  { department: 'business', card: '终端', owners: ['biz-sales-1', 'biz-sales-2'] },
  { department: 'sales-floor', card: '终端', owners: ['floor-sales-1', 'floor-sales-2'] },
  { department: 'market', card: '经销商', owners: [] },
];

/** The customer list: most customers are a salesperson's, the rest in the open pool. */
export function demoCustomersCsv(count = DEMO_CUSTOMERS): string {
  const next = sequence(2026);
  const lines = [csvLine(['档号', '客户名称', '档案卡类型', '城市', '区域', '部门', '归属销售人员'])];
  for (let i = 1; i <= count; i += 1) {
    const [city, region] = pick(next, cities);
    const keeper = keepers[i % keepers.length]!;
    const owner = keeper.owners.length > 0 && next() > 0.3 ? pick(next, keeper.owners) : '';
    lines.push(csvLine([`CUST-${String(i).padStart(4, '0')}`, `${city}${pick(next, trades)}${i}号店`, keeper.card, city, region, departmentNamesZh[keeper.department]!, owner]));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Imports both demo registers: the archive register as the Archivist, the customer list as the
 * Marketing Director. Importing again adds nothing (the references are already there).
 */
export async function importDemoRegisters(sql: Sql, log: (message: string) => void = () => {}): Promise<Record<ImportKind, ImportReport>> {
  const importer = async (kind: ImportKind, userId: string, csv: string): Promise<ImportReport> => {
    const actor = await findUser(sql, userId);
    if (!actor) throw new Error(`the demo organisation has no ${userId}: load it first`);
    const report = await runImport(sql, { kind, format: 'csv', body: Readable.from([csv]), actor, dryRun: false });
    log(`demo ${kind}: ${report.rowsImported} imported, ${report.rowsExisting} already there, ${report.rowsInvalid} refused`);
    return report;
  };
  return {
    documents: await importer('documents', 'archivist', demoDocumentsCsv()),
    customers: await importer('customers', 'marketing-director', demoCustomersCsv()),
  };
}
