import { describe, expect, it } from 'vitest';
import { planJson, planText } from '../../adapters/cli/plan-report.js';
import { estimateCost } from '../../core/plan/cost-model.js';
import { buildPlan } from '../../core/plan/plan.js';
import { config, dataApiDatabase, database, metric, probe, subnets, vpc } from '../support/config-factory.js';

function twoVpcs() {
  return config({
    vpcs: [
      vpc('app', { vpcId: 'vpc-0abc1234def567890' }),
      vpc('billing', { subnetIds: subnets('billing', 1) }),
    ],
    databases: [
      database({ name: 'sessions', vpc: 'app', resourceId: 'cluster-ABC' }),
      database({ name: 'orders', vpc: 'app', engine: 'mysql', auth: { type: 'secret', secretArn: 'arn:x' } }),
      database({ name: 'ledger', vpc: 'billing' }),
      database({ name: 'public' }),
    ],
    probes: [
      probe({
        name: 'active',
        database: 'sessions',
        schedule: 'rate(1 minute)',
        dimensions: { Region: { column: 'r' }, Env: { value: 'prod' } },
        metrics: [metric({ name: 'A' }), metric({ name: 'B', unit: 'Seconds' })],
      }),
      probe({ name: 'orders', database: 'orders' }),
      probe({ name: 'balance', database: 'ledger', schedule: 'cron(0 8 ? * MON-FRI *)' }),
      probe({ name: 'downloads', database: 'public' }),
    ],
  });
}

function render() {
  const plan = buildPlan(twoVpcs());
  const report = estimateCost(plan);
  return { text: planText('probes.yaml', plan, report), json: planJson(plan, report) };
}

