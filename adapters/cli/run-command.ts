/**
 * `chasm run FILE [--probe NAME]... [--json] [--publish console|emf|cloudwatch]`: runs the probes once, locally,
 * through the code that runs in Lambda, and prints what would be published; with `--publish emf` or
 * `cloudwatch`, what was, and whether publishing failed.
 */
import { didYouMean } from '../../config/closest-match.js';
import type { NamespacedDatum, ProbeReport } from '../../core/metric-data.js';
import type { MetricsSink, PublishOutcome } from '../../core/ports.js';
import type { FanoutOutcome } from '../../core/run/fan-out.js';
import { runProbesLocally } from '../local-run.js';
import { createCollectingSink } from '../sinks/collecting-sink.js';
import { createEmfSink } from '../sinks/emf-sink.js';
import { type Command, EXIT } from './cli-io.js';
import { readConfigOrReport } from './command-input.js';
import { counted } from './counted.js';

/** Where `--publish` sends the metric data. */
export const PUBLISH_TARGETS = ['console', 'emf', 'cloudwatch'] as const;
export type PublishTarget = (typeof PUBLISH_TARGETS)[number];

/**
 * The sink of a `--publish` target; every target is created here and only here. `out` receives
 * what a target prints of its own (the EMF lines).
 */
export async function createSink(
  target: PublishTarget,
  out: { write(line: string): unknown },
): Promise<MetricsSink> {
  switch (target) {
    case 'console':
      return createCollectingSink();
    case 'emf':
      // the lines a query function with publish: emf would log
      return createEmfSink({ out });
    case 'cloudwatch': {
      // the AWS SDK loads only when metric data goes to CloudWatch; default credential chain,
      // AWS_ENDPOINT_URL_CLOUDWATCH overrides the endpoint
      const { createCloudWatchClient, createCloudWatchSink } = await import('../sinks/cloudwatch-sink.js');
      return createCloudWatchSink({ client: createCloudWatchClient() });
    }
  }
}

interface RunArgs {
  readonly file: string;
  readonly probes: readonly string[];
  readonly json: boolean;
  readonly publish: PublishTarget;
}

const USAGE = `Usage: chasm run FILE [--probe NAME]... [--json] [--publish console|emf|cloudwatch]

Runs every probe of FILE (or only those named with --probe) once, against each database's
local: block, and prints the probes' outcomes and the metric data that would be published.

  --probe NAME     run only this probe (repeatable)
  --json           print { "probes": [...], "metrics": [...] } instead of tables, with
                   "publish": { "ok", "error"? } when publishing to emf or cloudwatch
  --publish TARGET where the metric data goes: console (default; printed, nothing sent), emf
                   (the Embedded Metric Format lines Lambda would log, printed), cloudwatch
                   (PutMetricData, default credential chain; AWS_ENDPOINT_URL_CLOUDWATCH overrides)

Exit status: 0 every probe succeeded, 1 unusable input, 2 one or more probes failed or some
metric data could not be published.`;

export const runCommand: Command = {
  usage: USAGE,
  async run(argv, io) {
    const parsed = parseArgs(argv);
    if (typeof parsed === 'string') {
      io.stderr.write(`chasm run: ${parsed}\n\n${USAGE}\n`);
      return EXIT.badInput;
    }
    const config = readConfigOrReport('run', parsed.file, io);
    if (!config) return EXIT.badInput;
    const known = Object.keys(config.probes);
    const unknown = parsed.probes.filter((name) => !Object.hasOwn(config.probes, name));
    if (unknown.length > 0) {
      for (const name of unknown)
        io.stderr.write(`chasm run: unknown probe '${name}'${didYouMean(name, known)}\n`);
      return EXIT.badInput;
    }
    const probes = parsed.probes.length > 0 ? [...new Set(parsed.probes)] : known;
    // with --json the EMF lines join the JSON document (as `emf`), so stdout stays one document
    const emf: unknown[] = [];
    const out = parsed.json ? { write: (line: string) => emf.push(JSON.parse(line)) } : io.stdout;
    const sink = await createSink(parsed.publish, out);
    const outcome = await runProbesLocally(config, probes, { sink });
    io.stdout.write(
      parsed.json
        ? formatJson(outcome, parsed.publish, parsed.publish === 'emf' ? emf : undefined)
        : formatText(outcome, parsed.publish),
    );
    const failed = outcome.reports.some((report) => !report.ok) || outcome.publish.failed > 0;
    return failed ? EXIT.probesFailed : EXIT.ok;
  },
};

