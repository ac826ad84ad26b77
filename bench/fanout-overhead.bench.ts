/**
 * Fan-out overhead, with 1,000 probes of 50 ms in 10 VPCs against the real PostgreSQL (each
 * database `maxConnections: 3`), logging in as a role with a password:
 *
 * - `chasm run` as a whole process (config parsing, the fan-out, in-process query functions,
 *   read-only transactions, row mapping, printing) against a plain `pg` script running the same
 *   queries with the same pools, process start included on both sides;
 * - the engine's safe path alone (the postgres engine's pools: checkout, read-only transaction with
 *   a statement timeout, a cursor, the session reset) against plain `pg` running the same queries in
 *   the same read-only transactions, in this process.
 *
 * The sides take turns in a rotating order after a warm-up round; each ratio is the median of the
 * rounds' ratios (the machine's pace drifts over a run; a round's sides run seconds apart).
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { openEnginePool } from '../adapters/database-pools.js';
import type { Benchmark, BenchResult } from './benchmark.js';

const ADMIN_URL = process.env.CHASM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const VPCS = 10;
const PROBES = 1000;
const MAX_CONNECTIONS = 3;
const PROBE_SQL = 'SELECT 1 AS n FROM pg_sleep(0.05)';
const TIMEOUT_MS = 10_000;
const ROUNDS = 5;
const OUT = resolve('.bench-out/fanout');

interface Login {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

/** A login role that needs its password, as every deployed probe user does; dropped by `done()`. */
async function withLogin<T>(work: (login: Login) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const user = `chasm_bench_${Math.random().toString(16).slice(2, 10)}`;
  const password = Math.random().toString(16).slice(2);
  const grouped = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = 'chasm_password_login'");
  await admin.query(
    `CREATE ROLE ${user} LOGIN PASSWORD '${password}'${grouped.rowCount ? ' IN ROLE chasm_password_login' : ''}`,
  );
  const base = new URL(ADMIN_URL);
  const url = new URL(ADMIN_URL);
  url.username = user;
  url.password = password;
  try {
    return await work({
      url: url.toString(),
      user,
      password,
      host: base.hostname,
      port: Number(base.port || 5432),
      database: base.pathname.slice(1),
    });
  } finally {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [user]);
    await admin.query(`DROP ROLE ${user}`);
    await admin.end();
  }
}

function probesYaml(url: string): string {
  const lines = ['version: 1', 'namespace: Bench/Fanout', 'vpcs:'];
  for (let v = 0; v < VPCS; v++) {
    lines.push(
      `  vpc${v}:`,
      `    vpcId: vpc-${String(v).padStart(17, '0')}`,
      '    subnetIds: [subnet-0aaa1111bbbb2222c]',
    );
  }
  lines.push('databases:');
  for (let v = 0; v < VPCS; v++) {
    lines.push(
      `  db${v}:`,
      '    engine: postgres',
      `    vpc: vpc${v}`,
      `    host: db${v}.cluster-abc.eu-west-1.rds.amazonaws.com`,
      '    database: app',
      '    user: metrics_reader',
      '    auth: { type: iam }',
      `    maxConnections: ${MAX_CONNECTIONS}`,
      `    local: { url: "${url}" }`,
    );
  }
  lines.push('probes:');
  for (let p = 0; p < PROBES; p++) {
    lines.push(
      `  probe-${p}:`,
      `    database: db${p % VPCS}`,
      `    sql: ${PROBE_SQL}`,
      `    timeout: ${TIMEOUT_MS / 1000}s`,
      '    metrics: [{ name: Slept, column: n, unit: Count }]',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The same queries through plain `pg`, as a script of its own (in the project, so it finds `pg`). */
const PLAIN_PG_SCRIPT = `import pg from 'pg';
const [url, vpcs, probes, max, sql] = process.argv.slice(2);
const pools = Array.from({ length: Number(vpcs) }, () => new pg.Pool({ connectionString: url, max: Number(max) }));
await Promise.all(Array.from({ length: Number(probes) }, (_, p) => pools[p % Number(vpcs)].query(sql)));
await Promise.all(pools.map((pool) => pool.end()));
`;

function timedProcess(args: readonly string[]): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      // `chasm run` exits 0 when every probe succeeded
      if (status !== 0) reject(new Error(`${args.join(' ')} exited with ${status}`));
      else resolvePromise(performance.now() - start);
    });
  });
}

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Runs each side `ROUNDS` times (after a warm-up round) in rotating order; medians and the paired ratio. */
async function compare(
  measured: () => Promise<number>,
  baseline: () => Promise<number>,
): Promise<{ measured: number; baseline: number; ratio: number }> {
  const sides = [measured, baseline];
  const times: [number[], number[]] = [[], []];
  for (let round = 0; round <= ROUNDS; round++) {
    for (let turn = 0; turn < 2; turn++) {
      const side = (round + turn) % 2;
      const ms = await (sides[side] as () => Promise<number>)();
      if (round > 0) times[side as 0 | 1].push(ms);
    }
  }
  const [chasm, plain] = times;
  return {
    measured: median(chasm),
    baseline: median(plain),
    ratio: median(chasm.map((ms, round) => ms / (plain[round] ?? ms))),
  };
}

