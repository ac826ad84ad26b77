/**
 * `chasm invoke FILE [--stack NAME] [--region REGION] [--profile PROFILE] [--json]`: finds the
 * deployed fan-out function of FILE in its stack's outputs, invokes it once for every probe, and
 * prints the run's report. Credentials and region come from the default chain, or the profile
 * named; endpoints are overridable by `AWS_ENDPOINT_URL_CLOUDFORMATION` and `AWS_ENDPOINT_URL_LAMBDA`.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { causeOf } from '../../core/error-cause.js';
import { defaultStackName, STACK_OUTPUTS } from '../cdk/stack-contract.js';
import type { FanoutReport } from '../lambda/fanout-handler.js';
import { type CliIo, type Command, EXIT } from './cli-io.js';
import { isRegionName, readConfigOrReport } from './command-input.js';
import { counted } from './counted.js';

const USAGE = `Usage: chasm invoke FILE [--stack NAME] [--region REGION] [--profile PROFILE] [--json]

Invokes the deployed fan-out function of FILE once, for every probe, as its schedule would, and
prints each probe's outcome and what was published. The function is found in the outputs of the
stack FILE was deployed as (output ${STACK_OUTPUTS.fanoutFunctionName}). Uses the default AWS
credential chain; AWS_ENDPOINT_URL_CLOUDFORMATION and AWS_ENDPOINT_URL_LAMBDA override the endpoints.

  --stack NAME        the stack's name (default: Chasm-<namespace>, the name chasm synth and the
                      chasm init app give it)
  --region REGION     where the stack is (default: FILE's region, else AWS_REGION or the profile's)
  --profile PROFILE   a profile of the shared AWS config files, for credentials and region
  --json              print the report: { "probes": [...], "metrics": N, "publish": {...} }

Exit status: 0 every probe succeeded and everything was published, 1 unusable input or the
function could not be found or invoked, 2 one or more probes (or datums) failed.`;

/** The fan-out function's report, as `adapters/lambda/fanout-handler.ts` returns it. */

interface InvokeArgs {
  readonly file: string;
  readonly json: boolean;
  readonly stack?: string;
  readonly region?: string;
  readonly profile?: string;
}

/** the longest a Lambda function may run, plus room for the answer */
const INVOKE_TIMEOUT_MS = 910_000;

const NO_REGION =
  'no AWS region: pass --region, set region in the file, set AWS_REGION, or name a profile with a region (--profile)';

export const invokeCommand: Command = {
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseArgs(args);
    if (typeof parsed === 'string') {
      io.stderr.write(`chasm invoke: ${parsed}\n\n${USAGE}\n`);
      return EXIT.badInput;
    }
    const { json } = parsed;
    const config = readConfigOrReport('invoke', parsed.file, io, parsed.region);
    if (!config) return EXIT.badInput;
    if (config.publish === 'emf') {
      io.stderr.write(
        'chasm invoke: with publish: emf there is no fan-out function; each query function runs on its own schedule\n',
      );
      return EXIT.badInput;
    }
    const stackName = parsed.stack ?? defaultStackName(config.namespace);
    const region = parsed.region ?? config.region;
    const where = { ...(region ? { region } : {}), ...(parsed.profile ? { profile: parsed.profile } : {}) };

    // the AWS SDK loads only here, not for `chasm invoke --help` or a bad FILE
    const [{ CloudFormationClient }, { createLambdaClient, invokeJson }] = await Promise.all([
      import('@aws-sdk/client-cloudformation'),
      import('../invokers/lambda-invoker.js'),
    ]);
    const cloudformation = new CloudFormationClient(where);
    const lambda = createLambdaClient(where);
    let functionName: string;
    let report: FanoutReport;
    try {
      functionName = await fanoutFunctionName(cloudformation, stackName, parsed.file);
      const answer = await invokeJson(
        lambda,
        functionName,
        { probes: Object.keys(config.probes) },
        INVOKE_TIMEOUT_MS,
      );
      if (!isFanoutReport(answer))
        throw new Error(`'${functionName}' answered something other than a run report`);
      report = answer;
    } catch (error) {
      const message = causeOf(error);
      io.stderr.write(`chasm invoke: ${message === 'Region is missing' ? NO_REGION : message}\n`);
      return EXIT.badInput;
    } finally {
      cloudformation.destroy();
      lambda.destroy();
    }
    io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatText(functionName, report));
    const failed = report.probes.some((probe) => !probe.ok) || report.publish.failed > 0;
    return failed ? EXIT.probesFailed : EXIT.ok;
  },
};

