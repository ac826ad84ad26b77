/**
 * Fan-out overhead: 1,000 probes in 10 VPC groups against the real PostgreSQL, through `chasm
 * run`'s machinery without the printing (fan-out, in-process invocations, query functions with
 * their pools, read-only transactions, row mapping, health metrics), against the same 1,000
 * queries sent directly with `pg`, with the same pools (one per database, `maxConnections` each),
 * in the same run. Both sides open and close their pools each time. The config is parsed and
 * planned once, outside the timing, as a deployment does it at synth time.
 *
 * Each timed run starts from a quiet server (the previous run's sessions gone), and the sides take
 * turns in a rotating order, so no side always follows the same one.
 */
import pg from 'pg';
import { openEnginePool } from '../adapters/database-pools.js';
import { prepareLocalRun } from '../adapters/local-run.js';
import { createCollectingSink } from '../adapters/sinks/collecting-sink.js';
import type { Config, DatabaseConfig, ProbeConfig } from '../core/model.js';
import { DEFAULTS } from '../core/model.js';
import type { Benchmark } from './benchmark.js';

const PG_URL = process.env.CHASM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const VPCS = 10;
const PROBES = 1000;
const MAX_CONNECTIONS = 3;
const ROUNDS = 15;
// the JIT needs a few runs of the larger code path before it runs at its steady pace
const WARM_UP_ROUNDS = 3;

export const fanoutOverhead: Benchmark = {
  name: 'fan-out overhead, 1,000 probes in 10 VPCs',
  budget: { maxRatio: 1.25 },
  async run() {
    const table = `chasm_bench_${Math.random().toString(16).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      // a small sessions table: each probe counts and averages per region, as probes do
      await admin.query(
        `CREATE TABLE ${table} AS SELECT i AS id, (ARRAY['eu','us','ap'])[1 + i % 3] AS region, i % 97 AS shard,
           (i % 600)::float8 AS duration_s FROM generate_series(1, 20000) AS i`,
      );
      await admin.query(`CREATE INDEX ON ${table} (shard)`);
      await admin.query(`ANALYZE ${table}`);
      const config = benchConfig(table);
      const probes = Object.keys(config.probes);
      const runner = prepareLocalRun(config);

      const viaChasm = async (): Promise<void> => {
        const outcome = await runner.run(probes, { sink: createCollectingSink() });
        const failed = outcome.reports.filter((report) => !report.ok);
        if (failed.length > 0)
          throw new Error(`${failed.length} probes failed: ${failed[0]?.error?.message}`);
      };
      const direct = async (): Promise<void> => {
        const pools = Object.values(config.databases).map(
          (database) => new pg.Pool({ connectionString: PG_URL, max: database.maxConnections }),
        );
        try {
          await Promise.all(
            Object.values(config.probes).map((probe) => {
              const index = Number(probe.database.slice(2));
              return pools[index]?.query(probe.sql);
            }),
          );
        } finally {
          await Promise.all(pools.map((pool) => pool.end()));
        }
      };

      // the same queries with pg, each inside the read-only transaction with a statement timeout every
      // probe must run in, sent the plain way (three round trips): what the safety costs done simply
      const directSafe = async (): Promise<void> => {
        const pools = Object.values(config.databases).map(
          (database) => new pg.Pool({ connectionString: PG_URL, max: database.maxConnections }),
        );
        try {
          await Promise.all(
            Object.values(config.probes).map(async (probe) => {
              const client = await pools[Number(probe.database.slice(2))]?.connect();
              if (!client) return;
              try {
                await client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${probe.timeoutMs}`);
                await client.query({ text: probe.sql, queryMode: 'extended' } as pg.QueryConfig);
                await client.query('ROLLBACK');
              } finally {
                client.release();
              }
            }),
          );
        } finally {
          await Promise.all(pools.map((pool) => pool.end()));
        }
      };

      // the engine's pools alone, without the fan-out and query-function layers: says where the time goes
      const engineOnly = async (): Promise<void> => {
        const pools = await Promise.all(
          Object.values(config.databases).map((database) =>
            openEnginePool('postgres', { kind: 'url', url: PG_URL, maxConnections: database.maxConnections }),
          ),
        );
        try {
          await Promise.all(
            Object.values(config.probes).map((probe) =>
              pools[Number(probe.database.slice(2))]?.query(probe.sql, {
                timeoutMs: probe.timeoutMs,
                maxRows: probe.maxRows,
              }),
            ),
          );
        } finally {
          await Promise.all(pools.map((pool) => pool.close()));
        }
      };

      const quiet = await quietServer(admin);
      const sides = [
        { name: 'chasm', work: viaChasm, times: [] as number[] },
        { name: 'direct', work: direct, times: [] as number[] },
        { name: 'safe', work: directSafe, times: [] as number[] },
        { name: 'engine', work: engineOnly, times: [] as number[] },
      ];
      for (let round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
        for (let turn = 0; turn < sides.length; turn++) {
          const side = sides[(round + turn) % sides.length];
          if (!side) continue;
          await quiet();
          const elapsed = await timed(side.work);
          if (round >= WARM_UP_ROUNDS) side.times.push(elapsed);
        }
      }
      // each round's ratio to that round's direct run: the machine's pace drifts over a run, and a
      // round's sides ran within a second or two of each other
      const [chasm, plain, safe, engine] = sides.map((side) => side.times);
      const ratio = (times: number[] = []): number =>
        median(times.map((ms, round) => ms / (plain?.[round] ?? ms)));
      const ms = (times: number[] = []): string => median(times).toFixed(0);
      return {
        measured: median(chasm ?? []),
        baseline: median(plain ?? []),
        ratio: ratio(chasm),
        unit: 'ms',
        note:
          `medians of ${ROUNDS} rounds after ${WARM_UP_ROUNDS} warm-up rounds, each side from a quiet server, in rotating order; ` +
          `the ratio is the median of each round's ratio; ${PROBES} probes, ${VPCS} databases × ${MAX_CONNECTIONS} connections; ` +
          `pg with each query in a read-only transaction sent plainly (BEGIN+SET, query, ROLLBACK): ${ms(safe)} ms (${ratio(safe).toFixed(2)}x); ` +
          `the engine's pools alone: ${ms(engine)} ms (${ratio(engine).toFixed(2)}x); config parsing and planning excluded (see validate + plan)`,
      };
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      await admin.end();
    }
  },
};

