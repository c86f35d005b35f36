// Lint: TypeScript's recommended rules, and a hard line around workflows/: workflow code must
// replay identically, so it may not reach the network, the file system, the clock or randomness
// except through the Temporal workflow API. And the directions of the layout (custodian/directions,
// below): routes import no SQL, an area uses another only through its index.ts, the engine knows
// no area, and the platform knows areas only in its composition roots.
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Files of the platform that put the areas together (the catalogue's readers). */
const compositionRoots = ['platform/http/app.ts', 'platform/http/main.ts', 'platform/worker/worker.ts'];

/** A SQL module: an area's sql.ts or *-sql.ts, the engine's sql/ folder, or the driver itself. */
function isSqlModule(target) {
  if (target.bare) return target.name === 'postgres' || target.name.startsWith('postgres/');
  const base = path.posix.basename(target.name);
  return base === 'sql.ts' || base.endsWith('-sql.ts') || target.name.split('/').slice(0, -1).includes('sql');
}

const areaOf = (file) => /^areas\/([^/]+)\//.exec(file)?.[1];

/**
 * The import directions (issue 12). Paths are taken relative to the project root (ESLint's cwd);
 * `exemptAreas` lists area folders, `exemptFiles` files, not yet held to rules (a) and (b).
 */
const directions = {
  meta: { type: 'problem', schema: [{ type: 'object', properties: { exemptAreas: { type: 'array', items: { type: 'string' } }, exemptFiles: { type: 'array', items: { type: 'string' } } }, additionalProperties: false }] },
  create(context) {
    const file = path.relative(context.cwd, context.filename).split(path.sep).join('/');
    const area = areaOf(file);
    const exempt = (area !== undefined && (context.options[0]?.exemptAreas ?? []).includes(area)) || (context.options[0]?.exemptFiles ?? []).includes(file);
    const isRoutes = /^areas\/[^/]+\/([^/]*routes[^/]*\.ts|routes\/[^/]+\.ts)$/.test(file) || /^engine\/http\/[^/]*routes[^/]*\.ts$/.test(file);
    const check = (node, specifier) => {
      if (typeof specifier !== 'string') return;
      // `import type` of a row shape loads nothing: a route may name what its service returns.
      const typeOnly = node.importKind === 'type' || node.exportKind === 'type' || (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));
      const bare = !specifier.startsWith('.');
      const target = { bare, name: bare ? specifier : path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)) };
      const refuse = (message) => context.report({ node, message });
      if (isRoutes && !exempt && !typeOnly && isSqlModule(target)) return refuse('A route imports no SQL module: call the application service (service.ts).');
      if (target.bare || !target.name.startsWith('areas/')) return;
      if (file.startsWith('engine/')) return refuse('The engine knows no area: the catalogue hands it what it needs.');
      if (file.startsWith('platform/') && !compositionRoots.includes(file)) return refuse('The platform knows no area, except in its composition roots.');
      if (area === undefined || exempt) return;
      if (target.name === 'areas/catalogue.ts') return refuse('An area does not import the catalogue: the catalogue imports the areas.');
      const other = areaOf(target.name);
      if (other !== undefined && other !== area && target.name !== `areas/${other}/index.ts`) {
        return refuse(`An area uses another only through its index.ts: import from '../${other}/index.ts'.`);
      }
    };
    const fromSource = (node) => node.source && check(node, node.source.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', '.tools/', 'bench/results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration through platform/config.ts.' },
        {
          // Local mode has ONE database connection: a transaction that awaits the pool or Temporal
          // waits for itself. Inside sql.begin only the transaction handle is used; processes are
          // started and messaged through the outbox (db/outbox.ts), after the commit.
          selector: "CallExpression[callee.property.name='begin'] > :function Identifier[name=/^(sql|engine|outbox|client)$/]",
          message: 'A transaction awaits nothing but its own handle: use tx, and queue Temporal calls in the outbox (docs/architecture.md, "Transactions").',
        },
      ],
    },
  },
  {
    files: ['areas/**/*.ts', 'engine/**/*.ts', 'platform/**/*.ts'],
    plugins: { custodian: { rules: { directions } } },
    rules: { 'custodian/directions': 'error' },
  },
  {
    // The web inbox (web/) runs in the browser, as ES modules served without a build step.
    files: ['web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(['window', 'document', 'localStorage', 'location', 'fetch', 'URLSearchParams', 'Event', 'Intl'].map((name) => [name, 'readonly'])),
    },
  },
  {
    // The toolchain look-ups read PATH and JAVA_HOME, which are the machine's, not configuration; the
    // rehearsal hands an environment on to the processes it starts.
    files: ['platform/config.ts', 'tests/**', 'bench/**', 'scripts/temporal-tools.ts', 'scripts/tools/**', 'scripts/rehearse.ts', 'scripts/rehearsal/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['engine/workflow/**/*.ts', 'platform/notifications/workflows.ts', 'platform/chains/workflow.ts', 'platform/chains/rules.ts', 'engine/definition/**/*.ts', 'engine/search-attributes.ts', 'platform/organisation/model.ts', 'platform/organisation/secrecy.ts', 'platform/errors.ts', 'areas/*/rules.ts', 'areas/*/definitions.ts', 'areas/*/service-task-specs.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['fs', 'fs/promises', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'dns', 'process', 'worker_threads', 'timers', 'postgres', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'].map((name) => ({
            name,
            message: 'Workflow and domain code is deterministic and free of I/O.',
          })),
          patterns: [
            { group: ['node:*'], message: 'Workflow and domain code is deterministic and free of I/O.' },
            { group: ['**/activities/*', '!**/activities/*-types.ts'], message: 'Import activities as types only (import type).', allowTypeImports: true },
            { group: ['**/platform/db/*', '**/platform/http/*', '**/platform/worker/*', '**/sql.ts', '**/sql/*', '**/*-sql.ts', '**/routes.ts', '**/service-tasks.ts', '**/service.ts', '**/scripts/*'], message: 'Not from deterministic code.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' }, { name: 'setInterval', message: 'Use sleep() in a loop.' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use uuid4() or a seeded value from the workflow API.' }],
    },
  },
);
