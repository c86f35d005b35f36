// `npm run fuzz`: schemathesis against a live local system. The system is started as `npm start`
// starts it (scripts/local-mode.ts: embedded PGlite with its one connection, the dev server, the
// worker and the API), in a temporary data folder on free ports. Tokens of several demo users come
// from the dev-token route; schemathesis runs every phase (examples, coverage, fuzzing, stateful)
// once per user, with the server-error, status-code, content-type and response-schema checks.
// Before fuzzing, a few real records are created through the API (documents, a hold, a borrow
// request with its process and task, a power of attorney, a customer with a protection, a
// departure, a destruction request) and their ids handed to schemathesis (a `schemathesis.toml`
// with `[parameters]` per operation), so generated requests reach the handlers past the 404s.
// Exit 1 on any failure: a 5xx, an undocumented status or content type, a body off its schema, or
// a request that found no answer within the request timeout (a hang).
//
//   npm run fuzz [-- --max-examples 10 --minutes 12 --users gm,archivist --report-dir DIR] [-- <st run options>]
//
// schemathesis (PyPI) is installed once per machine into a virtualenv in the tools cache
// (CUSTODIAN_TOOLS_DIR, ~/.cache/custodian), as the Temporal servers are.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { installTemporalRuntime } from '../platform/worker/run.ts';
import { isolatedLocalEnv, localConfig, messageOf, startLocalMode, type LocalSystem } from './local-mode.ts';
import { run, tail, withLock } from './temporal-tools.ts';

/** Pinned: a new schemathesis may add checks or change how it generates; bump it deliberately. */
export const SCHEMATHESIS_VERSION = '4.32.5';

const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_schema_conformance'];
const PHASES = ['examples', 'coverage', 'fuzzing', 'stateful'];
/** Roles across the organisation: the Archivist, the GM, the Office Director, a clerk, a salesperson, HR. */
const DEFAULT_USERS = ['archivist', 'gm', 'office-director', 'finance-clerk', 'biz-sales-1', 'hr-manager'];
/** A request that takes longer has hung: every route answers in milliseconds here. */
const REQUEST_TIMEOUT_S = 10;

const log = (message: string) => console.log(`[fuzz] ${message}`);

interface Options {
  maxExamples: number;
  minutes: number;
  users: string[];
  reportDir: string;
  /** Passed to `st run` as they are (after a second `--`). */
  extra: string[];
}

function readOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'max-examples': { type: 'string', default: '10' },
      minutes: { type: 'string', default: '12' },
      users: { type: 'string', default: DEFAULT_USERS.join(',') },
      'report-dir': { type: 'string', default: path.join(os.tmpdir(), `custodian-fuzz-${Date.now()}`) },
    },
  });
  const positive = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number, not ${text}`);
    return value;
  };
  const users = values.users.split(',').map((user) => user.trim()).filter(Boolean);
  if (users.length === 0) throw new Error('--users names no user');
  return {
    maxExamples: positive('max-examples', values['max-examples']),
    minutes: positive('minutes', values.minutes),
    users,
    reportDir: path.resolve(values['report-dir']),
    extra: positionals,
  };
}

// ---------------------------------------------------------------------------------------------
// schemathesis, in a cached virtualenv
// ---------------------------------------------------------------------------------------------

/** The `st` executable of the pinned schemathesis, installed into `<toolsDir>/schemathesis/<version>` once. */
async function schemathesis(toolsDir: string): Promise<string> {
  const venv = path.join(path.resolve(toolsDir), 'schemathesis', SCHEMATHESIS_VERSION);
  const st = path.join(venv, 'bin', 'st');
  // Written last: a virtualenv without it is an interrupted install.
  const complete = path.join(venv, '.complete');
  const installed = () => fs.stat(complete).then(() => true, () => false);
  if (await installed()) return st;
  await fs.mkdir(path.dirname(venv), { recursive: true });
  return withLock(`${venv}.lock`, log, 'the schemathesis virtualenv', async () => {
    if (await installed()) return st;
    log(`installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${venv} (once per machine)`);
    await fs.rm(venv, { recursive: true, force: true });
    await succeed('python3', ['-m', 'venv', venv]);
    await succeed(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`]);
    const version = await succeed(st, ['--version']);
    if (!version.includes(SCHEMATHESIS_VERSION)) throw new Error(`${st} --version says ${version.trim()}, not ${SCHEMATHESIS_VERSION}`);
    await fs.writeFile(complete, `${SCHEMATHESIS_VERSION}\n`);
    return st;
  });
}

