/**
 * The private (query) function's bundle, built as the CDK app builds it (the same `bundleHandler`:
 * minified ESM, split chunks), for a Postgres-only VPC with IAM auth, against a bare entry that
 * only creates a kysely `PostgresDialect` over a `pg.Pool`, bundled the same way in the same run:
 * the bytes such a function loads, and the time a fresh Node process takes to import them.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { BUNDLE_ENTRY_FILE, bundleHandler, defaultHandlerEntries } from '../adapters/cdk/handler-bundler.js';
import { packageRoot } from '../adapters/cdk/package-root.js';
import { loadConfig } from '../adapters/config-loader.js';
import type { QueryManifest } from '../core/manifest.js';
import { queryManifest } from '../core/plan/build-manifests.js';
import { buildPlan } from '../core/plan/plan.js';
import type { Benchmark } from './benchmark.js';
import { coldImportMs, importOf, loadedFiles, median, outputFor } from './bundle-measure.js';

const WORK_DIR = resolve('.bench-out', 'private-bundle');
// a single import takes tens of milliseconds and wobbles with the machine: enough runs to steady the median
const IMPORT_RUNS = 21;
/** one Postgres database with `auth: iam` and one probe */
const POSTGRES_IAM_CONFIG = 'examples/quickstart/probes.yaml';
const POSTGRES_ENGINE = join('adapters', 'engines', 'postgres-engine.ts');

const BARE_ENTRY = `// the least a Postgres query function needs: kysely's PostgresDialect over a pg.Pool
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ max: 1 }) }) });
export async function handler(event) {
  return (await db.executeQuery(CompiledQuery.raw(event.sql))).rows;
}
`;

interface Built {
  /** the asset folder: the bundle, and `manifest.json` for the query function */
  readonly dir: string;
  readonly entry: string;
  /** bytes of every file a Postgres-only cold start loads */
  readonly bytes: number;
  /** module code that loads what a Postgres-only function loads before its first query */
  readonly load: string;
}

let built: Promise<{ query: Built; bare: Built }> | undefined;

function buildBoth(): Promise<{ query: Built; bare: Built }> {
  built ??= Promise.resolve().then(() => {
    rmSync(WORK_DIR, { recursive: true, force: true });
    mkdirSync(WORK_DIR, { recursive: true });
    // the bare entry lives in the repository so that it resolves the same node_modules
    const bareEntry = join(WORK_DIR, 'bare-query-handler.mjs');
    writeFileSync(bareEntry, BARE_ENTRY);
    return { query: buildQuery(), bare: buildBare(bareEntry) };
  });
  return built;
}

/** the query asset for a Postgres IAM database, as deployed: the bundle beside its manifest */
function buildQuery(): Built {
  const bundle = bundleHandler(defaultHandlerEntries().query);
  const entry = join(bundle.dir, BUNDLE_ENTRY_FILE);
  const engine = outputFor(bundle, join(packageRoot(), POSTGRES_ENGINE));
  // the entry and its static imports, then the postgres engine with everything it loads (never the
  // other engines, which only the entry's registry imports)
  const atImport = loadedFiles(bundle, [entry]);
  const postgres = loadedFiles(bundle, [engine], { followDynamic: true });
  const files = new Set([...atImport.files, ...postgres.files]);
  const bytes = loadedFiles(bundle, [...files]).bytes;

  const dir = join(WORK_DIR, 'query');
  cpSync(bundle.dir, dir, { recursive: true });
  const config = loadConfig(POSTGRES_IAM_CONFIG);
  const [fn] = buildPlan(config).functions;
  if (!fn) throw new Error(`${POSTGRES_IAM_CONFIG} plans no query function`);
  const manifest = queryManifest(config, fn);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const database = Object.values(manifest.databases)[0];
  if (database?.engine !== 'postgres' || database.auth.type !== 'iam') {
    throw new Error(`${POSTGRES_IAM_CONFIG} must hold one Postgres database with auth: iam`);
  }
  const copied = (file: string) => join(dir, relative(bundle.dir, file));
  return {
    dir,
    entry: copied(entry),
    bytes,
    // what the first invocation does before connecting: load the engine and open its pool, which
    // connects nothing until a query runs
    load: `await ${importOf(copied(entry))};
const engine = (await ${importOf(copied(engine))}).default;
engine.openPool(${poolTarget(database)});`,
  };
}

function poolTarget(database: QueryManifest['databases'][string]): string {
  const { host, port, database: name, user, tls, maxConnections } = database;
  return `{ kind: 'server', ...${JSON.stringify({ host, port, database: name, user, tls, maxConnections })}, password: () => 'token' }`;
}

function buildBare(source: string): Built {
  const bundle = bundleHandler(source);
  const entry = join(bundle.dir, BUNDLE_ENTRY_FILE);
  return {
    dir: bundle.dir,
    entry,
    bytes: loadedFiles(bundle, [entry]).bytes,
    load: `await ${importOf(entry)};`,
  };
}

/** Lambda's environment: the asset folder as task root, a region, placeholder credentials */
function lambdaEnv(built: Built): NodeJS.ProcessEnv {
  const { CHASM_MANIFEST_PATH: _ignored, ...env } = process.env;
  return {
    ...env,
    LAMBDA_TASK_ROOT: built.dir,
    AWS_REGION: 'eu-west-1',
    AWS_LAMBDA_FUNCTION_NAME: 'chasm-query-bench',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  };
}

export const privateBundleBytes: Benchmark = {
  name: 'private bundle (postgres, iam), minified bytes',
  budget: { maxRatio: 1.1 },
  async run() {
    const { query, bare } = await buildBoth();
    return {
      measured: query.bytes,
      baseline: bare.bytes,
      unit: 'bytes',
      note: 'query handler entry + its static chunks + the postgres engine chunks (not mysql2/pglite) vs a bare kysely + pg handler, same esbuild options',
    };
  },
};

export const privateBundleImport: Benchmark = {
  name: 'private bundle (postgres, iam), cold import',
  budget: { maxRatio: 1.1 },
  async run() {
    const { query, bare } = await buildBoth();
    // interleaved, so both see the same machine load
    const queryTimes: number[] = [];
    const bareTimes: number[] = [];
    for (let i = 0; i < IMPORT_RUNS; i++) {
      bareTimes.push(coldImportMs(bare.load, lambdaEnv(bare)));
      queryTimes.push(coldImportMs(query.load, lambdaEnv(query)));
    }
    return {
      measured: median(queryTimes),
      baseline: median(bareTimes),
      unit: 'ms',
      note: `median of ${IMPORT_RUNS} fresh processes each; the query handler reads its manifest and builds its query function at import, then the postgres engine is loaded and its pool opened (no connection), as the bare one creates its pool`,
    };
  },
};

export const privateBundleBenchmarks: readonly Benchmark[] = [privateBundleBytes, privateBundleImport];
