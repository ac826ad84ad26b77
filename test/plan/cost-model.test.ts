import { describe, expect, it } from 'vitest';
import { type CostEstimate, estimateCost } from '../../core/plan/cost-model.js';
import { buildPlan } from '../../core/plan/plan.js';
import { config, database, metric, probe, subnets, vpc } from '../support/config-factory.js';
import { quickstart } from './quickstart-config.js';

const GB = 1024 ** 3;

function usd(estimate: CostEstimate, name: string): number {
  const line = estimate.items.find((item) => item.name === name);
  if (!line) throw new Error(`no line '${name}' in ${estimate.items.map((item) => item.name).join(', ')}`);
  return line.usd;
}

describe('estimateCost for the quickstart (one probe every 5 minutes, one VPC with two subnets)', () => {
  // by hand: 8640 ticks; a query invocation 100 + 50 ms, the fan-out 100 + 150 + 50 ms, 320 MB each
  // (as synth sizes them: 256 MB + 2 connections × 1000 rows, and 256 MB + 8 per query function, in 64s);
  // 2 datums per tick (ActiveSessions, ProbesFailed), so one PutMetricData request per tick
  const report = estimateCost(buildPlan(quickstart()));

  it('bills two custom metrics: the probe metric and ProbesFailed', () => {
    expect(report.series.min).toBe(2);
    expect(usd(report.cost, 'custom metrics')).toBeCloseTo(0.6, 10);
  });

  it('bills the fan-out and the query invocations of every tick', () => {
    expect(report.cost.items.find((item) => item.name === 'Lambda requests')?.quantity).toBe(17_280);
    expect(usd(report.cost, 'Lambda requests')).toBeCloseTo(0.003456, 10);
    // 8640 × (0.3125 GB × 0.15 s + 0.3125 GB × 0.3 s) = 1215 GB-s
    expect(report.cost.items.find((item) => item.name === 'Lambda compute (arm64)')?.quantity).toBeCloseTo(
      1215,
      8,
    );
    expect(usd(report.cost, 'Lambda compute (arm64)')).toBeCloseTo(1215 * 0.0000133334, 10);
  });

  it('bills one PutMetricData request and one schedule invocation per tick', () => {
    expect(usd(report.cost, 'PutMetricData requests')).toBeCloseTo(0.0864, 10);
    expect(usd(report.cost, 'EventBridge Scheduler invocations')).toBeCloseTo(0.00864, 10);
  });

  it('totals the lines', () => {
    const logs = ((8640 * 2 * 600) / GB) * 0.5;
    expect(usd(report.cost, 'CloudWatch Logs ingestion')).toBeCloseTo(logs, 10);
    expect(report.cost.totalUsd).toBeCloseTo(
      0.6 + 0.003456 + 1215 * 0.0000133334 + 0.0864 + 0.00864 + logs,
      10,
    );
  });

  it('prices the NAT variant with a gateway and a public IPv4 address per zone, each subnet its own zone when unknown', () => {
    expect(report.natGateway.gateways).toBe(2);
    expect(report.natGateway.vpcs).toEqual([{ vpc: 'app', gateways: 2, zonesKnown: false }]);
    expect(usd(report.natGateway, 'NAT Gateway hours')).toBeCloseTo(2 * 730 * 0.045, 10);
    expect(usd(report.natGateway, 'public IPv4 addresses')).toBeCloseTo(2 * 730 * 0.005, 10);
    // one PutMetricData request of 2 datums per tick through the gateway
    expect(usd(report.natGateway, 'NAT Gateway data processed')).toBeCloseTo(
      ((8640 * 2400) / GB) * 0.045,
      10,
    );
    // one function per tick at the query function's 320 MB, 150 ms querying + 50 ms publishing
    expect(usd(report.natGateway, 'Lambda requests')).toBeCloseTo(0.001728, 10);
    expect(usd(report.natGateway, 'Lambda compute (arm64)')).toBeCloseTo(540 * 0.0000133334, 10);
  });

  it("counts one NAT Gateway per availability zone when the subnets' zones are known", () => {
    // arrange
    const [first = '', second = ''] = quickstart().vpcs.app?.subnetIds ?? [];

    // act
    const sameZone = estimateCost(buildPlan(quickstart()), {
      subnetZones: { [first]: 'eu-west-1a', [second]: 'eu-west-1a' },
    });
    const partly = estimateCost(buildPlan(quickstart()), { subnetZones: { [first]: 'eu-west-1a' } });

    // assess
    expect(sameZone.natGateway.vpcs).toEqual([{ vpc: 'app', gateways: 1, zonesKnown: true }]);
    expect(usd(sameZone.natGateway, 'NAT Gateway hours')).toBeCloseTo(730 * 0.045, 10);
    expect(partly.natGateway.vpcs).toEqual([{ vpc: 'app', gateways: 2, zonesKnown: false }]);
  });

  it('bills each function at the memory synth gives it, and names the region it priced', () => {
    expect(report.memoryMb).toEqual({ functions: { 'vpc-app': 320 }, fanout: 320 });
    expect(report.pricesRegion).toBe('us-east-1');
  });

  it('is at least 30 times cheaper than the NAT Gateway variant', () => {
    expect(report.ratio).toBeGreaterThanOrEqual(30);
    expect(report.ratio).toBeCloseTo(report.natGateway.totalUsd / report.cost.totalUsd, 10);
  });
});

