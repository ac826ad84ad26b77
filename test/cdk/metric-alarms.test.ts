// Each way probes.yaml can write a metric's alarm, read by the language and synthesized: what the template holds.
import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_SYNTAX } from '../../adapters/config-loader.js';
import { parseConfigText } from '../../config/read-config.js';
import type { Config } from '../../core/model.js';
import { resourcesOf, type Synthesized, synthProbes } from './synth-probes.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts';

const SPELLINGS = `version: 1
namespace: Acme/Alarms
alarms: { topicArn: ${TOPIC} }
health: none
databases:
  eu: { engine: postgres, host: eu.example.com, database: d, user: u, auth: { type: iam } }
  us: { engine: postgres, host: us.example.com, database: d, user: u, auth: { type: iam } }
probes:
  defaulted:
    database: eu
    sql: SELECT 1 AS n
    metrics:
      - { name: Above, column: n, alarm: { above: 10 } }
      - { name: Below, column: n, alarm: { below: -2.5 } }
  options:
    database: eu
    sql: SELECT 1 AS n
    schedule: rate(1 hour)
    dimensions: { Env: prod }
    metrics:
      - name: Everything
        column: n
        alarm: { above: 3, for: 4, datapoints: 2, statistic: Average, missing: notBreaching }
      - { name: Sum, column: n, alarm: { below: 1, statistic: Sum, missing: breaching } }
      - { name: Count, column: n, alarm: { above: 1, statistic: SampleCount, missing: ignore } }
      - { name: Min, column: n, alarm: { above: 1, statistic: Minimum } }
      - { name: Max, column: n, alarm: { below: 1, statistic: Maximum } }
  quarter-hourly:
    database: eu
    sql: SELECT 1 AS n
    schedule: cron(0/15 * * * ? *)
    metrics:
      - { name: Cron, column: n, alarm: { above: 1, for: 2 } }
  fleet-by-status:
    database: [eu, us]
    sql: SELECT count(*) AS n FROM orders WHERE status = :status AND age > :age
    parameters:
      - { status: open, age: 1 }
      - { status: held, age: 1 }
    parameterDimensions: { age: false }
    metrics:
      - { name: Orders, column: n, alarm: { above: 100 } }
  by-region:
    database: [eu, us]
    sql: SELECT region, count(*) AS n FROM orders WHERE status = :status GROUP BY region
    parameters: [{ status: open }]
    dimensions: { Region: { column: region }, Env: prod }
    metrics:
      - { name: Regional, column: n, resolution: 1, alarm: { below: 5, for: 3, statistic: Average } }
  quoted:
    database: eu
    sql: SELECT kind, 1 AS n
    dimensions: { "Kind's": { column: kind }, 'Team "A"': "it's" }
    metrics:
      - { name: 'Odd "name"', column: n, alarm: { above: 0 } }
`;

function loaded(text: string): Config {
  const result = parseConfigText(text, 'probes.yaml', { engines: ENGINE_SYNTAX });
  if (!result.ok) throw new Error(result.errors.map((error) => error.format()).join('\n'));
  return result.config;
}

type Properties = Record<string, unknown>;

