// config.ts is read once at start-up: a bad value must stop start-up with a message that names
// the variable, and an empty variable must count as unset.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig, requireAuthConfig } from '../../platform/config.ts';

const secret = 'a-secret-of-at-least-thirty-two-characters';

function refusal(env: NodeJS.ProcessEnv): ConfigError {
  try {
    readConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`readConfig accepted ${JSON.stringify(env)}`);
}

describe('readConfig', () => {
  it('gives every setting its default in an empty environment', () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      DATABASE_POOL_SIZE: 10,
      PGLITE_PORT: 5433,
      PGLITE_DATA_DIR: 'data/pglite',
      CUSTODIAN_DATA_DIR: 'data',
      TEMPORAL_ADDRESS: 'localhost:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'custodian',
      TEMPORAL_UI_URL: 'http://localhost:8233',
      AUTH_DEV_LOGIN: false,
      LOG_LEVEL: 'info',
      API_OUTBOX_DEADLINE_MS: 2_000,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.AUTH_JWT_SECRET).toBeUndefined();
  });

  it('reads numbers, flags and URLs', () => {
    const config = readConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://app:pw@db.internal:5432/custodian',
      DATABASE_POOL_SIZE: '25',
      AUTH_DEV_LOGIN: 'yes',
      TEMPORAL_UI_URL: 'https://temporal.example.com',
      API_OUTBOX_DEADLINE_MS: '500',
    });
    expect(config).toMatchObject({ PORT: 8080, DATABASE_POOL_SIZE: 25, AUTH_DEV_LOGIN: true, API_OUTBOX_DEADLINE_MS: 500 });
    expect(config.DATABASE_URL).toBe('postgresql://app:pw@db.internal:5432/custodian');
    expect(readConfig({ AUTH_DEV_LOGIN: '0' }).AUTH_DEV_LOGIN).toBe(false);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '3000.5'],
    ['PGLITE_PORT', '-1'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_POOL_SIZE', '0'],
    ['TEMPORAL_UI_URL', 'the temporal ui'],
    ['AUTH_JWT_SECRET', 'too-short'],
    ['AUTH_JWKS_URL', 'keys.json'],
    ['AUTH_DEV_LOGIN', 'maybe'],
    ['LOG_LEVEL', 'verbose'],
    ['API_OUTBOX_DEADLINE_MS', '0'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    const error = refusal({ [name]: value });
    expect(error.message).toMatch(/^Invalid configuration:/);
    expect(error.message).toContain(`  ${name}: `);
  });

  it('names every bad variable at once, so one restart fixes them all', () => {
    const error = refusal({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL']) expect(error.message).toContain(`  ${name}: `);
  });

  it('takes a worker metrics address as host:port, and refuses anything else naming WORKER_METRICS_ADDRESS', () => {
    expect(readConfig({ WORKER_METRICS_ADDRESS: '0.0.0.0:9464' }).WORKER_METRICS_ADDRESS).toBe('0.0.0.0:9464');
    expect(readConfig({}).WORKER_METRICS_ADDRESS).toBeUndefined();
    expect(refusal({ WORKER_METRICS_ADDRESS: 'http://0.0.0.0:9464/metrics' }).message).toContain('  WORKER_METRICS_ADDRESS: host:port');
  });

  it('treats an empty variable as unset', () => {
    const config = readConfig({ PORT: '', DATABASE_URL: '', AUTH_JWT_SECRET: '', AUTH_DEV_LOGIN: '', HOST: '' });
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.AUTH_JWT_SECRET).toBeUndefined();
    expect(config.AUTH_DEV_LOGIN).toBe(false);
    expect(config.HOST).toBe('0.0.0.0');
  });

  it('ignores variables that are not its own', () => {
    expect(() => readConfig({ PATH: '/usr/bin', HOME: '/root', npm_lifecycle_event: 'start' })).not.toThrow();
  });
});

describe('requireAuthConfig', () => {
  it('accepts an HS256 secret', () => {
    expect(requireAuthConfig(readConfig({ AUTH_JWT_SECRET: secret })).AUTH_JWT_SECRET).toBe(secret);
  });

  it('accepts an identity provider without a secret', () => {
    expect(() => requireAuthConfig(readConfig({ AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json' }))).not.toThrow();
  });

  it('refuses a configuration with no way to check tokens, naming AUTH_JWT_SECRET and AUTH_JWKS_URL', () => {
    const run = () => requireAuthConfig(readConfig({}));
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/AUTH_JWT_SECRET/);
    expect(run).toThrow(/AUTH_JWKS_URL/);
  });

  it('refuses dev login without a secret to sign its tokens', () => {
    const run = () => requireAuthConfig(readConfig({ AUTH_DEV_LOGIN: 'true', AUTH_JWKS_URL: 'https://id.example.com/jwks' }));
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/AUTH_DEV_LOGIN/);
  });

  it('accepts dev login with a secret, on loopback', () => {
    expect(requireAuthConfig(readConfig({ AUTH_DEV_LOGIN: 'true', AUTH_JWT_SECRET: secret, HOST: '127.0.0.1' })).AUTH_DEV_LOGIN).toBe(true);
  });

  it('counts an empty secret as none', () => {
    expect(() => requireAuthConfig(readConfig({ AUTH_JWT_SECRET: '' }))).toThrow(/AUTH_JWT_SECRET/);
  });
});
