// Type-level checks, run by vitest's typecheck mode: a check that fails is a failed test (and a
// compile error for tsc --noEmit).
import { describe, expectTypeOf, it } from 'vitest';
import type {
  AlarmStatistic,
  AlarmsConfig,
  Config,
  DatabaseConfig,
  HealthMode,
  MetricAlarmConfig,
  MetricConfig,
  MissingData,
  OnEmpty,
  OnNull,
  ProbeConfig,
  PublishMode,
  VpcConfig,
} from '../../core/model.js';
import type {
  ALARM_KEYS,
  ALARM_STATISTICS,
  CONFIG_KEYS,
  DATABASE_KEYS,
  HEALTH,
  METRIC_KEYS,
  MISSING_DATA,
  ON_EMPTY,
  ON_NULL,
  PROBE_KEYS,
  PUBLISH,
  VPC_KEYS,
} from './config-keys.js';

describe('the Config types', () => {
  it('name the keys the schema is checked against', () => {
    expectTypeOf<keyof Config>().toEqualTypeOf<(typeof CONFIG_KEYS)[number]>();
    expectTypeOf<keyof VpcConfig>().toEqualTypeOf<(typeof VPC_KEYS)[number]>();
    expectTypeOf<keyof DatabaseConfig>().toEqualTypeOf<(typeof DATABASE_KEYS)[number]>();
    expectTypeOf<keyof ProbeConfig>().toEqualTypeOf<(typeof PROBE_KEYS)[number]>();
    expectTypeOf<keyof MetricConfig>().toEqualTypeOf<(typeof METRIC_KEYS)[number]>();
    expectTypeOf<keyof MetricAlarmConfig>().toEqualTypeOf<(typeof ALARM_KEYS)[number]>();
    expectTypeOf<keyof AlarmsConfig>().toEqualTypeOf<'topicArn'>();
  });

  it('take the enum values the schema is checked against', () => {
    expectTypeOf<PublishMode>().toEqualTypeOf<(typeof PUBLISH)[number]>();
    expectTypeOf<HealthMode>().toEqualTypeOf<(typeof HEALTH)[number]>();
    expectTypeOf<OnNull>().toEqualTypeOf<(typeof ON_NULL)[number]>();
    expectTypeOf<OnEmpty>().toEqualTypeOf<(typeof ON_EMPTY)[number]>();
    expectTypeOf<AlarmStatistic>().toEqualTypeOf<(typeof ALARM_STATISTICS)[number]>();
    expectTypeOf<MissingData>().toEqualTypeOf<(typeof MISSING_DATA)[number]>();
  });

  it('accept a literal of every Config shape', () => {
    const literal = {
      file: '/probes.yaml',
      version: 1,
      namespace: 'Acme/X',
      schedule: 'rate(5 minutes)',
      publish: 'emf',
      health: 'none',
      alarms: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:a' },
      logRetentionDays: 30,
      vpcs: {
        app: { name: 'app', vpcId: 'vpc-12345678', subnetIds: ['subnet-12345678'], securityGroupIds: [] },
        data: {
          name: 'data',
          vpcId: 'vpc-87654321',
          subnetIds: ['subnet-87654321'],
          cidrBlocks: ['10.0.0.0/16'],
        },
      },
      databases: {
        db: {
          name: 'db',
          engine: 'postgres',
          vpc: 'app',
          host: 'h',
          port: 5432,
          database: 'd',
          user: 'u',
          auth: { type: 'env', passwordEnv: 'P' },
          tls: true,
          maxConnections: 2,
          resourceId: 'db-X',
          local: { pglite: { init: '/seed.sql' } },
        },
      },
      probes: {
        p: {
          name: 'p',
          database: ['db'],
          sql: 'SELECT :a, :n, :b',
          parameters: [{ a: 'x', n: 1, b: true }],
          parameterDimensions: { a: 'A', n: false, b: 'b' },
          schedule: 'rate(1 minute)',
          timeoutMs: 1000,
          onNull: 'error',
          onEmpty: 'zero',
          maxRows: 1,
          maxSeries: 1,
          dimensions: { A: { column: 'a' }, B: { value: 'b' } },
          metrics: [
            { name: 'M', column: 'm', unit: 'Count/Second', resolution: 1, dimensions: {} },
            {
              name: 'N',
              column: 'n',
              unit: 'None',
              resolution: 60,
              dimensions: {},
              alarm: {
                comparison: 'below',
                threshold: 0.5,
                for: 3,
                datapoints: 2,
                statistic: 'SampleCount',
                missing: 'notBreaching',
              },
            },
          ],
        },
      },
    } satisfies Config;
    expectTypeOf(literal).toExtend<Config>();
  });
});
