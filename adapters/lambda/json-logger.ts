/**
 * Structured logs for the Lambda handlers: one JSON line per event on stdout (CloudWatch Logs
 * keeps each as one event). Keys that could hold a secret or a row are masked, whatever the caller
 * passes.
 */
import type { Logger } from '../../core/ports.js';

const SECRET_KEYS = /^(password|passwd|secret|secretString|credentials|token|authorization|rows?|sql)$/i;

export interface JsonLoggerOptions {
  /** where lines go; default `process.stdout` */
  readonly out?: { write(line: string): unknown };
  /** added to every line, e.g. the function's name */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** epoch milliseconds; default `Date.now` */
  readonly now?: () => number;
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const out = options.out ?? process.stdout;
  const now = options.now ?? Date.now;
  return {
    log(level, event) {
      const line = { time: new Date(now()).toISOString(), level, ...options.fields, ...event };
      out.write(`${JSON.stringify(line, mask)}\n`);
    },
  };
}

// a count of rows is harmless; anything else under such a key is dropped
function mask(key: string, value: unknown): unknown {
  if (key !== '' && SECRET_KEYS.test(key) && typeof value !== 'number') return '[hidden]';
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
