/**
 * `chasm invoke FILE [--json]`: invokes the deployed fan-out function of FILE once, for every
 * probe, through the default credential chain (endpoint overridable by `AWS_ENDPOINT_URL_LAMBDA`),
 * and prints the run's report.
 */
import type { ProbeReport } from '../../core/metric-data.js';
import { buildPlan } from '../../core/plan/plan.js';
import type { PublishOutcome } from '../../core/ports.js';
import { type CliIo, type Command, EXIT } from './cli-io.js';
import { fileAndJson, readConfigOrReport } from './command-input.js';
import { counted } from './counted.js';

const USAGE = `Usage: chasm invoke FILE [--json]

Invokes the deployed fan-out function of FILE once, for every probe, as its schedule would, and
prints each probe's outcome and what was published. Uses the default AWS credential chain and
region; AWS_ENDPOINT_URL_LAMBDA overrides the endpoint.

  --json   print the report: { "probes": [...], "metrics": N, "publish": {...} }

Exit status: 0 every probe succeeded and everything was published, 1 unusable input or the
function could not be invoked, 2 one or more probes (or datums) failed.`;

/** The fan-out function's report, as `adapters/lambda/fanout-handler.ts` returns it. */
interface FanoutReport {
  readonly probes: readonly ProbeReport[];
  readonly metrics: number;
  readonly publish: PublishOutcome;
}

/** the longest a Lambda function may run, plus room for the answer */
const INVOKE_TIMEOUT_MS = 910_000;

export const invokeCommand: Command = {
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = fileAndJson(args);
    if (typeof parsed === 'string') {
      io.stderr.write(`chasm invoke: ${parsed}\n\n${USAGE}\n`);
      return EXIT.badInput;
    }
    const { json } = parsed;
    const config = readConfigOrReport('invoke', parsed.file, io);
    if (!config) return EXIT.badInput;
    const functionName = buildPlan(config).fanoutFunctionName;
    const probes = Object.keys(config.probes);
    if (!functionName) {
      io.stderr.write(
        'chasm invoke: with publish: emf there is no fan-out function; each query function runs on its own schedule\n',
      );
      return EXIT.badInput;
    }

    // the AWS SDK loads only here, not for `chasm invoke --help` or a bad FILE
    const { createLambdaClient, invokeJson } = await import('../invokers/lambda-invoker.js');
    const client = createLambdaClient();
    let report: FanoutReport;
    try {
      const answer = await invokeJson(client, functionName, { probes }, INVOKE_TIMEOUT_MS);
      if (!isFanoutReport(answer))
        throw new Error(`'${functionName}' answered something other than a run report`);
      report = answer;
    } catch (error) {
      io.stderr.write(`chasm invoke: ${error instanceof Error ? error.message : String(error)}\n`);
      return EXIT.badInput;
    } finally {
      client.destroy();
    }
    io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatText(functionName, report));
    const failed = report.probes.some((probe) => !probe.ok) || report.publish.failed > 0;
    return failed ? EXIT.probesFailed : EXIT.ok;
  },
};

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
