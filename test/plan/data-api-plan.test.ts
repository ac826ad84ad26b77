/**
 * Data API databases in the plan: served by the fan-out function itself (no query function, no
 * VPC), routed and billed as such, their clusters the only ones the fan-out may call.
 */
import { describe, expect, it } from 'vitest';
import { fanoutManifest, queryManifest } from '../../core/plan/build-manifests.js';
import { estimateCost } from '../../core/plan/cost-model.js';
import { DATA_API_ACTIONS, dataApiClusterArns } from '../../core/plan/data-api-scope.js';
import { buildPlan } from '../../core/plan/plan.js';
import { config, dataApiDatabase, database, probe, vpc } from '../support/config-factory.js';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:sessions-reader';

/** one VPC database, two Data API databases (one of them without probes), a fleet across two of them */
function mixed() {
  return config({
    vpcs: [vpc('app')],
    databases: [
      database({ name: 'sessions', vpc: 'app', auth: { type: 'secret', secretArn: SECRET } }),
      dataApiDatabase({ name: 'orders' }),
      dataApiDatabase({ name: 'archive', engine: 'mysql' }),
      dataApiDatabase({ name: 'idle' }),
    ],
    probes: [
      probe({ name: 'active', database: 'sessions', schedule: 'rate(1 minute)' }),
      probe({ name: 'open-orders', database: 'orders', schedule: 'rate(1 minute)' }),
      probe({ name: 'rows', database: ['sessions', 'archive'], sql: 'SELECT 3 AS n' }),
    ],
  });
}

describe('a plan with Data API databases', () => {
  it('serves them in the fan-out, not in a query function, each run of a fleet where its database is', () => {
    // act
    const plan = buildPlan(mixed());

    // assess
    expect(plan.functions.map((fn) => [fn.id, fn.databases, fn.probes])).toEqual([
      ['vpc-app', ['sessions'], ['active', 'rows@sessions']],
    ]);
    expect(plan.dataApi).toEqual({
      id: 'data-api',
      functionName: 'chasm-acme-sessions-data-api',
      databases: ['orders', 'archive'],
      engines: ['postgres', 'mysql'],
      probes: ['open-orders', 'rows@archive'],
    });
    expect(plan.schedules.map((schedule) => [schedule.expression, schedule.invocations])).toEqual([
      [
        'rate(1 minute)',
        [
          { functionId: 'vpc-app', probes: ['active'] },
          { functionId: 'data-api', probes: ['open-orders'] },
        ],
      ],
      [
        'rate(5 minutes)',
        [
          { functionId: 'vpc-app', probes: ['rows@sessions'] },
          { functionId: 'data-api', probes: ['rows@archive'] },
        ],
      ],
    ]);
  });

  it("routes their probes to the fan-out's own query manifest, and reads no secret of theirs", () => {
    // arrange
    const plan = buildPlan(mixed());

    // act
    const fanout = fanoutManifest(plan);
    const [vpcFunction] = plan.functions;
    if (!vpcFunction) throw new Error('no query function');
    const vpcManifest = queryManifest(plan.config, vpcFunction);

    // assess
    expect(fanout.functions.map((fn) => fn.id)).toEqual(['vpc-app']);
    expect(fanout.dataApi?.function).toEqual(plan.dataApi);
    expect(Object.keys(fanout.dataApi?.manifest.databases ?? {})).toEqual(['orders', 'archive']);
    expect(fanout.dataApi?.manifest.databases.orders?.dataApi).toEqual({
      resourceArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:orders',
    });
    expect(fanout.dataApi?.manifest.probes['open-orders']?.sql).toBe('SELECT 1 AS n');
    expect(fanout.dataApi?.manifest.probes.rows?.database).toEqual(['archive']);
    expect(fanout.probes['open-orders']?.functionId).toBe('data-api');
    expect(fanout.probes['rows@archive']?.functionId).toBe('data-api');
    expect(fanout.probes['rows@sessions']?.functionId).toBe('vpc-app');
    expect(fanout.secrets).toEqual({ sessions: SECRET });
    expect(Object.keys(vpcManifest.databases)).toEqual(['sessions']);
  });

  it('leaves the fan-out manifest as it was when no database has dataApi', () => {
    // act
    const fanout = fanoutManifest(
      buildPlan(config({ databases: [database({ name: 'db' })], probes: [probe({ name: 'p' })] })),
    );

    // assess
    expect(fanout).not.toHaveProperty('dataApi');
  });

  it('lets the fan-out call the Data API on the clusters of databases with probes only', () => {
    // act
    const clusters = dataApiClusterArns(buildPlan(mixed()));

    // assess
    expect(DATA_API_ACTIONS).toEqual([
      'rds-data:BeginTransaction',
      'rds-data:ExecuteStatement',
      'rds-data:RollbackTransaction',
    ]);
    expect(clusters).toEqual([
      'arn:aws:rds:eu-west-1:123456789012:cluster:archive',
      'arn:aws:rds:eu-west-1:123456789012:cluster:orders',
    ]);
  });

  it('bills their Data API requests and no Lambda invocation for them, against a query function of their own', () => {
    // arrange: one probe every 5 minutes, nothing else
    const only = config({
      databases: [dataApiDatabase({ name: 'orders' })],
      probes: [probe({ name: 'open-orders', database: 'orders' })],
    });

    // act
    const report = estimateCost(buildPlan(only));

    // assess: 8640 ticks × 6 requests, at USD 0.35 per million; only the fan-out is invoked
    const line = report.cost.items.find((item) => item.name === 'RDS Data API requests');
    expect(line?.quantity).toBe(8640 * 6);
    expect(line?.usd).toBeCloseTo(8640 * 6 * 0.35e-6, 12);
    expect(report.cost.items.find((item) => item.name === 'Lambda requests')?.quantity).toBe(8640);
    expect(report.memoryMb.functions).toEqual({});
    expect(report.dataApi?.databases).toEqual(['orders']);
    expect(report.dataApi?.requestsUsd).toBeCloseTo(line?.usd ?? -1, 12);
    expect(report.dataApi?.queryFunctionUsd).toBeGreaterThan(0);
    expect(report.natGateway.gateways).toBe(0);
  });
});
