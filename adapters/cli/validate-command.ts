/** `chasm validate FILE... [--json]`: every mistake in every file, each as `FILE:LINE:COL: message`. */

import type { ConfigResult } from '../../config/read-config.js';
import type { Config } from '../../core/model.js';
import { readConfig, readConfigText } from '../config-loader.js';
import { type CliIo, type Command, EXIT } from './cli-io.js';
import { counted } from './counted.js';

const USAGE = `Usage: chasm validate FILE... [--json]

Checks each FILE against the probes.yaml language (schema.json) and the rules beyond it:
references resolve, one SQL statement per probe, CloudWatch's limits. Prints every error of
every file to stderr as FILE:LINE:COL: message, and one line per valid file to stdout.
FILE - reads standard input, named <stdin> in messages (relative paths in it resolve from
the current folder). Exits 0 when every file is valid, 1 otherwise.

  --json   one JSON object on stdout: { "files": [{ "file", "ok", "errors" | "probes", "databases", "vpcs" }] }`;

/** what `-` is called in messages */
const STDIN_NAME = '<stdin>';

function argumentProblem(unknown: readonly string[], files: readonly string[]): string | undefined {
  if (unknown.length > 0) return `unknown option '${unknown[0]}'`;
  if (files.length === 0) return 'expects at least one FILE';
  if (files.filter((file) => file === '-').length > 1) return "standard input ('-') can be read once only";
  return undefined;
}

async function readStdinConfig(io: CliIo): Promise<ConfigResult> {
  if (!io.readStdin) throw new Error('standard input is not available here');
  return readConfigText(await io.readStdin(), STDIN_NAME);
}

function summary(config: Config): string {
  const probes = counted(Object.keys(config.probes).length, 'probe');
  const databases = counted(Object.keys(config.databases).length, 'database');
  const vpcs = counted(Object.keys(config.vpcs).length, 'VPC');
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
    const unknown = args.filter((arg) => arg.startsWith('-') && arg !== '--json' && arg !== '-');
    const files = args.filter((arg) => !arg.startsWith('-') || arg === '-');
    const problem = argumentProblem(unknown, files);
    if (problem) {
      io.stderr.write(`chasm validate: ${problem}\n\n${USAGE}\n`);
      return EXIT.badInput;
    }
    let valid = true;
    const entries: object[] = [];
    for (const given of files) {
      const file = given === '-' ? STDIN_NAME : given;
      const result = given === '-' ? await readStdinConfig(io) : readConfig(file);
      valid &&= result.ok;
      if (json) entries.push(jsonEntry(file, result));
      else if (result.ok) io.stdout.write(`${file}: ok (${summary(result.config)})\n`);
      for (const error of result.ok ? [] : result.errors) io.stderr.write(`${error.format()}\n`);
    }
    if (json) io.stdout.write(`${JSON.stringify({ files: entries }, null, 2)}\n`);
    return valid ? EXIT.ok : EXIT.badInput;
  },
};
