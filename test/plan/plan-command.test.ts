import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

const QUICKSTART = 'examples/quickstart/probes.yaml';
const folder = mkdtempSync(join(tmpdir(), 'chasm-plan-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('chasm plan --json', () => {
  it('shows the quickstart functions, probes, series and both bills, at least 30 times apart', async () => {
    const { status, stdout, stderr } = await runCli('plan', QUICKSTART, '--json');

    expect(stderr).toBe('');
    expect(status).toBe(0);
    const plan = JSON.parse(stdout);
    expect(plan.fanout).toEqual({ functionName: 'chasm-acme-sessions-fanout', memoryMb: 320 });
    expect(plan.functions).toHaveLength(1);
    expect(plan.functions[0]).toMatchObject({
      id: 'vpc-app',
      functionName: 'chasm-acme-sessions-vpc-app',
      memoryMb: 320,
      vpc: 'app',
      databases: ['sessions'],
      engines: ['postgres'],
      probes: ['active-sessions'],
      rdsConnect: [
        { database: 'sessions', user: 'metrics_reader', resource: 'dbuser:*/metrics_reader', exact: false },
      ],
    });
    expect(plan.schedules).toEqual([
      {
        expression: 'rate(5 minutes)',
        ticksPerMonth: 8640,
        invocations: [{ functionId: 'vpc-app', probes: ['active-sessions'] }],
      },
    ]);
    expect(plan.probes).toEqual([
      {
        probe: 'active-sessions',
        database: 'sessions',
        functionId: 'vpc-app',
        schedule: 'rate(5 minutes)',
        metrics: [{ name: 'ActiveSessions', unit: 'Count', resolution: 60, dimensions: [] }],
        series: { min: 1, max: 1 },
      },
    ]);
    expect(plan.series).toEqual({ min: 2, max: 2, health: 1 });
    expect(plan.cost.totalUsd).toBeGreaterThan(0.6);
    expect(plan.natGateway.gateways).toBe(2);
    expect(plan.natGateway.totalUsd).toBeGreaterThan(73);
    expect(plan.ratio).toBeGreaterThanOrEqual(30);
    expect(plan.ratio).toBeCloseTo(plan.natGateway.totalUsd / plan.cost.totalUsd, 10);
  });
});

describe('chasm plan', () => {
  it('prints the tree and the cost table beside the NAT Gateway variant', async () => {
    const { status, stdout } = await runCli('plan', QUICKSTART);

    expect(status).toBe(0);
    expect(stdout).toContain('VPC app (vpc-0abc1234def567890, 2 subnets)');
    expect(stdout).toContain('└─ query function vpc-app (postgres), 320 MB');
    expect(stdout).toContain('list prices of us-east-1;');
    expect(stdout).toContain('probe active-sessions: rate(5 minutes), 1 series');
    expect(stdout).toContain('ActiveSessions (Count, 60 s)');
    expect(stdout).toContain('rds-db:connect on dbuser:*/metrics_reader (wildcard resource id');
    expect(stdout).toMatch(/NAT Gateway hours\s+-\s+65\.70/);
    expect(stdout).toMatch(/costs \d+\.\d× as much/);
  });

  it("says for each VPC of the multi-vpc example how far its query function's egress reaches", async () => {
    const text = await runCli('plan', 'examples/multi-vpc/probes.yaml');
    const json = await runCli('plan', 'examples/multi-vpc/probes.yaml', '--json');

    expect(text.status).toBe(0);
    const lines = text.stdout.split('\n');
    const lineAfter = (vpc: string) => lines[lines.findIndex((line) => line.startsWith(`VPC ${vpc} `)) + 1];
    expect(lineAfter('orders')).toBe('├─ security group created: egress to ports 5432 on 10.20.0.0/16');
    expect(lineAfter('billing')).toBe(
      '├─ security group sg-0c1d2e3f4a5b60718 (given: their own rules apply)',
    );
    expect(lineAfter('analytics')).toBe(
      '├─ security group created: egress to ports 5433 on any address: set cidrBlocks to narrow it',
    );
    const functions = (JSON.parse(json.stdout) as { functions: { id: string; network: unknown }[] })
      .functions;
    expect(Object.fromEntries(functions.map((fn) => [fn.id, fn.network]))).toMatchObject({
      'vpc-orders': { securityGroupIds: null, egress: { ports: [5432], cidrBlocks: ['10.20.0.0/16'] } },
      'vpc-billing': { securityGroupIds: ['sg-0c1d2e3f4a5b60718'], egress: null },
      'vpc-analytics': { securityGroupIds: null, egress: { ports: [5433], cidrBlocks: null } },
      'no-vpc': null,
    });
  });

  it('exits 1 with positioned errors for an invalid file', async () => {
    const file = join(folder, 'broken.yaml');
    writeFileSync(file, 'version: 1\nnamespace: Acme/Test\nprobes:\n  p:\n    database: nowhere\n');

    const { status, stdout, stderr } = await runCli('plan', file, '--json');

    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `, 'm'));
  });

  it('exits 1 on an unknown option or a missing file argument', async () => {
    expect((await runCli('plan', QUICKSTART, '--yaml')).status).toBe(1);
    expect((await runCli('plan')).stderr).toContain('expects exactly one FILE');
  });
});
