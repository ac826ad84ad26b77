/** `chasm synth FILE [--out DIR]`: the cloud assembly (templates and assets) of a `probes.yaml`. */
import { join, relative } from 'node:path';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';
import { causeOf } from '../../core/error-cause.js';
import type { ProbesStack } from '../cdk/probes-stack.js';
import { type CliIo, type Command, EXIT } from './cli-io.js';
import { isRegionName, readConfigOrReport } from './command-input.js';

const USAGE = `Usage: chasm synth FILE [--out DIR] [--region REGION]

Writes the CDK cloud assembly of FILE to DIR (default cdk.out): the CloudFormation template of
the stack and one asset folder per function (the bundled handler and the function's manifest).
Deploy it with \`npx cdk deploy --app DIR\`. Needs no AWS credentials. The functions and log
groups get names from CloudFormation; the stack's outputs name the fan-out function, the
dashboard and each security group created.
Exits 0 on success, 1 when FILE is invalid or synthesis fails.

  --out DIR         where to write the assembly (default cdk.out)
  --region REGION   the region the stack deploys to, when FILE names none (its 'region'); every
                    ARN in FILE must be in it`;

interface SynthArgs {
  readonly file: string;
  readonly out: string;
  readonly region?: string;
}

function parseArgs(args: readonly string[]): SynthArgs | string {
  const values: Record<'out' | 'region', string | undefined> = { out: undefined, region: undefined };
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const option = /^--(out|region)(?:=(.*))?$/.exec(arg);
    if (option) {
      const name = option[1] as 'out' | 'region';
      const value = option[2] ?? args[++i];
      if (value === undefined || value === '' || value.startsWith('-')) {
        return `'--${name}' expects ${name === 'out' ? 'a folder' : 'a region, e.g. eu-west-1'}`;
      }
      values[name] = value;
    } else if (arg.startsWith('-')) return `unknown option '${arg}'`;
    else files.push(arg);
  }
  if (files.length !== 1) return files.length === 0 ? 'expects a FILE' : 'expects exactly one FILE';
  if (values.region !== undefined && !isRegionName(values.region)) {
    return `invalid region '${values.region}'; expected a region name such as eu-west-1`;
  }
  return {
    file: files[0] ?? '',
    out: values.out ?? 'cdk.out',
    ...(values.region ? { region: values.region } : {}),
  };
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
    const config = readConfigOrReport('synth', parsed.file, io, parsed.region);
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
      io.stderr.write(`chasm synth: ${parsed.file}: ${causeOf(error)}\n`);
      return EXIT.badInput;
    }

    const { probes } = stack;
    const out = relative(process.cwd(), parsed.out) || '.';
    const where = config.region ?? "the deploying profile's region";
    const lines = [
      `${parsed.file}: stack ${stack.stackName} (id ${stack.artifactId}) written to ${out}, for ${where}`,
      `  template   ${join(out, stack.templateFile)}`,
      '  functions  (named by CloudFormation; the fan-out function is output FanoutFunctionName)',
    ];
    for (const [id, fn] of probes.queryFunctions) {
      const place = id.startsWith('vpc-') ? `in vpc ${id.slice(4)}` : 'outside any VPC';
      lines.push(
        `    ${id}  query, ${place}, ${fn.size.memoryMb} MB, ${fn.size.timeoutSeconds} s, asset ${join(out, assetOf(fn.function))}`,
      );
    }
    if (probes.fanoutFunction) {
      const fn = probes.fanoutFunction;
      lines.push(
        `    fanout  fan-out, outside any VPC, ${fn.size.memoryMb} MB, ${fn.size.timeoutSeconds} s, asset ${join(out, assetOf(fn.function))}`,
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
