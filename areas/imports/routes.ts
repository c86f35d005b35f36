// Importing existing registers (issue 21.2): POST a CSV or XLSX file as the request body; with
// ?dryRun=true the answer is the per-row report and nothing is written. The work is in
// api/imports.ts; the seed script imports through it too.
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { DEFAULT_IMPORT_MAX_BODY_BYTES } from '../../platform/config.ts';
import type { Sql } from '../../platform/db/client.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import { importKinds, type ImportKind } from './rules.ts';
import { requireUser, type AuthEnv, type Authenticator } from '../../platform/http/auth.ts';
import { XLSX_TYPE } from './readers.ts';
import { IMPORT_BATCH_ROWS, importJob as findJob, importRegister, MAX_REPORTED_PROBLEMS } from './service.ts';
import { problem, sendProblem } from '../../platform/http/problem.ts';
import { createRouter } from '../../platform/http/router.ts';
import { idParam, unauthorized } from '../../platform/http/schemas.ts';

/** Where imports are posted: the app's own body limit leaves them to this router's. */
export const IMPORTS_PATH = '/api/v1/imports/';


const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

const rowProblem = z
  .object({
    row: z.number().int().openapi({ description: 'The row in the file; the header is row 1.', example: 7 }),
    field: z.string().openapi({ description: 'The column at fault.', example: 'secrecy' }),
    problem: z.string().openapi({ example: 'ORIGINAL_REQUIRED (ARC-3): At Confidential 机密 and above the original must be deposited, not a copy.' }),
  })
  .openapi('ImportRowProblem');

const counts = {
  rowsRead: z.number().int(),
  rowsImported: z.number().int().openapi({ description: 'Written by this run (0 in a dry run).' }),
  rowsExisting: z.number().int().openapi({ description: 'Valid rows whose reference the register already holds: left as they are.' }),
  rowsInvalid: z.number().int(),
};

const importReport = z
  .object({
    id: z.string().nullable().openapi({ description: 'The import job (GET /api/v1/imports/{id}); null for a dry run.' }),
    kind: z.enum(importKinds),
    format: z.enum(['csv', 'xlsx']),
    dryRun: z.boolean(),
    status: z.enum(['completed', 'failed']),
    ...counts,
    rowsValid: z.number().int(),
    problems: z.array(rowProblem).openapi({ description: `The rows at fault, at most ${MAX_REPORTED_PROBLEMS}.` }),
    problemsTruncated: z.boolean(),
  })
  .openapi('ImportReport');

