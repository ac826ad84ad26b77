// Builds typed, fully defaulted configs for plan tests, the way the loader would produce them.
import type { Config, DatabaseConfig, MetricConfig, ProbeConfig, VpcConfig } from '../../core/config.js';
import { DEFAULTS } from '../../core/config.js';

type Draft<T> = Partial<T> & { readonly name: string };

export function vpc(name: string, subnets = 2, extra: Partial<VpcConfig> = {}): VpcConfig {
  const subnetIds = Array.from({ length: subnets }, (_, i) => `subnet-0${String(i).padStart(16, '0')}`);
  return { name, vpcId: 'vpc-0abc1234def567890', subnetIds, ...extra };
}

export function database(draft: Draft<DatabaseConfig>): DatabaseConfig {
  return {
    engine: 'postgres',
    host: `${draft.name}.example.com`,
    port: 5432,
    database: 'app',
    user: 'metrics_reader',
    auth: { type: 'iam' },
    tls: DEFAULTS.tls,
    maxConnections: DEFAULTS.maxConnections,
    ...draft,
  };
}

export function metric(draft: Draft<MetricConfig>): MetricConfig {
  return { column: 'n', unit: 'Count', resolution: 60, dimensions: {}, ...draft };
}

export function probe(draft: Draft<ProbeConfig> & { readonly database: string }): ProbeConfig {
  return {
    sql: 'SELECT 1 AS n',
    schedule: DEFAULTS.schedule,
    timeoutMs: DEFAULTS.timeoutMs,
    onNull: DEFAULTS.onNull,
    onEmpty: DEFAULTS.onEmpty,
    maxRows: DEFAULTS.maxRows,
    maxSeries: DEFAULTS.maxSeries,
    dimensions: {},
    metrics: [metric({ name: 'Value' })],
    ...draft,
  };
}

function byName<T extends { readonly name: string }>(items: readonly T[]): Record<string, T> {
  return Object.fromEntries(items.map((item) => [item.name, item]));
}

export function config(parts: {
  readonly namespace?: string;
  readonly schedule?: string;
  readonly publish?: Config['publish'];
  readonly health?: Config['health'];
  readonly vpcs?: readonly VpcConfig[];
  readonly databases: readonly DatabaseConfig[];
  readonly probes: readonly ProbeConfig[];
}): Config {
  return {
    file: '/project/probes.yaml',
    version: 1,
    namespace: parts.namespace ?? 'Acme/Sessions',
    schedule: parts.schedule ?? DEFAULTS.schedule,
    publish: parts.publish ?? DEFAULTS.publish,
    health: parts.health ?? DEFAULTS.health,
    logRetentionDays: DEFAULTS.logRetentionDays,
    vpcs: byName(parts.vpcs ?? []),
    databases: byName(parts.databases),
    probes: byName(parts.probes),
  };
}

/** The quickstart example, as the loader produces it. */
export function quickstart(): Config {
  return config({
    vpcs: [vpc('app', 2)],
    databases: [database({ name: 'sessions', vpc: 'app' })],
    probes: [
      probe({
        name: 'active-sessions',
        database: 'sessions',
        metrics: [metric({ name: 'ActiveSessions', column: 'active' })],
      }),
    ],
  });
}
