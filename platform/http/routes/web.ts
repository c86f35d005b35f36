// The approvers' web inbox (web/): its files as they are in the repository, and the few files it
// loads from installed packages (Preact with htm, bpmn-js's viewer), so it needs no build step, no
// CDN and no internet. Pages are chosen by the URL's #fragment, so `/` is the only page path.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { demoOrganisation } from '../../organisation/model.ts';

const webDir = fileURLToPath(new URL('../../../web/', import.meta.url));
const packageFile = (specifier: string) => fileURLToPath(import.meta.resolve(specifier));
const bpmnAssets = path.join(path.dirname(packageFile('bpmn-js/package.json')), 'dist');

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The vendor files by the name the page asks for; nothing else under node_modules is reachable. */
const vendorFiles: Record<string, string> = {
  'preact-htm.js': packageFile('htm/preact/standalone'),
  'bpmn-viewer.js': path.join(bpmnAssets, 'bpmn-navigated-viewer.production.min.js'),
  'bpmn-js.css': path.join(bpmnAssets, 'assets', 'bpmn-js.css'),
  'diagram-js.css': path.join(bpmnAssets, 'assets', 'diagram-js.css'),
};

/** The app's own files: a flat folder of lower-case names. */
const APP_FILE = /^[a-z][a-z0-9-]*\.(js|css)$/;

export function webRoutes(options: { devLogin: boolean }): Hono {
  const router = new Hono();
  /** The file, or undefined when there is none by that name. */
  const send = async (file: string, cache: string) => {
    const body = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    return body && new Response(body, { headers: { 'content-type': types[path.extname(file)]!, 'cache-control': cache } });
  };

  router.get('/', async (c) => (await send(path.join(webDir, 'index.html'), 'no-cache')) ?? c.notFound());
  // What the sign-in page offers: demo users to pick when dev login is on (local mode), else a token field.
  router.get('/app/config.json', (c) =>
    c.json({
      devLogin: options.devLogin,
      demoUsers: options.devLogin ? demoOrganisation.users.map(({ id, displayName, displayNameZh }) => ({ id, displayName, displayNameZh })) : [],
    }),
  );
  router.get('/app/:file', async (c) => {
    const file = c.req.param('file');
    return (APP_FILE.test(file) && (await send(path.join(webDir, file), 'no-cache'))) || c.notFound();
  });
  router.get('/vendor/:file', async (c) => {
    const file = c.req.param('file');
    // An own key only: `constructor` or `__proto__` is no file, however an object looks it up.
    return (Object.hasOwn(vendorFiles, file) && (await send(vendorFiles[file]!, 'public, max-age=86400'))) || c.notFound();
  });
  return router;
}
