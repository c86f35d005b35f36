// The web inbox in a real browser: Debian's chromium driven by playwright-core, against the system
// as `npm start` runs it (scripts/local-mode.ts: embedded PGlite, Temporal dev server, worker and
// API in this process). A borrowing application goes from the clerk through the Department
// Manager and the Office Director to the Archivist (BOR-2), each step done and checked on the page.
// Screenshots are kept in test-results/browser/ for a person to look at.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isolatedLocalEnv, localConfig, startLocalMode, type LocalSystem } from '../../scripts/local-mode.ts';
import { installTemporalRuntime } from '../../platform/worker/run.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.resolve('test-results', 'browser');
/** How long the page may take to show what a step expects (a process acting on a decision). */
const SETTLE_MS = 30_000;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let dir: string | undefined;
let system: LocalSystem | undefined;
let browser: Browser | undefined;
const output: string[] = [];
/** Script errors any page raised: the suite fails on them. */
const pageErrors: string[] = [];
/** The page a step works in, shot when the step fails. */
let lastPage: Page | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'custodian-browser-'));
  // This run's screenshots only: none left from an earlier run's failure.
  await rm(SHOTS, { recursive: true, force: true });
  await mkdir(SHOTS, { recursive: true });
  const env = await isolatedLocalEnv(path.join(dir, 'data'), { ...process.env, LOG_LEVEL: 'warn' });
  const log = (message: string) => output.push(message);
  const config = await localConfig(env, log);
  installTemporalRuntime(config);
  system = await startLocalMode(config, { log }).catch((error: unknown) => {
    throw new Error(`local mode did not start: ${String(error)}\n${output.join('\n')}`, { cause: error });
  });
  // No sandbox: CI runs as root, where chromium refuses to start sandboxed.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 180_000);

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && lastPage && !lastPage.isClosed()) {
    await shoot(lastPage, `failed-${task.name.slice(0, 40).replace(/[^A-Za-z0-9-]+/g, '-')}`);
    console.error(`page at failure: ${lastPage.url()}\n${await lastPage.locator('body').innerText()}\nerrors: ${pageErrors.join('\n')}`);
  }
});

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/**
 * The page's own modules, as the task page uses them, on `form` (a form schema), in a page of its
 * own (Asia/Shanghai time); `window.generatedData()` gives what the form would send.
 */
async function mountForm(form: Record<string, unknown>): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser!.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`form: ${error.message}`));
  lastPage = page;
  await page.goto(`${system!.apiUrl}/`);
  await page.getByRole('heading', { name: '登录' }).waitFor();
  await page.addScriptTag({
    type: 'module',
    content: `
      import { html, render, useState } from '/vendor/preact-htm.js';
      import { FormFields, formData } from '/app/form.js';
      import { translator } from '/app/i18n.js';
      const form = ${JSON.stringify(form)};
      function Harness() {
        const [values, setValues] = useState({});
        window.generatedData = () => formData(form, values);
        return html\`<\${FormFields} form=\${form} values=\${values} onChange=\${setValues} t=\${translator('zh')} />\`;
      }
      const host = document.createElement('form');
      host.id = 'generated';
      document.body.append(host);
      render(html\`<\${Harness} />\`, host);`,
  });
  return { context, page };
}

const generatedData = (page: Page) => page.evaluate(() => (window as unknown as { generatedData: () => unknown }).generatedData());

/** Fills row `row` (from 1) of a record list's table: text and numbers typed, `true` ticks a box, a list picks the value. */
async function fillRow(list: Locator, row: number, cells: Record<string, string | true>): Promise<void> {
  for (const [field, value] of Object.entries(cells)) {
    const cell = list.getByLabel(`第 ${row} 行 ${field}`);
    if (value === true) await cell.check();
    else if ((await cell.evaluate((element) => element.tagName)) === 'SELECT') await cell.selectOption(value);
    else await cell.fill(value);
  }
}

