/**
 * The private (query) function's asset for a Postgres-only VPC with IAM auth, as `chasm synth`
 * deploys it (the quickstart synthesized by the CDK app: every file in the function's asset
 * folder, manifest included), against a bare entry that only creates a kysely `PostgresDialect`
 * over a `pg.Pool`, bundled the same way in the same run: the bytes each ships, and the time a
 * fresh Node process takes to import them.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { BUNDLE_ENTRY_FILE, bundleHandler, defaultHandlerEntries } from '../adapters/cdk/handler-bundler.js';
import { packageRoot } from '../adapters/cdk/package-root.js';
import { ProbesStack } from '../adapters/cdk/probes-stack.js';
import { loadConfig } from '../adapters/config-loader.js';
import { engineRegistry } from '../adapters/engines/engine-registry.js';
import type { QueryManifest } from '../core/manifest.js';
import { queryManifest } from '../core/plan/build-manifests.js';
import type { Benchmark } from './benchmark.js';
import { coldImportMs, importOf, median, outputFor } from './bundle-measure.js';

const WORK_DIR = resolve('.bench-out', 'private-bundle');
// a single import takes tens of milliseconds and wobbles with the machine: enough runs to steady the median
const IMPORT_RUNS = 21;
/** one Postgres database with `auth: iam` and one probe */
const POSTGRES_IAM_CONFIG = 'examples/quickstart/probes.yaml';

const BARE_ENTRY = `// the least a Postgres query function needs: kysely's PostgresDialect over a pg.Pool
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ max: 1 }) }) });
export async function handler(event) {
  return (await db.executeQuery(CompiledQuery.raw(event.sql))).rows;
}
`;

interface Built {
  /** the folder deployed as the function's code */
  readonly dir: string;
  /** bytes of every file in it */
  readonly bytes: number;
  /** module code that loads what the function loads before its first query */
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

/** the query function's asset as the CDK app deploys it */
function buildQuery(): Built {
  const config = loadConfig(POSTGRES_IAM_CONFIG);
  const app = new App({ outdir: join(WORK_DIR, 'cdk.out') });
  const { probes } = new ProbesStack(app, 'Probes', { config });
  const [fn, ...others] = probes.plan.functions;
  const query = fn && probes.queryFunctions.get(fn.id);
  if (!fn || !query || others.length > 0)
    throw new Error(`${POSTGRES_IAM_CONFIG} must plan one query function`);
  const database = Object.values(queryManifest(config, fn).databases)[0];
  if (database?.engine !== 'postgres' || database.auth.type !== 'iam') {
    throw new Error(`${POSTGRES_IAM_CONFIG} must hold one Postgres database with auth: iam`);
  }
  // the same bundle the stack's asset was copied from: where its postgres engine chunk is
  const bundle = bundleHandler(defaultHandlerEntries().query);
  const engineModule = join(packageRoot(), 'adapters', 'engines', `${engineRegistry.postgres?.module}.ts`);
  const engine = join(query.assetDir, relative(bundle.dir, outputFor(bundle, engineModule)));
  return {
    dir: query.assetDir,
    bytes: folderBytes(query.assetDir),
    // what the first invocation does before connecting: load the engine and open its pool, which
    // connects nothing until a query runs
    load: `await ${importOf(join(query.assetDir, BUNDLE_ENTRY_FILE))};
const engine = (await ${importOf(engine)}).default;
engine.openPool(${poolTarget(database)});`,
  };
}

function poolTarget(database: QueryManifest['databases'][string]): string {
  const { host, port, database: name, user, maxConnections } = database;
  const fields = { host, port, database: name, tls: 'verify-full', maxConnections };
  return `{ kind: 'server', ...${JSON.stringify(fields)}, login: () => ({ user: ${JSON.stringify(user)}, password: 'token' }) }`;
}

function buildBare(source: string): Built {
  const bundle = bundleHandler(source);
  return {
    dir: bundle.dir,
    bytes: folderBytes(bundle.dir),
    load: `await ${importOf(join(bundle.dir, BUNDLE_ENTRY_FILE))};`,
  };
}

/** the bytes of every file under `dir` */
function folderBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
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
      note: "every file of the quickstart query function's asset as synthesized (its chunks and manifest) vs a bare kysely + pg handler's bundle, same esbuild options",
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
