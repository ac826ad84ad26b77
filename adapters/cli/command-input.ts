/** What several commands read the same way: one config file, `--json`, errors on stderr. */

import { causeOf } from '../../core/error-cause.js';
import type { Config } from '../../core/model.js';
import { readConfig } from '../config-loader.js';
import type { CliIo } from './cli-io.js';

/** An AWS region name as `--region` takes it (`eu-west-1`), the form schema.json gives `region`. */
export function isRegionName(value: string): boolean {
  return /^[a-z]{2}(-[a-z]+)+-[0-9]+$/.test(value);
}

/** `FILE [--json]`, or what is wrong with the arguments. */
export function fileAndJson(
  args: readonly string[],
): { readonly file: string; readonly json: boolean } | string {
  const unknown = args.filter((arg) => arg.startsWith('-') && arg !== '--json');
  const files = args.filter((arg) => !arg.startsWith('-'));
  if (unknown.length > 0) return `unknown option '${unknown[0]}'`;
  if (files.length !== 1) return 'expects exactly one FILE';
  return { file: files[0] ?? '', json: args.includes('--json') };
}

/**
 * The config of `file`, or `undefined` after writing every issue (`FILE:LINE:COL: message`) or the
 * reason it could not be read to stderr. `region`: one asked for on the command line, which the
 * file's ARNs are checked against.
 */
export function readConfigOrReport(
  command: string,
  file: string,
  io: CliIo,
  region?: string,
): Config | undefined {
  try {
    const read = readConfig(file, region === undefined ? {} : { region });
    if (read.ok) return read.config;
    for (const error of read.errors) io.stderr.write(`${error.format()}\n`);
  } catch (error) {
    io.stderr.write(`chasm ${command}: ${causeOf(error)}\n`);
  }
  return undefined;
}
