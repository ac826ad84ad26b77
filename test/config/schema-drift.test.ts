import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../adapters/config-loader.js';
import { CLOUDWATCH_UNITS, STORAGE_RESOLUTIONS } from '../../core/limits.js';
import { DEFAULTS } from '../../core/model.js';
import schema from '../../schema.json' with { type: 'json' };
import {
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

type Node = { readonly [key: string]: unknown };
const defs = schema.$defs as unknown as Record<string, Node>;

function propertiesOf(node: unknown): string[] {
  return Object.keys(((node as Node).properties ?? {}) as Node);
}

function def(name: string): Node {
  const node = defs[name];
  if (!node) throw new Error(`schema.json has no $defs/${name}`);
  return node;
}

/** schema keys → Config keys: the one rename, and what Config adds (`name`, `file`) or folds away (`defaults`) */
function asConfigKeys(
  keys: readonly string[],
  adds: readonly string[] = [],
  drops: readonly string[] = [],
): string[] {
  const renames: Readonly<Record<string, string>> = { timeout: 'timeoutMs' };
  return [...keys.filter((key) => !drops.includes(key)).map((key) => renames[key] ?? key), ...adds].sort();
}

const sorted = (keys: readonly string[]) => [...keys].sort();

describe('schema.json and the Config types', () => {
  it('name the same keys in the schema', () => {
    // assess
    expect(asConfigKeys(propertiesOf(schema), ['file'], ['defaults'])).toEqual(sorted(CONFIG_KEYS));
    expect(asConfigKeys(propertiesOf(def('vpc')), ['name'])).toEqual(sorted(VPC_KEYS));
    expect(asConfigKeys(propertiesOf(def('database')), ['name'])).toEqual(sorted(DATABASE_KEYS));
    expect(asConfigKeys(propertiesOf(def('probe')), ['name'])).toEqual(sorted(PROBE_KEYS));
    expect(asConfigKeys(propertiesOf(def('metric')))).toEqual(sorted(METRIC_KEYS));
    // an alarm is `above` or `below`, each with the same options: both become comparison + threshold
    const [above, below] = def('alarm').oneOf as Node[];
    expect(propertiesOf(above).filter((key) => key !== 'above')).toEqual(
      propertiesOf(below).filter((key) => key !== 'below'),
    );
    expect(
      asConfigKeys(
        propertiesOf(above).filter((key) => key !== 'above'),
        ['comparison', 'threshold'],
      ),
    ).toEqual(sorted(ALARM_KEYS));
    // defaults can default every probe field but the probe's own sql and what belongs to it
    const ownToProbe = ['sql', 'metrics', 'parameters', 'parameterDimensions'];
    expect(sorted(propertiesOf(schema.properties.defaults))).toEqual(
      sorted(propertiesOf(def('probe')).filter((key) => !ownToProbe.includes(key))),
    );
  });

  it('agree on enums: units, resolutions, publish, health, onNull, onEmpty, alarm statistics and missing data', () => {
    expect(def('unit').enum).toEqual([...CLOUDWATCH_UNITS]);
    expect(sorted((def('resolution').enum as number[]).map(String))).toEqual(
      sorted(STORAGE_RESOLUTIONS.map(String)),
    );
    expect(schema.properties.publish.enum).toEqual([...PUBLISH]);
    expect(schema.properties.health.enum).toEqual([...HEALTH]);
    expect(def('onNull').enum).toEqual([...ON_NULL]);
    expect(def('onEmpty').enum).toEqual([...ON_EMPTY]);
    expect(def('alarmStatistic').enum).toEqual([...ALARM_STATISTICS]);
    expect(def('alarmMissing').enum).toEqual([...MISSING_DATA]);
  });

  it('agree on defaults', () => {
    const probe = schema.properties.defaults.properties;
    const database = def('database').properties as Record<string, { default?: unknown }>;
    const metric = def('metric').properties as Record<string, { default?: unknown }>;
    expect({
      schedule: schema.properties.schedule.default,
      publish: schema.properties.publish.default,
      health: schema.properties.health.default,
      logRetentionDays: schema.properties.logRetentionDays.default,
      timeoutMs: probe.timeout.default === '10s' ? 10_000 : probe.timeout.default,
      onNull: probe.onNull.default,
      onEmpty: probe.onEmpty.default,
      maxRows: probe.maxRows.default,
      maxSeries: probe.maxSeries.default,
      tls: database.tls?.default,
      maxConnections: database.maxConnections?.default,
      unit: metric.unit?.default,
      resolution: metric.resolution?.default,
      alarmFor: def('alarmFor').default,
      alarmMissing: def('alarmMissing').default,
    }).toEqual(DEFAULTS);
  });

  it('load a config setting every schema property into a Config with exactly those keys', () => {
    // arrange
    const file = fileURLToPath(new URL('./fixtures/maximal.yaml', import.meta.url));

    // act
    const result = readConfig(file);

    // assess
    if (!result.ok) throw new Error(result.errors.map((error) => error.format()).join('\n'));
    const config = result.config;
    expect(sorted(Object.keys(config))).toEqual(sorted(CONFIG_KEYS));
    // securityGroupIds and cidrBlocks exclude each other: together the VPCs set every key
    const vpcKeys = new Set(Object.values(config.vpcs).flatMap((vpc) => Object.keys(vpc)));
    expect(sorted([...vpcKeys])).toEqual(sorted(VPC_KEYS));
    expect(config.vpcs.data?.cidrBlocks).toEqual(['10.0.0.0/16', '10.1.0.0/16']);
    const main = config.databases.main;
    // dataApi excludes a connection's keys: together the databases set every key
    const databaseKeys = new Set(Object.values(config.databases).flatMap((db) => Object.keys(db)));
    expect(sorted([...databaseKeys])).toEqual(sorted(DATABASE_KEYS));
    expect(config.databases.orders?.dataApi).toEqual({
      resourceArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:orders',
    });
    const everything = config.probes.everything;
    expect(sorted(Object.keys(everything ?? {}))).toEqual(sorted(PROBE_KEYS));
    expect(sorted(Object.keys(everything?.metrics[0] ?? {}))).toEqual(sorted(METRIC_KEYS));
    expect(sorted(Object.keys(everything?.metrics[0]?.alarm ?? {}))).toEqual(sorted(ALARM_KEYS));
    // every alarm spelling maps to its Config form: above and below, options given or defaulted
    expect(everything?.metrics[0]?.alarm).toEqual({
      comparison: 'above',
      threshold: 100,
      for: 3,
      datapoints: 2,
      statistic: 'Average',
      missing: 'notBreaching',
    });
    expect(config.probes.defaulted?.metrics[0]?.alarm).toEqual({
      comparison: 'below',
      threshold: -1.5,
      for: 1,
      datapoints: 1,
      statistic: 'Minimum',
      missing: 'missing',
    });
    // every auth and local variant of the schema maps to its Config form
    const auths = (def('auth').oneOf as Node[]).map((branch) => sorted(propertiesOf(branch)));
    const loadedAuths = new Set(
      Object.values(config.databases).map((db) => String(sorted(Object.keys(db.auth)))),
    );
    expect(sorted([...loadedAuths])).toEqual(sorted(auths.map(String)));
    const locals = (def('local').oneOf as Node[]).map((branch) => sorted(propertiesOf(branch)));
    const loadedLocals = Object.values(config.databases).flatMap((db) =>
      db.local ? [sorted(Object.keys(db.local))] : [],
    );
    expect(sorted(loadedLocals.map(String))).toEqual(sorted(locals.map(String)));
    const pgliteBranch = (def('local').oneOf as Node[])[1]?.properties as Node | undefined;
    expect(Object.keys((main?.local as { pglite?: object } | undefined)?.pglite ?? {})).toEqual(
      propertiesOf(pgliteBranch?.pglite),
    );
    // a column dimension keeps the schema's key; a static one becomes { value }
    const columnBranch = (def('dimensionSource').oneOf as Node[])[1];
    expect(Object.keys(everything?.dimensions.Region ?? {})).toEqual(propertiesOf(columnBranch));
    expect(everything?.dimensions.Env).toEqual({ value: 'staging' });
    // a fleet keeps its list; parameters keep their values, each parameter its dimension or false
    expect(everything?.database).toEqual(['main', 'dev']);
    expect(everything?.parameters).toEqual([
      { tier: 'gold', age: 1 },
      { tier: 'silver', age: 1 },
    ]);
    expect(everything?.parameterDimensions).toEqual({ tier: 'Tier', age: false });
  });
});
