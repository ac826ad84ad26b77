import { describe, expect, it } from 'vitest';
import { LAMBDA } from '../../core/limits.js';
import type { Config } from '../../core/model.js';
import {
  fanoutManifest,
  maxResponseBytes,
  queryManifest,
  REPORT_BYTES_BOUND,
} from '../../core/plan/build-manifests.js';
import { buildPlan } from '../../core/plan/plan.js';
import { invocationBatches } from '../../core/run/invocation-batches.js';
import { mapRows } from '../../core/run/map-rows.js';
import { database, metric, probe } from '../support/config-factory.js';

function twoVpcConfig(): Config {
  return {
    file: '/project/probes.yaml',
    version: 1,
    namespace: 'Acme/Test',
    schedule: 'rate(5 minutes)',
    publish: 'fanout',
    health: 'summary',
    logRetentionDays: 30,
    vpcs: {
      app: { name: 'app', vpcId: 'vpc-0abc1234def567890', subnetIds: ['subnet-0aaa1111bbbb2222c'] },
      data: { name: 'data', vpcId: 'vpc-0abc1234def567891', subnetIds: ['subnet-0aaa1111bbbb2222d'] },
    },
    databases: {
      main: {
        ...database({ name: 'main', vpc: 'app' }),
        local: { url: 'postgres://metrics_reader:local-secret@127.0.0.1:5432/test' },
      },
      reports: database({
        name: 'reports',
        vpc: 'data',
        engine: 'mysql',
        auth: { type: 'secret', secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:reports' },
      }),
    },
    probes: {
      a: probe({ name: 'a', database: 'main', timeoutMs: 5000 }),
      b: probe({ name: 'b', database: 'reports' }),
    },
  };
}

describe('queryManifest', () => {
  it('holds only the function’s own databases, without local blocks, and its own probes', () => {
    // arrange
    const config = twoVpcConfig();
    const plan = buildPlan(config);
    const app = plan.functions.find((fn) => fn.vpc === 'app')!;
    // act
    const manifest = queryManifest(config, app);
    // assess
    expect(Object.keys(manifest.databases)).toEqual(['main']);
    expect(manifest.databases.main).not.toHaveProperty('local');
    expect(JSON.stringify(manifest)).not.toContain('local-secret');
    expect(manifest.probes).toEqual({ a: config.probes.a });
    expect(manifest).toMatchObject({ namespace: 'Acme/Test', publish: 'fanout', health: 'summary' });
  });

  it('holds no entry for a name the config does not define, even one every object inherits', () => {
    // arrange
    const config = twoVpcConfig();
    const app = buildPlan(config).functions.find((fn) => fn.vpc === 'app')!;
    const stray = {
      ...app,
      databases: [...app.databases, 'constructor'],
      probes: [...app.probes, 'toString'],
    };
    // act
    const manifest = queryManifest(config, stray);
    // assess
    expect(Object.keys(manifest.databases)).toEqual(['main']);
    expect(Object.keys(manifest.probes)).toEqual(['a']);
  });
});

describe('fanoutManifest', () => {
  it('routes every probe to its function with its timeout, lists secrets, and carries no SQL', () => {
    const config = twoVpcConfig();
    const manifest = fanoutManifest(buildPlan(config));
    expect(manifest.probes.a).toMatchObject({ database: 'main', functionId: 'vpc-app', timeoutMs: 5000 });
    expect(manifest.probes.b).toMatchObject({ database: 'reports', functionId: 'vpc-data' });
    expect(manifest.secrets).toEqual({
      reports: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:reports',
    });
    expect(JSON.stringify(manifest)).not.toContain('SELECT');
  });

  it('bounds a probe’s response above what its worst-case rows really produce', () => {
    // arrange: maxRows distinct values in maxSeries series with 1024-character dimension values
    const p = probe({
      maxRows: 600,
      maxSeries: 3,
      dimensions: { Key: { column: 'k' }, Env: { value: 'prod' } },
      metrics: [metric({ name: 'A', column: 'n' }), metric({ name: 'B', column: 'n', unit: 'Seconds' })],
    });
    const rows = Array.from({ length: 600 }, (_, i) => ({
      k: `"${String(i % 3)}`.padEnd(1024, '\\'),
      n: (-Math.PI * 1e100) / (i + 1),
    }));
    // act
    const actual = JSON.stringify(mapRows(p, rows)).length;
    // assess
    expect(maxResponseBytes(p)).toBeGreaterThan(actual);
  });

  it('bounds the names and static values of a datum, quotes and backslashes escaped, from their lengths', () => {
    // arrange: one row, 29 static dimensions made of characters JSON escapes, long names
    const statics = Object.fromEntries(
      Array.from({ length: 29 }, (_, i) => [`Dim${i}`.padEnd(255, '\\'), { value: '"\\'.repeat(300) }]),
    );
    const p = probe({
      maxRows: 1,
      maxSeries: 1,
      dimensions: { ...statics, Key: { column: 'k' } },
      metrics: [metric({ name: 'M'.padEnd(255, '"'), column: 'n', unit: 'Bytes/Second' })],
    });
    // act
    const actual = JSON.stringify(mapRows(p, [{ k: '\\'.repeat(1024), n: -Math.PI * 1e107 }])).length;
    // assess
    expect(maxResponseBytes(p) - REPORT_BYTES_BOUND).toBeGreaterThanOrEqual(actual);
  });
});

describe('invocationBatches', () => {
  it('keeps every probe in one invocation while the worst case fits 6 MiB', () => {
    const probes = Array.from({ length: 100 }, (_, i) => ({ name: `p${i}`, maxResponseBytes: 60_000 }));
    expect(invocationBatches(probes)).toEqual([probes.map((p) => p.name)]);
  });

  it('splits into as few invocations as fit 6 MiB each, in order', () => {
    const big = LAMBDA.maxPayloadBytes / 2 - 1000;
    const probes = ['a', 'b', 'c'].map((name) => ({ name, maxResponseBytes: big }));
    expect(invocationBatches(probes)).toEqual([['a', 'b'], ['c']]);
  });

  it('gives a probe larger than the limit an invocation of its own', () => {
    const probes = [
      { name: 'small', maxResponseBytes: 10 },
      { name: 'huge', maxResponseBytes: 10 * LAMBDA.maxPayloadBytes },
      { name: 'tiny', maxResponseBytes: 10 },
    ];
    expect(invocationBatches(probes)).toEqual([['small'], ['huge'], ['tiny']]);
  });
});

describe('the manifests of a fleet', () => {
  it('give each function its share of the fleet and the fan-out a route per probe and database, never the SQL', () => {
    // arrange
    const base = twoVpcConfig();
    const config: Config = {
      ...base,
      probes: {
        ...base.probes,
        fleet: probe({
          name: 'fleet',
          database: ['main', 'reports'],
          sql: 'SELECT count(*) AS n FROM t WHERE s = :s',
          parameters: [{ s: 'open' }, { s: 'closed' }],
          parameterDimensions: { s: 'State' },
          timeoutMs: 3000,
        }),
      },
    };
    const plan = buildPlan(config);
    const app = plan.functions.find((fn) => fn.vpc === 'app')!;

    // act
    const query = queryManifest(config, app);
    const fanout = fanoutManifest(plan);

    // assess
    expect(query.probes.fleet).toEqual({ ...config.probes.fleet, database: ['main'] });
    expect(fanout.probes['fleet@main']).toEqual({
      probe: 'fleet',
      database: 'main',
      functionId: app.id,
      timeoutMs: 3000,
      maxResponseBytes: maxResponseBytes(config.probes.fleet!, 'main'),
    });
    expect(fanout.probes['fleet@reports']).toMatchObject({
      probe: 'fleet',
      database: 'reports',
      functionId: 'vpc-data',
    });
    expect(JSON.stringify(fanout)).not.toContain('SELECT');
  });

  it('bound a run with parameter maps by what each of its maps may return, its own dimensions included', () => {
    // arrange: the datums of both maps at their largest
    const fleet = probe({
      name: 'fleet',
      database: ['main'],
      sql: 'SELECT :s AS s',
      parameters: [{ s: 'a'.repeat(200) }, { s: 'b'.repeat(200) }],
      parameterDimensions: { s: 'S' },
      maxRows: 1,
    });
    const datums = [
      {
        MetricName: 'Value',
        Dimensions: [
          { Name: 'Database', Value: 'main' },
          { Name: 'S', Value: 'a'.repeat(200) },
        ],
        Unit: 'Count',
        StorageResolution: 60,
        Value: -(2 ** 360),
      },
      {
        MetricName: 'Value',
        Dimensions: [
          { Name: 'Database', Value: 'main' },
          { Name: 'S', Value: 'b'.repeat(200) },
        ],
        Unit: 'Count',
        StorageResolution: 60,
        Value: -(2 ** 360),
      },
    ];

    // act
    const bound = maxResponseBytes(fleet, 'main');

    // assess
    expect(bound - REPORT_BYTES_BOUND).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(datums)));
    expect(bound).toBeGreaterThan(maxResponseBytes(probe({ name: 'one', database: 'main', maxRows: 1 })));
  });
});