describe('every spelling of a metric alarm, synthesized', () => {
  let synth: Synthesized;
  let alarms: Properties[];
  /** the metric alarms on metric `name`, or the query alarm selecting it */
  const on = (name: string) =>
    alarms.filter(
      (alarm) =>
        alarm.MetricName === name ||
        ((alarm.Metrics as { Expression: string }[] | undefined) ?? []).some((query) =>
          query.Expression.startsWith(`SELECT ${name}`),
        ),
    );
  beforeAll(() => {
    synth = synthProbes(loaded(SPELLINGS), { nag: true });
    alarms = Object.values(resourcesOf(synth.template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  });

  it('notifies the topic of every alarm, when it fires and when it clears', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(alarm).toMatchObject({ AlarmActions: [TOPIC], OKActions: [TOPIC] });
  });

  it('defaults to the latest run, Maximum above, Minimum below, and missing data as missing', () => {
    const common = {
      Namespace: 'Acme/Alarms',
      Period: 300,
      EvaluationPeriods: 1,
      TreatMissingData: 'missing',
    };
    expect(on('Above')).toEqual([
      expect.objectContaining({
        ...common,
        Statistic: 'Maximum',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 10,
      }),
    ]);
    expect(on('Below')).toEqual([
      expect.objectContaining({
        ...common,
        Statistic: 'Minimum',
        ComparisonOperator: 'LessThanThreshold',
        Threshold: -2.5,
      }),
    ]);
    // every period must breach unless datapoints says otherwise: CloudWatch's own default
    expect(on('Above')[0]?.DatapointsToAlarm).toBeUndefined();
  });

  it('takes for, datapoints, each statistic and each missing-data treatment as written, over the schedule’s period', () => {
    const hourly = { Period: 3600, Dimensions: [{ Name: 'Env', Value: 'prod' }] };
    expect(on('Everything')).toEqual([
      expect.objectContaining({
        ...hourly,
        EvaluationPeriods: 4,
        DatapointsToAlarm: 2,
        Statistic: 'Average',
        TreatMissingData: 'notBreaching',
      }),
    ]);
    expect(on('Sum')).toEqual([expect.objectContaining({ Statistic: 'Sum', TreatMissingData: 'breaching' })]);
    expect(on('Count')).toEqual([
      expect.objectContaining({ Statistic: 'SampleCount', TreatMissingData: 'ignore' }),
    ]);
    expect(on('Min')).toEqual([
      expect.objectContaining({ Statistic: 'Minimum', ComparisonOperator: 'GreaterThanThreshold' }),
    ]);
    expect(on('Max')).toEqual([
      expect.objectContaining({ Statistic: 'Maximum', ComparisonOperator: 'LessThanThreshold' }),
    ]);
    // a cron's period: 30 days over its runs a month
    expect(on('Cron')).toEqual([expect.objectContaining({ Period: 900, EvaluationPeriods: 2 })]);
  });

  it('gives each series known here an alarm of its own: every database of a fleet with every parameter map', () => {
    const dimensions = on('Orders').map((alarm) => alarm.Dimensions);
    expect(dimensions).toHaveLength(4);
    expect(dimensions).toEqual(
      expect.arrayContaining(
        ['eu', 'us'].flatMap((database) =>
          ['open', 'held'].map((status) => [
            { Name: 'Database', Value: database },
            { Name: 'status', Value: status },
          ]),
        ),
      ),
    );
  });

  it('watches a metric with a dimension from a column with one Metrics Insights alarm grouped by what varies', () => {
    expect(on('AVG("Regional")')).toEqual([
      expect.objectContaining({
        Metrics: [
          {
            Id: 'expr_1',
            Expression:
              'SELECT AVG("Regional") FROM SCHEMA("Acme/Alarms", "Database", "Env", "Region", "status") ' +
              `WHERE "Env" = 'prod' GROUP BY "Database", "Region", "status" ORDER BY AVG() ASC`,
            Period: 300,
            ReturnData: true,
          },
        ],
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 5,
        EvaluationPeriods: 3,
        TreatMissingData: 'missing',
      }),
    ]);
    // a query alarm names no metric of its own
    expect(on('AVG("Regional")')[0]?.MetricName).toBeUndefined();
  });

  it('quotes every name and value of a query, escaping the quotes inside them', () => {
    const [alarm] = on('MAX("Odd \\"name\\"")');
    expect(((alarm?.Metrics ?? []) as { Expression: string }[])[0]?.Expression).toBe(
      String.raw`SELECT MAX("Odd \"name\"") FROM SCHEMA("Acme/Alarms", "Kind\'s", "Team \"A\"") WHERE "Team \"A\"" = 'it\'s' GROUP BY "Kind\'s" ORDER BY MAX() DESC`,
    );
  });

  it('makes exactly the alarms the file asks for: one per series known here, one per query', () => {
    // Above, Below, five of options, Cron, four Orders series, Regional, Odd "name"
    expect(alarms).toHaveLength(2 + 5 + 1 + 4 + 1 + 1);
  });
});