describe('estimateCost', () => {
  it('splits PutMetricData requests at 1000 datums per tick', () => {
    const cfg = config({
      health: 'none',
      databases: [database({ name: 'db' })],
      probes: [
        probe({
          name: 'many',
          database: 'db',
          schedule: 'rate(1 day)',
          metrics: Array.from({ length: 1001 }, (_, i) => metric({ name: `M${i}` })),
        }),
      ],
    });

    const report = estimateCost(buildPlan(cfg));

    expect(report.cost.items.find((item) => item.name === 'PutMetricData requests')?.quantity).toBe(60);
  });

  it('prices the maxSeries bound above the expected bill', () => {
    const cfg = config({
      databases: [database({ name: 'db' })],
      probes: [probe({ name: 'p', database: 'db', maxSeries: 50, dimensions: { Region: { column: 'r' } } })],
    });

    const report = estimateCost(buildPlan(cfg));

    expect(report.series.max).toBe(51);
    expect(report.maxTotalUsd - report.cost.totalUsd).toBeGreaterThan(49 * 0.3 - 1e-9);
  });

  it('with publish: emf schedules each query function directly and makes no PutMetricData request', () => {
    const report = estimateCost(buildPlan({ ...quickstart(), publish: 'emf' }));

    expect(report.cost.items.map((item) => item.name)).not.toContain('PutMetricData requests');
    expect(report.cost.items.find((item) => item.name === 'Lambda requests')?.quantity).toBe(8640);
    expect(
      report.cost.items.find((item) => item.name === 'EventBridge Scheduler invocations')?.quantity,
    ).toBe(8640);
  });

  it('needs no NAT Gateway for databases outside any VPC', () => {
    const cfg = config({
      vpcs: [vpc('app', { subnetIds: subnets('app', 3) })],
      databases: [database({ name: 'private', vpc: 'app' }), database({ name: 'public' })],
      probes: [probe({ name: 'a', database: 'private' }), probe({ name: 'b', database: 'public' })],
    });

    const report = estimateCost(buildPlan(cfg));

    expect(report.natGateway.gateways).toBe(3);
  });
});

describe('estimateCost of alarms', () => {
  const alarm = (comparison: 'above' | 'below') => ({
    comparison,
    threshold: 1,
    for: 1,
    datapoints: 1,
    statistic: 'Maximum' as const,
    missing: 'missing' as const,
  });
  const alarmed = config({
    health: 'detailed',
    alarms: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
    databases: [database({ name: 'eu' }), database({ name: 'us' })],
    probes: [
      // static dimensions on a fleet of two: two metric alarms
      probe({
        name: 'fleet',
        database: ['eu', 'us'],
        metrics: [metric({ name: 'A', alarm: alarm('above') })],
      }),
      // a dimension from a column: one query alarm, billed for each series it analyses (1 to 40)
      probe({
        name: 'regions',
        database: 'eu',
        maxSeries: 40,
        dimensions: { Region: { column: 'region' } },
        metrics: [metric({ name: 'B', alarm: alarm('below') }), metric({ name: 'C' })],
      }),
    ],
  });
  const report = estimateCost(buildPlan(alarmed));

  it('counts metric alarms and Metrics Insights alarms with the metrics they are billed by', () => {
    // ProbesFailed and the two on A; the probes' ProbeSuccess (single and fleet runs) and B's query
    expect(report.alarms).toEqual({
      metricAlarms: 3,
      queryAlarms: 3,
      alarmMetrics: { min: 3 + 1 + 2 + 1, max: 3 + 1 + 2 + 40 },
    });
  });

  it('bills each alarm metric at USD 0.10 a month in both variants, the series each query may reach in the maximum', () => {
    const line = report.cost.items.find((item) => item.name === 'CloudWatch alarms');
    expect(line).toEqual({
      name: 'CloudWatch alarms',
      quantity: 7,
      unit: 'alarm metric-month',
      unitUsd: 0.1,
      usd: expect.closeTo(0.7, 10),
    });
    expect(usd(report.natGateway, 'CloudWatch alarms')).toBeCloseTo(0.7, 10);
    const withoutAlarms = estimateCost(
      buildPlan({
        ...alarmed,
        alarms: undefined,
        probes: {
          ...alarmed.probes,
          fleet: probe({ name: 'fleet', database: ['eu', 'us'] }),
          regions: probe({
            name: 'regions',
            database: 'eu',
            maxSeries: 40,
            dimensions: { Region: { column: 'region' } },
            metrics: [metric({ name: 'B' }), metric({ name: 'C' })],
          }),
        },
      }),
    );
    expect(report.cost.totalUsd - withoutAlarms.cost.totalUsd).toBeCloseTo(0.7, 10);
    expect(report.maxTotalUsd - withoutAlarms.maxTotalUsd).toBeCloseTo(4.6, 10);
  });

  it('has no alarm line where nothing alarms', () => {
    expect(estimateCost(buildPlan(quickstart())).cost.items.map((item) => item.name)).not.toContain(
      'CloudWatch alarms',
    );
  });
});
