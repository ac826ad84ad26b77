/** `chasm synth FILE [--out DIR]`: the cloud assembly (templates and assets) of a `probes.yaml`. */
import { join, relative } from 'node:path';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';
import type { ProbesStack } from '../cdk/probes-stack.js';
import { type CliIo, type Command, EXIT } from './cli-io.js';
import { readConfigOrReport } from './command-input.js';

const USAGE = `Usage: chasm synth FILE [--out DIR]

Writes the CDK cloud assembly of FILE to DIR (default cdk.out): the CloudFormation template of
the stack and one asset folder per function (the bundled handler and the function's manifest).
Deploy it with \`npx cdk deploy --app DIR\`. Needs no AWS credentials.
Exits 0 on success, 1 when FILE is invalid or synthesis fails.

  --out DIR   where to write the assembly (default cdk.out)`;

function parseArgs(args: readonly string[]): { file: string; out: string } | string {
  let out = 'cdk.out';
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--out') {
      const value = args[++i];
      if (value === undefined || value.startsWith('-')) return "'--out' expects a folder";
      out = value;
    } else if (arg.startsWith('--out=')) out = arg.slice('--out='.length);
    else if (arg.startsWith('-')) return `unknown option '${arg}'`;
    else files.push(arg);
  }
  if (files.length !== 1) return files.length === 0 ? 'expects a FILE' : 'expects exactly one FILE';
  return { file: files[0] ?? '', out };
}

/** the asset folder (relative to the assembly) of a function construct */
function assetOf(fn: Construct): string {
  const asset = fn.node.tryFindChild('Code') as Asset | undefined;
  return asset?.assetPath ?? '-';
}

export const synthCommand: Command = {
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseArgs(args);
    if (typeof parsed === 'string') {
      io.stderr.write(`chasm synth: ${parsed}\n\n${USAGE}\n`);
      return EXIT.badInput;
    }
    const config = readConfigOrReport('synth', parsed.file, io);
    if (!config) return EXIT.badInput;
    let stack: ProbesStack;
    try {
      // the CDK loads only here, not for `chasm synth --help`
      const [{ App }, { ProbesStack }] = await Promise.all([
        import('aws-cdk-lib'),
        import('../cdk/probes-stack.js'),
      ]);
      // the built-in CloudFormation schema check takes ~20 s to load per process; the templates
      // Chasm generates are checked against it in its own test suite
      const app = new App({ outdir: parsed.out, builtinCloudFormationValidation: false });
      stack = new ProbesStack(app, 'Probes', { config });
      app.synth();
    } catch (error) {
      io.stderr.write(
        `chasm synth: ${parsed.file}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return EXIT.badInput;
    }

    const { probes } = stack;
    const out = relative(process.cwd(), parsed.out) || '.';
    const lines = [
      `${parsed.file}: stack ${stack.stackName} (id ${stack.artifactId}) written to ${out}`,
      `  template   ${join(out, stack.templateFile)}`,
      '  functions',
    ];
    for (const [id, fn] of probes.queryFunctions) {
      const where = id.startsWith('vpc-') ? `in vpc ${id.slice(4)}` : 'outside any VPC';
      const name = probes.plan.functions.find((planned) => planned.id === id)?.functionName ?? id;
      lines.push(
        `    ${name}  query, ${where}, ${fn.size.memoryMb} MB, ${fn.size.timeoutSeconds} s, asset ${join(out, assetOf(fn.function))}`,
      );
    }
    if (probes.fanoutFunction) {
      const fn = probes.fanoutFunction;
      lines.push(
        `    ${probes.plan.fanoutFunctionName}  fan-out, outside any VPC, ${fn.size.memoryMb} MB, ${fn.size.timeoutSeconds} s, asset ${join(out, assetOf(fn.function))}`,
      );
    }
    lines.push('  schedules');
    for (const schedule of probes.schedules) {
      lines.push(`    ${schedule.expression} -> ${schedule.target}: ${schedule.probes.join(', ')}`);
    }
    lines.push(
      `  dashboards ${probes.dashboards.length}, alarms ${probes.alarms.length}`,
      '',
      `Deploy with: npx cdk deploy --app ${out}`,
    );
    io.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  },
};
