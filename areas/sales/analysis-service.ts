// The 7P customer analysis (CRM-1): who reads it, over which departments and period. The figures
// are the SQL's (analysis-sql.ts).
import { Temporal } from 'temporal-polyfill';
import { policyDate } from '../../engine/definition/feel.ts';
import type { Sql } from '../../platform/db/client.ts';
import { Forbidden } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import * as analyses from './analysis-sql.ts';
import { readsAnalysis, salesSettings } from './rules.ts';
import { scopeOf } from './service.ts';

export type AnalysisName = 'profiling' | 'persistency' | 'profitability' | 'performance' | 'prospecting' | 'product' | 'promotion';

export interface AnalysisRequest {
  from?: string | undefined;
  to?: string | undefined;
  department?: string | undefined;
  limit: number;
}

export interface AnalysisResult<Row> {
  period: { from: string; to: string };
  /** null: the whole company. */
  departments: string[] | null;
  rows: Row[];
}

/** [interpretation] Without a period, the twelve months up to today (Asia/Shanghai). */
export function periodOf(request: Pick<AnalysisRequest, 'from' | 'to'>, now: number): { from: string; to: string } {
  const to = request.to ?? policyDate(now);
  const from = request.from ?? Temporal.PlainDate.from(to).subtract({ years: 1 }).add({ days: 1 }).toString();
  return { from, to };
}

export function createAnalysisService(deps: { sql: Sql; churnMonths?: number | undefined }) {
  const { sql } = deps;

  /** CRM-1: the caller's departments (all for the GM and the Marketing Director), narrowed to one when asked. */
  async function departmentsOf(user: User, department: string | undefined): Promise<string[] | undefined> {
    const scope = await scopeOf(sql, user);
    if (!readsAnalysis(user, scope)) {
      throw new Forbidden('NOT_AN_ANALYSIS_READER', 'The 7P analysis is read by the Marketing Director, the GM, the Deputy GMs (their departments) and the Department Managers (their own).', 'CRM-1');
    }
    if (department === undefined) return scope.all ? undefined : scope.departmentIds;
    if (!scope.all && !scope.departmentIds.includes(department)) throw new Forbidden('DEPARTMENT_NOT_IN_SCOPE', `You do not read the analysis of ${department}.`, 'CRM-1');
    return [department];
  }

  async function run<Row>(user: User, request: AnalysisRequest, query: (sql: Sql, q: analyses.AnalysisQuery) => Promise<Row[]>): Promise<AnalysisResult<Row>> {
    const departmentIds = await departmentsOf(user, request.department);
    const period = periodOf(request, Date.now());
    const rows = await query(sql, { ...period, departmentIds, churnMonths: deps.churnMonths ?? salesSettings.churnMonths, limit: request.limit });
    return { period, departments: departmentIds ?? null, rows };
  }

  return {
    profiling: (user: User, request: AnalysisRequest) => run(user, request, analyses.profiling),
    persistency: (user: User, request: AnalysisRequest) => run(user, request, analyses.persistency),
    profitability: (user: User, request: AnalysisRequest) => run(user, request, analyses.profitability),
    performance: (user: User, request: AnalysisRequest) => run(user, request, analyses.performance),
    prospecting: (user: User, request: AnalysisRequest) => run(user, request, analyses.prospecting),
    product: (user: User, request: AnalysisRequest) => run(user, request, analyses.product),
    promotion: (user: User, request: AnalysisRequest) => run(user, request, analyses.promotion),
  } satisfies Record<AnalysisName, unknown>;
}

export type AnalysisService = ReturnType<typeof createAnalysisService>;
