/**
 * PutMetricData requests for N datums through the real SDK client to the local CloudWatch
 * endpoint: the minimum, ⌈N/1000⌉, with every body under 1 MB. One benchmark per N.
 */
import { createCloudWatchClient, createCloudWatchSink } from '../adapters/sinks/cloudwatch-sink.js';
import type { NamespacedDatum } from '../core/metric-data.js';
import { useDummyCredentials } from '../test/support/local-aws/dummy-credentials.js';
import { startLocalCloudWatch } from '../test/support/local-aws/local-cloudwatch.js';
import type { Benchmark } from './benchmark.js';

const SIZES = [1, 999, 1000, 1001, 25_000] as const;

function datums(n: number): NamespacedDatum[] {
  // a typical probe datum: two dimensions, one value
  return Array.from({ length: n }, (_, i) => ({
    Namespace: 'Chasm/Bench',
    MetricName: 'SessionsByRegion',
    Dimensions: [
      { Name: 'Env', Value: 'prod' },
      { Name: 'Region', Value: `region-${i}` },
    ],
    Unit: 'Count',
    StorageResolution: 60,
    Value: i % 997,
  }));
}

function putMetricRequests(n: number): Benchmark {
  return {
    name: `PutMetricData requests, ${n} datums`,
    budget: { max: Math.ceil(n / 1000) },
    async run() {
      useDummyCredentials();
      const cloudwatch = await startLocalCloudWatch();
      const client = createCloudWatchClient({ endpoint: cloudwatch.endpoint, region: 'eu-west-1' });
      try {
        const outcome = await createCloudWatchSink({ client }).publish(datums(n));
        const accepted = cloudwatch.requests.filter((r) => r.status === 200);
        if (outcome.published !== n || cloudwatch.accepted.length !== n) {
          throw new Error(
            `published ${outcome.published} of ${n}; CloudWatch holds ${cloudwatch.accepted.length}`,
          );
        }
        const largest = Math.max(...accepted.map((r) => r.bodyBytes));
        if (largest >= 1_000_000) throw new Error(`a request body of ${largest} bytes is not under 1 MB`);
        const body = accepted.reduce((sum, r) => sum + r.bodyBytes, 0) / accepted.length;
        const wire = accepted.reduce((sum, r) => sum + r.wireBytes, 0) / accepted.length;
        return {
          measured: cloudwatch.requests.length,
          unit: 'calls',
          note: `${Math.round(body)} bytes of JSON per request (largest ${largest}), ${Math.round(wire)} on the wire${accepted.some((r) => r.gzip) ? ' (gzip)' : ''}`,
        };
      } finally {
        client.destroy();
        await cloudwatch.close();
      }
    },
  };
}

export const putMetricRequestBenchmarks: readonly Benchmark[] = SIZES.map(putMetricRequests);
