import { describe, expect, it } from 'vitest';
import { ENGINE_SYNTAX } from '../../adapters/config-loader.js';
import { parseConfigText } from '../../config/read-config.js';

const HEADER = `version: 1
namespace: Acme/Limits
alarms:
  topicArn: arn:aws:sns:eu-west-1:123456789012:alerts
databases:
  main: { engine: postgres, host: h, database: d, user: u, auth: { type: iam } }
probes:
`;

/** `count` probes, each one metric whose alarm is `alarm`, with `extra` probe lines; and each alarm's line */
function probesWithAlarms(count: number, alarm: string, extra = ''): { text: string; alarmLines: number[] } {
  const lines = HEADER.trimEnd().split('\n');
  const alarmLines: number[] = [];
  for (let i = 1; i <= count; i++) {
    lines.push(
      `  p${i}:`,
      '    database: main',
      '    sql: SELECT 1 AS n',
      ...(extra ? extra.split('\n') : []),
    );
    lines.push('    metrics:', `      - { name: M, column: n, alarm: ${alarm} }`);
    alarmLines.push(lines.length);
  }
  return { text: `${lines.join('\n')}\n`, alarmLines };
}

function validate(text: string) {
  return parseConfigText(text, 'probes.yaml', { engines: ENGINE_SYNTAX });
}

function errorsOf(text: string) {
  const result = validate(text);
  return result.ok ? [] : result.errors.map(({ line, column, message }) => ({ line, column, message }));
}

describe('the limits of the deployment a file describes', () => {
  it("reports the metric alarm that brings the stack past CloudFormation's 500 resources, at its line", () => {
    // prepare: 7 resources for the functions (query and fan-out), 2 for the schedule and its role, one
    // for ProbesFailed's alarm, one for the CDK's metadata, and dashboards of 450 widgets: with 487
    // static alarms (2 dashboards) the stack holds 500; a 488th alarm makes it 501
    const fits = probesWithAlarms(487, '{ above: 1 }');
    const crosses = probesWithAlarms(488, '{ above: 1 }');

    // act
    const fitting = validate(fits.text);
    const errors = errorsOf(crosses.text);

    // assess
    expect(fitting.ok).toBe(true);
    expect(errors).toEqual([
      {
        line: crosses.alarmLines[487],
        column: 31,
        message: expect.stringContaining(
          "the alarm of metric 'M' of probe 'p488' is 1 metric alarm (one per series), bringing the stack to 501 resources; CloudFormation takes 500",
        ),
      },
    ]);
  });

  it('reports the 201st Metrics Insights alarm (a metric with a dimension from a column) at its line', () => {
    // prepare: a dimension from a column makes each alarm one query alarm, whatever its series
    const column = "    dimensions: { Region: { column: 'region' } }";
    const fits = probesWithAlarms(200, '{ above: 1 }', column);
    const crosses = probesWithAlarms(201, '{ above: 1 }', column);

    // act
    const fitting = validate(fits.text);
    const errors = errorsOf(crosses.text);

    // assess
    expect(fitting.ok).toBe(true);
    expect(errors).toEqual([
      {
        line: crosses.alarmLines[200],
        column: 31,
        message: expect.stringContaining(
          "the alarm of metric 'M' of probe 'p201' is Metrics Insights alarm 201 of this file; CloudWatch allows 200 per account and Region",
        ),
      },
    ]);
  });

  it('counts the detailed health alarm among the Metrics Insights alarms', () => {
    // prepare: health: detailed adds one query alarm over every probe's ProbeSuccess
    const column = "    dimensions: { Region: { column: 'region' } }";
    const { text, alarmLines } = probesWithAlarms(200, '{ above: 1 }', column);

    // act
    const errors = errorsOf(text.replace('version: 1\n', 'version: 1\nhealth: detailed\n'));

    // assess
    expect(errors.map(({ line, message }) => [line, message.split(';')[0]])).toEqual([
      [
        (alarmLines[199] ?? 0) + 1,
        "the alarm of metric 'M' of probe 'p200' is Metrics Insights alarm 201 of this file",
      ],
    ]);
  });

  it('refuses a query alarm that may watch more series than a Metrics Insights query analyses', () => {
    // prepare
    const { text, alarmLines } = probesWithAlarms(
      1,
      '{ below: 1 }',
      "    maxSeries: 5001\n    database: [main, other]\n    dimensions: { Region: { column: 'region' } }",
    );
    const fleet = text
      .replace('    database: main\n', '')
      .replace(
        'probes:\n',
        '  other: { engine: postgres, host: h2, database: d, user: u, auth: { type: iam } }\nprobes:\n',
      );

    // act
    const errors = errorsOf(fleet);

    // assess
    expect(errors).toEqual([
      {
        line: alarmLines[0],
        column: 31,
        message:
          "the alarm of metric 'M' of probe 'p1' may watch up to 10002 series (maxSeries 5001 × 2 runs); a Metrics Insights alarm analyses at most 10000, the first it finds: lower maxSeries to 5000 or less",
      },
    ]);
  });

  it("refuses a query alarm whose query is longer than CloudWatch's 2,048 characters", () => {
    // prepare: nine static dimensions of 250-character names beside one from a column
    const names = Array.from({ length: 9 }, (_, i) => `${String(i)}${'D'.repeat(249)}`);
    const dimensions = `    dimensions: { Region: { column: 'region' }, ${names.map((name) => `${name}: x`).join(', ')} }`;
    const { text, alarmLines } = probesWithAlarms(1, '{ above: 1 }', dimensions);

    // act
    const errors = errorsOf(text);

    // assess
    expect(errors).toHaveLength(1);
    expect(errors[0]?.line).toBe(alarmLines[0]);
    expect(errors[0]?.message).toMatch(
      /^the Metrics Insights query of the alarm of metric 'M' of probe 'p1' is \d{4} characters; CloudWatch takes 2048/,
    );
  });

  it('reports the probe whose run is the 10,001st the detailed health alarm would watch', () => {
    // prepare: 100 probes on a fleet of 101 databases are 10,100 runs; the 100th probe crosses 10,000
    const databases = Array.from(
      { length: 101 },
      (_, i) => `  db${i}: { engine: postgres, host: h${i}, database: d, user: u, auth: { type: iam } }`,
    );
    const fleet = `[${databases.map((_, i) => `db${i}`).join(', ')}]`;
    const lines = [
      'version: 1',
      'namespace: Acme/Limits',
      'health: detailed',
      'alarms: { topicArn: arn:aws:sns:eu-west-1:123456789012:alerts }',
      'defaults:',
      `  database: ${fleet}`,
      'databases:',
      ...databases,
      'probes:',
    ];
    const probeLines: number[] = [];
    for (let i = 1; i <= 100; i++) {
      lines.push(`  p${i}:`, '    sql: SELECT 1 AS n', '    metrics: [{ name: M, column: n }]');
      probeLines.push(lines.length - 2);
    }

    // act
    const errors = errorsOf(`${lines.join('\n')}\n`);

    // assess
    expect(errors).toEqual([
      {
        line: probeLines[99],
        column: 3,
        message: expect.stringContaining(
          "probe 'p100' on database 'db1' makes 10001 fleet probe runs whose ProbeSuccess the detailed health alarm watches",
        ),
      },
    ]);
  });
});
