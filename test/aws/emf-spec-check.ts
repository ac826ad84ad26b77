/**
 * The rules of the CloudWatch Embedded Metric Format specification a document must follow,
 * as a checker returning every violation (empty: valid).
 */
const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

export function emfViolations(line: string): string[] {
  const problems: string[] = [];
  let root: Record<string, unknown>;
  try {
    root = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return ['not a JSON object'];
  }
  if (line.includes('\n')) problems.push('a document must be one line');
  if (Buffer.byteLength(line) > 256 * 1024) problems.push('larger than a 256 KB log event');
  const aws = root._aws as Record<string, unknown> | undefined;
  if (typeof aws !== 'object' || aws === null) return [...problems, '_aws missing'];
  if (!Number.isInteger(aws.Timestamp) || (aws.Timestamp as number) < 0)
    problems.push('_aws.Timestamp must be epoch ms');
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0)
    return [...problems, 'CloudWatchMetrics must be a non-empty array'];
  for (const directive of directives as Record<string, unknown>[]) {
    const extra = Object.keys(directive).filter((k) => !['Namespace', 'Dimensions', 'Metrics'].includes(k));
    if (extra.length > 0) problems.push(`directive has extra members ${extra.join(', ')}`);
    if (typeof directive.Namespace !== 'string' || directive.Namespace.length === 0)
      problems.push('Namespace required');
    const sets = directive.Dimensions;
    if (!Array.isArray(sets)) problems.push('Dimensions must be an array of dimension sets');
    else {
      for (const set of sets as unknown[]) {
        if (!Array.isArray(set)) {
          problems.push('a dimension set must be an array');
          continue;
        }
        if (set.length > 30) problems.push(`dimension set of ${set.length} keys (max 30)`);
        for (const key of set) {
          if (typeof root[key as string] !== 'string')
            problems.push(`dimension '${String(key)}' has no string member`);
        }
      }
    }
    const metrics = directive.Metrics;
    if (!Array.isArray(metrics)) {
      problems.push('Metrics must be an array');
      continue;
    }
    if (metrics.length > 100) problems.push(`${metrics.length} metrics in one directive (max 100)`);
    for (const metric of metrics as Record<string, unknown>[]) {
      const extraKeys = Object.keys(metric).filter((k) => !['Name', 'Unit', 'StorageResolution'].includes(k));
      if (extraKeys.length > 0) problems.push(`metric has extra members ${extraKeys.join(', ')}`);
      const name = metric.Name;
      if (typeof name !== 'string' || name.length === 0 || name.length > 255) {
        problems.push('metric Name must be 1-255 characters');
        continue;
      }
      if (metric.Unit !== undefined && !UNITS.has(metric.Unit as string))
        problems.push(`unknown unit ${String(metric.Unit)}`);
      if (
        metric.StorageResolution !== undefined &&
        metric.StorageResolution !== 1 &&
        metric.StorageResolution !== 60
      ) {
        problems.push(`StorageResolution ${String(metric.StorageResolution)}`);
      }
      const value = root[name];
      if (Array.isArray(value)) {
        if (value.length > 100) problems.push(`metric '${name}' has ${value.length} values (max 100)`);
        if (!value.every((v) => typeof v === 'number'))
          problems.push(`metric '${name}' has a non-numeric value`);
      } else if (typeof value !== 'number') problems.push(`metric '${name}' has no numeric member`);
    }
  }
  return problems;
}
