/**
 * The files a config names for local runs (a `local.pglite.init` seed) must exist: a missing seed
 * is a config error at validation, not a failure in the middle of `chasm run`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PendingIssue } from './pending-issue.js';

export function localFileIssues(document: unknown, folder: string): PendingIssue[] {
  const issues: PendingIssue[] = [];
  const databases = (document as { databases?: unknown } | null)?.databases;
  if (typeof databases !== 'object' || databases === null) return issues;
  for (const [name, database] of Object.entries(databases)) {
    const init = (database as { local?: { pglite?: { init?: unknown } } } | null)?.local?.pglite?.init;
    if (typeof init === 'string' && !existsSync(resolve(folder, init))) {
      issues.push({
        path: ['databases', name, 'local', 'pglite', 'init'],
        at: 'value',
        message: `seed file '${init}' does not exist (paths are relative to this file's folder)`,
      });
    }
  }
  return issues;
}