function parseArgs(args: readonly string[]): InvokeArgs | string {
  const values: Record<'stack' | 'region' | 'profile', string | undefined> = {
    stack: undefined,
    region: undefined,
    profile: undefined,
  };
  const files: string[] = [];
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const option = /^--(stack|region|profile)(?:=(.*))?$/.exec(arg);
    if (option) {
      const name = option[1] as keyof typeof values;
      const value = option[2] ?? args[++i];
      if (value === undefined || value === '' || value.startsWith('-')) return `'--${name}' expects a value`;
      values[name] = value;
    } else if (arg === '--json') json = true;
    else if (arg.startsWith('-')) return `unknown option '${arg}'`;
    else files.push(arg);
  }
  if (files.length !== 1) return 'expects exactly one FILE';
  if (values.region !== undefined && !isRegionName(values.region)) {
    return `invalid region '${values.region}'; expected a region name such as eu-west-1`;
  }
  return {
    file: files[0] ?? '',
    json,
    ...(values.stack ? { stack: values.stack } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
  };
}

/** The fan-out function's name, from the stack's outputs; throws saying what to do when it cannot. */
async function fanoutFunctionName(
  client: CloudFormationClient,
  stackName: string,
  file: string,
): Promise<string> {
  const region = await client.config.region();
  const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  let outputs: readonly { OutputKey?: string; OutputValue?: string }[];
  try {
    const answer = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = answer.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    if ((error as { name?: string }).name === 'ValidationError' && /does not exist/.test(String(error))) {
      throw new Error(
        `stack ${stackName} does not exist in ${region}: deploy ${file} (npx cdk deploy), or name its stack with --stack and its region with --region`,
      );
    }
    throw error;
  }
  const name = outputs.find((output) => output.OutputKey === STACK_OUTPUTS.fanoutFunctionName)?.OutputValue;
  if (!name) {
    throw new Error(
      `stack ${stackName} in ${region} has no output ${STACK_OUTPUTS.fanoutFunctionName}; is it the stack ${file} was deployed as?`,
    );
  }
  return name;
}

function formatText(functionName: string, report: FanoutReport): string {
  const lines = [`${functionName}:`];
  for (const probe of report.probes) {
    const status = probe.ok ? 'ok    ' : 'FAILED';
    const detail = probe.error ? `  ${probe.error.code}: ${probe.error.message}` : '';
    lines.push(
      `  ${status} ${probe.probe} (${probe.database}) ${probe.rows} rows, ${probe.durationMs} ms${detail}`,
    );
  }
  const failed = report.probes.filter((probe) => !probe.ok).length;
  lines.push(
    '',
    `${report.probes.length - failed} of ${report.probes.length} probes ok; ` +
      `${report.publish.published} of ${counted(report.metrics, 'datum')} published` +
      `${report.publish.failed > 0 ? `, ${report.publish.failed} failed` : ''}.`,
  );
  for (const error of report.publish.errors) lines.push(`${error.code}: ${error.message}`);
  for (const warning of report.warnings ?? []) {
    lines.push(`WARNING ${warning.code} (database '${warning.database}'): ${warning.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function isFanoutReport(value: unknown): value is FanoutReport {
  const report = value as Partial<FanoutReport> | null;
  return (
    typeof report === 'object' &&
    report !== null &&
    Array.isArray(report.probes) &&
    typeof report.publish === 'object' &&
    report.publish !== null
  );
}