/**
 * Waits (up to a second) until the server has no more client sessions than when the benchmark
 * began: a run's closed sessions end in the server a little after its pools resolve `end()`.
 */
async function quietServer(admin: pg.Client): Promise<() => Promise<void>> {
  const sessions = async (): Promise<number> => {
    const { rows } = await admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend'",
    );
    return rows[0]?.n ?? 0;
  };
  const baseline = await sessions();
  return async () => {
    for (let wait = 0; wait < 100 && (await sessions()) > baseline; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
}

export function benchConfig(table: string): Config {
  const vpcs: Record<string, Config['vpcs'][string]> = {};
  const databases: Record<string, DatabaseConfig> = {};
  for (let v = 0; v < VPCS; v++) {
    vpcs[`vpc${v}`] = {
      name: `vpc${v}`,
      vpcId: `vpc-${String(v).padStart(17, '0')}`,
      subnetIds: ['subnet-0aaa1111bbbb2222c'],
    };
    databases[`db${v}`] = {
      name: `db${v}`,
      engine: 'postgres',
      vpc: `vpc${v}`,
      host: `db${v}.cluster-abc.eu-west-1.rds.amazonaws.com`,
      port: 5432,
      database: 'app',
      user: 'metrics_reader',
      auth: { type: 'iam' },
      tls: true,
      maxConnections: MAX_CONNECTIONS,
      local: { url: PG_URL },
    };
  }
  const probes: Record<string, ProbeConfig> = {};
  for (let p = 0; p < PROBES; p++) {
    const name = `probe-${p}`;
    probes[name] = {
      name,
      database: `db${p % VPCS}`,
      sql: `SELECT region, count(*) AS n, avg(duration_s) AS avg_s FROM ${table} WHERE shard = ${p % 97} GROUP BY region`,
      parameters: [],
      parameterDimensions: {},
      schedule: DEFAULTS.schedule,
      timeoutMs: 10_000,
      onNull: 'skip',
      onEmpty: 'skip',
      maxRows: 1000,
      maxSeries: 10,
      dimensions: { Region: { column: 'region' }, Env: { value: 'bench' } },
      metrics: [
        { name: 'Sessions', column: 'n', unit: 'Count', resolution: 60, dimensions: {} },
        { name: 'AvgDuration', column: 'avg_s', unit: 'Seconds', resolution: 60, dimensions: {} },
      ],
    };
  }
  return {
    file: '/bench/probes.yaml',
    version: 1,
    namespace: 'Bench/Fanout',
    schedule: DEFAULTS.schedule,
    publish: 'fanout',
    health: 'summary',
    logRetentionDays: 30,
    vpcs,
    databases,
    probes,
  };
}

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