/** A request to the API as `userId` (a dev token), for what no page does. */
async function apiAs(userId: string, method: string, route: string, body?: unknown): Promise<Response> {
  const issued = await fetch(`${system!.apiUrl}/api/v1/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  const { token } = (await issued.json()) as { token: string };
  return fetch(`${system!.apiUrl}${route}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The archive holds one non-classified document to borrow; the Archivist registers it (no page does that yet). */
async function registerDocument(reference: string): Promise<string> {
  const created = await apiAs('archivist', 'POST', '/api/v1/documents', {
    reference,
    title: '2025 年度审计底稿',
    category: 'contract',
    secrecy: 'none',
    departmentId: 'finance',
    original: true,
    location: '档案室 1 号柜',
  });
  expect(created.status, await created.clone().text()).toBe(201);
  return ((await created.json()) as { id: string }).id;
}

/** A browser of its own for `userId` (its own storage), signed in by picking the demo user. */
async function signIn(userId: string, viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser!.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${userId}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${userId}: console: ${message.text()}`);
  });
  lastPage = page;
  await page.goto(`${system!.apiUrl}/`);
  await page.getByRole('heading', { name: '登录' }).waitFor();
  await page.locator('#demo-user').selectOption(userId);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.locator(`.me[data-user-id="${userId}"]`).waitFor();
  return { context, page };
}

/** Opens the user's open task at `nodeId` of the process from their inbox; the task page. */
async function openTask(page: Page, processId: string, nodeId: string, screenshot?: string): Promise<void> {
  await page.goto(`${system!.apiUrl}/#/tasks`);
  await page.getByRole('heading', { name: '我的待办' }).waitFor();
  const item = page.locator(`li[data-process-id="${processId}"][data-node-id="${nodeId}"]`);
  // The workflow opens the task a moment after the previous decision: the inbox is read again until it is there.
  const deadline = Date.now() + SETTLE_MS;
  while (!(await item.isVisible())) {
    if (Date.now() > deadline) throw new Error(`task ${nodeId} of ${processId} never reached the inbox`);
    await page.waitForTimeout(500);
    await page.reload();
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
  }
  if (screenshot) await shoot(page, screenshot);
  await item.getByRole('link').click();
  await diagramReady(page);
}

async function diagramReady(page: Page): Promise<void> {
  await page.locator('.diagram[data-state="ready"]').waitFor({ timeout: SETTLE_MS });
}

/** The diagram's marks: the ids marked current and taken. */
async function diagramMarks(page: Page): Promise<{ current: string[]; taken: string[] }> {
  const ids = (marker: string) =>
    page.locator(`.diagram .djs-element.${marker}`).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-element-id') ?? ''));
  return { current: await ids('current'), taken: await ids('taken') };
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Reloads the page until `selector` shows (a process acting on a decision), within SETTLE_MS. */
async function reloadUntil(page: Page, selector: string): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (!(await page.locator(selector).first().isVisible())) {
    if (Date.now() > deadline) throw new Error(`${selector} never showed on ${page.url()}`);
    await page.waitForTimeout(500);
    await page.reload();
    await page.locator('main h1').waitFor();
  }
}

// ---------------------------------------------------------------------------------------------
// The flow
// ---------------------------------------------------------------------------------------------

describe('the web inbox: a task form generated from its schema, in chromium', () => {
  it('renders one labelled field per entry of the schema, typed and marked required, and sends the values typed', async () => {
    const { context, page } = await mountForm({
      note: { type: 'string', required: false, maxLength: 2000 },
      count: { type: 'number', required: true, integer: true, min: 1 },
      urgent: { type: 'boolean', required: true },
      condition: { type: 'enum', required: true, values: ['intact', 'damaged'] },
      executedAt: { type: 'dateTime', required: true },
      checkedIds: { type: 'stringList', required: true },
    });
    const form = page.locator('#generated');
    await form.locator('#field-count').waitFor();
    const shape = await form.locator('input, select, textarea').evaluateAll((fields) =>
      fields.map((field) => `${field.id}:${field.tagName.toLowerCase()}:${field.getAttribute('type') ?? ''}:${(field as HTMLInputElement).required}`),
    );
    expect(shape).toEqual([
      'field-note:textarea::false',
      'field-count:input:number:true',
      'field-urgent:input:checkbox:false',
      'field-condition:select::true',
      'field-executedAt:input:datetime-local:true',
      'field-checkedIds:textarea::true',
    ]);
    expect(await form.locator('label[for="field-count"]').textContent()).toContain('必填');
    expect(await form.locator('#field-condition option').allTextContents()).toEqual(['—', '完好', '损坏']);

    await form.getByLabel('count').fill('3');
    await form.getByLabel('urgent').check();
    await form.getByLabel('condition').selectOption('damaged');
    await form.getByLabel('executedAt').fill('2026-03-01T10:30');
    await form.getByLabel('checkedIds').fill('doc-1\n\n doc-2 ');
    expect(await generatedData(page)).toEqual({
      count: 3,
      urgent: true,
      condition: 'damaged',
      executedAt: '2026-03-01T02:30:00.000Z',
      checkedIds: ['doc-1', 'doc-2'],
    });
    await context.close();
  });

  it('renders a recordList as a table of rows: starts with minItems rows, adds up to maxItems, removes down to minItems, sends typed records', async () => {
    const { context, page } = await mountForm({
      items: {
        type: 'recordList',
        required: true,
        minItems: 1,
        maxItems: 3,
        fields: {
          title: { type: 'string', required: true, maxLength: 100 },
          pages: { type: 'number', required: false, integer: true, min: 1 },
          original: { type: 'boolean', required: true },
          condition: { type: 'enum', required: true, values: ['intact', 'damaged'] },
        },
      },
    });
    const list = page.locator('#field-items');
    await list.waitFor();
    const add = list.getByRole('button', { name: '添加一行' });
    const rows = list.locator('tbody tr');
    // minItems 1: one row to begin with, which cannot be removed.
    expect(await rows.count()).toBe(1);
    await expect(list.getByRole('button', { name: '删除第 1 行' }).isDisabled()).resolves.toBe(true);
    const shape = await list.locator('input, select').evaluateAll((fields) => fields.map((field) => `${field.id}:${(field as HTMLInputElement).required}`));
    expect(shape).toEqual(['field-items-0-title:true', 'field-items-0-pages:false', 'field-items-0-original:false', 'field-items-0-condition:true']);
    expect(await list.locator('thead').textContent()).toContain('title (必填)');

    await add.click();
    await add.click();
    expect(await rows.count()).toBe(3);
    // maxItems 3: no more rows.
    await expect(add.isDisabled()).resolves.toBe(true);
    await fillRow(list, 1, { title: 'to be removed' });
    await fillRow(list, 2, { title: 'Ledger 2025', pages: '120', original: true, condition: 'damaged' });
    await fillRow(list, 3, { title: 'Minutes', condition: 'intact' });
    await list.getByRole('button', { name: '删除第 1 行' }).click();
    expect(await rows.count()).toBe(2);
    await expect(add.isDisabled()).resolves.toBe(false);
    expect(await list.getByLabel('第 1 行 title').inputValue()).toBe('Ledger 2025');
    expect(await generatedData(page)).toEqual({
      items: [
        { title: 'Ledger 2025', pages: 120, original: true, condition: 'damaged' },
        { title: 'Minutes', original: false, condition: 'intact' },
      ],
    });
    await context.close();
  });
});

describe('the web inbox: a task whose form is a record list, decided in chromium', () => {
  it('CYC-2 as finance-manager: fills in the hand-over list of an archiving campaign row by row and submits it; the decision carries the records typed', async () => {
    const opened = await apiAs('archivist', 'POST', '/api/v1/campaigns', { reason: '网页收件箱移交清单测试' });
    expect(opened.status, await opened.clone().text()).toBe(201);
    // The campaign opens a hand-over per department a moment later: the finance one is looked up through the API.
    let collect: { id: string; processId: string } | undefined;
    const deadline = Date.now() + SETTLE_MS;
    while (!collect) {
      if (Date.now() > deadline) throw new Error('the finance hand-over list never reached the inbox');
      const inbox = (await (await apiAs('finance-manager', 'GET', '/api/v1/tasks?state=open&limit=50')).json()) as { tasks: { id: string; processId: string; nodeId: string }[] };
      collect = inbox.tasks.find((task) => task.nodeId === 'collect');
      if (!collect) await new Promise((resolve) => setTimeout(resolve, 500));
    }

    const { context, page } = await signIn('finance-manager');
    await openTask(page, collect.processId, 'collect');
    await page.getByRole('heading', { name: '填写部门档案移交清单' }).waitFor();
    const list = page.locator('#field-items');
    // An optional list with no minItems starts empty.
    await list.getByText('尚无记录。').waitFor();
    await list.getByRole('button', { name: '添加一行' }).click();
    await list.getByRole('button', { name: '添加一行' }).click();
    expect(await list.locator('tbody tr').count()).toBe(2);

    // A required cell left empty stops the decision on the page, as a required field does.
    await page.locator('button[data-outcome="submitted"]').click();
    expect(await page.locator('#field-items-0-title').evaluate((field) => field.matches(':invalid'))).toBe(true);
    expect(await page.getByRole('status').count()).toBe(0);

    await fillRow(list, 1, { title: '2026 年度预算', category: 'annual_plan', secrecy: 'none', original: true, quantity: '12', unit: 'pages' });
    await fillRow(list, 2, { title: '旧电话簿', category: 'other', secrecy: 'none', quantity: '3', unit: 'pieces', volume: '卷 7' });
    await shoot(page, '07-task-record-list');
    await page.locator('button[data-outcome="submitted"]').click();
    await page.getByRole('status').filter({ hasText: '已提交：提交清单' }).waitFor();
    await context.close();

    const decided = (await (await apiAs('finance-manager', 'GET', `/api/v1/tasks/${encodeURIComponent(collect.id)}`)).json()) as { state: string; decision: { outcome: string; data: unknown } };
    expect(decided.state).toBe('completed');
    expect(decided.decision.outcome).toBe('submitted');
    expect(decided.decision.data).toEqual({
      items: [
        { title: '2026 年度预算', category: 'annual_plan', secrecy: 'none', original: true, quantity: 12, unit: 'pages' },
        { title: '旧电话簿', category: 'other', secrecy: 'none', original: false, quantity: 3, unit: 'pieces', volume: '卷 7' },
      ],
    });
  });
});

describe('the web inbox: a borrowing application from request to hand-over, in chromium', () => {
  const reference = `WEB-${Date.now()}`;
  let documentId = '';
  let requestId = '';
  let processId = '';

  it('BOR-2 as finance-clerk: finds the document in the register and asks to borrow it; the request shows pending at its first step', async () => {
    documentId = await registerDocument(reference);
    const { context, page } = await signIn('finance-clerk');
    // Chinese first.
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.getByRole('heading', { name: '我的待办' }).waitFor();

    await page.getByRole('link', { name: '档案目录' }).click();
    await page.getByLabel('搜索标题或编号').fill(reference);
    await page.getByLabel('搜索标题或编号').press('Enter');
    // The register narrows to the one document searched for.
    await expect.poll(() => page.locator('li[data-document-id]').count(), { timeout: SETTLE_MS }).toBe(1);
    const item = page.locator(`li[data-document-id="${documentId}"]`);
    await item.waitFor();
    await item.getByRole('button', { name: '借阅' }).click();
    await item.getByLabel('用途').fill('年度审计准备');
    await item.getByRole('button', { name: '提交申请' }).click();

    await page.waitForURL(/#\/request\//);
    requestId = decodeURIComponent(page.url().split('#/request/')[1]!);
    await page.locator('[data-status="pending"]', { hasText: '审批中' }).waitFor();
    await expect(page.locator('.facts').textContent()).resolves.toContain('部门经理提交、办公室主任审批');
    await diagramReady(page);
    const marks = await diagramMarks(page);
    expect(marks.current).toContain('submit');

    // English on request, and back.
    await page.getByRole('button', { name: '切换到英文' }).click();
    await page.getByRole('heading', { name: /^Borrow request/ }).waitFor();
    await page.locator('[data-status="pending"]', { hasText: 'pending' }).waitFor();
    await page.getByRole('button', { name: 'Switch to Chinese' }).click();
    await page.getByRole('heading', { name: /^借阅申请/ }).waitFor();

    // My requests lists it.
    await page.getByRole('link', { name: '我的申请' }).click();
    await page.locator(`li[data-request-id="${requestId}"]`, { hasText: reference }).waitFor();
    const request = await page.evaluate(async (id) => (await fetch(`/api/v1/borrow-requests/${id}`, { headers: { authorization: `Bearer ${localStorage.getItem('custodian.token')}` } })).json(), requestId);
    expect(request).toMatchObject({ status: 'pending', approval: 'department', requesterId: 'finance-clerk', document: { id: documentId } });
    processId = request.processId;
    await context.close();
  });

  it('BOR-2 as finance-manager: the task is in the inbox; the page shows the request, the form and the diagram at "submit"; submits with a comment', async () => {
    const { context, page } = await signIn('finance-manager');
    await openTask(page, processId, 'submit', '01-inbox-finance-manager');
    await page.getByRole('heading', { name: '提交《借阅档案申请表》' }).waitFor();
    const facts = await page.locator('main').textContent();
    expect(facts).toContain(reference);
    expect(facts).toContain('年度审计准备');
    expect(facts).toContain('财务部职员');
    const marks = await diagramMarks(page);
    expect(marks.current).toEqual(['submit']);
    expect(marks.taken).toEqual(expect.arrayContaining(['start', 'submit']));
    expect(marks.taken).not.toContain('approval');
    // One button per outcome.
    expect(await page.locator('button[data-outcome]').evaluateAll((buttons) => buttons.map((b) => b.textContent))).toEqual(['提交', '退回']);
    await shoot(page, '02-task-submit');

    await page.getByLabel('意见').fill('同意提交，请办公室审批');
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '已提交：提交' }).waitFor();
    await page.locator('[data-state="completed"]').waitFor();
    await context.close();
  });

  it('BOR-2 as office-director: the diagram marks the path taken and the current approval; the decision history carries the comment; approves with the keyboard', async () => {
    const { context, page } = await signIn('office-director');
    await openTask(page, processId, 'approval');
    await page.getByRole('heading', { name: '审批借阅档案申请' }).waitFor();
    const marks = await diagramMarks(page);
    expect(marks.current).toEqual(['approval']);
    expect(marks.taken).toEqual(expect.arrayContaining(['start', 'submit', 'approval']));
    // The flow from submit to approval is marked: some connection besides the nodes.
    expect(marks.taken.length).toBeGreaterThan(3);
    const decisions = page.locator('.decisions');
    await expect(decisions.textContent()).resolves.toContain('同意提交，请办公室审批');
    await expect(decisions.textContent()).resolves.toContain('财务部经理');
    await shoot(page, '03-task-approval-diagram');

    const approve = page.locator('button[data-outcome="approve"]');
    await approve.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: '已提交：批准' }).waitFor();
    await context.close();
  });

  it('ARC-2 as archivist: hands the document over; the request page shows it on loan, the decisions and the audit trail', async () => {
    const { context, page } = await signIn('archivist');
    await openTask(page, processId, 'handOver');
    await page.getByRole('heading', { name: '档案交接（借出或调阅）' }).waitFor();
    await page.getByRole('button', { name: '已交接' }).click();
    await page.getByRole('status').filter({ hasText: '已提交：已交接' }).waitFor();

    await page.goto(`${system!.apiUrl}/#/request/${encodeURIComponent(requestId)}`);
    await reloadUntil(page, '[data-status="on_loan"]');
    await diagramReady(page);
    const marks = await diagramMarks(page);
    expect(marks.current).toEqual(['onLoan']);
    expect(marks.taken).toEqual(expect.arrayContaining(['start', 'submit', 'approval', 'handOver', 'onLoan']));
    const main = (await page.locator('main').textContent())!;
    expect(main).toContain('借出中');
    expect(main).toContain('档案管理员');
    const audit = await page.locator('table.audit tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-event')));
    expect(audit).toEqual(expect.arrayContaining(['process.started', 'task.completed', 'borrow.approved', 'borrow.on_loan']));
    expect(audit.filter((event) => event === 'task.completed')).toHaveLength(3);
    // The archivist may record the return here (a task action the API offers).
    await page.getByRole('button', { name: '登记归还' }).waitFor();
    await shoot(page, '04-request-decided');
    await context.close();
  });

  it('at phone width the clerk\'s requests fit the screen and show the loan', async () => {
    const { context, page } = await signIn('finance-clerk', PHONE);
    await page.getByRole('link', { name: '我的申请' }).click();
    await page.locator(`li[data-request-id="${requestId}"] [data-status="on_loan"]`).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot(page, '05-phone-requests');
    await page.locator(`li[data-request-id="${requestId}"] a`).click();
    await diagramReady(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await shoot(page, '06-phone-request');
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
