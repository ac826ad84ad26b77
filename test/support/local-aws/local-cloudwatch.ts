/**
 * CloudWatch's PutMetricData as the installed SDK sends it: AWS JSON 1.0
 * (`X-Amz-Target: GraniteServiceVersion20100801.PutMetricData`, query-compatible errors),
 * gzip'd bodies decompressed. Enforces the real limits and records every datum it accepts.
 */
import {
  type LocalReply,
  type LocalRequest,
  type LocalServer,
  sleep,
  startLocalServer,
} from './local-server.js';

/** A datum as CloudWatch received it, with its namespace (`Timestamp` in epoch seconds, as sent). */
export interface ReceivedDatum {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions?: readonly { readonly Name: string; readonly Value: string }[];
  readonly Unit?: string;
  readonly StorageResolution?: number;
  readonly Value?: number;
  readonly Values?: readonly number[];
  readonly Counts?: readonly number[];
  readonly Timestamp?: number;
}

export interface ReceivedRequest {
  readonly status: number;
  readonly datums: number;
  readonly wireBytes: number;
  readonly bodyBytes: number;
  readonly gzip: boolean;
}

export interface LocalCloudWatch extends LocalServer {
  /** every datum of every accepted request, in arrival order */
  readonly accepted: ReceivedDatum[];
  /** every PutMetricData request, accepted or not */
  readonly requests: ReceivedRequest[];
  /** the most requests that were open at the same time */
  readonly maxConcurrent: number;
  /** the next `times` requests fail with `Throttling` (400) */
  throttle(times: number): void;
  /** the `n`th request from now (1 = the next) fails with a 500 */
  failRequest(n: number): void;
  /** every request waits this long before its answer */
  delay(ms: number): void;
}

const LIMITS = {
  maxBodyBytes: 1_000_000,
  maxDatums: 1000,
  maxValues: 150,
  maxDimensions: 30,
  maxValue: 2 ** 360,
} as const;

export async function startLocalCloudWatch(): Promise<LocalCloudWatch> {
  const accepted: ReceivedDatum[] = [];
  const requests: ReceivedRequest[] = [];
  let throttles = 0;
  const failing = new Set<number>();
  let delayMs = 0;
  let open = 0;
  let maxConcurrent = 0;

  async function handle(request: LocalRequest): Promise<LocalReply> {
    open++;
    maxConcurrent = Math.max(maxConcurrent, open);
    try {
      return await putMetricData(request);
    } finally {
      open--;
    }
  }

  async function putMetricData(request: LocalRequest): Promise<LocalReply> {
    const target = request.headers['x-amz-target'];
    if (target !== 'GraniteServiceVersion20100801.PutMetricData') {
      return error(400, 'UnknownOperationException', `unsupported target ${String(target)}`);
    }
    const number = requests.length + 1;
    const record = (status: number, datums: number) =>
      requests.push({
        status,
        datums,
        wireBytes: request.wireBytes,
        bodyBytes: request.body.length,
        gzip: request.gzip,
      });
    if (delayMs > 0) await sleep(delayMs);
    if (throttles > 0) {
      throttles--;
      record(400, 0);
      return error(400, 'Throttling', 'Rate exceeded');
    }
    if (failing.delete(number)) {
      record(500, 0);
      return error(500, 'InternalServiceError', 'internal failure');
    }
    if (request.body.length > LIMITS.maxBodyBytes) {
      record(413, 0);
      return error(413, 'RequestEntityTooLarge', `request body of ${request.body.length} bytes exceeds 1 MB`);
    }
    let input: { Namespace?: unknown; MetricData?: unknown };
    try {
      input = JSON.parse(request.body.toString('utf8')) as typeof input;
    } catch {
      record(400, 0);
      return error(400, 'SerializationException', 'malformed JSON');
    }
    const problem = check(input);
    if (problem !== undefined) {
      record(400, 0);
      return error(400, 'InvalidParameterValue', problem);
    }
    const data = input.MetricData as Omit<ReceivedDatum, 'Namespace'>[];
    for (const datum of data) accepted.push({ ...datum, Namespace: input.Namespace as string });
    record(200, data.length);
    return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: '{}' };
  }

  const server = await startLocalServer(handle, { maxBodyBytes: 4 * LIMITS.maxBodyBytes });
  return {
    ...server,
    accepted,
    requests,
    get maxConcurrent() {
      return maxConcurrent;
    },
    throttle: (times) => {
      throttles = times;
    },
    failRequest: (n) => {
      failing.add(requests.length + n);
    },
    delay: (ms) => {
      delayMs = ms;
    },
  };
}

function error(status: number, code: string, message: string): LocalReply {
  return {
    status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': `${code};${status >= 500 ? 'Receiver' : 'Sender'}`,
    },
    body: JSON.stringify({ __type: `com.amazonaws.cloudwatch#${code}`, message }),
  };
}

function check(input: { Namespace?: unknown; MetricData?: unknown }): string | undefined {
  const namespace = input.Namespace;
  if (typeof namespace !== 'string' || namespace.length === 0 || namespace.length > 255) {
    return 'Namespace must be 1-255 characters';
  }
  if (!/^[0-9A-Za-z.\-_/#: ]+$/.test(namespace)) return `Namespace '${namespace}' has invalid characters`;
  if (namespace.startsWith('AWS/')) return 'The value AWS/ for parameter Namespace is invalid.';
  const data = input.MetricData;
  if (!Array.isArray(data) || data.length === 0) return 'MetricData is required';
  if (data.length > LIMITS.maxDatums)
    return `The collection MetricData must not have a size greater than 1000.`;
  for (const [i, datum] of (data as Record<string, unknown>[]).entries()) {
    const at = `MetricData.member.${i + 1}`;
    const name = datum.MetricName;
    if (typeof name !== 'string' || name.length === 0 || name.length > 255)
      return `${at}.MetricName is invalid`;
    const dimensions = (datum.Dimensions ?? []) as { Name?: unknown; Value?: unknown }[];
    if (dimensions.length > LIMITS.maxDimensions) return `${at}.Dimensions has more than 30 members`;
    for (const dimension of dimensions) {
      if (
        typeof dimension.Name !== 'string' ||
        dimension.Name.length === 0 ||
        dimension.Name.startsWith(':')
      ) {
        return `${at}.Dimensions has an invalid name`;
      }
      if (
        typeof dimension.Value !== 'string' ||
        dimension.Value.length === 0 ||
        dimension.Value.length > 1024
      ) {
        return `${at}.Dimensions has an invalid value`;
      }
    }
    const values = datum.Values as unknown[] | undefined;
    const counts = datum.Counts as unknown[] | undefined;
    if (datum.Value !== undefined && values !== undefined) return `${at} has both Value and Values`;
    if (datum.Value === undefined && values === undefined && datum.StatisticValues === undefined) {
      return `${at} has no value`;
    }
    if (values !== undefined && values.length > LIMITS.maxValues)
      return `${at}.Values has more than 150 members`;
    if (counts !== undefined && counts.length !== values?.length) return `${at}.Counts does not match Values`;
    for (const value of [datum.Value, ...(values ?? [])]) {
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > LIMITS.maxValue) {
        return `The value ${String(value)} for parameter ${at}.Value is invalid.`;
      }
    }
  }
  return undefined;
}
