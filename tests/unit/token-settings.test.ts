// Issue 17, tokens: dev login only on loopback (or with an explicit override), issuer and audience
// required by the production API, a bounded token lifetime, and no signing secret in the worker.
// The refusals are checked in config.ts and by starting the real API entry point.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopback, readConfig, requireAuthConfig, requireProductionAuthConfig, workerSettings } from '../../platform/config.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const secret = 'token-settings-secret-of-at-least-32-characters';
const production = { AUTH_JWT_SECRET: secret, AUTH_ISSUER: 'custodian', AUTH_AUDIENCE: 'custodian-api' };

describe('dev login', () => {
  it('dev login on a reachable host (issue 17): refused unless HOST is loopback or AUTH_DEV_LOGIN_ANY_HOST is set', () => {
    const run = (env: Record<string, string>) => () => requireAuthConfig(readConfig({ AUTH_JWT_SECRET: secret, AUTH_DEV_LOGIN: 'true', ...env }));
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'custodian.example.com']) {
      expect(run({ HOST: host })).toThrow(ConfigError);
      expect(run({ HOST: host })).toThrow(/AUTH_DEV_LOGIN: .*HOST .* is not a loopback address/);
    }
    // The default HOST is 0.0.0.0: dev login must be asked for on loopback.
    expect(run({})).toThrow(/AUTH_DEV_LOGIN/);
    for (const host of ['127.0.0.1', '127.0.0.53', '::1', 'localhost']) expect(run({ HOST: host })).not.toThrow();
    expect(run({ HOST: '0.0.0.0', AUTH_DEV_LOGIN_ANY_HOST: 'true' })).not.toThrow();
    // Without dev login any host is fine.
    expect(() => requireAuthConfig(readConfig({ AUTH_JWT_SECRET: secret, HOST: '0.0.0.0' }))).not.toThrow();
  });

  it('recognises loopback addresses only', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('1270.0.0.1')).toBe(false);
    expect(isLoopback('127.0.0.1.example.com')).toBe(false);
    expect(isLoopback('0.0.0.0')).toBe(false);
  });
});

describe('issuer and audience', () => {
  it('issuer and audience (issue 17): required by the production API, each named when missing', () => {
    expect(() => requireProductionAuthConfig(readConfig(production))).not.toThrow();
    const run = (env: Record<string, string>) => () => requireProductionAuthConfig(readConfig(env));
    expect(run({ AUTH_JWT_SECRET: secret })).toThrow(/AUTH_ISSUER: required[\s\S]*AUTH_AUDIENCE: required/);
    expect(run({ ...production, AUTH_AUDIENCE: '' })).toThrow(/^Invalid configuration:\n {2}AUTH_AUDIENCE: required/);
    // Local mode's own checks (requireAuthConfig) do not ask for them.
    expect(() => requireAuthConfig(readConfig({ AUTH_JWT_SECRET: secret }))).not.toThrow();
  });
});

describe('token lifetime', () => {
  it('token lifetime (issue 17): AUTH_TOKEN_MAX_LIFETIME_SECONDS defaults to 12 hours and may not exceed one day', () => {
    expect(readConfig({}).AUTH_TOKEN_MAX_LIFETIME_SECONDS).toBe(43_200);
    expect(readConfig({ AUTH_TOKEN_MAX_LIFETIME_SECONDS: '86400' }).AUTH_TOKEN_MAX_LIFETIME_SECONDS).toBe(86_400);
    expect(() => readConfig({ AUTH_TOKEN_MAX_LIFETIME_SECONDS: '86401' })).toThrow(/AUTH_TOKEN_MAX_LIFETIME_SECONDS/);
    expect(() => readConfig({ AUTH_TOKEN_MAX_LIFETIME_SECONDS: '10' })).toThrow(/AUTH_TOKEN_MAX_LIFETIME_SECONDS/);
  });
});

describe('the worker', () => {
  it('worker secret (issue 17): the worker settings hold no signing secret nor any token setting, even when the environment has them', () => {
    const settings = workerSettings(readConfig({ ...production, AUTH_DEV_LOGIN: 'true', DATABASE_URL: 'postgres://u:p@db:5432/custodian' }));
    expect(Object.keys(settings).filter((key) => key.startsWith('AUTH_'))).toEqual([]);
    expect(JSON.stringify(settings)).not.toContain(secret);
    expect(settings.DATABASE_URL).toBe('postgres://u:p@db:5432/custodian');
  });
});

describe('starting the API (platform/http/main.ts)', () => {
  // The configuration is checked before any connection is opened, so no server needs to answer.
  const start = (env: Record<string, string>) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'platform/http/main.ts'], {
      cwd: root,
      timeout: 30_000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none', ...env },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

  it('dev login on a reachable host (issue 17): the API refuses to start, naming AUTH_DEV_LOGIN', async () => {
    const result = await start({ ...production, AUTH_DEV_LOGIN: 'true', HOST: '0.0.0.0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Invalid configuration:\n {2}AUTH_DEV_LOGIN: dev login hands out tokens for any user, and HOST 0\.0\.0\.0 is not a loopback address/);
  });

  it('issuer and audience (issue 17): the API refuses to start without them', async () => {
    const result = await start({ AUTH_JWT_SECRET: secret, HOST: '127.0.0.1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('AUTH_ISSUER: required by the API outside local mode');
    expect(result.stderr).toContain('AUTH_AUDIENCE: required by the API outside local mode');
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
