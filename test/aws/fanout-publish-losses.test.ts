// The fan-out publishing through the CloudWatch sink and the real SDK client to the local
// endpoint. The query functions run in this process and stand in for deployed ones whose data
// CloudWatch refuses in part: a datum refused, or set aside as CloudWatch would refuse it, fails
// its own probe only, and the health metrics are corrected.
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createInProcessInvoker,
  type InProcessFunction,
} from '../../adapters/invokers/in-process-invoker.js';
import { createCloudWatchClient, createCloudWatchSink } from '../../adapters/sinks/cloudwatch-sink.js';
import type { FanoutManifest } from '../../core/manifest.js';
import type { MetricDatum, ProbeReport } from '../../core/metric-data.js';
import type { QueryRequest } from '../../core/ports.js';
import { fanOut } from '../../core/run/fan-out.js';
import { useDummyCredentials } from '../support/local-aws/dummy-credentials.js';
import { type LocalCloudWatch, startLocalCloudWatch } from '../support/local-aws/local-cloudwatch.js';

const TOO_OLD = 'The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks.';

/** Two query functions: `a` serves probes p1 and p2 (database db-a), `b` serves p3 (db-b). */
function manifest(health: FanoutManifest['health']): FanoutManifest {
  const route = (functionId: string, probe: string) => ({
    probe,
    database: `db-${functionId}`,
    functionId,
    timeoutMs: 1000,
    maxResponseBytes: 1_000_000,
  });
  return {
    namespace: 'Acme/Losses',
    health,
    functions: [
      { id: 'a', functionName: 'Acme-a', databases: ['db-a'], engines: ['postgres'], probes: ['p1', 'p2'] },
      { id: 'b', functionName: 'Acme-b', databases: ['db-b'], engines: ['postgres'], probes: ['p3'] },
    ],
    probes: { p1: route('a', 'p1'), p2: route('a', 'p2'), p3: route('b', 'p3') },
    secrets: {},
  };
}

function datum(name: string, value: number, extra: Partial<MetricDatum> = {}): MetricDatum {
  return { MetricName: name, Dimensions: [], Unit: 'Count', StorageResolution: 60, Value: value, ...extra };
}

/** A query function answering each requested probe with the datums given for it, counted per report. */
function answering(data: Record<string, MetricDatum[]>): InProcessFunction {
  return async (payload) => {
    const { probes } = payload as QueryRequest;
    return {
      reports: probes.map(
        (probe): ProbeReport => ({ probe, database: 'x', ok: true, rows: 1, durationMs: 1 }),
      ),
      metrics: probes.flatMap((probe) => data[probe] ?? []),
      metricsPerReport: probes.map((probe) => data[probe]?.length ?? 0),
    };
  };
}

const fifteenDaysAgo = () => Date.now() - 15 * 24 * 60 * 60 * 1000;

