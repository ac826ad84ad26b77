/**
 * Reading a `probes.yaml`: YAML with positions, `schema.json`, then the cross checks; every
 * issue at once, sorted by position, or the frozen, fully defaulted `Config`, once the limits of
 * the deployment it describes hold (`deploy-limits.ts`, a third phase on the built config).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config } from '../core/model.js';
import { buildConfig } from './build-config.js';
import { ConfigError } from './config-error.js';
import { type ConfigIssue, compareIssues, createIssue } from './config-issue.js';
import type { ConfigOptions } from './config-options.js';
import { crossCheck } from './cross-checks.js';
import { deployLimitIssues } from './deploy-limits.js';
import { localFileIssues } from './local-files.js';
import { pointerOf } from './pending-issue.js';
import { readPlainYaml } from './plain-yaml.js';
import { schemaIssues } from './schema-issues.js';
import { schemaErrors } from './schema-validator.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

export type ConfigResult =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly errors: readonly ConfigIssue[] };

/**
 * Validates `text` as the content of `file` (named as the user named it; `Config.file` is its
 * absolute form, and relative paths inside resolve from its folder).
 */
export function parseConfigText(text: string, file: string, options: ConfigOptions): ConfigResult {
  // the fast reader handles plain YAML; positions (the full parser) are needed only for errors
  const plain = readPlainYaml(text);
  const folder = dirname(resolve(file));
  if (
    plain !== undefined &&
    schemaErrors(plain).length === 0 &&
    crossCheck(plain, options, new Set()).length === 0 &&
    localFileIssues(plain, folder).length === 0
  ) {
    return withinLimits(buildConfig(plain, resolve(file), options), file, () => parseYamlSource(text));
  }
  const source = parseYamlSource(text);
  const issues: ConfigIssue[] = source.problems.map((problem) => createIssue({ file, path: '', ...problem }));
  if (!source.broken) {
    const fromSchema = schemaIssues(source.value, schemaErrors(source.value));
    const reported = new Set(fromSchema.map((issue) => pointerOf(issue.path)));
    const crossChecked = [
      ...crossCheck(source.value, options, reported),
      ...localFileIssues(source.value, folder).filter((issue) => !reported.has(pointerOf(issue.path))),
    ];
    for (const pending of [...fromSchema, ...crossChecked]) {
      issues.push(
        createIssue({
          file,
          path: pointerOf(pending.path),
          message: pending.message,
          ...source.locate(pending),
        }),
      );
    }
  }
  if (issues.length > 0) return { ok: false, errors: issues.sort(compareIssues) };
  return withinLimits(buildConfig(source.value, resolve(file), options), file, () => source);
}

/** The config, or the limits it crosses positioned in its source (parsed only then). */
function withinLimits(config: Config, file: string, source: () => YamlSource): ConfigResult {
  const pending = deployLimitIssues(config);
  if (pending.length === 0) return { ok: true, config };
  const located = source();
  const errors = pending.map((issue) =>
    createIssue({ file, path: pointerOf(issue.path), message: issue.message, ...located.locate(issue) }),
  );
  return { ok: false, errors: errors.sort(compareIssues) };
}

/** Reads and validates `file`; an unreadable file is one issue at 1:1. */
export function readConfig(file: string, options: ConfigOptions): ConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((error as Error).message);
    return {
      ok: false,
      errors: [
        createIssue({ file, line: 1, column: 1, path: '', message: `cannot read the file: ${reason}` }),
      ],
    };
  }
  return parseConfigText(text, file, options);
}

/**
 * Reads `file` and returns its `Config`, or throws a {@link ConfigError} listing every issue.
 *
 * @example
 * const config = loadConfig('probes.yaml', { engines: { postgres: { defaultPort: 5432 } } });
 */
export function loadConfig(file: string, options: ConfigOptions): Config {
  const result = readConfig(file, options);
  if (!result.ok) throw new ConfigError(result.errors);
  return result.config;
}
