// The web inbox's files as the API serves them (api/routes/web.ts): the page, its modules and the
// vendor files it loads, all from the repository and the installed packages, so it works offline;
// nothing else under node_modules or web/ is reachable. The pages themselves are tested in a real
// browser (tests/browser).
import { describe, expect, it } from 'vitest';
import { webRoutes } from '../../platform/http/routes/web.ts';

const app = webRoutes({ devLogin: false });

async function fetchText(path: string, router = app): Promise<{ status: number; type: string | null; text: string }> {
  const response = await router.request(path);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** The local paths a page or module loads: src/href attributes and ES module imports. */
function referencesOf(text: string): string[] {
  const attributes = [...text.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => m[1]!);
  const imports = [...text.matchAll(/^import [^;]*? from '([^']+)';/gm)].map((m) => m[1]!);
  return [...attributes, ...imports].filter((ref) => !ref.startsWith('data:'));
}

describe('the web inbox is served at / with everything it loads', () => {
  it('serves the page, and every file the page and its modules load, from this server (no CDN)', async () => {
    const page = await fetchText('/');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.text).toContain('<div id="app">');
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);

    const seen = new Set<string>();
    const pending = referencesOf(page.text);
    while (pending.length > 0) {
      const ref = pending.pop()!;
      const path = ref.startsWith('./') ? `/app/${ref.slice(2)}` : ref;
      if (seen.has(path)) continue;
      seen.add(path);
      expect(path, `${ref} is not a path on this server`).toMatch(/^\/(app|vendor)\//);
      const file = await fetchText(path);
      expect(file.status, path).toBe(200);
      expect(file.type, path).toMatch(/^text\/(javascript|css)/);
      if (path.startsWith('/app/') && path.endsWith('.js')) pending.push(...referencesOf(file.text));
    }
    expect([...seen]).toEqual(
      expect.arrayContaining(['/vendor/bpmn-viewer.js', '/vendor/bpmn-js.css', '/vendor/diagram-js.css', '/vendor/preact-htm.js', '/app/main.js', '/app/diagram.js', '/app/form.js', '/app/i18n.js', '/app/api.js']),
    );
  });

  it('refuses anything else: other package files, names that are no own key, paths out of web/, files that do not exist', async () => {
    for (const path of ['/vendor/constructor', '/vendor/__proto__', '/vendor/bpmn-modeler.production.min.js', '/app/..%2Fpackage.json', '/app/index.html', '/app/missing.js', '/app/Main.js']) {
      expect((await fetchText(path)).status, path).toBe(404);
    }
  });

  it('offers the demo users to pick only when dev login is on (local mode)', async () => {
    const off = await fetchText('/app/config.json');
    expect(JSON.parse(off.text)).toEqual({ devLogin: false, demoUsers: [] });
    const on = JSON.parse((await fetchText('/app/config.json', webRoutes({ devLogin: true }))).text);
    expect(on.devLogin).toBe(true);
    expect(on.demoUsers).toEqual(expect.arrayContaining([{ id: 'finance-clerk', displayName: 'Finance Clerk', displayNameZh: '财务部职员' }]));
  });
});
