// docker-compose.yml and the Dockerfile cannot be run where this suite runs (no container
// runtime), so this suite checks the things a run would depend on. The services are there and have
// health checks. Every variable the API and worker get is one config.ts reads, and readConfig()
// accepts the result. The addresses point at real services and ports, the databases and roles are
// the ones the init SQL creates, and start order waits for health. The search attributes are the
// ones domain/search-attributes.ts defines, and the image starts entry files that exist. The
// Temporal services run the files of deploy/temporal, which `npm run rehearse` runs for real.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configVariables, readConfig, requireProductionAuthConfig } from '../../platform/config.ts';
import { searchAttributeKeys } from '../../engine/search-attributes.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

// ---- Compose: parsing and interpolation as `docker compose` does it ----

interface HealthCheck {
  test?: string | string[];
  disable?: boolean;
}
type PortSpec = string | number | { target: number | string; published?: number | string; host_ip?: string };
interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: PortSpec[];
  expose?: (string | number)[];
  volumes?: (string | { source?: string; target: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: HealthCheck;
  deploy?: { replicas?: number };
}
interface ComposeFile {
  version?: unknown;
  services: Record<string, Service>;
}

/**
 * What an operator must supply for each `${VAR:?message}`. A new required variable fails this
 * suite until it gets a sample here. That is deliberate: every required variable has to be
 * documented in docs/deployment.md.
 */
const requiredSamples: Record<string, string> = {
  AUTH_JWT_SECRET: 'compose-test-secret-0123456789abcdef-0123456789',
  CHAIN_CHECKPOINT_KEY: 'compose-test-checkpoint-key-0123456789abcdef',
};

const requiredVariables = new Set<string>();

/**
 * Compose interpolation (compose-spec 12-interpolation.md) with nothing set in the environment,
 * the way a fresh `docker compose up` sees it: `${VAR:-default}` gives the default, `${VAR:?msg}`
 * gives the operator's sample, `${VAR}` and `${VAR:+x}` give "", and `$$` gives `$`.
 */
function interpolate(text: string): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, operator: string | undefined, argument: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare) as string;
      switch (operator) {
        case ':-':
        case '-':
          return argument ?? '';
        case ':?':
        case '?': {
          requiredVariables.add(name);
          const sample = requiredSamples[name];
          if (sample === undefined) {
            throw new Error(`docker-compose.yml requires ${name} ("${argument}"): add a sample to requiredSamples`);
          }
          return sample;
        }
        default:
          return '';
      }
    },
  );
}

function interpolateAll(value: unknown): unknown {
  if (typeof value === 'string') return interpolate(value);
  if (Array.isArray(value)) return value.map(interpolateAll);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item)]));
  }
  return value;
}

// `merge: true` resolves the `<<: *anchor` merge keys the file uses, as Compose does.
const rawCompose = parse(read('docker-compose.yml'), { merge: true }) as ComposeFile;
const compose = interpolateAll(rawCompose) as ComposeFile;

function service(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function environment(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

interface Port {
  hostIp?: string;
  published?: string;
  target: string;
}

function ports(name: string): Port[] {
  return (service(name).ports ?? []).map((spec): Port => {
    if (typeof spec === 'object') {
      return { hostIp: spec.host_ip, published: spec.published?.toString(), target: String(spec.target) };
    }
    const parts = String(spec).replace(/\/(tcp|udp)$/, '').split(':');
    const target = parts.pop() as string;
    const published = parts.pop();
    return { hostIp: parts.pop(), published, target };
  });
}

function dependencies(name: string): Record<string, string | undefined> {
  const dependsOn = service(name).depends_on ?? {};
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((dep) => [dep, 'service_started']));
  return Object.fromEntries(Object.entries(dependsOn).map(([dep, spec]) => [dep, spec.condition ?? 'service_started']));
}

function commandText(name: string): string {
  const { entrypoint, command } = service(name);
  return [entrypoint, command].flat().filter((part) => part !== undefined).join(' ');
}

function healthTest(name: string): string {
  const test = service(name).healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

function bindMounts(name: string): { source: string; target: string }[] {
  return (service(name).volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'object') return volume.source ? [{ source: volume.source, target: volume.target }] : [];
    const [source, target] = volume.split(':');
    return source?.startsWith('.') && target ? [{ source, target }] : [];
  });
}

