/**
 * The CLI as a user waits for it: whole processes of the built binary (`bin/chasm.js` over
 * `dist/`, built first), each against its baseline in the same run.
 * - `chasm --help` and `chasm validate` of the quickstart against `node -e 0`;
 * - `chasm run` of the quickstart, PGlite's cluster cache warm, against a bare Node script that
 *   starts PGlite from the same cached cluster and runs the seed and the probe's query.
 *
 * The two sides of a round run one after the other, in turns, so the machine's drift over a run
 * touches both; the ratio judged is the median of each round's ratio.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../adapters/cdk/package-root.js';
import { readConfig } from '../adapters/config-loader.js';
import { cachedCluster } from '../adapters/engines/pglite-cluster-cache.js';
import type { Benchmark, BenchResult } from './benchmark.js';
import { median } from './bundle-measure.js';

const root = packageRoot();
const QUICKSTART = join('examples', 'quickstart', 'probes.yaml');

let built = false;

/** dist/ as `npm run build` writes it, once per bench run */
function ensureBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'inherit' });
  built = true;
}

/** Milliseconds one process takes from spawn to exit; it must exit 0 and print `expect`. */
function processMs(args: readonly string[], expect: string): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (run.status !== 0 || !run.stdout.includes(expect)) {
    throw new Error(`node ${args.join(' ')} failed (status ${run.status}): ${run.stderr || run.stdout}`);
  }
  return ms;
}

interface Side {
  readonly args: readonly string[];
  /** a piece of what it prints when it works */
  readonly expect: string;
}

/** Paired rounds of `measured` and `baseline`, after `warmUp` untimed ones. */
function pairedRounds(
  measured: Side,
  baseline: Side,
  rounds: number,
  warmUp: number,
  what: string,
): BenchResult {
  const times: { measured: number[]; baseline: number[] } = { measured: [], baseline: [] };
  for (let round = 0; round < warmUp + rounds; round++) {
    // alternate which side goes first, so neither always runs on a machine the other just warmed
    const order = round % 2 === 0 ? (['measured', 'baseline'] as const) : (['baseline', 'measured'] as const);
    for (const side of order) {
      const { args, expect } = side === 'measured' ? measured : baseline;
      const ms = processMs(args, expect);
      if (round >= warmUp) times[side].push(ms);
    }
  }
  return {
    measured: median(times.measured),
    baseline: median(times.baseline),
    ratio: median(times.measured.map((ms, round) => ms / (times.baseline[round] ?? ms))),
    unit: 'ms',
    note: `medians of ${rounds} rounds after ${warmUp} warm-up, whole processes in alternating order, ratio the median of each round's; ${what}`,
  };
}

const CHASM = join(root, 'bin', 'chasm.js');
const NODE_ALONE: Side = { args: ['-e', '0'], expect: '' };

export const helpStart: Benchmark = {
  name: 'chasm --help, whole process',
  budget: { maxRatio: 2 },
  async run() {
    ensureBuilt();
    return pairedRounds(
      { args: [CHASM, '--help'], expect: 'Usage: chasm' },
      NODE_ALONE,
      21,
      2,
      'against node -e 0',
    );
  },
};

export const validateStart: Benchmark = {
  name: 'chasm validate quickstart, whole process',
  budget: { maxRatio: 3 },
  async run() {
    ensureBuilt();
    return pairedRounds(
      { args: [CHASM, 'validate', QUICKSTART], expect: ': ok (1 probe' },
      NODE_ALONE,
      21,
      2,
      'against node -e 0',
    );
  },
};

// what the bare side does: PGlite from the cached cluster, the seed, the query; nothing else
const BARE_PGLITE = `import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
const [cluster, seed, sql] = process.argv.slice(2);
const db = await PGlite.create({ loadDataDir: new Blob([readFileSync(cluster)]) });
await db.exec(readFileSync(seed, 'utf8'));
const { rows } = await db.query(sql);
await db.close();
process.stdout.write(JSON.stringify(rows));
`;

export const runStart: Benchmark = {
  name: 'chasm run quickstart (PGlite), whole process',
  budget: { maxRatio: 1.3 },
  async run() {
    ensureBuilt();
    const read = readConfig(join(root, QUICKSTART));
    if (!read.ok) throw new Error(`the quickstart is invalid: ${read.errors[0]?.format()}`);
    const database = read.config.databases.sessions;
    const seed = database?.local && 'pglite' in database.local ? database.local.pglite.init : undefined;
    const sql = read.config.probes['active-sessions']?.sql;
    if (!seed || !sql) throw new Error('the quickstart no longer has its seeded probe');

    // a first run creates the cached cluster if there is none; both sides start from it
    processMs([CHASM, 'run', QUICKSTART], 'ActiveSessions');
    const cluster = await cachedCluster();
    if (!cluster) throw new Error('chasm run left no cached PGlite cluster');
    // beside the package, so the script resolves the package's own PGlite
    const folder = join(root, '.bench-out', 'cli-start');
    mkdirSync(folder, { recursive: true });
    const clusterFile = join(folder, 'cluster.tar.gz');
    writeFileSync(clusterFile, Buffer.from(await cluster.arrayBuffer()));
    const script = join(folder, 'bare-pglite.mjs');
    writeFileSync(script, BARE_PGLITE);

    return pairedRounds(
      { args: [CHASM, 'run', QUICKSTART], expect: 'ActiveSessions' },
      { args: [script, clusterFile, seed, sql], expect: '"active":42' },
      9,
      1,
      'against a bare script: PGlite from the cached cluster, the seed, the query',
    );
  },
};

export const cliStartBenchmarks: readonly Benchmark[] = [helpStart, validateStart, runStart];
