import { defineConfig } from 'vitest/config';

// The browser suite (npm run test:browser): the web inbox in Debian's chromium, driven by
// playwright-core against a local system of its own. Apart from `npm test`, because it needs the
// browser that scripts/ensure-chromium.sh installs.
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.spec.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
