/**
 * Synth of a generated config with 50 VPCs × 20 probes, as `chasm synth` runs it: wall time
 * (bundling included) and how many times esbuild ran (one per function kind, not per VPC).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { esbuildRuns, forgetBundles } from '../adapters/cdk/handler-bundler.js';
import { ProbesStack } from '../adapters/cdk/probes-stack.js';
import { type Config, DEFAULTS, type ProbeConfig } from '../core/model.js';
import type { Benchmark, BenchResult } from './benchmark.js';

const VPCS = 50;
const PROBES_PER_VPC = 20;
const SCHEDULES = ['rate(1 minute)', 'rate(5 minutes)', 'rate(1 hour)', 'cron(0 8 ? * MON-FRI *)'];

function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, '0');
}

/** 50 VPCs, each with a Postgres and a MySQL database and 20 probes over four schedules */
export function generatedConfig(): Config {
  const vpcs: Record<string, Config['vpcs'][string]> = {};
  const databases: Record<string, Config['databases'][string]> = {};
  const probes: Record<string, ProbeConfig> = {};
  for (let v = 0; v < VPCS; v++) {
    const vpc = `vpc${v}`;
    vpcs[vpc] = {
      name: vpc,
      vpcId: `vpc-${hex(v, 17)}`,
      subnetIds: [`subnet-${hex(2 * v, 17)}`, `subnet-${hex(2 * v + 1, 17)}`],
    };
    for (const engine of ['postgres', 'mysql']) {
      const name = `${vpc}-${engine}`;
      databases[name] = {
        name,
        engine,
        vpc,
        host: `${name}.example.com`,
        port: engine === 'postgres' ? 5432 : 3306,
        database: 'app',
        user: 'metrics_reader',
        auth: { type: 'iam' },
        tls: true,
        maxConnections: 2,
      };
    }
    for (let p = 0; p < PROBES_PER_VPC; p++) {
      const name = `${vpc}-probe${p}`;
      probes[name] = {
        name,
        database: `${vpc}-${p % 2 === 0 ? 'postgres' : 'mysql'}`,
        sql: 'SELECT count(*) AS n, region FROM t GROUP BY region',
        parameters: [],
        parameterDimensions: {},
        schedule: SCHEDULES[p % SCHEDULES.length] ?? DEFAULTS.schedule,
        timeoutMs: 5000,
        onNull: 'skip',
        onEmpty: 'skip',
        maxRows: 1000,
        maxSeries: 20,
        dimensions: { Region: { column: 'region' }, Env: { value: 'prod' } },
        metrics: [{ name: `Count${p}`, column: 'n', unit: 'Count', resolution: 60, dimensions: {} }],
      };
    }
  }
  return {
    file: '/bench/probes.yaml',
    version: 1,
    namespace: 'Bench/Synth',
    schedule: DEFAULTS.schedule,
    publish: 'fanout',
    // one Metrics Insights alarm watches all 1,000 probes' ProbeSuccess
    health: 'detailed',
    alarms: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
    logRetentionDays: 30,
    vpcs,
    databases,
    probes,
  };
}

let measured: Promise<{ ms: number; runs: number; functions: number }> | undefined;

/** one synth per bench process: the first one pays for bundling, as `chasm synth` does */
function synthOnce() {
  measured ??= (async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'chasm-bench-synth-'));
    try {
      const config = generatedConfig();
      // other benchmarks of this process may have bundled the handlers already
      forgetBundles();
      const runsBefore = esbuildRuns();
      const start = performance.now();
      const app = new App({ outdir, builtinCloudFormationValidation: false });
      const stack = new ProbesStack(app, 'Probes', { config });
      app.synth();
      const ms = performance.now() - start;
      const functions = stack.probes.queryFunctions.size + (stack.probes.fanoutFunction ? 1 : 0);
      return { ms, runs: esbuildRuns() - runsBefore, functions };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  })();
  return measured;
}

export const synthBenchmarks: readonly Benchmark[] = [
  {
    name: 'synth, 50 VPCs x 20 probes',
    budget: { max: 20_000 },
    async run(): Promise<BenchResult> {
      const { ms, functions, runs } = await synthOnce();
      return {
        measured: ms,
        unit: 'ms',
        note: `one synth, bundling included: ${functions} functions, ${runs} esbuild runs`,
      };
    },
  },
  {
    name: 'synth, esbuild runs',
    // one per function kind: query and fan-out
    budget: { max: 2 },
    async run(): Promise<BenchResult> {
      const { runs, functions } = await synthOnce();
      return { measured: runs, unit: 'runs', note: `${runs} esbuild runs for ${functions} functions` };
    },
  },
];
