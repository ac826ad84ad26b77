/**
 * The keys and enum values of the Config types, spelt out once: schema-drift.test-d.ts checks them
 * against the types, schema-drift.test.ts against schema.json.
 */
export const CONFIG_KEYS = [
  'alarms',
  'databases',
  'file',
  'health',
  'logRetentionDays',
  'namespace',
  'probes',
  'publish',
  'region',
  'schedule',
  'version',
  'vpcs',
] as const;
export const VPC_KEYS = ['cidrBlocks', 'name', 'securityGroupIds', 'subnetIds', 'vpcId'] as const;
export const DATABASE_KEYS = [
  'auth',
  'dataApi',
  'database',
  'engine',
  'host',
  'local',
  'maxConnections',
  'name',
  'port',
  'resourceId',
  'tls',
  'user',
  'vpc',
] as const;
export const PROBE_KEYS = [
  'database',
  'dimensions',
  'maxRows',
  'maxSeries',
  'metrics',
  'name',
  'onEmpty',
  'onNull',
  'parameterDimensions',
  'parameters',
  'schedule',
  'sql',
  'timeoutMs',
] as const;
export const METRIC_KEYS = ['alarm', 'column', 'dimensions', 'name', 'resolution', 'unit'] as const;
/** a metric's alarm: `above: N` or `below: N` become `comparison` and `threshold` */
export const ALARM_KEYS = ['comparison', 'datapoints', 'for', 'missing', 'statistic', 'threshold'] as const;
export const ALARM_STATISTICS = ['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount'] as const;
export const MISSING_DATA = ['missing', 'breaching', 'notBreaching', 'ignore'] as const;
export const PUBLISH = ['fanout', 'emf'] as const;
export const HEALTH = ['summary', 'detailed', 'none'] as const;
export const ON_NULL = ['skip', 'zero', 'error'] as const;
export const ON_EMPTY = ['skip', 'zero'] as const;