describe('fan-out publishing what CloudWatch refuses in part', () => {
  let cloudwatch: LocalCloudWatch;
  let client: CloudWatchClient;

  beforeAll(async () => {
    useDummyCredentials();
    cloudwatch = await startLocalCloudWatch();
    client = createCloudWatchClient({ endpoint: cloudwatch.endpoint, region: 'eu-west-1' });
  });
  afterAll(async () => {
    client.destroy();
    await cloudwatch.close();
  });
  afterEach(() => {
    cloudwatch.accepted.length = 0;
    cloudwatch.requests.length = 0;
  });

  it('fails only the probe whose datum CloudWatch refuses, with its message, and publishes the rest of the request', async () => {
    // arrange: p2's second datum carries a time CloudWatch no longer takes
    const logged: Record<string, unknown>[] = [];
    const invoker = createInProcessInvoker({
      a: answering({
        p1: [datum('Sessions', 1), datum('Sessions', 2, { Dimensions: [{ Name: 'Region', Value: 'eu' }] })],
        p2: [datum('Queue', 3), datum('Queue', 4, { Timestamp: fifteenDaysAgo() })],
      }),
      b: answering({ p3: [datum('Jobs', 5)] }),
    });
    const sink = createCloudWatchSink({ client });

    // act
    const outcome = await fanOut(
      manifest('summary'),
      { probes: ['p1', 'p2', 'p3'] },
      { invoker, sink, logger: { log: (level, event) => logged.push({ level, ...event }) } },
    );

    // assess
    expect(outcome.reports.map((r) => [r.probe, r.ok, r.error?.code])).toEqual([
      ['p1', true, undefined],
      ['p2', false, 'INVALID_VALUE'],
      ['p3', true, undefined],
    ]);
    expect(outcome.reports[1]?.error?.message).toBe(
      `probe 'p2' (database 'x'): 1 of its 2 datums were not published: ${TOO_OLD}`,
    );
    expect(cloudwatch.accepted.map((d) => [d.MetricName, d.Value])).toEqual(
      expect.arrayContaining([
        ['Sessions', 1],
        ['Sessions', 2],
        ['Queue', 3],
        ['Jobs', 5],
      ]),
    );
    // ProbesFailed went out with the data as 0, then corrected to the tick's count
    const probesFailed = cloudwatch.accepted.filter((d) => d.MetricName === 'ProbesFailed');
    expect(probesFailed.map((d) => d.Value)).toEqual([0, 1]);
    expect(cloudwatch.accepted.map((d) => d.Value)).not.toContain(4);
    expect(outcome.publish).toEqual({
      published: 6,
      failed: 1,
      errors: [{ code: 'INVALID_VALUE', message: TOO_OLD, datums: 1 }],
    });
    expect(logged).toContainEqual({
      level: 'error',
      event: 'probe',
      probe: 'p2',
      database: 'x',
      code: 'INVALID_VALUE',
      message: outcome.reports[1]?.error?.message,
    });
  });

  it('fails only the probe emitting a non-ASCII dimension value, and sets ProbeSuccess to 0 for it in detailed health', async () => {
    // arrange: a city read from a database column
    const invoker = createInProcessInvoker({
      a: answering({
        p1: [datum('Visits', 7, { Dimensions: [{ Name: 'City', Value: 'Bern' }] })],
        p2: [datum('Visits', 8, { Dimensions: [{ Name: 'City', Value: 'Zürich' }] })],
      }),
      b: answering({}),
    });

    // act
    const outcome = await fanOut(
      manifest('detailed'),
      { probes: ['p1', 'p2'] },
      { invoker, sink: createCloudWatchSink({ client }) },
    );

    // assess
    expect(outcome.reports.map((r) => [r.probe, r.ok, r.error?.code])).toEqual([
      ['p1', true, undefined],
      ['p2', false, 'INVALID_VALUE'],
    ]);
    expect(outcome.reports[1]?.error?.message).toMatch(
      /^probe 'p2' \(database 'x'\): 1 of its 1 datums were not published: .*'City' with characters other than printable ASCII/,
    );
    const visits = cloudwatch.accepted.filter((d) => d.MetricName === 'Visits');
    expect(visits.map((d) => d.Dimensions?.[0]?.Value)).toEqual(['Bern']);
    const success = (probe: string) =>
      cloudwatch.accepted
        .filter((d) => d.MetricName === 'ProbeSuccess' && d.Dimensions?.[0]?.Value === probe)
        .map((d) => d.Value);
    expect(success('p1')).toEqual([1]);
    expect(success('p2')).toEqual([1, 0]);
    const probesFailed = cloudwatch.accepted.filter((d) => d.MetricName === 'ProbesFailed');
    expect(probesFailed.map((d) => d.Value)).toEqual([0, 1]);
  });

  it('fails every probe of a request CloudWatch keeps failing with PUBLISH_FAILED, and sends no correction', async () => {
    // arrange: one attempt only, and it meets a 500
    const once = createCloudWatchClient({
      endpoint: cloudwatch.endpoint,
      region: 'eu-west-1',
      maxAttempts: 1,
    });
    cloudwatch.failRequest(1);
    const invoker = createInProcessInvoker({
      a: answering({ p1: [datum('Sessions', 1)], p2: [] }),
      b: answering({ p3: [datum('Jobs', 5)] }),
    });

    // act
    const outcome = await fanOut(
      manifest('summary'),
      { probes: ['p1', 'p2', 'p3'] },
      { invoker, sink: createCloudWatchSink({ client: once }) },
    );
    once.destroy();

    // assess: p2 had nothing to lose
    expect(outcome.reports.map((r) => [r.probe, r.ok, r.error?.code])).toEqual([
      ['p1', false, 'PUBLISH_FAILED'],
      ['p2', true, undefined],
      ['p3', false, 'PUBLISH_FAILED'],
    ]);
    expect(outcome.reports[0]?.error?.message).toMatch(
      /1 of its 1 datums were not published: .*InternalServiceFault/,
    );
    expect(cloudwatch.requests.map((r) => [r.status, r.sent])).toEqual([[500, 3]]);
    expect(outcome.publish).toMatchObject({ published: 0, failed: 3 });
  });
});
