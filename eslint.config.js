// Lint: TypeScript's recommended rules, and a hard line around workflows/: workflow code must
// replay identically, so it may not reach the network, the file system, the clock or randomness
// except through the Temporal workflow API.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
