import { type CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCloudWatchClient, createCloudWatchSink } from '../../adapters/sinks/cloudwatch-sink.js';
import type { NamespacedDatum } from '../../core/metric-data.js';
import { useDummyCredentials } from '../support/local-aws/dummy-credentials.js';
import { type LocalCloudWatch, startLocalCloudWatch } from '../support/local-aws/local-cloudwatch.js';

// a time CloudWatch refuses: it takes datums from the past two weeks only
const FIFTEEN_DAYS_AGO = Date.now() - 15 * 24 * 60 * 60 * 1000;
const TOO_OLD = 'must specify a time within the past two weeks.';

function datums(n: number, namespace = 'Acme/Sink'): NamespacedDatum[] {
  return Array.from({ length: n }, (_, i) => ({
    Namespace: namespace,
    MetricName: 'Depth',
    Dimensions: [{ Name: 'Queue', Value: `q-${i}` }],
    Unit: 'Count',
    StorageResolution: 60,
    Value: i,
  }));
}

describe('CloudWatch sink against the local PutMetricData endpoint', () => {
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
    cloudwatch.throttle(0);
    cloudwatch.delay(0);
  });

  it('the endpoint refuses a non-ASCII dimension value as CloudWatch does, accepting nothing of the request', async () => {
    const city = (Value: string) => ({
      MetricName: 'Visits',
      Dimensions: [{ Name: 'City', Value }],
      Value: 1,
    });
    const data = [city('Basel'), city('Bern'), city('Zürich')];

    const refusal = await client
      .send(new PutMetricDataCommand({ Namespace: 'Acme/Sink', MetricData: data }))
      .catch((error: unknown) => error as Error & { $metadata: { httpStatusCode?: number } });

    expect(refusal).toMatchObject({
      name: 'InvalidParameterValueException',
      message:
        'The value for parameter MetricData.member.3.Dimensions.member.1.Value contains non-ASCII characters.',
      $metadata: { httpStatusCode: 400 },
    });
    expect(cloudwatch.requests.map((r) => [r.status, r.sent, r.datums])).toEqual([[400, 3, 0]]);
    expect(cloudwatch.accepted).toEqual([]);
  });

  it('publishes 2500 datums in 3 gzip requests and CloudWatch holds each once', async () => {
    const sink = createCloudWatchSink({ client });

    const outcome = await sink.publish(datums(2500));

    expect(outcome).toEqual({ published: 2500, failed: 0, errors: [] });
    const sizes = cloudwatch.requests
      .map((r) => [r.status, r.datums])
      .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
    expect(sizes).toEqual([
      [200, 1000],
      [200, 1000],
      [200, 500],
    ]);
    expect(cloudwatch.requests.every((r) => r.gzip && r.wireBytes < r.bodyBytes)).toBe(true);
    const values = cloudwatch.accepted.map((d) => d.Value).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(values).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it('retries throttling twice and then publishes everything exactly once', async () => {
    cloudwatch.throttle(2);
    const sink = createCloudWatchSink({ client, maxInFlight: 1 });

    const outcome = await sink.publish(datums(10));

    expect(outcome).toEqual({ published: 10, failed: 0, errors: [] });
    expect(cloudwatch.requests.map((r) => r.status)).toEqual([400, 400, 200]);
    expect(cloudwatch.accepted).toHaveLength(10);
    expect(new Set(cloudwatch.accepted.map((d) => d.Dimensions?.[0]?.Value)).size).toBe(10);
  });

  it('retries a 500 on one batch of several and loses nothing', async () => {
    cloudwatch.failRequest(2);
    const sink = createCloudWatchSink({ client, maxInFlight: 1 });

    const outcome = await sink.publish(datums(3000));

    expect(outcome).toEqual({ published: 3000, failed: 0, errors: [] });
    expect(cloudwatch.requests.map((r) => r.status)).toEqual([200, 500, 200, 200]);
    expect(cloudwatch.accepted).toHaveLength(3000);
  });

  it('reports PUBLISH_FAILED with counts when throttling outlasts the retries', async () => {
    const logged: Record<string, unknown>[] = [];
    const impatient = createCloudWatchClient({
      endpoint: cloudwatch.endpoint,
      region: 'eu-west-1',
      maxAttempts: 2,
    });
    cloudwatch.throttle(2);
    const sink = createCloudWatchSink({
      client: impatient,
      maxInFlight: 1,
      logger: { log: (level, event) => logged.push({ level, ...event }) },
    });

    const outcome = await sink.publish(datums(1500));
    impatient.destroy();

    expect(outcome.published).toBe(500);
    expect(outcome.failed).toBe(1000);
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ code: 'PUBLISH_FAILED', datums: 1000 });
    expect(outcome.errors[0]?.message).toMatch(/Throttling/);
    expect(logged).toEqual([
      expect.objectContaining({ level: 'error', event: 'publish-failed', datums: 1000 }),
    ]);
    expect(cloudwatch.accepted).toHaveLength(500);
    // throttling is retried, never split: two attempts of the 1000, one of the 500
    expect(cloudwatch.requests.map((r) => r.sent).sort()).toEqual([1000, 1000, 500].sort());
  });

  it('publishes the other 999 datums of a request CloudWatch refuses for one, which alone fails with its message', async () => {
    const data = datums(1000);
    data[500] = { ...(data[500] as NamespacedDatum), Timestamp: FIFTEEN_DAYS_AGO };
    const sink = createCloudWatchSink({ client });

    const outcome = await sink.publish(data);

    expect(outcome).toEqual({
      published: 999,
      failed: 1,
      errors: [
        {
          code: 'INVALID_VALUE',
          message: `The parameter MetricData.member.1.Timestamp ${TOO_OLD}`,
          datums: 1,
          indexes: [500],
        },
      ],
    });
    const values = cloudwatch.accepted.map((d) => d.Value).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(values).toEqual(Array.from({ length: 1000 }, (_, i) => i).filter((i) => i !== 500));
    // halved until the datum is alone: 1000, 500, 250, ..., 2, 1 refused, each other half accepted
    const refused = cloudwatch.requests.filter((r) => r.status === 400).map((r) => r.sent);
    expect(refused.sort((a, b) => b - a)).toEqual([1000, 500, 250, 125, 63, 32, 16, 8, 4, 2, 1]);
    expect(cloudwatch.requests).toHaveLength(1 + 2 * Math.ceil(Math.log2(1000)));
  });

  it('fails a request whose every datum CloudWatch names as invalid whole, without splitting it', async () => {
    const data = datums(10).map((datum) => ({ ...datum, Timestamp: FIFTEEN_DAYS_AGO }));
    const sink = createCloudWatchSink({ client });

    const outcome = await sink.publish(data);

    expect(outcome.published).toBe(0);
    expect(outcome.errors).toEqual([
      expect.objectContaining({ code: 'INVALID_VALUE', datums: 10, indexes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }),
    ]);
    expect(outcome.errors[0]?.message).toContain(`MetricData.member.10.Timestamp ${TOO_OLD}`);
    expect(cloudwatch.requests).toHaveLength(1);
  });

  it('stops narrowing a refused request down when its split budget is spent, failing what is left of it', async () => {
    const bad = [10, 30, 60, 90];
    const data = datums(100).map((datum, i) =>
      bad.includes(i) ? { ...datum, Timestamp: FIFTEEN_DAYS_AGO } : datum,
    );
    const sink = createCloudWatchSink({ client, maxSplitRequests: 4 });

    const outcome = await sink.publish(data);

    expect(cloudwatch.requests).toHaveLength(1 + 4);
    const lost = outcome.errors.flatMap((error) => error.indexes ?? []);
    expect(lost).toEqual(expect.arrayContaining(bad));
    expect(outcome.errors.every((error) => error.code === 'INVALID_VALUE')).toBe(true);
    expect(outcome.errors.some((error) => /not narrowed down further/.test(error.message))).toBe(true);
    // everything not lost was published, once
    expect(outcome.published + outcome.failed).toBe(100);
    const values = cloudwatch.accepted.map((d) => d.Value).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(values).toEqual(Array.from({ length: 100 }, (_, i) => i).filter((i) => !lost.includes(i)));
  });

  it('fails a request whose 500s outlast the retries whole with PUBLISH_FAILED, without splitting it', async () => {
    const impatient = createCloudWatchClient({
      endpoint: cloudwatch.endpoint,
      region: 'eu-west-1',
      maxAttempts: 2,
    });
    cloudwatch.failRequest(1);
    cloudwatch.failRequest(2);
    const sink = createCloudWatchSink({ client: impatient });

    const outcome = await sink.publish(datums(10));
    impatient.destroy();

    expect(outcome).toMatchObject({
      published: 0,
      failed: 10,
      errors: [{ code: 'PUBLISH_FAILED', datums: 10, indexes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }],
    });
    expect(outcome.errors[0]?.message).toMatch(/after 2 attempts: InternalServiceFault: internal failure/);
    expect(cloudwatch.requests.map((r) => [r.status, r.sent])).toEqual([
      [500, 10],
      [500, 10],
    ]);
  });

  it('sets a datum with a non-ASCII dimension value aside before sending, so no request is refused', async () => {
    const data = datums(3);
    data[1] = { ...(data[1] as NamespacedDatum), Dimensions: [{ Name: 'City', Value: 'Zürich' }] };
    const sink = createCloudWatchSink({ client });

    const outcome = await sink.publish(data);

    expect(outcome).toMatchObject({
      published: 2,
      failed: 1,
      errors: [{ code: 'INVALID_VALUE', datums: 1, indexes: [1] }],
    });
    expect(outcome.errors[0]?.message).toMatch(/dimension 'City' with characters other than printable ASCII/);
    expect(cloudwatch.requests.map((r) => [r.status, r.sent])).toEqual([[200, 2]]);
  });

  it('sets an invalid datum aside and publishes the others', async () => {
    const data = datums(5);
    const bad = { ...data[2], Value: Number.POSITIVE_INFINITY } as NamespacedDatum;
    const sink = createCloudWatchSink({ client });

    const outcome = await sink.publish([data[0], data[1], bad, data[3], data[4]] as NamespacedDatum[]);

    expect(outcome.published).toBe(4);
    expect(outcome.failed).toBe(1);
    expect(outcome.errors).toEqual([expect.objectContaining({ code: 'INVALID_VALUE', datums: 1 })]);
    expect(cloudwatch.accepted.map((d) => d.Value)).toEqual([0, 1, 3, 4]);
  });

  it('keeps at most maxInFlight requests open at once', async () => {
    cloudwatch.delay(50);
    const sink = createCloudWatchSink({ client, maxInFlight: 2 });

    const outcome = await sink.publish([...datums(3000, 'Acme/A'), ...datums(2000, 'Acme/B')]);

    expect(outcome.published).toBe(5000);
    expect(cloudwatch.requests).toHaveLength(5);
    expect(cloudwatch.maxConcurrent).toBeLessThanOrEqual(2);
    expect(cloudwatch.maxConcurrent).toBe(2);
  });

  it('sends timestamps and several values as CloudWatch expects them', async () => {
    const sink = createCloudWatchSink({ client });
    // whole seconds, as the wire carries them, and within the two weeks CloudWatch accepts
    const at = Math.floor(Date.now() / 1000) * 1000 - 60_000;

    await sink.publish([
      {
        Namespace: 'Acme/Sink',
        MetricName: 'Latency',
        Dimensions: [],
        Unit: 'Milliseconds',
        StorageResolution: 1,
        Values: [3, 5, 3],
        Timestamp: at,
      },
    ]);

    expect(cloudwatch.accepted).toEqual([
      expect.objectContaining({
        MetricName: 'Latency',
        Values: [3, 5],
        Counts: [2, 1],
        StorageResolution: 1,
        Timestamp: at / 1000,
      }),
    ]);
  });
});
