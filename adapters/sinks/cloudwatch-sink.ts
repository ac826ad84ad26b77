/**
 * A `MetricsSink` over CloudWatch PutMetricData: the fewest requests the limits allow
 * (`core/put-metric-batches.ts`), the SDK's own gzip, a bounded number of requests in flight,
 * throttling and 5xx retried with backoff by the SDK's standard retry strategy. What still fails
 * is logged with counts and reported, never dropped silently.
 */
import {
  CloudWatchClient,
  PutMetricDataCommand,
  type MetricDatum as SdkDatum,
} from '@aws-sdk/client-cloudwatch';
import type { MetricDatum, NamespacedDatum } from '../../core/metric-data.js';
import type { Logger, MetricsSink, PublishOutcome } from '../../core/ports.js';
import { type PutMetricRequest, planPutMetricBatches } from '../../core/put-metric-batches.js';

export interface CloudWatchClientOptions {
  /** e.g. a local endpoint in tests; absent: `AWS_ENDPOINT_URL_CLOUDWATCH` or the regional one */
  readonly endpoint?: string;
  readonly region?: string;
  /**
   * attempts per request, the first included; throttling (`Throttling`, 429) and 5xx are retried
   * with the standard strategy's jittered exponential backoff
   * @default 5
   */
  readonly maxAttempts?: number;
}

/** A CloudWatch client set up for publishing: standard retries, request compression on. */
export function createCloudWatchClient(options: CloudWatchClientOptions = {}): CloudWatchClient {
  return new CloudWatchClient({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    maxAttempts: options.maxAttempts ?? 5,
    retryMode: 'standard',
    // PutMetricData carries the requestCompression trait: bodies from 10 KB on are gzip'd
    disableRequestCompression: false,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
  });
}

export interface CloudWatchSinkOptions {
  readonly client: CloudWatchClient;
  /**
   * PutMetricData requests sent at once
   * @default 4
   */
  readonly maxInFlight?: number;
  readonly logger?: Logger;
}

export function createCloudWatchSink(options: CloudWatchSinkOptions): MetricsSink {
  const { client, logger } = options;
  const maxInFlight = Math.max(1, options.maxInFlight ?? 4);

  return {
    async publish(data: readonly NamespacedDatum[]): Promise<PublishOutcome> {
      const { requests, rejected } = planPutMetricBatches(data);
      const errors: { code: 'INVALID_VALUE' | 'PUBLISH_FAILED'; message: string; datums: number }[] = [];
      for (const { datum, reason } of rejected) {
        logger?.log({
          event: 'datum-rejected',
          namespace: datum.Namespace,
          metric: datum.MetricName,
          reason,
        });
        errors.push({ code: 'INVALID_VALUE', message: reason, datums: 1 });
      }

      let published = 0;
      let failed = rejected.length;
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let i = next++; i < requests.length; i = next++) {
          const request = requests[i] as PutMetricRequest;
          const datums = request.MetricData.length;
          try {
            await client.send(
              new PutMetricDataCommand({
                Namespace: request.Namespace,
                MetricData: request.MetricData.map(toSdk),
              }),
            );
            published += datums;
          } catch (error) {
            failed += datums;
            const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
            const message = `PutMetricData of ${datums} datums to '${request.Namespace}' failed${attempts ? ` after ${attempts} attempts` : ''}: ${errorText(error)}`;
            logger?.log({
              event: 'publish-failed',
              namespace: request.Namespace,
              datums,
              attempts,
              error: errorText(error),
            });
            errors.push({ code: 'PUBLISH_FAILED', message, datums });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(maxInFlight, requests.length) }, worker));
      return { published, failed, errors };
    },
  };
}

function toSdk(datum: MetricDatum): SdkDatum {
  return {
    MetricName: datum.MetricName,
    Dimensions: datum.Dimensions.map((d) => ({ Name: d.Name, Value: d.Value })),
    Unit: datum.Unit,
    StorageResolution: datum.StorageResolution,
    ...(datum.Value !== undefined ? { Value: datum.Value } : {}),
    ...(datum.Values !== undefined ? { Values: [...datum.Values] } : {}),
    ...(datum.Counts !== undefined ? { Counts: [...datum.Counts] } : {}),
    ...(datum.Timestamp !== undefined ? { Timestamp: new Date(datum.Timestamp) } : {}),
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