function parseArgs(argv: readonly string[]): RunArgs | string {
  const files: string[] = [];
  const probes: string[] = [];
  let json = false;
  let publish: PublishTarget = 'console';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg) : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--json' && inline === undefined) json = true;
    else if (flag === '--probe') {
      const name = value();
      if (!name) return '--probe needs a probe name';
      probes.push(name);
    } else if (flag === '--publish') {
      const target = value();
      if (!PUBLISH_TARGETS.includes(target as PublishTarget)) {
        return `--publish takes ${PUBLISH_TARGETS.join(', ')}, not '${target ?? ''}'`;
      }
      publish = target as PublishTarget;
    } else if (arg.startsWith('-') && arg !== '-') return `unknown option '${arg}'`;
    else files.push(arg);
  }
  if (files.length !== 1)
    return files.length === 0 ? 'missing FILE' : `one FILE only, got ${files.join(', ')}`;
  return { file: files[0] ?? '', probes, json, publish };
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf('=');
  return [arg.slice(0, at), arg.slice(at + 1)];
}

/**
 * The documented `--json` shape: `{ "probes": [...], "metrics": [...] }`, plus `warnings` when
 * there are any, `publish` when something was sent (emf, cloudwatch) and `emf` with `--publish emf`.
 */
function formatJson(outcome: FanoutOutcome, target: PublishTarget, emf?: readonly unknown[]): string {
  const document = {
    probes: outcome.reports,
    metrics: outcome.metrics,
    ...(outcome.warnings ? { warnings: outcome.warnings } : {}),
    ...(target === 'console' ? {} : { publish: publishResult(outcome.publish) }),
    ...(emf ? { emf } : {}),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** `{ ok }`, and when anything was lost, the first error's code and a message counting what was. */
function publishResult(publish: PublishOutcome): {
  ok: boolean;
  error?: { code: string; message: string };
} {
  const [first, ...more] = publish.errors;
  if (publish.failed === 0 || !first) return { ok: true };
  const others = more.length > 0 ? ` (and ${more.length} more error${more.length > 1 ? 's' : ''})` : '';
  const message = `${notPublished(publish.failed, publish.published + publish.failed)}: ${first.message}${others}`;
  return { ok: false, error: { code: first.code, message } };
}

function formatText(outcome: FanoutOutcome, target: PublishTarget): string {
  const lines: string[] = [];
  lines.push(
    ...table(['STATUS', 'PROBE', 'DATABASE', 'ROWS', 'MS', 'ERROR'], outcome.reports.map(reportRow), [3, 4]),
  );
  lines.push('');
  if (outcome.metrics.length === 0) lines.push('No metric data.');
  else {
    lines.push(
      ...table(['NAMESPACE', 'METRIC', 'DIMENSIONS', 'VALUE', 'UNIT'], outcome.metrics.map(datumRow), [3]),
    );
  }
  for (const error of outcome.publish.errors) lines.push(`${error.code}: ${error.message}`);
  if (outcome.warnings) {
    lines.push('');
    for (const warning of outcome.warnings) {
      lines.push(`WARNING ${warning.code} (database '${warning.database}'): ${warning.message}`);
    }
  }
  const failed = outcome.reports.filter((report) => !report.ok).length;
  lines.push(
    '',
    `${outcome.reports.length - failed} of ${outcome.reports.length} probes ok` +
      `${failed > 0 ? `, ${failed} failed` : ''}; ${counted(outcome.metrics.length, 'metric datum')}.`,
  );
  if (target !== 'console') {
    // each error is printed above
    const { published, failed: lost } = outcome.publish;
    lines.push(
      lost > 0
        ? `Publishing to ${target} failed: ${notPublished(lost, published + lost)}.`
        : `Published ${counted(published, 'datum')} to ${target}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `1 of 3 datums was not published`, `2 of 2 datums were not published` */
function notPublished(lost: number, total: number): string {
  return `${lost} of ${counted(total, 'datum')} ${lost === 1 ? 'was' : 'were'} not published`;
}

function reportRow(report: ProbeReport): string[] {
  const error = report.error ? `${report.error.code}: ${report.error.message}` : '';
  return [
    report.ok ? 'ok' : 'FAILED',
    report.probe,
    report.database,
    String(report.rows),
    String(report.durationMs),
    error,
  ];
}

function datumRow(datum: NamespacedDatum): string[] {
  const dimensions = datum.Dimensions.map((dimension) => `${dimension.Name}=${dimension.Value}`).join(' ');
  const value =
    datum.Value !== undefined
      ? String(datum.Value)
      : (datum.Values ?? [])
          .map((v, i) => ((datum.Counts?.[i] ?? 1) === 1 ? String(v) : `${v}×${datum.Counts?.[i]}`))
          .join(', ');
  const unit = datum.StorageResolution === 1 ? `${datum.Unit} (1s)` : datum.Unit;
  return [datum.Namespace, datum.MetricName, dimensions || '-', value, unit];
}

/** Aligned columns; `right` are the indexes of right-aligned (numeric) columns. */
function table(header: string[], rows: string[][], right: number[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        // the last column is not padded: it holds free text
        if (column === cells.length - 1) return cell;
        return right.includes(column) ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
