import type { ConfigIssue } from './config-issue.js';

/** Thrown by `loadConfig` when a file is invalid; the message holds every issue, one `FILE:LINE:COL: message` per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly issues: readonly ConfigIssue[],
    options?: { cause?: unknown },
  ) {
    super(issues.map((issue) => issue.format()).join('\n'), options);
  }
}