// ---- deploy/postgres-init: the databases and roles it creates, and where passwords come from ----

const initMount = bindMounts('postgres').find((mount) => mount.target === '/docker-entrypoint-initdb.d');
const initSql = ['01-databases.sql'].map((file) => read(path.join('deploy/postgres-init', file))).join('\n');
const initStatements = initSql.replace(/--.*$/gm, '');
const createdDatabases = new Set([...initStatements.matchAll(/create\s+database\s+(\w+)/gi)].map((match) => match[1]));
const psqlEnv = new Map([...initStatements.matchAll(/\\getenv\s+(\w+)\s+(\w+)/g)].map((match) => [match[1], match[2]]));
/** role → the postgres service's environment variable holding its password. */
const rolePasswordVariables = new Map(
  [...initStatements.matchAll(/create\s+role\s+(\w+)\s+[^;]*?password\s+:'(\w+)'/gi)].map((match) => [
    match[1],
    psqlEnv.get(match[2] as string),
  ]),
);

function rolePassword(role: string): string | undefined {
  const variable = rolePasswordVariables.get(role);
  return variable === undefined ? undefined : environment('postgres')[variable];
}

// ---- the tests ----

// ---- deploy/temporal: the server's configuration, shared with `npm run rehearse` ----

/** Where docker-compose.yml mounts deploy/temporal. */
const temporalConfigMount = '/etc/custodian/temporal';
const temporalServices = ['temporal-schema', 'temporal', 'temporal-setup'];
const serverConfig = read('deploy/temporal/custodian.yaml');
/** The variables the server's config template reads (`env "NAME"`). */
const serverConfigVariables = new Set([...serverConfig.matchAll(/\benv\s+"(\w+)"/g)].map((match) => match[1]));

const longRunning = ['postgres', 'temporal', 'temporal-ui', 'worker', 'api'];
const appServices = ['worker', 'api'];