const importJob = z
  .object({
    id: z.string(),
    kind: z.enum(importKinds),
    format: z.enum(['csv', 'xlsx']),
    status: z.enum(['running', 'completed', 'failed']),
    ...counts,
    problems: z.array(rowProblem),
    error: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    finishedAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('ImportJob');

const importParams = idParam();

const registerColumns =
  'Archive register (documents): reference 档号, title 题名, category 类别, secrecy 密级, department 部门, original 原件, location 存放位置, and where present retention 保管期限 (years or permanent 永久) and archived_on 归档日期; a loan still out: borrower 借阅人 (a user id), borrow_mode 借阅方式 (loan 借出 or reading 查阅; loan when blank), borrowed_on 借出日期 and due_on 应还日期 (a day, or a day and time). ' +
  'Customer list (customers): reference (the customer id), name 客户名称, card_type 档案卡类型, city 城市, region 区域, department 部门, and where present owner 归属销售人员 and the card (CUS-3): each field of the card format by its snake-case name (address, phone, legal_representative, founded_on, annual_sales, credit, ...) or its Chinese label (地址, 电话, 法人, 创业时间, 销售额, 信用状况, ...). ' +
  'Headers in English or Chinese; categories, secrecy levels, card types and departments by id or by their English or Chinese names.';

export function importRoutes(deps: { sql: Sql; authenticator: Authenticator; outbox?: ProcessOutbox; importMaxBodyBytes?: number }) {
  const { sql } = deps;
  const maxSize = deps.importMaxBodyBytes ?? DEFAULT_IMPORT_MAX_BODY_BYTES;
  const router = createRouter();
  const authenticated = requireUser(deps);
  // A register is larger than any other request: IMPORT_MAX_BODY_BYTES, not API_MAX_BODY_BYTES (api/app.ts).
  const limit: MiddlewareHandler<AuthEnv> = bodyLimit({
    maxSize,
    onError: (c) => sendProblem(c, problem(413, 'PAYLOAD_TOO_LARGE', `The file is larger than ${maxSize} bytes (IMPORT_MAX_BODY_BYTES).`)),
  });

  // One path per register (the GET of an import by id shares the prefix).
  const importRoute = (kind: ImportKind) =>
    router.openapi(
      createRoute({
        method: 'post',
        path: `/api/v1/imports/${kind}`,
        tags: ['imports'],
        summary: `Import ${kind === 'documents' ? 'the archive register' : 'the customer list'} from CSV or XLSX; ?dryRun=true reports the rows at fault and writes nothing`,
        description:
          `${registerColumns} Each row is judged as the single-record POST judges it (POST /api/v1/documents: ARC-3; POST /api/v1/customers: CUS-4), and an owner must be an active salesperson of the department. ` +
          `Valid rows are written ${IMPORT_BATCH_ROWS} to a transaction, each audited as imported; a reference already in the register is left as it is, so importing the same file again duplicates nothing. ` +
          'The body is read as it arrives (text/csv, or the XLSX type); GET /api/v1/imports/{id} shows the counts while it runs. Documents: the Archivist (ARC-2); customers: the GM, the Marketing Director or the Marketing VP.',
        middleware: [authenticated, limit] as const,
        request: {
          query: z.object({ dryRun: z.enum(['true', 'false']).default('false').openapi({ description: 'true: judge every row, write nothing.' }) }),
          body: { required: true, content: { 'text/csv': { schema: z.string().max(maxSize) }, [XLSX_TYPE]: { schema: z.string().max(maxSize).openapi({ format: 'binary' }) } } },
        },
        responses: {
          200: { description: 'The dry run\'s report', ...json(importReport) },
          201: { description: 'Imported: the report of the run (its job at Location)', ...json(importReport) },
          400: { description: 'INVALID_INPUT, IMPORT_UNREADABLE: the file is not readable as its type (problem+json)' },
          401: unauthorized,
          403: { description: 'ARCHIVIST_ONLY (ARC-2), IMPORT_NOT_ALLOWED (problem+json)' },
          413: { description: 'PAYLOAD_TOO_LARGE: over IMPORT_MAX_BODY_BYTES (problem+json)' },
          415: { description: 'IMPORT_UNSUPPORTED_TYPE: neither text/csv nor the XLSX type (problem+json)' },
          422: { description: 'IMPORT_MISSING_COLUMNS: the header lacks a column the register needs (problem+json)' },
        },
      }),
      async (c) => {
        const dryRun = c.req.valid('query').dryRun === 'true';
        const report = await importRegister(sql, { kind, contentType: c.req.header('content-type'), body: c.req.raw.body, actor: c.var.user, dryRun, ...(deps.outbox ? { outbox: deps.outbox } : {}) });
        if (report.id !== null) c.header('location', `/api/v1/imports/${report.id}`);
        return c.json(report, dryRun ? 200 : 201);
      },
    );
  for (const kind of importKinds) importRoute(kind);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/imports/{id}',
      tags: ['imports'],
      summary: 'An import: its progress (counts so far) and the rows at fault',
      middleware: [authenticated] as const,
      request: { params: importParams },
      responses: {
        200: { description: 'The import job', ...json(importJob) },
        401: unauthorized,
        404: { description: 'IMPORT_NOT_FOUND: no such import, or one of a register the caller does not import (problem+json)' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const job = await findJob(sql, id, c.var.user);
      return c.json({ ...job, createdAt: job.createdAt.toISOString(), finishedAt: job.finishedAt?.toISOString() ?? null }, 200);
    },
  );

  return router;
}