describe('plan report', () => {
  it('draws VPCs, their function, databases, probes and metrics as a tree', () => {
    const lines = render().text.split('\n');

    const start = lines.indexOf('VPC app (vpc-0abc1234def567890, 2 subnets)');
    expect(lines.slice(start, start + 12)).toEqual([
      'VPC app (vpc-0abc1234def567890, 2 subnets)',
      '├─ security group created: egress to ports 5432 on any address: set cidrBlocks to narrow it',
      '└─ query function vpc-app (postgres, mysql), 320 MB',
      '   ├─ database sessions (postgres, auth: iam)',
      '   │  │  rds-db:connect on dbuser:cluster-ABC/metrics_reader (this database only)',
      '   │  └─ probe active: rate(1 minute), 2-200 series',
      '   │     ├─ A (Count, 60 s; Env, Region)',
      '   │     └─ B (Seconds, 60 s; Env, Region)',
      '   └─ database orders (mysql, auth: secret)',
      '      └─ probe orders: rate(5 minutes), 1 series',
      '         └─ Value (Count, 60 s)',
      '',
    ]);
    expect(lines).toContain('outside any VPC');
  });

  it("says per VPC whether the created security group's egress is narrowed to its cidrBlocks", () => {
    // arrange: app narrowed, with two ports in its databases' order; billing open; shop with its own groups
    const narrowed = config({
      vpcs: [
        vpc('app', { cidrBlocks: ['10.0.0.0/16', '10.1.0.0/16'] }),
        vpc('billing'),
        vpc('shop', { securityGroupIds: ['sg-0123456789abcdef0', 'sg-0fedcba9876543210'] }),
      ],
      databases: [
        database({ name: 'sessions', vpc: 'app' }),
        database({ name: 'orders', vpc: 'app', engine: 'mysql', port: 3306 }),
        database({ name: 'replica', vpc: 'app' }),
        database({ name: 'ledger', vpc: 'billing' }),
        database({ name: 'carts', vpc: 'shop' }),
      ],
      probes: ['sessions', 'orders', 'replica', 'ledger', 'carts'].map((name) =>
        probe({ name, database: name }),
      ),
    });
    const plan = buildPlan(narrowed);
    const report = estimateCost(plan);

    // act
    const lines = planText('probes.yaml', plan, report).split('\n');
    const json = planJson(plan, report);

    // assess
    const lineAfter = (vpcName: string) =>
      lines[lines.findIndex((line) => line.startsWith(`VPC ${vpcName} `)) + 1];
    expect(lineAfter('app')).toBe(
      '├─ security group created: egress to ports 5432, 3306 on 10.0.0.0/16, 10.1.0.0/16',
    );
    expect(lineAfter('billing')).toBe(
      '├─ security group created: egress to ports 5432 on any address: set cidrBlocks to narrow it',
    );
    expect(lineAfter('shop')).toBe(
      '├─ security groups sg-0123456789abcdef0, sg-0fedcba9876543210 (given: their own rules apply)',
    );
    expect(json.functions.map((fn) => [fn.id, fn.network])).toEqual([
      [
        'vpc-app',
        {
          securityGroupIds: null,
          egress: { ports: [5432, 3306], cidrBlocks: ['10.0.0.0/16', '10.1.0.0/16'] },
          summary: 'security group created: egress to ports 5432, 3306 on 10.0.0.0/16, 10.1.0.0/16',
        },
      ],
      [
        'vpc-billing',
        {
          securityGroupIds: null,
          egress: { ports: [5432], cidrBlocks: null },
          summary: 'security group created: egress to ports 5432 on any address: set cidrBlocks to narrow it',
        },
      ],
      [
        'vpc-shop',
        {
          securityGroupIds: ['sg-0123456789abcdef0', 'sg-0fedcba9876543210'],
          egress: null,
          summary:
            'security groups sg-0123456789abcdef0, sg-0fedcba9876543210 (given: their own rules apply)',
        },
      ],
    ]);
  });

  it('gives the function outside any VPC no security group line and a null network', () => {
    const { text, json } = render();

    const lines = text.split('\n');
    expect(lines[lines.indexOf('outside any VPC') + 1]).toMatch(/^└─ query function no-vpc /);
    expect(json.functions.find((fn) => fn.vpc === undefined)?.network).toBeNull();
  });

  it('says how rds-db:connect is scoped without a resource id', () => {
    expect(render().text).toContain(
      'rds-db:connect on dbuser:*/metrics_reader (wildcard resource id: this user on any database)',
    );
  });

  it('lists every schedule with its ticks and targets', () => {
    const { text } = render();

    expect(text).toContain('rate(1 minute): 43,200 ticks a month → vpc-app (1)');
    expect(text).toContain('rate(5 minutes): 8,640 ticks a month → vpc-app (1), no-vpc (1)');
    expect(text).toContain('cron(0 8 ? * MON-FRI *): 21.43 ticks a month → vpc-billing (1)');
  });

  it('sets each cost line beside the NAT Gateway variant, NAT-only lines blank for Chasm', () => {
    const { text, json } = render();

    expect(text).toMatch(/^NAT Gateway hours\s+-\s+98\.5500$/m);
    expect(text).toMatch(/^public IPv4 addresses\s+-\s+10\.9500$/m);
    expect(text).toMatch(
      new RegExp(
        `^total\\s+${json.cost.totalUsd.toFixed(4)}\\s+${json.natGateway.totalUsd.toFixed(4)}$`,
        'm',
      ),
    );
    expect(text).toContain(`costs ${json.ratio.toFixed(1)}× as much`);
  });

  it('says how it counted the NAT Gateways and which region it priced', () => {
    const { text, json } = render();

    expect(text).toContain(
      "3 NAT Gateways: one per availability zone of each VPC's subnets; probes.yaml does not say a subnet's zone, so each listed subnet of app, billing counts as a zone of its own",
    );
    expect(text).toContain(
      "list prices of us-east-1; the stack deploys to the deploying profile's region (set region in probes.yaml), whose prices may differ",
    );
    expect(json.prices).toEqual({ region: 'us-east-1', stackRegion: null });
    expect(json.natGateway.vpcs).toEqual([
      { vpc: 'app', gateways: 2, zonesKnown: false },
      { vpc: 'billing', gateways: 1, zonesKnown: false },
    ]);
  });

  it("names the stack's region beside the prices' when the config has one", () => {
    const plan = buildPlan({ ...twoVpcs(), region: 'eu-west-1' });
    const report = estimateCost(plan);

    expect(planText('probes.yaml', plan, report)).toContain(
      'list prices of us-east-1; the stack deploys to eu-west-1, whose prices may differ',
    );
    expect(planJson(plan, report).prices).toEqual({ region: 'us-east-1', stackRegion: 'eu-west-1' });
  });

  it('gives scripts the scopes, series and both bills in JSON', () => {
    const { json } = render();

    expect(json.functions.map((fn) => fn.rdsConnect.map((scope) => scope.resource))).toEqual([
      ['dbuser:cluster-ABC/metrics_reader'],
      ['dbuser:*/metrics_reader'],
      ['dbuser:*/metrics_reader'],
    ]);
    expect(json.series).toEqual({ min: 6, max: 204, health: 1 });
    expect(json.natGateway.gateways).toBe(3);
    expect(json.cost.totalUsd).toBeCloseTo(
      json.cost.items.reduce((sum, item) => sum + item.usd, 0),
      10,
    );
  });
});

