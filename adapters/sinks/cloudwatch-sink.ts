/**
 * A `MetricsSink` over CloudWatch PutMetricData: the fewest requests the limits allow
 * (`core/put-metric-batches.ts`), the SDK's own gzip, a bounded number of requests in flight,
 * throttling and 5xx retried with backoff by the SDK's standard retry strategy. What still fails
 * is logged with counts and reported with the positions of the datums lost, never dropped silently.
 *
 * A request CloudWatch refuses as invalid (HTTP 400, `InvalidParameterValue`,
 * `InvalidParameterCombination` or `MissingParameter`) loses only the datums it objects to: it is
 * sent again as two halves, and a refused half halved again, until each refused datum is alone and
 * fails with `INVALID_VALUE` and CloudWatch's message. A request CloudWatch accepts costs nothing
 * more; one bad datum among 1,000 costs at most 2 · ⌈log2 1000⌉ = 20 more requests.
 *
 * The splitting is bounded per refused request. It stops at a part whose every datum CloudWatch's
 * message names (it writes a sentence per problem, naming `MetricData.member.N`): the whole part is
 * invalid, so a run of bad datums side by side (one probe's) costs about what two bad datums do. And
 * it stops when the request has spent its budget (`maxSplitRequests`, 80 by default: four bad
 * datums spread over 1,000). Such a part fails whole with `INVALID_VALUE`, its message saying so.
 * Any other failure (throttling or 5xx beyond the retries, a network error) fails its request
 * whole with `PUBLISH_FAILED`, unsplit.
 */
import {
  CloudWatchClient,
  PutMetricDataCommand,
  type MetricDatum as SdkDatum,
} from '@aws-sdk/client-cloudwatch';
import { namedCauseOf } from '../../core/error-cause.js';
import type { MetricDatum, NamespacedDatum } from '../../core/metric-data.js';
import type { Logger, MetricsSink, PublishError, PublishOutcome } from '../../core/ports.js';
import { planPutMetricBatches } from '../../core/run/put-metric-batches.js';

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
  /**
   * the most requests that narrowing down one refused request may add
   * @default 80
   */
  readonly maxSplitRequests?: number;
  readonly logger?: Logger;
}

const DEFAULT_MAX_SPLIT_REQUESTS = 80;

/** Error names (the SDK's exception names, and CloudWatch's query codes) for input refused as invalid. */
const INVALID_INPUT = new Set([
  'InvalidParameterValueException',
  'InvalidParameterCombinationException',
  'MissingRequiredParameterException',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'MissingParameter',
]);

/** Part of a planned request: its datums and, for each, the position of the datum it came from. */
interface Part {
  readonly Namespace: string;
  readonly MetricData: readonly MetricDatum[];
  readonly sources: readonly number[];
}

export function createCloudWatchSink(options: CloudWatchSinkOptions): MetricsSink {
  const { client, logger } = options;
  const maxInFlight = Math.max(1, options.maxInFlight ?? 4);
  const maxSplitRequests = Math.max(0, options.maxSplitRequests ?? DEFAULT_MAX_SPLIT_REQUESTS);

  return {
    async publish(data: readonly NamespacedDatum[]): Promise<PublishOutcome> {
      const { requests, rejected } = planPutMetricBatches(data);
      const errors: PublishError[] = [];
      for (const { datum, index, reason } of rejected) {
        logger?.log('error', {
          event: 'datum-rejected',
          namespace: datum.Namespace,
          metric: datum.MetricName,
          reason,
        });
        errors.push({ code: 'INVALID_VALUE', message: reason, datums: 1, indexes: [index] });
      }

      let published = 0;
      let failed = rejected.length;
      const inFlight = slots(maxInFlight);

      const lose = (part: Part, code: PublishError['code'], message: string): void => {
        const datums = part.MetricData.length;
        failed += datums;
        errors.push({ code, message, datums, indexes: [...new Set(part.sources)] });
      };

      /** The error a part's request ended with, or `undefined` once CloudWatch accepted it. */
      const send = (part: Part): Promise<unknown> =>
        inFlight(() =>
          client.send(
            new PutMetricDataCommand({ Namespace: part.Namespace, MetricData: part.MetricData.map(toSdk) }),
          ),
        ).then(
          () => undefined,
          (error: unknown) => error ?? new Error('PutMetricData failed'),
        );

      /** Sends a part; a part refused as invalid is halved while its request's budget lasts. */
      const put = async (part: Part, budget: { left: number }): Promise<void> => {
        const datums = part.MetricData.length;
        const error = await send(part);
        if (error === undefined) {
          published += datums;
          return;
        }
        if (!refusedAsInvalid(error)) {
          const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
          logger?.log('error', {
            event: 'publish-failed',
            namespace: part.Namespace,
            datums,
            attempts,
            error: namedCauseOf(error),
          });
          const message = `PutMetricData of ${datums} datums to '${part.Namespace}' failed${attempts ? ` after ${attempts} attempts` : ''}: ${namedCauseOf(error)}`;
          lose(part, 'PUBLISH_FAILED', message);
          return;
        }
        const message = (error as Error).message;
        const whole = datums > 1 && namesEveryDatum(message, datums);
        if (datums === 1 || whole || budget.left < 2) {
          logger?.log('error', {
            event: 'datums-refused',
            namespace: part.Namespace,
            datums,
            reason: message,
          });
          if (datums === 1) lose(part, 'INVALID_VALUE', message);
          else {
            const why = whole ? 'each of them named' : 'not narrowed down further';
            lose(
              part,
              'INVALID_VALUE',
              `CloudWatch refused ${datums} datums as invalid (${why}): ${message}`,
            );
          }
          return;
        }
        budget.left -= 2;
        const half = Math.ceil(datums / 2);
        await Promise.all([put(slice(part, 0, half), budget), put(slice(part, half, datums), budget)]);
      };

      await Promise.all(requests.map((request) => put(request, { left: maxSplitRequests })));
      return { published, failed, errors };
    },
  };
}

function slice(part: Part, start: number, end: number): Part {
  return {
    Namespace: part.Namespace,
    MetricData: part.MetricData.slice(start, end),
    sources: part.sources.slice(start, end),
  };
}

/** Whether CloudWatch refused the request for its input (not throttling, which the SDK retries). */
function refusedAsInvalid(error: unknown): boolean {
  const { name, $metadata } = error as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  return $metadata?.httpStatusCode === 400 && typeof name === 'string' && INVALID_INPUT.has(name);
}

/** Whether CloudWatch's message (a sentence per problem) names each of a request's `datums` members. */
function namesEveryDatum(message: string, datums: number): boolean {
  const named = new Set<string>();
  for (const match of message.matchAll(/\bMetricData\.member\.(\d+)\b/g)) named.add(match[1] ?? '');
  return named.size === datums;
}

/** Runs tasks with at most `max` of them at once, the others waiting in turn. */
function slots(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    // a finished task hands its slot straight to the next waiting one
    if (running < max) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
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
