// The deploy tests' configs: a wide one touching every feature, and any config reversed.
import type { Config } from '../../core/model.js';
import { type ConfigParts, config, database, metric, probe, vpc } from '../support/config-factory.js';

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
 * Two VPCs (one with its own security groups), a public database, both engines, a secret with its
 * KMS key, three schedules, static and column dimensions, detailed health and alarms: on probe
 * failure, on a metric of static dimensions (a metric alarm) and on one with a dimension from a
 * column (a Metrics Insights query alarm).
 */
export function wideConfig(overrides: Partial<ConfigParts> = {}): Config {
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
          kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
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
        metrics: [
          metric({
            name: 'ActiveSessions',
            column: 'active',
            alarm: {
              comparison: 'above',
              threshold: 1000,
              for: 3,
              datapoints: 2,
              statistic: 'Maximum',
              missing: 'missing',
            },
          }),
        ],
      }),
      probe({
        name: 'sessions-by-region',
        database: 'sessions',
        dimensions: { Region: { column: 'region' }, Env: { value: 'prod' } },
        metrics: [
          metric({
            name: 'SessionsByRegion',
            alarm: {
              comparison: 'below',
              threshold: 1,
              for: 1,
              datapoints: 1,
              statistic: 'Minimum',
              missing: 'breaching',
            },
          }),
          metric({ name: 'AvgSessionDuration', unit: 'Seconds' }),
        ],
      }),
      probe({
        name: 'open-orders',
        database: 'orders',
        timeoutMs: 30_000,
        metrics: [metric({ name: 'open-orders-value' })],
      }),
      probe({
        name: 'ledger-lag',
        database: 'ledger',
        schedule: 'cron(0/15 * * * ? *)',
        metrics: [metric({ name: 'ledger-lag-value' })],
      }),
      probe({ name: 'public-count', database: 'public', metrics: [metric({ name: 'public-count-value' })] }),
    ],
    ...overrides,
  });
}