/** Runs a command to its end; its standard output. Throws with its last words on a non-zero exit. */
async function succeed(command: string, args: string[]): Promise<string> {
  const result = await run(command, args);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.code}):\n${tail(result.stdout + result.stderr)}`);
  return result.stdout;
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

async function devToken(apiUrl: string, userId: string): Promise<string> {
  const response = await fetch(`${apiUrl}/api/v1/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_S * 1000),
  });
  if (response.status !== 200) throw new Error(`no dev token for ${userId}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

// ---------------------------------------------------------------------------------------------
// Real records for the path parameters
// ---------------------------------------------------------------------------------------------

type Body = Record<string, unknown>;

/** Calls the API as `userId`; the JSON answer, or throws naming the call when the status is not `expected`. */
async function apiCall(apiUrl: string, token: string, method: string, route: string, expected: number, body?: Body): Promise<Body> {
  const response = await fetch(`${apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_S * 1000),
  });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`seeding: ${method} ${route} answered ${response.status}, not ${expected}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as Body;
}

/** The path parameters of each operation that names a record: the operation's path, then its parameters. */
type SeededParameters = Record<string, Record<string, string | number>>;

/**
 * Creates one record of each kind through the API, as the users who may, and answers which
 * path parameter of which operation names which of them.
 */
async function seedRecords(apiUrl: string, token: (userId: string) => Promise<string>): Promise<SeededParameters> {
  const as = async (userId: string, method: string, route: string, expected: number, body?: Body) => apiCall(apiUrl, await token(userId), method, route, expected, body);
  const document = (reference: string, fields: Body = {}) =>
    as('archivist', 'POST', '/api/v1/documents', 201, {
      reference,
      title: `Fuzz seed ${reference}`,
      category: 'contract',
      secrecy: 'none',
      departmentId: 'finance',
      original: true,
      location: 'Archive room, cabinet 1',
      ...fields,
    });
  const lent = await document('FUZZ-1');
  const held = await document('FUZZ-2');
  const expired = await document('FUZZ-3', { category: 'accounting_record', retention: 1, archivedOn: '2015-01-01' });
  const hold = await as('office-director', 'POST', `/api/v1/documents/${held.id}/holds`, 201, { reason: 'Fuzz seed hold' });
  const borrow = await as('finance-clerk', 'POST', '/api/v1/borrow-requests', 201, { documentId: lent.id, mode: 'loan', hours: 48, purpose: 'fuzz seed' });
  const processId = String(borrow.processId);
  // The first task opens as soon as the worker has run the process's first step.
  let taskId: string | undefined;
  for (let attempt = 0; taskId === undefined && attempt < 50; attempt += 1) {
    const detail = await as('gm', 'GET', `/api/v1/processes/${processId}`, 200);
    taskId = (detail.openTasks as { id: string }[])[0]?.id;
    if (taskId === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (taskId === undefined) throw new Error(`seeding: borrow process ${processId} opened no task within 10 s`);
  const now = Date.now();
  const delegation = await as('gm', 'POST', '/api/v1/delegations', 201, {
    delegateId: 'dgm-admin',
    validFrom: new Date(now + 60_000).toISOString(),
    validTo: new Date(now + 24 * 3_600_000).toISOString(),
    scope: { processKeys: ['archive.borrow.secret'], maxSecrecy: 'secret' },
    reason: 'Fuzz seed',
  });
  const customer = await as('biz-sales-1', 'POST', '/api/v1/customers', 201, { name: '临沂礼品城 (fuzz seed)', cardType: 'terminal', city: '临沂', region: '山东' });
  const protection = await as('biz-sales-1', 'POST', `/api/v1/customers/${customer.id}/protection-requests`, 201, { reason: 'Fuzz seed' });
  const departure = await as('hr-manager', 'POST', '/api/v1/users/floor-sales-2/departure', 201, { note: 'Fuzz seed' });
  const destruction = await as('archivist', 'POST', '/api/v1/destruction-requests', 201, { documentIds: [expired.id], reason: 'Fuzz seed' });

  const id = (value: unknown) => ({ id: String(value) });
  const published = (await as('gm', 'GET', '/api/v1/process-definitions', 200)).definitions as { key: string; version: number }[];
  const definition = { key: published[0]!.key, version: published[0]!.version };
  return {
    '/api/v1/documents/{id}': id(lent.id),
    '/api/v1/documents/{id}/holds': id(held.id),
    '/api/v1/documents/{id}/holds/{holdId}/release': { id: String(held.id), holdId: String(hold.id) },
    '/api/v1/borrow-requests/{id}': id(borrow.id),
    '/api/v1/borrow-requests/{id}/cancel': id(borrow.id),
    '/api/v1/borrow-requests/{id}/return': id(borrow.id),
    '/api/v1/processes/{id}': id(processId),
    '/api/v1/processes/{id}/audit-trail': id(processId),
    '/api/v1/processes/{id}/decisions': id(processId),
    '/api/v1/processes/{id}/open-tasks': id(processId),
    '/api/v1/tasks/{id}': id(taskId),
    '/api/v1/tasks/{id}/complete': id(taskId),
    '/api/v1/delegations/{id}': id(delegation.id),
    '/api/v1/delegations/{id}/revoke': id(delegation.id),
    '/api/v1/customers/{id}': id(customer.id),
    '/api/v1/customers/{id}/assignments': id(customer.id),
    '/api/v1/customers/{id}/co-development-requests': id(customer.id),
    '/api/v1/customers/{id}/protection-requests': id(customer.id),
    '/api/v1/customers/{id}/transfers': id(customer.id),
    '/api/v1/protections/{id}': id(protection.id),
    '/api/v1/protections/{id}/intent-orders': id(protection.id),
    '/api/v1/protections/{id}/reports': id(protection.id),
    '/api/v1/departures/{id}': id(departure.id),
    '/api/v1/departures/{id}/reassignments': id(departure.id),
    '/api/v1/users/{id}/departure': id('floor-sales-1'),
    '/api/v1/destruction-requests/{id}': id(destruction.id),
    '/api/v1/destruction-requests/{id}/verification': id(destruction.id),
    '/api/v1/process-definitions/{key}/{version}': definition,
    '/api/v1/process-definitions/{key}/{version}/bpmn': definition,
    '/api/v1/retention-periods/{category}': { category: 'contract' },
  };
}

/** schemathesis.toml: for each operation path, its path parameters fixed to the seeded records. */
function schemathesisConfig(parameters: SeededParameters): string {
  const toml = (value: string | number) => (typeof value === 'number' ? String(value) : JSON.stringify(value));
  return Object.entries(parameters)
    .map(([route, values]) => {
      const fields = Object.entries(values).map(([name, value]) => `"path.${name}" = ${toml(value)}`);
      return `[[operations]]\ninclude-path = ${JSON.stringify(route)}\nparameters = { ${fields.join(', ')} }\n`;
    })
    .join('\n');
}

interface RoleResult {
  userId: string;
  /** st's exit code; null when it was stopped at the time limit. */
  code: number | null;
  seconds: number;
}

/** One schemathesis run as `userId`, stopped (and failed) when `deadline` passes. */
function fuzzAs(st: string, system: LocalSystem, userId: string, token: string, configFile: string, options: Options, deadline: number): Promise<RoleResult> {
  const started = performance.now();
  const args = [
    '--config-file',
    configFile,
    'run',
    `${system.apiUrl}/api/v1/openapi.json`,
    // The schema's paths carry /api/v1 themselves.
    '--url',
    system.apiUrl,
    '--header',
    `Authorization: Bearer ${token}`,
    '--phases',
    PHASES.join(','),
    '--checks',
    CHECKS.join(','),
    '--max-examples',
    String(options.maxExamples),
    '--request-timeout',
    String(REQUEST_TIMEOUT_S),
    '--continue-on-failure',
    '--no-color',
    // A fixed seed and no example database: the same command finds the same failures again.
    '--seed',
    '1',
    '--generation-database',
    'none',
    '--report',
    'junit,ndjson',
    '--report-dir',
    path.join(options.reportDir, userId),
    ...options.extra,
  ];
  log(`as ${userId}: st ${args.map((arg) => (arg.startsWith('Authorization') ? "'Authorization: Bearer <token>'" : arg)).join(' ')}`);
  return new Promise((resolve, reject) => {
    // Its own process group, so that the time limit stops st and whatever it started.
    // Run in the report folder: schemathesis keeps a cache in its working directory.
    const child = spawn(st, args, { cwd: options.reportDir, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    const limit = setTimeout(() => {
      log(`as ${userId}: the time limit is reached; stopping schemathesis`);
      process.kill(-child.pid!, 'SIGKILL');
    }, Math.max(deadline - Date.now(), 1_000));
    child.once('error', (error) => {
      clearTimeout(limit);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(limit);
      resolve({ userId, code, seconds: Math.round((performance.now() - started) / 1000) });
    });
  });
}

async function main(argv: string[]): Promise<number> {
  let options: Options;
  try {
    options = readOptions(argv);
  } catch (error) {
    console.error(messageOf(error));
    return 2;
  }
  const deadline = Date.now() + options.minutes * 60_000;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'custodian-fuzz-data-'));
  let system: LocalSystem | undefined;
  try {
    // eslint-disable-next-line no-restricted-syntax -- the base environment of the local system this script starts; config.ts reads the result
    const config = await localConfig(await isolatedLocalEnv(path.join(dir, 'data'), { ...process.env, LOG_LEVEL: 'warn' }), log);
    const st = await schemathesis(config.CUSTODIAN_TOOLS_DIR);
    installTemporalRuntime(config);
    system = await startLocalMode(config, { log });
    await fs.mkdir(options.reportDir, { recursive: true });
    log(`local system up: API ${system.apiUrl}, Temporal ${system.temporalAddress}; reports in ${options.reportDir}`);
    const tokens = new Map<string, string>();
    const tokenOf = async (userId: string) => {
      if (!tokens.has(userId)) tokens.set(userId, await devToken(system!.apiUrl, userId));
      return tokens.get(userId)!;
    };
    for (const userId of options.users) await tokenOf(userId);
    const configFile = path.join(options.reportDir, 'schemathesis.toml');
    await fs.writeFile(configFile, schemathesisConfig(await seedRecords(system.apiUrl, tokenOf)));
    log(`seeded records for the path parameters: ${configFile}`);

    const results: RoleResult[] = [];
    for (const userId of options.users) {
      if (Date.now() >= deadline) {
        results.push({ userId, code: null, seconds: 0 });
        continue;
      }
      results.push(await fuzzAs(st, system, userId, tokens.get(userId)!, configFile, options, deadline));
    }
    console.log('\n[fuzz] summary');
    for (const result of results) {
      const verdict = result.code === 0 ? 'passed' : result.code === null ? 'not finished within the time limit' : `FAILED (st exit ${result.code})`;
      console.log(`  ${result.userId.padEnd(16)} ${verdict}, ${result.seconds} s`);
    }
    console.log(`  reports (JUnit, NDJSON): ${options.reportDir}/<user>/`);
    return results.every((result) => result.code === 0) ? 0 : 1;
  } catch (error) {
    console.error(`[fuzz] ${messageOf(error)}`);
    return 1;
  } finally {
    await system?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

process.exit(await main(process.argv.slice(2)));
