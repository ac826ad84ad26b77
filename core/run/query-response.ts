/**
 * A query function's response, checked before anything of it is published: it is data from another
 * process (or from an invoker the fan-out cannot vouch for), and what passes goes to CloudWatch and
 * `--json` as it is. The Lambda invoker and the fan-out check with this one function.
 */
import type { QueryResponse } from '../ports.js';
import { WARNING_CODES } from '../probe-error.js';
import { isPlainObject } from './query-request.js';

/** A response that is not a well-formed `QueryResponse`; nothing of it is published. */
export class InvalidQueryResponseError extends Error {
  override readonly name = 'InvalidQueryResponseError';
}

/**
 * Checks a response: reports and metric data of the right shapes (every number finite), a
 * `metricsPerReport` that counts each report's datums, warnings with known codes. The message
 * names the first entry that is wrong by its position, never its content.
 */
export function parseQueryResponse(answer: unknown): QueryResponse {
  if (!isPlainObject(answer) || !Array.isArray(answer.reports) || !Array.isArray(answer.metrics)) {
    refuse('expected { reports: [...], metrics: [...] }');
  }
  const { reports, metrics, metricsPerReport, warnings } = answer;
  const report = reports.findIndex((entry) => !isReport(entry));
  if (report >= 0) refuse(`reports[${report}] is not a probe report`);
  const datum = metrics.findIndex((entry) => !isDatum(entry));
  if (datum >= 0) refuse(`metrics[${datum}] is not a metric datum`);
  if (metricsPerReport !== undefined && !countsEach(metricsPerReport, reports.length, metrics.length)) {
    refuse('metricsPerReport does not count the metrics of each report');
  }
  if (warnings !== undefined && !(Array.isArray(warnings) && warnings.every(isWarning))) {
    refuse('warnings is not a list of database warnings');
  }
  return answer as unknown as QueryResponse;
}

function refuse(reason: string): never {
  throw new InvalidQueryResponseError(`malformed response: ${reason}`);
}

/** one whole count per report, together the number of datums */
function countsEach(counts: unknown, reports: number, datums: number): boolean {
  return (
    Array.isArray(counts) &&
    counts.length === reports &&
    counts.every((n) => Number.isInteger(n) && n >= 0) &&
    counts.reduce((sum: number, n: number) => sum + n, 0) === datums
  );
}

function isReport(value: unknown): boolean {
  return (
    isPlainObject(value) &&
    typeof value.probe === 'string' &&
    typeof value.database === 'string' &&
    typeof value.ok === 'boolean' &&
    typeof value.rows === 'number' &&
    typeof value.durationMs === 'number' &&
    (value.error === undefined ||
      (isPlainObject(value.error) &&
        typeof value.error.code === 'string' &&
        typeof value.error.message === 'string'))
  );
}

function isDatum(value: unknown): boolean {
  return (
    isPlainObject(value) &&
    typeof value.MetricName === 'string' &&
    Array.isArray(value.Dimensions) &&
    value.Dimensions.every(isDimension) &&
    typeof value.Unit === 'string' &&
    typeof value.StorageResolution === 'number' &&
    (value.Value !== undefined
      ? isFiniteNumber(value.Value)
      : isNumberList(value.Values) && isNumberList(value.Counts))
  );
}

function isDimension(value: unknown): boolean {
  return isPlainObject(value) && typeof value.Name === 'string' && typeof value.Value === 'string';
}

function isWarning(value: unknown): boolean {
  return (
    isPlainObject(value) &&
    typeof value.database === 'string' &&
    typeof value.code === 'string' &&
    (WARNING_CODES as readonly string[]).includes(value.code) &&
    typeof value.message === 'string'
  );
}

function isFiniteNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNumberList(list: unknown): boolean {
  return Array.isArray(list) && list.every(isFiniteNumber);
}
