// The one place that reads process.env. Every setting the system has is named here,
// validated once at start-up; a bad value stops start-up with a message naming the variable.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { roles } from './organisation/model.ts';

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** API_OUTBOX_DEADLINE_MS's default, also the outbox's when a test builds one without a config. */
export const DEFAULT_OUTBOX_DEADLINE_MS = 2_000;

/** IMPORT_MAX_BODY_BYTES's default, also the import routes' when an app is built without a config: a register of some hundred thousand rows. */
export const DEFAULT_IMPORT_MAX_BODY_BYTES = 50 * 1024 * 1024;

const port = z.coerce.number().int().min(1).max(65535);
const hostPort = z.string().regex(/^[\w.-]+:\d{1,5}$|^\[[\da-f:]+\]:\d{1,5}$/i, 'host:port, e.g. 0.0.0.0:9464');

/** AUTH_TOKEN_MAX_LIFETIME_SECONDS's default (12 hours, a working day) and its ceiling (one day). */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 12 * 3600;
const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

export const configSchema = z
  .object({
    /** A real PostgreSQL server. Without it, local mode serves an embedded PGlite. */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    /** Where the embedded PGlite keeps its files (local mode only). */
    PGLITE_DATA_DIR: z.string().min(1).default('data/pglite'),
    /** Port the embedded PGlite is served on (local mode only). */
    PGLITE_PORT: port.default(5433),
    /** Connections the API or worker opens to PostgreSQL. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),

    TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('custodian'),
    /** Where operators watch processes; printed by the launcher and linked from the API docs. */
    TEMPORAL_UI_URL: z.url().default('http://localhost:8233'),

    /** A Temporal CLI binary to use instead of the one on PATH or the cached build. */
    TEMPORAL_CLI_PATH: z.string().min(1).optional(),
    /** A time-skipping test server executable to use instead of the cached one. */
    TEMPORAL_TEST_SERVER_PATH: z.string().min(1).optional(),
    /** Cache for tools built once per machine (Temporal CLI, Java test server). */
    CUSTODIAN_TOOLS_DIR: z.string().min(1).default(path.join(os.homedir(), '.cache', 'custodian')),
    /** Local mode's data folder: Temporal dev server database, PGlite files. */
    CUSTODIAN_DATA_DIR: z.string().min(1).default('data'),
    /** SEC-2: where the monthly customer archive backups are written (the worker writes them). */
    BACKUP_DIR: z.string().min(1).default('data/backups'),

    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: port.default(3000),
    /**
     * How long a request waits for Temporal and a workflow to answer. A decision the workflow has
     * accepted but not finished acting on by then is answered 202 with links to poll; a call
     * Temporal has not answered is a 503 with Retry-After. No request waits longer.
     */
    API_WORKFLOW_WAIT_MS: z.coerce.number().int().min(10).max(600_000).default(10_000),
    /**
     * How long the process outbox (api/outbox.ts) gives Temporal to take one queued start or
     * message, in a request and in its background loop. Not API_WORKFLOW_WAIT_MS: this bounds one
     * gRPC call that normally answers in milliseconds, so a dead frontend is noticed (the command
     * stays queued, the record is answered 201) long before a request's own deadline.
     */
    API_OUTBOX_DEADLINE_MS: z.coerce.number().int().min(10).max(600_000).default(DEFAULT_OUTBOX_DEADLINE_MS),
    /** The largest request body the API reads; a larger one is refused with 413. */
    API_MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(100 * 1024 * 1024).default(1024 * 1024),
    /** The public base URL of the API, used in links (OpenAPI servers). */
    PUBLIC_URL: z.url().optional(),

    /** HS256 secret for bearer tokens (local mode, tests). At least 32 characters. */
    AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** An identity provider's JWKS URL (production). */
    AUTH_JWKS_URL: z.url().optional(),
    AUTH_ISSUER: z.string().min(1).optional(),
    AUTH_AUDIENCE: z.string().min(1).optional(),
    /** Enables POST /api/v1/auth/dev-token. Never in production. */
    AUTH_DEV_LOGIN: flag.default(false),
    /**
     * Lets the API serve dev login on a HOST other than loopback (a throwaway demo machine). Without
     * it the API refuses to start with AUTH_DEV_LOGIN on a reachable interface.
     */
    AUTH_DEV_LOGIN_ANY_HOST: flag.default(false),
    /**
     * The longest a bearer token may be valid (exp minus iat, or minus now when it has no iat);
     * longer tokens are refused, and the tokens this system signs last this long.
     */
    AUTH_TOKEN_MAX_LIFETIME_SECONDS: z.coerce.number().int().min(60).max(MAX_TOKEN_LIFETIME_SECONDS).default(DEFAULT_TOKEN_LIFETIME_SECONDS),
    /**
     * Tokens whose authenticated user the API keeps in memory (issue 20), so a request skips the
     * signature check and the user look-up; 0 turns the cache off. An entry lasts until its token
     * expires or AUTH_PRINCIPAL_CACHE_SECONDS pass, and only while the organisation is unchanged.
     */
    AUTH_PRINCIPAL_CACHE_SIZE: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
    AUTH_PRINCIPAL_CACHE_SECONDS: z.coerce.number().int().min(1).max(MAX_TOKEN_LIFETIME_SECONDS).default(300),

    /**
     * Workflow instances a worker keeps in memory between their steps. Memory is bounded by this,
     * not by how many processes are open: an evicted instance is replayed from history when it
     * next has work.
     */
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(500),
    /**
     * Where a worker serves its Temporal SDK metrics for Prometheus (GET /metrics), as host:port,
     * e.g. 0.0.0.0:9464. Unset: no metrics endpoint. docs/deployment.md lists the dashboards.
     */
    WORKER_METRICS_ADDRESS: hostPort.optional(),

    /**
     * Notifications (issue 16.3; docs/deployment.md, "Notifications"). The SMTP server workers
     * send e-mail through, as smtp://user:password@host:587 (STARTTLS when offered) or smtps://
     * (TLS from the start). Unset: e-mail deliveries are recorded failed, "not configured".
     */
    SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
    /** The From of notification e-mail. */
    SMTP_FROM: z.string().min(3).max(300).default('Custodian <custodian@localhost>'),
    /** Print each notice on the worker's console as it is taken up (local mode's default). */
    NOTIFY_CONSOLE: flag.default(false),
    /** When the daily digest goes out, HH:MM in Asia/Shanghai (the policy's zone). */
    NOTIFY_DIGEST_AT: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, e.g. 08:00')
      .default('08:00'),
    /**
     * The hosts workers post chat-robot notifications to, comma-separated; "*": any. A webhook
     * URL is the user's to type, so without this a user could make workers call internal services.
     */
    NOTIFY_WEBHOOK_HOSTS: z
      .string()
      .default('oapi.dingtalk.com,open.feishu.cn,open.larksuite.com')
      .transform((text) => text.split(',').map((host) => host.trim().toLowerCase()).filter((host) => host !== '')),
    /** Attempts per delivery (notice × channel) before it is recorded failed. */
    NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),

    /**
     * The HMAC key of the daily chain checkpoints (issue 17): held by the workers (which sign), the
     * API and the verifiers (which check), never by the database. Local mode makes one in data/.
     */
    CHAIN_CHECKPOINT_KEY: z.string().min(32, 'must be at least 32 characters').optional(),

    /**
     * The roles that administer the organisation (users, departments, roles, Deputy GMs' charges),
     * comma-separated. [interpretation] The policies name no one: the Office Director and HR.
     */
    ORGANISATION_ADMIN_ROLES: z
      .string()
      .transform((list) => list.split(',').map((role) => role.trim()).filter((role) => role !== ''))
      .pipe(z.array(z.enum(roles)).min(1))
      .default(['office_director', 'hr']),
    /** The company's language: what a caller whose Accept-Language names neither zh nor en reads. */
    COMPANY_LANGUAGE: z.enum(['zh', 'en']).default('zh'),
    /**
     * REG-2 [interpretation]: days the Showroom Manager or the GM has to sign a showroom order below
     * 40% margin before it is "found" unsigned and the filer's 200-yuan fine is proposed.
     */
    SALES_SIGNATURE_DEADLINE_DAYS: z.coerce.number().int().min(1).max(60).default(3),
    /** The largest register file an import reads (POST /api/v1/imports/...); streamed, not held in memory. */
    IMPORT_MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(1024 * 1024 * 1024).default(DEFAULT_IMPORT_MAX_BODY_BYTES),

    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** json: one JSON object per line (pino), for log collectors; pretty: one readable line (local mode's default). */
    LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
    /** The API serves its request metrics for Prometheus at GET /metrics, unauthenticated (docs/deployment.md). */
    API_METRICS: flag.default(true),
    /** Serve the API's /metrics on this host:port instead of the API's own port (e.g. an internal interface). */
    API_METRICS_ADDRESS: hostPort.optional(),
  });

