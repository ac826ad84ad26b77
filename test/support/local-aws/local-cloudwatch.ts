/**
 * CloudWatch's PutMetricData as the installed SDK sends it: AWS JSON 1.0
 * (`X-Amz-Target: GraniteServiceVersion20100801.PutMetricData`, query-compatible errors),
 * gzip'd bodies decompressed. Enforces the real limits (`core/limits.ts`) and refuses a request
 * with any invalid datum as CloudWatch does: HTTP 400, `InvalidParameterValue` (or
 * `MissingParameter`, `InvalidParameterCombination`), one sentence per problem naming its
 * parameter (`MetricData.member.3.Dimensions.member.1.Value`), nothing of it accepted. Records
 * every datum it accepts.
 */
import { CLOUDWATCH, STORAGE_RESOLUTIONS } from '../../../core/limits.js';
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
  /** datums accepted (0 when the request was refused) */
  readonly datums: number;
  /** datums the request carried, accepted or not */
  readonly sent: number;
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
    let input: { Namespace?: unknown; MetricData?: unknown } | undefined;
    try {
      input = JSON.parse(request.body.toString('utf8')) as typeof input;
    } catch {
      input = undefined;
    }
    const sent = Array.isArray(input?.MetricData) ? input.MetricData.length : 0;
    const record = (status: number, datums: number) =>
      requests.push({
        status,
        datums,
        sent,
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
    if (request.body.length > CLOUDWATCH.maxRequestBytes) {
      record(413, 0);
      return error(413, 'RequestEntityTooLarge', `request body of ${request.body.length} bytes exceeds 1 MB`);
    }
    if (input === undefined) {
      record(400, 0);
      return error(400, 'SerializationException', 'malformed JSON');
    }
    // one bad datum refuses the whole request: nothing of it is recorded as accepted
    const problems = check(input, Date.now());
    const first = problems[0];
    if (first) {
      record(400, 0);
      return error(400, first.code, problems.map((problem) => problem.message).join('\n'));
    }
    const data = input.MetricData as Omit<ReceivedDatum, 'Namespace'>[];
    for (const datum of data) accepted.push({ ...datum, Namespace: input.Namespace as string });
    record(200, data.length);
    return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: '{}' };
  }

  const server = await startLocalServer(handle, { maxBodyBytes: 4 * CLOUDWATCH.maxRequestBytes });
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

/** One thing CloudWatch objects to in a request: its error code and its sentence. */
interface Problem {
  readonly code: 'InvalidParameterValue' | 'InvalidParameterCombination' | 'MissingParameter';
  readonly message: string;
}

const invalid = (message: string): Problem => ({ code: 'InvalidParameterValue', message });

