import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENGINE_SYNTAX, loadConfig } from '../../adapters/config-loader.js';
import { ConfigError } from '../../config/config-error.js';
import { parseConfigText } from '../../config/read-config.js';
import { DEFAULTS } from '../../core/model.js';

const maximal = fileURLToPath(new URL('./fixtures/maximal.yaml', import.meta.url));

const MINIMAL = `version: 1
namespace: Acme/Min
databases:
  pg: { engine: postgres, host: h, database: d, user: u, auth: { type: iam } }
  my: { engine: mysql, host: h, database: d, user: u, auth: { type: iam } }
probes:
  p:
    database: pg
    sql: SELECT 1 AS n
    dimensions: { Env: prod, Region: { column: region } }
    metrics:
      - { name: M, column: n, unit: Count }
`;

describe('the loaded Config', () => {
  it('fills every documented default, and ports per engine', () => {
    // act
    const result = parseConfigText(MINIMAL, 'sub/probes.yaml', { engines: ENGINE_SYNTAX });

    // assess
    if (!result.ok) throw new Error(result.errors.map((error) => error.format()).join('\n'));
    const { config } = result;
    expect(config.file).toBe(join(process.cwd(), 'sub', 'probes.yaml'));
    expect([config.schedule, config.publish, config.health, config.logRetentionDays]).toEqual([
      DEFAULTS.schedule,
      DEFAULTS.publish,
      DEFAULTS.health,
      DEFAULTS.logRetentionDays,
    ]);
    expect(config.vpcs).toEqual({});
    expect(config.alarms).toBeUndefined();
    expect([config.databases.pg?.port, config.databases.my?.port]).toEqual([5432, 3306]);
    expect(config.databases.pg).toMatchObject({ name: 'pg', tls: true, maxConnections: 2 });
    expect(config.probes.p).toMatchObject({
      name: 'p',
      schedule: DEFAULTS.schedule,
      timeoutMs: DEFAULTS.timeoutMs,
      onNull: 'skip',
      onEmpty: 'skip',
      maxRows: 1000,
      maxSeries: 100,
      dimensions: { Env: { value: 'prod' }, Region: { column: 'region' } },
      metrics: [{ name: 'M', column: 'n', unit: 'Count', resolution: 60, dimensions: {} }],
    });
  });

  it('gives a metric without a unit the unit None, as PutMetricData and EMF do', () => {
    // arrange
    const text = MINIMAL.replace('{ name: M, column: n, unit: Count }', '{ name: M, column: n }');

    // act
    const result = parseConfigText(text, 'probes.yaml', { engines: ENGINE_SYNTAX });

    // assess
    if (!result.ok) throw new Error(result.errors.map((error) => error.format()).join('\n'));
    expect(result.config.probes.p?.metrics[0]?.unit).toBe('None');
  });

  it('takes a probe field from the probe, then defaults, then the top level', () => {
    // act
    const config = loadConfig(maximal);

    // assess
    expect(config.probes.everything).toMatchObject({
      schedule: 'cron(0/15 8-18 ? * MON-FRI *)',
      timeoutMs: 1500,
      maxRows: 10,
    });
    expect(config.probes.defaulted).toMatchObject({
      database: 'main',
      schedule: 'rate(2 minutes)',
      timeoutMs: 3000,
      onNull: 'zero',
      onEmpty: 'zero',
      maxRows: 50,
      maxSeries: 20,
      dimensions: { Env: { value: 'prod' } },
    });
  });

  it('resolves a pglite seed file from the config file’s folder', () => {
    // act
    const config = loadConfig(maximal);

    // assess
    expect(config.databases.main?.local).toEqual({ pglite: { init: join(dirname(maximal), 'seed.sql') } });
  });

  it('is frozen all the way down', () => {
    // act
    const config = loadConfig(maximal);

    // assess
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.probes.everything?.metrics[0]?.dimensions)).toBe(true);
    expect(() => {
      (config.vpcs.app?.subnetIds as string[] | undefined)?.push('subnet-00000000');
    }).toThrow(TypeError);
  });

  it('is read the same by the full YAML parser when the fast reader gives up', () => {
    // arrange: an anchor and an alias are beyond the fast reader
    const withAlias = MINIMAL.replace(
      'unit: Count }',
      'unit: &u Count }\n      - { name: N, column: n, unit: *u }',
    );

    // act
    const plain = parseConfigText(MINIMAL, 'probes.yaml', { engines: ENGINE_SYNTAX });
    const full = parseConfigText(withAlias, 'probes.yaml', { engines: ENGINE_SYNTAX });

    // assess
    if (!plain.ok || !full.ok) throw new Error('both should be valid');
    expect(full.config.probes.p?.metrics.map((metric) => metric.unit)).toEqual(['Count', 'Count']);
    expect(full.config.databases).toEqual(plain.config.databases);
  });

  it('is not returned for an invalid file: loadConfig throws every issue', () => {
    // arrange
    const broken = fileURLToPath(new URL('./fixtures/invalid/several-errors.yaml', import.meta.url));

    // act
    const thrown = (() => {
      try {
        loadConfig(broken);
      } catch (error) {
        return error;
      }
      return undefined;
    })();

    // assess
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).issues).toHaveLength(5);
    expect((thrown as ConfigError).message.split('\n')[0]).toMatch(
      /several-errors\.yaml:7:12: namespace 'AWS\/Test'/,
    );
  });
});