describe('plan report of a fleet with parameters', () => {
  function fleetPlan() {
    const plan = buildPlan(
      config({
        vpcs: [vpc('eu'), vpc('us')],
        databases: [database({ name: 'orders-eu', vpc: 'eu' }), database({ name: 'orders-us', vpc: 'us' })],
        probes: [
          probe({
            name: 'by-status',
            database: ['orders-eu', 'orders-us'],
            sql: 'SELECT count(*) AS n FROM orders WHERE status = :status',
            parameters: [{ status: 'open' }, { status: 'shipped' }],
            parameterDimensions: { status: 'Status' },
          }),
        ],
      }),
    );
    const report = estimateCost(plan);
    return { text: planText('probes.yaml', plan, report), json: planJson(plan, report) };
  }

  it("lists the probe under each database of the fleet with that database's series", () => {
    // act
    const { text } = fleetPlan();

    // assess
    const lines = text
      .split('\n')
      .filter((line) => line.includes('probe by-status') || line.includes('─ Value'));
    expect(lines).toEqual([
      '      └─ probe by-status: rate(5 minutes), 2 parameter maps, 2 series',
      '         └─ Value (Count, 60 s; Database, Status)',
      '      └─ probe by-status: rate(5 minutes), 2 parameter maps, 2 series',
      '         └─ Value (Count, 60 s; Database, Status)',
    ]);
  });

  it('gives one --json entry per probe and database, with its function and series', () => {
    // act
    const { json } = fleetPlan();

    // assess
    expect(
      json.probes.map(({ probe, database, functionId, parameters, series }) => ({
        probe,
        database,
        functionId,
        parameters,
        series,
      })),
    ).toEqual([
      {
        probe: 'by-status',
        database: 'orders-eu',
        functionId: 'vpc-eu',
        parameters: 2,
        series: { min: 2, max: 2 },
      },
      {
        probe: 'by-status',
        database: 'orders-us',
        functionId: 'vpc-us',
        parameters: 2,
        series: { min: 2, max: 2 },
      },
    ]);
    expect(json.probes[0]?.metrics[0]?.dimensions).toEqual(['Database', 'Status']);
    expect(json.series).toEqual({ min: 5, max: 5, health: 1 });
  });
});

describe('plan report with a Data API database', () => {
  const ORDERS_ARN = 'arn:aws:rds:eu-west-1:123456789012:cluster:orders';

  function render() {
    const plan = buildPlan(
      config({
        vpcs: [vpc('app')],
        databases: [database({ name: 'sessions', vpc: 'app' }), dataApiDatabase({ name: 'orders' })],
        probes: [
          probe({ name: 'active', database: 'sessions' }),
          probe({ name: 'open', database: 'orders' }),
        ],
      }),
    );
    const report = estimateCost(plan);
    return { text: planText('probes.yaml', plan, report), json: planJson(plan, report) };
  }

  it('shows it served by the fan-out function over the Data API, with no VPC function, and what that costs', () => {
    // act
    const { text } = render();

    // assess
    expect(text).toContain(
      "fan-out function (outside any VPC, 320 MB) invokes one query function per VPC and runs the Data API databases' probes itself",
    );
    expect(text).toContain(
      [
        'RDS Data API (no VPC, no query function)',
        '└─ run by the fan-out function (postgres)',
        '   └─ database orders (postgres, auth: secret)',
        `      │  rds-data:BeginTransaction, rds-data:ExecuteStatement, rds-data:RollbackTransaction on ${ORDERS_ARN}`,
        '      └─ probe open: rate(5 minutes), 1 series',
      ].join('\n'),
    );
    expect(text).not.toContain('query function data-api');
    expect(text).toMatch(
      /the Data API database orders: USD \d+\.\d{4} a month in Data API requests and up to USD \d+\.\d{4} of the fan-out's compute, instead of USD \d+\.\d{4} for a query function of its own/,
    );
    expect(text).toMatch(/^RDS Data API requests +\d+\.\d{4} +\d+\.\d{4}$/m);
  });

  it('gives scripts the Data API databases apart from the query functions in JSON', () => {
    // act
    const { json } = render();

    // assess
    expect(json.functions.map((fn) => fn.id)).toEqual(['vpc-app']);
    expect(json.dataApi).toMatchObject({
      id: 'data-api',
      databases: ['orders'],
      probes: ['open'],
      clusters: [{ database: 'orders', resourceArn: ORDERS_ARN }],
    });
    expect(json.dataApi?.cost?.requestsUsd).toBeGreaterThan(0);
    expect(json.probes.map((entry) => [entry.probe, entry.functionId])).toEqual([
      ['active', 'vpc-app'],
      ['open', 'data-api'],
    ]);
  });
});

