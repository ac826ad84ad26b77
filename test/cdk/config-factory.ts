// Typed, fully defaulted configs for the deploy tests, shaped as the loader produces them.
import { createHash } from 'node:crypto';
import type { Config, DatabaseConfig, MetricConfig, ProbeConfig, VpcConfig } from '../../core/config.js';
import { DEFAULTS } from '../../core/config.js';

/** a realistic AWS id part: `digits` hex digits derived from the text */
export function hexOf(text: string, digits: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, digits);
}

type Draft<T> = Partial<T> & { readonly name: string };

export function vpc(name: string, extra: Partial<VpcConfig> = {}): VpcConfig {
  return {
    name,
    vpcId: `vpc-${hexOf(name, 17)}`,
    subnetIds: [`subnet-${hexOf(`${name}-a`, 17)}`, `subnet-${hexOf(`${name}-b`, 17)}`],
    ...extra,
  };
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
    metrics: [metric({ name: `${draft.name}-value` })],
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
  readonly alarms?: Config['alarms'];
  readonly logRetentionDays?: number;
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
    ...(parts.alarms ? { alarms: parts.alarms } : {}),
    logRetentionDays: parts.logRetentionDays ?? DEFAULTS.logRetentionDays,
    vpcs: byName(parts.vpcs ?? []),
    databases: byName(parts.databases),
    probes: byName(parts.probes),
  };
}

/** Every map of a config (vpcs, databases, probes, dimensions) in reverse order; lists too. */
export function reversed(source: Config): Config {
  const flip = <T>(record: Readonly<Record<string, T>>): Record<string, T> =>
    Object.fromEntries(Object.entries(record).reverse());
  return {
    ...source,
    vpcs: flip(source.vpcs),
    databases: flip(source.databases),
    probes: flip(
      Object.fromEntries(
        Object.entries(source.probes).map(([name, p]) => [
          name,
          {
            ...p,
            dimensions: flip(p.dimensions),
            metrics: [...p.metrics].reverse().map((m) => ({ ...m, dimensions: flip(m.dimensions) })),
          },
        ]),
      ),
    ),
  };
}

/**
 * Two VPCs (one with its own security groups), a public database, both engines, a secret, two
 * schedules, static and column dimensions, detailed health and alarms.
 */
export function wideConfig(overrides: Partial<Parameters<typeof config>[0]> = {}): Config {
  return config({
    health: 'detailed',
    alarms: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
    logRetentionDays: 14,
    vpcs: [vpc('app'), vpc('billing', { securityGroupIds: ['sg-0123456789abcdef0'] })],
    databases: [
      database({ name: 'sessions', vpc: 'app', resourceId: 'cluster-ABCDEFGHIJKL' }),
      database({ name: 'orders', vpc: 'app', engine: 'mysql', port: 3306, user: 'reader' }),
      database({
        name: 'ledger',
        vpc: 'billing',
        auth: {
          type: 'secret',
          secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ledger-AbCdEf',
        },
      }),
      database({ name: 'public', user: 'stats' }),
    ],
    probes: [
      probe({
        name: 'active-sessions',
        database: 'sessions',
        schedule: 'rate(1 minute)',
        timeoutMs: 5000,
        metrics: [metric({ name: 'ActiveSessions', column: 'active' })],
      }),
      probe({
        name: 'sessions-by-region',
        database: 'sessions',
        dimensions: { Region: { column: 'region' }, Env: { value: 'prod' } },
        metrics: [
          metric({ name: 'SessionsByRegion' }),
          metric({ name: 'AvgSessionDuration', unit: 'Seconds' }),
        ],
      }),
      probe({ name: 'open-orders', database: 'orders', timeoutMs: 30_000 }),
      probe({ name: 'ledger-lag', database: 'ledger', schedule: 'cron(0/15 * * * ? *)' }),
      probe({ name: 'public-count', database: 'public' }),
    ],
    ...overrides,
  });
}
