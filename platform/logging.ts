// Structured logs: one pino logger per process, JSON lines on stdout (LOG_FORMAT=json, for log
// collectors) or one readable line per entry (LOG_FORMAT=pretty, local mode's default). The API,
// the worker (and through the Temporal runtime, every workflow and activity log), the local
// launcher and the rehearsal's processes all log through here.
import type { Logger as TemporalLogger, LogLevel as TemporalLogLevel, LogMetadata } from '@temporalio/common';
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

export type LogSettings = Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>;

/**
 * The process's logger. `name` says which part of the system wrote a line (api, worker, start);
 * `destination` replaces stdout (tests capture the lines).
 */
export function createLogger(settings: LogSettings, options: { name?: string; destination?: DestinationStream } = {}): Logger {
  const destination = options.destination ?? (settings.LOG_FORMAT === 'pretty' ? prettyLines(process.stdout) : undefined);
  return pino(
    {
      level: settings.LOG_LEVEL,
      ...(options.name ? { name: options.name } : {}),
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names, not numbers: readable without pino's tables, and what most collectors expect.
      formatters: { level: (label) => ({ level: label }) },
      // The Temporal SDK passes failures as `error`.
      serializers: { err: stdSerializers.err, error: stdSerializers.err },
    },
    destination ?? pino.destination({ fd: 1, sync: true }),
  );
}

/** A logger that writes nothing (what an app built without one logs). */
export const silentLogger: Logger = pino({ level: 'silent' });

/** The `(message, error?)` callbacks older modules take, over a logger. */
export function logFunction(logger: Logger): (message: string, error?: unknown) => void {
  return (message, error) => (error === undefined ? logger.info(message) : logger.error({ err: error }, message));
}

const levelOf: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal SDK's Logger over pino: the worker's own lines, Core's, and every workflow and
 * activity log (with their attributes: workflowId, runId, activityType, requestId, ...).
 */
export function temporalLogger(logger: Logger): TemporalLogger {
  // Workflow logs carry their workflow time under a symbol key, which pino leaves out.
  const at = (level: TemporalLogLevel) => (message: string, meta?: LogMetadata) => logger[levelOf[level]](meta ?? {}, message);
  return {
    log: (level, message, meta) => at(level)(message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}

const levelLabels: Record<string, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };
const standardKeys = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);

/**
 * One readable line per entry: `12:03:04.567 INFO  [api] request method=POST status=201 ...`.
 * For people watching a terminal (local mode); collectors want LOG_FORMAT=json.
 */
export function prettyLines(out: { write(text: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
      const fields = Object.entries(entry)
        .filter(([key]) => !standardKeys.has(key))
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
      const name = typeof entry.name === 'string' ? ` [${entry.name}]` : '';
      out.write(`${time} ${levelLabels[String(entry.level)] ?? String(entry.level)}${name} ${String(entry.msg ?? '')}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}\n`);
    },
  };
}
