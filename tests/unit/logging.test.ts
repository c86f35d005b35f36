// The logger every process uses (logging.ts): its settings, its two formats, and the Temporal
// SDK's logger over it (workflow and activity logs).
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../platform/config.ts';
import { createLogger, prettyLines, temporalLogger } from '../../platform/logging.ts';

function capture(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line) => lines.push(line) };
}

describe('log settings', () => {
  it('LOG_FORMAT is json unless set to pretty; API metrics are on at the API\'s port by default', () => {
    expect(readConfig({})).toMatchObject({ LOG_FORMAT: 'json', API_METRICS: true });
    expect(readConfig({}).API_METRICS_ADDRESS).toBeUndefined();
    expect(readConfig({ LOG_FORMAT: 'pretty', API_METRICS: 'false', API_METRICS_ADDRESS: '0.0.0.0:9465' })).toMatchObject({
      LOG_FORMAT: 'pretty',
      API_METRICS: false,
      API_METRICS_ADDRESS: '0.0.0.0:9465',
    });
  });

  it('refuses an unknown format and a metrics address that is not host:port, naming the variables', () => {
    let refusal: unknown;
    try {
      readConfig({ LOG_FORMAT: 'xml', API_METRICS_ADDRESS: 'http://0.0.0.0:9465/metrics' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as Error).message).toMatch(/LOG_FORMAT: /);
    expect((refusal as Error).message).toContain('API_METRICS_ADDRESS: host:port');
  });
});

describe('createLogger', () => {
  it('writes one JSON object per line with the level name, an ISO time and the process part, and drops what is below LOG_LEVEL', () => {
    const out = capture();
    const logger = createLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, { name: 'api', destination: out });
    logger.debug('not shown');
    logger.info({ requestId: 'r-1' }, 'shown');
    logger.error({ err: new Error('boom') }, 'failed');
    expect(out.lines).toHaveLength(2);
    const [shown, failed] = out.lines.map((line) => JSON.parse(line));
    expect(shown).toMatchObject({ level: 'info', name: 'api', requestId: 'r-1', msg: 'shown' });
    expect(new Date(shown.time).toISOString()).toBe(shown.time);
    expect(failed).toMatchObject({ level: 'error', err: { type: 'Error', message: 'boom', stack: expect.stringContaining('boom') } });
  });

  it('LOG_FORMAT=pretty writes one readable line per entry, with the fields after the message', () => {
    const out = capture();
    const logger = createLogger({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json' }, { name: 'start', destination: prettyLines(out) });
    logger.warn({ port: 3000, tags: ['a'] }, 'port taken');
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[start\] port taken port=3000 tags=\["a"\]\n$/);
  });
});

describe('temporalLogger', () => {
  it('passes the SDK\'s levels, messages and attributes (workflow ids, the request id, errors) to pino', () => {
    const out = capture();
    const logger = temporalLogger(createLogger({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json' }, { name: 'worker', destination: out }));
    logger.debug('Activity completed', { activityType: 'resolveCandidates', workflowId: 'borrow-1', requestId: 'r-2', durationMs: 3 });
    logger.log('WARN', 'Activity failed', { error: new Error('database away') });
    logger.trace('below debug');
    const [completed, failed] = out.lines.map((line) => JSON.parse(line));
    expect(out.lines).toHaveLength(2);
    expect(completed).toMatchObject({ level: 'debug', name: 'worker', msg: 'Activity completed', activityType: 'resolveCandidates', workflowId: 'borrow-1', requestId: 'r-2' });
    expect(failed).toMatchObject({ level: 'warn', msg: 'Activity failed', error: { message: 'database away' } });
  });
});
