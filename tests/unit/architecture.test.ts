// The layout's directions (issue 12) are held by lint; these tests run ESLint with the project's
// own configuration on snippets placed at chosen paths, so a rule that stops refusing what it
// should fails here instead of rotting unnoticed. And no source file grows past ~600 lines.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root });

/** The rule ids ESLint reports for `code` as if it were the file at `filePath`. */
async function refusals(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return result!.messages.map((message) => message.ruleId ?? message.message);
}

const directions = 'custodian/directions';

describe('lint holds the directions of the layout', () => {
  it.each([
    ['an area route', 'areas/borrowing/routes.ts', "import { findBorrowRequest } from './sql.ts';\nexport const f = findBorrowRequest;"],
    ['an area route file of another resource', 'areas/archive/retention-routes.ts', "import { listRetentionPeriods } from './retention-sql.ts';\nexport const f = listRetentionPeriods;"],
    ['an engine route', 'engine/http/task-routes.ts', "import { findTask } from '../sql/tasks.ts';\nexport const f = findTask;"],
    ['an engine route (the driver)', 'engine/http/process-routes.ts', "import postgres from 'postgres';\nexport const f = postgres;"],
  ])('(a) %s imports no SQL module', async (_, file, code) => {
    expect(await refusals(file, code)).toContain(directions);
  });

  it('(a) a route may import its application service, and the types of the rows it returns', async () => {
    expect(await refusals('areas/borrowing/routes.ts', "import { borrowingService } from './service.ts';\nexport const f = borrowingService;")).toEqual([]);
    expect(await refusals('areas/borrowing/routes.ts', "import type { BorrowRequest } from './sql.ts';\nexport type R = BorrowRequest;")).toEqual([]);
    expect(await refusals('areas/borrowing/routes.ts', "import { type BorrowRequest } from './sql.ts';\nexport type R = BorrowRequest;")).toEqual([]);
  });

  it.each([
    ["another area's sql", 'areas/borrowing/service.ts', "import { insertDocument } from '../archive/sql.ts';\nexport const f = insertDocument;"],
    ["another area's rules", 'areas/delegation/rules.ts', "import { mayKnowDocument } from '../archive/rules.ts';\nexport const f = mayKnowDocument;"],
    ['the catalogue', 'areas/archive/index.ts', "import { areas } from '../catalogue.ts';\nexport const f = areas;"],
  ])('(b) an area does not import %s', async (_, file, code) => {
    expect(await refusals(file, code)).toContain(directions);
  });

  it("(b) an area uses another through its index.ts, and its own files freely", async () => {
    expect(await refusals('areas/borrowing/service.ts', "import { archiveService } from '../archive/index.ts';\nimport { findBorrowRequest } from './sql.ts';\nexport const f = [archiveService, findBorrowRequest];")).toEqual([]);
  });

  it('(c) the engine imports nothing from an area', async () => {
    expect(await refusals('engine/activities/engine.ts', "import { borrowingArea } from '../../areas/borrowing/index.ts';\nexport const f = borrowingArea;")).toContain(directions);
    expect(await refusals('engine/workflow/types.ts', "import type { BorrowMode } from '../../areas/borrowing/rules.ts';\nexport type M = BorrowMode;")).toContain(directions);
  });

  it('(d) the platform imports no area outside its composition roots', async () => {
    const code = "import { areas } from '../../areas/catalogue.ts';\nexport const f = areas;";
    expect(await refusals('platform/http/auth.ts', code)).toContain(directions);
    expect(await refusals('platform/db/client.ts', code)).toContain(directions);
    for (const composition of ['platform/http/app.ts', 'platform/http/main.ts', 'platform/worker/worker.ts']) expect(await refusals(composition, code)).toEqual([]);
  });

  it('(e) workflow and rule code stays deterministic', async () => {
    expect(await refusals('engine/workflow/elements.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;")).toContain('no-restricted-imports');
    expect(await refusals('areas/borrowing/rules.ts', 'export const f = () => Math.random();')).toContain('no-restricted-properties');
    expect(await refusals('engine/workflow/elements.ts', 'export const f = () => setTimeout(() => 0, 1);')).toContain('no-restricted-globals');
  });
});

/** Files allowed past the limit, each with its reason. */
const longFiles: Record<string, string> = {
  'bench/run.ts': 'the benchmark is one script that starts, drives and reports a whole system; it is not product code',
  'web/main.js': 'the web inbox is served to the browser as ES modules without a build step, one module per page',
};

describe('files have one job each', () => {
  it('no source file outside tests/ is over 600 lines, but those listed with a reason', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.js', '*.mjs'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((file) => file !== '' && !file.startsWith('tests/'));
    expect(files.length).toBeGreaterThan(50);
    const over = files.filter((file) => readFileSync(path.join(root, file), 'utf8').split('\n').length > 600 && !Object.hasOwn(longFiles, file));
    expect(over).toEqual([]);
  });
});