describe('docker-compose.yml', () => {
  it('is a Compose spec file (no `version:`) with PostgreSQL, Temporal, its UI, workers and the API', () => {
    expect(rawCompose).not.toHaveProperty('version');
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(longRunning));
  });

  it.each(longRunning)('gives %s a health check', (name) => {
    const check = service(name).healthcheck;
    expect(check?.disable).not.toBe(true);
    const test = check?.test;
    // The exec form starts with CMD or CMD-SHELL; a plain string runs in a shell.
    if (Array.isArray(test)) expect(['CMD', 'CMD-SHELL']).toContain(test[0]);
    expect(healthTest(name).length).toBeGreaterThan(10);
  });

  it('pins every image it pulls to a version', () => {
    for (const [name, spec] of Object.entries(compose.services)) {
      if (spec.build !== undefined) continue;
      expect(spec.image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(spec.image, name).not.toMatch(/:latest$/);
    }
  });

  it('publishes the API on port 3000 and the Temporal UI on port 8233', () => {
    expect(ports('api').map((port) => port.published)).toContain('3000');
    expect(ports('temporal-ui')).toContainEqual(expect.objectContaining({ published: '8233', target: '8080' }));
  });

  it.each(appServices)('gives %s only variables that config.ts reads', (name) => {
    const unknown = Object.keys(environment(name)).filter((key) => !(configVariables as string[]).includes(key));
    expect(unknown, `not in configVariables (config.ts): ${unknown.join(', ')}`).toEqual([]);
  });

  it.each(appServices)('gives %s an environment that readConfig() accepts, with dev login off', (name) => {
    const config = readConfig(environment(name));
    expect(config.AUTH_DEV_LOGIN).toBe(false);
    // Without DATABASE_URL a process would fall back to local mode's embedded database.
    expect(config.DATABASE_URL).toBeDefined();
  });

  it('makes the operator supply the token secret', () => {
    expect(requiredVariables).toContain('AUTH_JWT_SECRET');
    expect(requiredSamples.AUTH_JWT_SECRET).toBe(environment('api').AUTH_JWT_SECRET);
  });

  it('worker secret (issue 17): the workers get no token setting, the signing secret above all', () => {
    expect(Object.keys(environment('worker')).filter((key) => key.startsWith('AUTH_'))).toEqual([]);
    expect(JSON.stringify(service('worker'))).not.toContain(requiredSamples.AUTH_JWT_SECRET);
  });

  it('issuer and audience (issue 17): the API gets both, and a configuration the production API accepts', () => {
    const config = requireProductionAuthConfig(readConfig(environment('api')));
    expect(config.AUTH_ISSUER).toBeTruthy();
    expect(config.AUTH_AUDIENCE).toBeTruthy();
  });

  it('anchored chains (issue 17): the workers and the API get the checkpoint key, the database does not', () => {
    for (const name of appServices) expect(readConfig(environment(name)).CHAIN_CHECKPOINT_KEY).toBe(requiredSamples.CHAIN_CHECKPOINT_KEY);
    expect(JSON.stringify(service('postgres'))).not.toContain(requiredSamples.CHAIN_CHECKPOINT_KEY);
    expect(environment('migrate').CHAIN_CHECKPOINT_KEY).toBeUndefined();
  });

  it('database roles (issue 17): the migrate job connects as the owner of the custodian database, the API and workers as the application role', () => {
    const owner = /create\s+database\s+custodian\s+owner\s+(\w+)/i.exec(initStatements)?.[1];
    expect(owner).toBeDefined();
    const user = (name: string) => new URL(readConfig(environment(name)).DATABASE_URL as string).username;
    expect(user('migrate')).toBe(owner);
    expect(commandText('migrate')).toContain('scripts/migrate.ts');
    for (const name of appServices) {
      expect(user(name)).toBe('custodian_app');
      expect(dependencies(name).migrate).toBe('service_completed_successfully');
    }
    expect(rolePasswordVariables.has('custodian_app')).toBe(true);
    expect(initStatements).toMatch(/grant\s+connect\s+on\s+database\s+custodian\s+to\s+custodian_app/i);
  });

  it('serves the API on the container port it publishes, and health-checks that port', () => {
    const { PORT } = readConfig(environment('api'));
    const published = ports('api').find((port) => port.published === '3000');
    expect(published?.target).toBe(String(PORT));
    expect(healthTest('api')).toContain(`:${PORT}/readyz`);
  });

  it.each([...appServices, 'temporal-ui', 'temporal-setup'])('points TEMPORAL_ADDRESS of %s at the temporal service', (name) => {
    const [host, port] = (environment(name).TEMPORAL_ADDRESS ?? '').split(':');
    expect(host).toBe('temporal');
    expect((service('temporal').expose ?? []).map(String)).toContain(port);
  });

  it('uses one Temporal namespace everywhere', () => {
    const namespace = readConfig(environment('worker')).TEMPORAL_NAMESPACE;
    expect(readConfig(environment('api')).TEMPORAL_NAMESPACE).toBe(namespace);
    expect(environment('temporal-setup').TEMPORAL_NAMESPACE).toBe(namespace);
    expect(environment('temporal-ui').TEMPORAL_DEFAULT_NAMESPACE).toBe(namespace);
  });

  it('runs the init SQL on the postgres service', () => {
    expect(initMount?.source.replace(/^\.\//, '')).toBe('deploy/postgres-init');
  });

  it.each(appServices)('connects %s to a database and role the init SQL creates, with the same password', (name) => {
    const url = new URL(readConfig(environment(name)).DATABASE_URL as string);
    expect(url.hostname).toBe('postgres');
    expect(url.port || '5432').toBe('5432');
    expect(createdDatabases).toContain(url.pathname.slice(1));
    expect(rolePasswordVariables.has(url.username), `role ${url.username} is not created by the init SQL`).toBe(true);
    expect(decodeURIComponent(url.password)).toBe(rolePassword(url.username));
  });

  it.each(['temporal-schema', 'temporal'])('gives %s databases and a role the init SQL creates, with the same password', (name) => {
    const env = environment(name);
    expect(env.TEMPORAL_DB_HOST).toBe('postgres');
    expect(createdDatabases).toContain(env.TEMPORAL_DB_NAME);
    expect(createdDatabases).toContain(env.TEMPORAL_VISIBILITY_DB_NAME);
    expect(rolePasswordVariables.has(env.TEMPORAL_DB_USER as string)).toBe(true);
    expect(env.TEMPORAL_DB_PASSWORD).toBe(rolePassword(env.TEMPORAL_DB_USER as string));
  });

  it.each(temporalServices)('mounts deploy/temporal into %s and runs a file of it that exists', (name) => {
    const mount = bindMounts(name).find((m) => m.source.replace(/^\.\//, '') === 'deploy/temporal');
    expect(mount?.target).toBe(temporalConfigMount);
    const scripts = [...commandText(name).matchAll(new RegExp(`${temporalConfigMount}/([\\w.-]+)`, 'g'))].map((m) => m[1]);
    for (const file of scripts) expect(existsSync(path.join(root, 'deploy/temporal', file as string)), file).toBe(true);
    if (name !== 'temporal') expect(scripts).toHaveLength(1);
  });

  it('starts the server from deploy/temporal/custodian.yaml, and gives it only variables that file reads', () => {
    const command = commandText('temporal');
    const root = /--root\s+(\S+)/.exec(command)?.[1];
    const config = /--config\s+(\S+)/.exec(command)?.[1];
    const env = /--env\s+(\S+)/.exec(command)?.[1];
    expect(path.posix.join(root ?? '', config ?? '', `${env}.yaml`)).toBe(`${temporalConfigMount}/custodian.yaml`);
    // The server renders the file as a template only when it says so in its first lines.
    expect(serverConfig.slice(0, 1024)).toContain('enable-template');
    const given = Object.keys(environment('temporal'));
    const unread = given.filter((key) => !serverConfigVariables.has(key));
    expect(unread, `not read by deploy/temporal/custodian.yaml: ${unread.join(', ')}`).toEqual([]);
    // The broadcast address is set by the command, from the container's address.
    expect(command).toContain('TEMPORAL_BROADCAST_ADDRESS=');
    expect(serverConfigVariables).toContain('TEMPORAL_BROADCAST_ADDRESS');
  });

  it('serves Temporal on the port it exposes, and names the dynamic config file it mounts', () => {
    const env = environment('temporal');
    expect((service('temporal').expose ?? []).map(String)).toContain(env.TEMPORAL_FRONTEND_PORT);
    expect(env.TEMPORAL_DYNAMIC_CONFIG).toBe(`${temporalConfigMount}/dynamic-config.yaml`);
    const settings = parse(read('deploy/temporal/dynamic-config.yaml')) as Record<string, unknown>;
    for (const [key, values] of Object.entries(settings)) {
      expect(Array.isArray(values) && values.every((entry) => entry && typeof entry === 'object' && 'value' in entry), key).toBe(true);
    }
  });

  it.each(appServices)('starts %s only once PostgreSQL and Temporal are healthy and set up', (name) => {
    expect(dependencies(name)).toMatchObject({
      postgres: 'service_healthy',
      temporal: 'service_healthy',
      'temporal-setup': 'service_completed_successfully',
    });
  });

  it('creates the schemas once PostgreSQL is healthy, starts Temporal after them, and its setup job once Temporal is', () => {
    expect(dependencies('temporal-schema')).toMatchObject({ postgres: 'service_healthy' });
    expect(dependencies('temporal')).toMatchObject({ postgres: 'service_healthy', 'temporal-schema': 'service_completed_successfully' });
    expect(dependencies('temporal-setup')).toMatchObject({ temporal: 'service_healthy' });
    expect(dependencies('temporal-ui')).toMatchObject({ temporal: 'service_healthy' });
  });

  it('registers every search attribute of domain/search-attributes.ts with its type', () => {
    expect(searchAttributeKeys).toHaveLength(5);
    expect(new Set(searchAttributeKeys.map((key) => key.name)).size).toBe(5);
    expect(commandText('temporal-setup')).toContain(`${temporalConfigMount}/setup-namespace.sh`);
    const command = read('deploy/temporal/setup-namespace.sh').replace(/\\\n/g, ' ');
    expect(command).toContain('operator search-attribute create');
    const registered = new Map([...command.matchAll(/--name\s+(\w+)\s+--type\s+(\w+)/g)].map((m) => [m[1], m[2]?.toUpperCase()]));
    for (const key of searchAttributeKeys) {
      expect(registered.get(key.name), key.name).toBe(key.type);
    }
  });

  it('runs two workers and one API replica by default', () => {
    expect(service('worker').deploy?.replicas).toBe(2);
    expect(service('api').deploy?.replicas).toBe(1);
  });

  it('runs platform/worker/main.ts in the worker and platform/http/main.ts in the API', () => {
    expect(commandText('worker')).toMatch(/\bplatform\/worker\/main\.ts\b/);
    expect(commandText('api')).toMatch(/\bplatform\/http\/main\.ts\b/);
  });
});

// ---- Dockerfile ----

/** Dockerfile instructions, continuation lines joined, comments dropped. */
const instructions = read('Dockerfile')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => {
    const [keyword = '', ...rest] = line.split(/\s+/);
    return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
  });

const argDefaults = new Map(
  instructions
    .filter((i) => i.keyword === 'ARG' && i.args.includes('='))
    .map((i) => [i.args.slice(0, i.args.indexOf('=')), i.args.slice(i.args.indexOf('=') + 1)]),
);
const stages = instructions.flatMap((i, index) => (i.keyword === 'FROM' ? [index] : []));
const finalStage = instructions.slice(stages.at(-1));

/** Every `.ts` file a CMD or ENTRYPOINT (exec form) of the final stage names. */
function dockerfileEntryFiles(): string[] {
  return finalStage
    .filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT')
    .flatMap((i) => JSON.parse(i.args) as string[])
    .filter((arg) => arg.endsWith('.ts'));
}

const entryFiles = ['platform/worker/main.ts', 'platform/http/main.ts'];

describe('Dockerfile', () => {
  it('builds every stage from node:20-bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const index of stages) {
      const image = (instructions[index]?.args.split(/\s+/)[0] ?? '').replace(/\$\{(\w+)\}/g, (_, name: string) => argDefaults.get(name) ?? '');
      expect(image).toBe('node:20-bookworm-slim');
    }
  });

  it('installs production dependencies only, and tsx, which runs the services, is one of them', () => {
    expect(instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    const pkg = JSON.parse(read('package.json')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    expect(pkg.dependencies).toHaveProperty('tsx');
    expect(pkg.devDependencies ?? {}).not.toHaveProperty('tsx');
  });

  it('runs as a non-root user with NODE_ENV=production', () => {
    const user = finalStage.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(finalStage.some((i) => i.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(i.args))).toBe(true);
  });

  it('keeps node_modules, data, tool caches, results and .git out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'data', '.tools', 'bench/results', '.git']));
  });

  it('starts entry files that exist', () => {
    const named = [...dockerfileEntryFiles(), ...['worker', 'api'].flatMap((name) => commandText(name).split(/\s+/).filter((arg) => arg.endsWith('.ts')))];
    expect(named).toEqual(expect.arrayContaining(entryFiles));
    for (const file of named) expect(existsSync(path.join(root, file)), file).toBe(true);
  });
});
