import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../core/plan/plan.js';
import { config, database, probe, vpc } from '../support/config-factory.js';
import { quickstart } from './quickstart-config.js';

function multiVpc() {
  return config({
    vpcs: [vpc('app'), vpc('billing'), vpc('unused')],
    databases: [
      database({ name: 'sessions', vpc: 'app' }),
      database({ name: 'public-stats', engine: 'mysql', port: 3306 }),
      database({ name: 'ledger', vpc: 'billing', engine: 'mysql', port: 3306 }),
      database({ name: 'orders', vpc: 'app', engine: 'mysql', port: 3306 }),
      database({ name: 'idle', vpc: 'unused' }),
    ],
    probes: [
      probe({ name: 'active', database: 'sessions', schedule: 'rate(1 minute)' }),
      probe({ name: 'downloads', database: 'public-stats' }),
      probe({ name: 'balance', database: 'ledger' }),
      probe({ name: 'open-orders', database: 'orders', schedule: 'rate(1 minute)' }),
      probe({ name: 'expired', database: 'sessions' }),
    ],
  });
}

describe('buildPlan', () => {
  it('gives each VPC with probes one function and VPC-less databases one more, in config order', () => {
    const plan = buildPlan(multiVpc());

    expect(plan.functions).toEqual([
      {
        id: 'vpc-app',
        functionName: 'chasm-acme-sessions-vpc-app',
        vpc: 'app',
        databases: ['sessions', 'orders'],
        engines: ['postgres', 'mysql'],
        probes: ['active', 'open-orders', 'expired'],
      },
      {
        id: 'vpc-billing',
        functionName: 'chasm-acme-sessions-vpc-billing',
        vpc: 'billing',
        databases: ['ledger'],
        engines: ['mysql'],
        probes: ['balance'],
      },
      {
        id: 'no-vpc',
        functionName: 'chasm-acme-sessions-no-vpc',
        databases: ['public-stats'],
        engines: ['mysql'],
        probes: ['downloads'],
      },
    ]);
  });

  it('leaves out a VPC whose databases have no probes', () => {
    const plan = buildPlan(multiVpc());

    expect(plan.functions.map((fn) => fn.id)).not.toContain('vpc-unused');
  });

  it('groups probes by schedule expression, per function, in config order', () => {
    const plan = buildPlan(multiVpc());

    expect(plan.schedules).toEqual([
      {
        expression: 'rate(1 minute)',
        ticksPerMonth: 43_200,
        invocations: [{ functionId: 'vpc-app', probes: ['active', 'open-orders'] }],
      },
      {
        expression: 'rate(5 minutes)',
        ticksPerMonth: 8640,
        invocations: [
          { functionId: 'vpc-app', probes: ['expired'] },
          { functionId: 'vpc-billing', probes: ['balance'] },
          { functionId: 'no-vpc', probes: ['downloads'] },
        ],
      },
    ]);
  });

  it('names the fan-out function in fanout mode', () => {
    expect(buildPlan(quickstart()).fanoutFunctionName).toBe('chasm-acme-sessions-fanout');
  });

  it('has no fan-out function with publish: emf, and the same query functions', () => {
    const fanout = buildPlan(multiVpc());
    const emf = buildPlan({ ...multiVpc(), publish: 'emf' });

    expect(emf.fanoutFunctionName).toBeUndefined();
    expect(emf.functions).toEqual(fanout.functions);
    expect(emf.schedules).toEqual(fanout.schedules);
  });

  it('has no function at all without probes', () => {
    const plan = buildPlan(
      config({ vpcs: [vpc('app')], databases: [database({ name: 'db', vpc: 'app' })], probes: [] }),
    );

    expect(plan.functions).toEqual([]);
    expect(plan.schedules).toEqual([]);
  });

  it('gives the same plan for the same config', () => {
    expect(JSON.stringify(buildPlan(multiVpc()))).toBe(JSON.stringify(buildPlan(multiVpc())));
  });

  it('refuses a probe whose database is a name every object inherits but the config does not define', () => {
    const broken = config({
      databases: [database({ name: 'db' })],
      probes: [probe({ name: 'p', database: 'toString' })],
    });

    expect(() => buildPlan(broken)).toThrow("probe 'p' names unknown database 'toString'");
  });

  it('plans names every object inherits like any other name', () => {
    const plan = buildPlan(
      config({
        vpcs: [vpc('hasOwnProperty')],
        databases: [database({ name: 'constructor', vpc: 'hasOwnProperty', engine: 'mysql', port: 3306 })],
        probes: [probe({ name: 'toString', database: 'constructor' })],
      }),
    );

    expect(plan.functions).toEqual([
      expect.objectContaining({ vpc: 'hasOwnProperty', databases: ['constructor'], engines: ['mysql'] }),
    ]);
  });

  it('refuses a schedule that does not parse', () => {
    const broken = config({
      databases: [database({ name: 'db' })],
      probes: [probe({ name: 'p', database: 'db', schedule: 'rate(5 minute)' })],
    });

    expect(() => buildPlan(broken)).toThrow("schedule 'rate(5 minute)': rate unit must be 'minutes'");
  });

  it("runs each fleet member in its database's function and schedules the fleet's runs by key", () => {
    // arrange: a fleet over a database in VPC app, one in billing and a VPC-less one
    const fleet = config({
      vpcs: [vpc('app'), vpc('billing')],
      databases: [
        database({ name: 'sessions', vpc: 'app' }),
        database({ name: 'ledger', vpc: 'billing', engine: 'mysql', port: 3306 }),
        database({ name: 'public-stats' }),
      ],
      probes: [
        probe({ name: 'health', database: ['sessions', 'ledger', 'public-stats'] }),
        probe({ name: 'active', database: 'sessions' }),
      ],
    });

    // act
    const plan = buildPlan(fleet);

    // assess
    expect(plan.functions.map((fn) => [fn.id, fn.databases, fn.probes])).toEqual([
      ['vpc-app', ['sessions'], ['health@sessions', 'active']],
      ['vpc-billing', ['ledger'], ['health@ledger']],
      ['no-vpc', ['public-stats'], ['health@public-stats']],
    ]);
    expect(plan.schedules[0]?.invocations).toEqual([
      { functionId: 'vpc-app', probes: ['health@sessions', 'active'] },
      { functionId: 'vpc-billing', probes: ['health@ledger'] },
      { functionId: 'no-vpc', probes: ['health@public-stats'] },
    ]);
  });
});