describe('plan report of alarms', () => {
  function alarmedPlan() {
    const plan = buildPlan(
      config({
        alarms: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
        databases: [database({ name: 'eu' }), database({ name: 'us' })],
        probes: [
          probe({
            name: 'orders',
            database: ['eu', 'us'],
            schedule: 'rate(1 minute)',
            metrics: [
              metric({
                name: 'Open',
                alarm: {
                  comparison: 'above',
                  threshold: 50,
                  for: 3,
                  datapoints: 2,
                  statistic: 'Maximum',
                  missing: 'missing',
                },
              }),
            ],
          }),
          probe({
            name: 'regions',
            database: 'eu',
            dimensions: { Region: { column: 'region' } },
            metrics: [
              metric({
                name: 'Sessions',
                alarm: {
                  comparison: 'below',
                  threshold: 1,
                  for: 1,
                  datapoints: 1,
                  statistic: 'Average',
                  missing: 'breaching',
                },
              }),
            ],
          }),
        ],
      }),
    );
    const report = estimateCost(plan);
    return { text: planText('probes.yaml', plan, report), json: planJson(plan, report) };
  }

  it('lists each alarm with its condition, how many there are and the stack size', () => {
    // act
    const lines = alarmedPlan().text.split('\n');

    // assess: ProbesFailed, Open on each database, one query alarm over Sessions' regions
    const start = lines.findIndex((line) => line.startsWith('alarms to '));
    expect(lines.slice(start, start + 4)).toEqual([
      'alarms to arn:aws:sns:eu-west-1:123456789012:alerts: 3 metric alarms, 1 Metrics Insights alarm, 4-103 alarm metrics billed; the stack: 15 resources (CloudFormation takes 500)',
      '  ProbesFailed (Maximum above 0, 1 of 1 × 1 minute): 1 metric alarm',
      '  orders: Open (Maximum above 50, 2 of 3 × 1 minute): 2 metric alarms',
      '  regions: Sessions per Region (Average below 1, 1 of 1 × 5 minutes): a Metrics Insights alarm over 1-100 series',
    ]);
  });

  it('gives the alarms and the stack size in --json', () => {
    // act
    const { json } = alarmedPlan();

    // assess
    expect(json.alarms).toMatchObject({
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      metricAlarms: 3,
      queryAlarms: 1,
      alarmMetrics: { min: 4, max: 103 },
    });
    expect(
      json.alarms.items.map(({ probe, metric, kind, count, metrics }) => ({
        probe,
        metric,
        kind,
        count,
        metrics,
      })),
    ).toEqual([
      { probe: null, metric: 'ProbesFailed', kind: 'series', count: 1, metrics: { min: 1, max: 1 } },
      { probe: 'orders', metric: 'Open', kind: 'series', count: 2, metrics: { min: 2, max: 2 } },
      { probe: 'regions', metric: 'Sessions', kind: 'query', count: 1, metrics: { min: 1, max: 100 } },
    ]);
    expect(json.alarms.items[2]?.query).toBe(
      'SELECT AVG("Sessions") FROM SCHEMA("Acme/Sessions", "Region") GROUP BY "Region" ORDER BY AVG() ASC',
    );
    expect(json.resources).toBe(15);
  });

  it('says when nothing alarms', () => {
    expect(render().text).toContain('\nno alarms (no alarms.topicArn); the stack: ');
  });
});