/** Every problem of the request, in CloudWatch's words, datum by datum (CloudWatch names them all). */
function check(input: { Namespace?: unknown; MetricData?: unknown }, nowMs: number): Problem[] {
  const namespace = input.Namespace;
  if (typeof namespace !== 'string' || namespace.trim().length === 0) {
    return [{ code: 'MissingParameter', message: 'The parameter Namespace is required.' }];
  }
  if (namespace.length > CLOUDWATCH.maxNamespaceLength || !/^[0-9A-Za-z.\-_/#: ]+$/.test(namespace)) {
    return [invalid(`The value ${namespace} for parameter Namespace is invalid.`)];
  }
  if (namespace.startsWith('AWS/')) return [invalid(`The value AWS/ for parameter Namespace is invalid.`)];
  const data = input.MetricData;
  if (!Array.isArray(data) || data.length === 0) {
    return [{ code: 'MissingParameter', message: 'The parameter MetricData is required.' }];
  }
  if (data.length > CLOUDWATCH.maxDatumsPerRequest) {
    return [
      invalid(
        `The collection MetricData must not have a size greater than ${CLOUDWATCH.maxDatumsPerRequest}.`,
      ),
    ];
  }
  const problems: Problem[] = [];
  for (const [i, datum] of (data as Record<string, unknown>[]).entries()) {
    problems.push(...datumProblems(datum, `MetricData.member.${i + 1}`, nowMs));
  }
  return problems;
}

function datumProblems(datum: Record<string, unknown>, at: string, nowMs: number): Problem[] {
  const problems: Problem[] = [];
  const add = (problem: Problem | undefined) => {
    if (problem) problems.push(problem);
  };
  add(textProblem(datum.MetricName, `${at}.MetricName`, CLOUDWATCH.maxNameLength));
  const dimensions = (datum.Dimensions ?? []) as { Name?: unknown; Value?: unknown }[];
  if (dimensions.length > CLOUDWATCH.maxDimensions) {
    add(
      invalid(
        `The collection ${at}.Dimensions must not have a size greater than ${CLOUDWATCH.maxDimensions}.`,
      ),
    );
  }
  for (const [j, dimension] of dimensions.entries()) {
    const member = `${at}.Dimensions.member.${j + 1}`;
    const nameProblem = textProblem(dimension.Name, `${member}.Name`, CLOUDWATCH.maxNameLength);
    add(
      nameProblem ??
        (String(dimension.Name).startsWith(':')
          ? invalid(`The value ${String(dimension.Name)} for parameter ${member}.Name is invalid.`)
          : undefined),
    );
    add(textProblem(dimension.Value, `${member}.Value`, CLOUDWATCH.maxDimensionValueLength));
  }

  const values = datum.Values as unknown[] | undefined;
  const counts = datum.Counts as unknown[] | undefined;
  if (datum.Value !== undefined && values !== undefined) {
    add({
      code: 'InvalidParameterCombination',
      message: `The parameters ${at}.Value and ${at}.Values are mutually exclusive and you have specified both.`,
    });
  }
  if (datum.Value === undefined && values === undefined && datum.StatisticValues === undefined) {
    add({
      code: 'InvalidParameterCombination',
      message: `At least one of the parameters ${at}.Value, ${at}.Values and ${at}.StatisticValues must be specified.`,
    });
  }
  if (values !== undefined && values.length > CLOUDWATCH.maxValuesPerDatum) {
    add(
      invalid(
        `The collection ${at}.Values must not have a size greater than ${CLOUDWATCH.maxValuesPerDatum}.`,
      ),
    );
  }
  if (counts !== undefined && counts.length !== values?.length) {
    add(invalid(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`));
  }
  if (datum.Value !== undefined) add(numberProblem(datum.Value, `${at}.Value`));
  for (const [k, value] of (values ?? []).entries())
    add(numberProblem(value, `${at}.Values.member.${k + 1}`));

  const resolution = datum.StorageResolution;
  if (resolution !== undefined && !(STORAGE_RESOLUTIONS as readonly unknown[]).includes(resolution)) {
    add(invalid(`The value ${String(resolution)} for parameter ${at}.StorageResolution is invalid.`));
  }
  // AWS JSON 1.0 sends timestamps as epoch seconds
  if (typeof datum.Timestamp === 'number') {
    const ms = datum.Timestamp * 1000;
    if (ms < nowMs - CLOUDWATCH.maxTimestampAgeMs) {
      add(invalid(`The parameter ${at}.Timestamp must specify a time within the past two weeks.`));
    } else if (ms > nowMs + CLOUDWATCH.maxTimestampLeadMs) {
      add(invalid(`The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`));
    }
  }
  return problems;
}

/** A metric name, dimension name or dimension value: non-blank, ASCII without control characters, not too long. */
function textProblem(text: unknown, parameter: string, maxLength: number): Problem | undefined {
  if (typeof text !== 'string' || text.trim().length === 0) {
    return { code: 'MissingParameter', message: `The parameter ${parameter} is required.` };
  }
  if (/[\u0080-\uffff]/.test(text)) {
    return invalid(`The value for parameter ${parameter} contains non-ASCII characters.`);
  }
  // ASCII by now: anything not printable is a control character
  if (/[^\x20-\x7e]/.test(text)) {
    return invalid(`The value for parameter ${parameter} contains ASCII control characters.`);
  }
  if (text.length > maxLength) {
    return invalid(`The parameter ${parameter} must be shorter than ${maxLength + 1} characters.`);
  }
  return undefined;
}

function numberProblem(value: unknown, parameter: string): Problem | undefined {
  const magnitude = typeof value === 'number' ? Math.abs(value) : Number.NaN;
  const inRange =
    Number.isFinite(magnitude) &&
    magnitude <= CLOUDWATCH.maxValue &&
    (magnitude === 0 || magnitude >= CLOUDWATCH.minMagnitude);
  return inRange ? undefined : invalid(`The value ${String(value)} for parameter ${parameter} is invalid.`);
}
