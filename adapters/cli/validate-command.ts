/** `chasm validate FILE... [--json]`: every mistake in every file, each as `FILE:LINE:COL: message`. */

import type { ConfigResult } from '../../config/read-config.js';
import type { Config } from '../../core/model.js';
import { readConfig } from '../config-loader.js';
import { type CliIo, type Command, EXIT } from './cli-io.js';

const USAGE = `Usage: chasm validate FILE... [--json]

Checks each FILE against the probes.yaml language (schema.json) and the rules beyond it:
references resolve, one SQL statement per probe, CloudWatch's limits. Prints every error of
every file to stderr as FILE:LINE:COL: message, and one line per valid file to stdout.
Exits 0 when every file is valid, 1 otherwise.

  --json   one JSON object on stdout: { "files": [{ "file", "ok", "errors" | "probes", "databases", "vpcs" }] }`;

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function summary(config: Config): string {
  const probes = count(Object.keys(config.probes).length, 'probe');
  const databases = count(Object.keys(config.databases).length, 'database');
  const vpcs = count(Object.keys(config.vpcs).length, 'VPC');
  return `${probes}, ${databases}, ${vpcs}`;
}

function jsonEntry(file: string, result: ConfigResult): object {
  if (!result.ok) {
    const errors = result.errors.map(({ line, column, message }) => ({ line, column, message }));
    return { file, ok: false, errors };
  }
  const { probes, databases, vpcs } = result.config;
  const sizes = { probes: Object.keys(probes).length, databases: Object.keys(databases).length };
  return { file, ok: true, ...sizes, vpcs: Object.keys(vpcs).length };
}

export const validateCommand: Command = {
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const json = args.includes('--json');
    const unknown = args.filter((arg) => arg.startsWith('-') && arg !== '--json');
    const files = args.filter((arg) => !arg.startsWith('-'));
    if (unknown.length > 0 || files.length === 0) {
      const problem = unknown.length > 0 ? `unknown option '${unknown[0]}'` : 'expects at least one FILE';
      io.stderr.write(`chasm validate: ${problem}\n\n${USAGE}\n`);
      return EXIT.badInput;
    }
    let valid = true;
    const entries: object[] = [];
    for (const file of files) {
      const result = readConfig(file);
      valid &&= result.ok;
      if (json) entries.push(jsonEntry(file, result));
      else if (result.ok) io.stdout.write(`${file}: ok (${summary(result.config)})\n`);
      for (const error of result.ok ? [] : result.errors) io.stderr.write(`${error.format()}\n`);
    }
    if (json) io.stdout.write(`${JSON.stringify({ files: entries }, null, 2)}\n`);
    return valid ? EXIT.ok : EXIT.badInput;
  },
};