export type Config = z.infer<typeof configSchema>;

/** The environment variables the system reads; docker-compose.yml is checked against it. */
export const configVariables = Object.keys(configSchema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** What the API needs beyond the schema: some way to check tokens, and a secret for dev login. */
export function requireAuthConfig(config: Config): Config {
  if (config.AUTH_JWT_SECRET === undefined && config.AUTH_JWKS_URL === undefined) {
    throw new ConfigError('Invalid configuration:\n  AUTH_JWT_SECRET: set AUTH_JWT_SECRET (HS256) or AUTH_JWKS_URL (identity provider)');
  }
  if (config.AUTH_DEV_LOGIN && config.AUTH_JWT_SECRET === undefined) {
    throw new ConfigError('Invalid configuration:\n  AUTH_DEV_LOGIN: dev login signs tokens with AUTH_JWT_SECRET; set it');
  }
  // Dev login hands a token for any user to whoever asks: only where nobody else can ask.
  if (config.AUTH_DEV_LOGIN && !isLoopback(config.HOST) && !config.AUTH_DEV_LOGIN_ANY_HOST) {
    throw new ConfigError(
      `Invalid configuration:\n  AUTH_DEV_LOGIN: dev login hands out tokens for any user, and HOST ${config.HOST} is not a loopback address; ` +
        'listen on 127.0.0.1 or ::1, turn AUTH_DEV_LOGIN off, or set AUTH_DEV_LOGIN_ANY_HOST=true on a machine nobody else reaches',
    );
  }
  return config;
}

/** Whether HOST is this machine's loopback interface only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * What the production API (api/main.ts) needs beyond requireAuthConfig: tokens bound to one
 * issuer and one audience, so a token minted for another system is refused. Local mode checks
 * neither (its tokens come from its own dev login, on loopback).
 */
export function requireProductionAuthConfig(config: Config): Config {
  const missing = (['AUTH_ISSUER', 'AUTH_AUDIENCE'] as const).filter((name) => config[name] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `Invalid configuration:\n${missing.map((name) => `  ${name}: required by the API outside local mode (the tokens' expected "${name === 'AUTH_ISSUER' ? 'iss' : 'aud'}" claim)`).join('\n')}`,
    );
  }
  return requireAuthConfig(config);
}

/** The settings a worker may read: everything but the token settings, the signing secret above all. */
export type WorkerSettings = Omit<Config, (typeof authSettings)[number]>;

const authSettings = [
  'AUTH_JWT_SECRET',
  'AUTH_JWKS_URL',
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
  'AUTH_DEV_LOGIN',
  'AUTH_DEV_LOGIN_ANY_HOST',
  'AUTH_TOKEN_MAX_LIFETIME_SECONDS',
  'AUTH_PRINCIPAL_CACHE_SIZE',
  'AUTH_PRINCIPAL_CACHE_SECONDS',
] as const satisfies readonly (keyof Config)[];

/**
 * A worker signs and checks no tokens: it does not keep the signing secret (or any token
 * setting) even when its environment has one, so nothing in the worker can leak or use it.
 */
export function workerSettings(config: Config): WorkerSettings {
  const settings: Partial<Config> = { ...config };
  for (const name of authSettings) delete settings[name];
  return settings as WorkerSettings;
}

/** What a process that cannot run without PostgreSQL (`who`: "the API") needs beyond the schema. */
export function requireDatabaseUrl<C extends { DATABASE_URL?: string | undefined }>(config: C, who: string): C & { DATABASE_URL: string } {
  if (config.DATABASE_URL === undefined) {
    throw new ConfigError(`Invalid configuration:\n  DATABASE_URL: required by ${who} (postgres://user:password@host:5432/db)`);
  }
  return { ...config, DATABASE_URL: config.DATABASE_URL };
}

/**
 * For entry points: the configuration, with `require` checking what this process needs beyond
 * the schema; when it is invalid, its message on stderr and exit code 1.
 */
export function readConfigOrExit<T = Config>(require: (config: Config) => T = (config) => config as T): T {
  try {
    return require(readConfig());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in most twelve-factor tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(config)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
