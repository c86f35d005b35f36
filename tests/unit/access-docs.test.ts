// docs/access.md is rendered from the declared access policy: the committed file is what
// `npm run docs:access` writes today, so the table never drifts from the permissions the services use.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accessDocPath, renderAccessDoc } from '../../scripts/access-docs.ts';
import { accessPolicy } from '../../areas/catalogue.ts';
import { routeKey } from '../../platform/access.ts';

describe('docs/access.md', () => {
  it('ACC-1 matches the declaration (run npm run docs:access after changing an access.ts)', () => {
    expect(readFileSync(accessDocPath, 'utf8')).toBe(renderAccessDoc());
  });

  it('ACC-1 declares each route once, and names the rules of every permission but the open ones', () => {
    const keys = accessPolicy.flatMap((declaration) => declaration.routes.map(routeKey));
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
    const unnamed = accessPolicy.flatMap((d) => d.routes).filter((route) => route.permission.ruleIds.length === 0 && !['public', 'signed-in'].includes(route.permission.id));
    expect(unnamed.map(routeKey)).toEqual([]);
  });
});