export const fanoutOverhead: Benchmark = {
  name: 'fan-out overhead: chasm run of 1,000 probes of 50 ms in 10 VPCs, whole process',
  budget: { maxRatio: 1.25 },
  run: () =>
    withLogin(async (login): Promise<BenchResult> => {
      await mkdir(OUT, { recursive: true });
      const config = join(OUT, 'probes.yaml');
      const script = join(OUT, 'plain-pg.mjs');
      await writeFile(config, probesYaml(login.url));
      await writeFile(script, PLAIN_PG_SCRIPT);
      const result = await compare(
        () => timedProcess([resolve('bin/chasm.js'), 'run', config, '--json']),
        () =>
          timedProcess([script, login.url, String(VPCS), String(PROBES), String(MAX_CONNECTIONS), PROBE_SQL]),
      );
      return {
        ...result,
        unit: 'ms',
        note: `medians of ${ROUNDS} rounds after a warm-up, sides in rotating order, the ratio the median of the rounds' ratios; ${PROBES} probes of 50 ms, ${VPCS} databases × ${MAX_CONNECTIONS} connections, process start included on both sides`,
      };
    }),
};

export const safePathOverhead: Benchmark = {
  name: 'engine safe path: 1,000 probes of 50 ms against plain pg in the same read-only transactions',
  budget: { maxRatio: 1.1 },
  run: () =>
    withLogin(async (login): Promise<BenchResult> => {
      const viaEngine = () =>
        timed(async () => {
          const pools = await Promise.all(
            Array.from({ length: VPCS }, () =>
              openEnginePool('postgres', {
                kind: 'server',
                host: login.host,
                port: login.port,
                database: login.database,
                login: () => ({ user: login.user, password: login.password }),
                tls: 'disable',
                maxConnections: MAX_CONNECTIONS,
              }),
            ),
          );
          try {
            await Promise.all(
              Array.from({ length: PROBES }, (_, p) =>
                pools[p % VPCS]?.query(PROBE_SQL, { timeoutMs: TIMEOUT_MS, maxRows: 1000 }),
              ),
            );
          } finally {
            await Promise.all(pools.map((pool) => pool.close()));
          }
        });
      const plainSafe = () =>
        timed(async () => {
          const pools = Array.from(
            { length: VPCS },
            () => new pg.Pool({ connectionString: login.url, max: MAX_CONNECTIONS }),
          );
          try {
            await Promise.all(
              Array.from({ length: PROBES }, async (_, p) => {
                const client = await pools[p % VPCS]?.connect();
                if (!client) return;
                try {
                  await client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${TIMEOUT_MS}`);
                  await client.query({ text: PROBE_SQL, queryMode: 'extended' } as pg.QueryConfig);
                  await client.query('ROLLBACK');
                } finally {
                  client.release();
                }
              }),
            );
          } finally {
            await Promise.all(pools.map((pool) => pool.end()));
          }
        });
      const result = await compare(viaEngine, plainSafe);
      return {
        ...result,
        unit: 'ms',
        note: `medians of ${ROUNDS} rounds after a warm-up; plain pg sends BEGIN READ ONLY + SET LOCAL, the query, ROLLBACK; the engine adds a cursor (rows stop at maxRows + 1) and the session reset (what DISCARD ALL covers)`,
      };
    }),
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
