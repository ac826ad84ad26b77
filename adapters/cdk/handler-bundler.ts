/**
 * Bundles the Lambda handlers with esbuild, locally (no Docker): ESM, minified, for Node 22, with
 * code splitting so each engine loaded by dynamic `import()` is a chunk of its own. Each handler is
 * bundled once per process and the result reused for every function of that kind; each function's
 * asset copies only the files it can load, so one whose databases do not use an engine does not
 * ship it. Paths are taken relative to the package holding the handler, never to the working
 * directory, so the chunks' hashed names (and the asset hashes) are the same from any folder and
 * in any copy of the project.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { buildSync, type Metafile } from 'esbuild';
import { causeOf } from '../../core/error-cause.js';
import { engineRegistry } from '../engines/engine-registry.js';
import { packageRoot } from './package-root.js';

/** The two kinds of deployed function. */
export type FunctionKind = 'query' | 'fanout';

/** Source files (absolute or relative to the working directory) each exporting a Lambda `handler`. */
export interface HandlerEntries {
  readonly query: string;
  readonly fanout: string;
}

/** A bundled handler: the folder holding `index.mjs` and its chunks, and esbuild's metafile. */
export interface HandlerBundle {
  readonly dir: string;
  /** esbuild's metafile; its paths are relative to `workingDir` */
  readonly metafile: Metafile;
  /** the folder of the package holding the handler, which esbuild ran in */
  readonly workingDir: string;
}

/** file name of the entry inside a bundle; the Lambda handler is `index.handler` */
export const BUNDLE_ENTRY_FILE = 'index.mjs';
export const LAMBDA_HANDLER = 'index.handler';
/** the file the handlers read from `LAMBDA_TASK_ROOT` */
export const MANIFEST_FILE = 'manifest.json';

// cjs dependencies (pg, mysql2) call require() on node built-ins, which ESM lacks
const REQUIRE_SHIM =
  "import { createRequire as __chasmCreateRequire } from 'node:module'; const require = __chasmCreateRequire(import.meta.url);";

/**
 * never needed in Lambda: pg's optional native binding, and the embedded engines of local runs
 * (no deployed database is embedded) with their database; left out, they add no chunks to the bundle
 */
const NEVER_DEPLOYED = [
  'pg-native',
  '@electric-sql/pglite',
  ...Object.values(engineRegistry)
    .filter((engine) => engine.capabilities.embedded)
    .map((engine) => `*/${engine.module}.js`),
];

const bundles = new Map<string, HandlerBundle>();
let runs = 0;
let stagingRoot: string | undefined;

/** The package's own handlers. */
export function defaultHandlerEntries(): HandlerEntries {
  const root = packageRoot();
  return {
    query: join(root, 'adapters', 'lambda', 'query-handler.ts'),
    fanout: join(root, 'adapters', 'lambda', 'fanout-handler.ts'),
  };
}

/** How many times esbuild has run in this process (one per distinct handler entry). */
export function esbuildRuns(): number {
  return runs;
}

/** Forgets the bundles made so far: the next synth bundles again (for measuring a cold synth). */
export function forgetBundles(): void {
  bundles.clear();
}

/** A fresh folder under this process's staging folder (removed when the process exits). */
export function stagingDir(prefix: string): string {
  if (stagingRoot === undefined) {
    const root = mkdtempSync(join(tmpdir(), 'chasm-synth-'));
    stagingRoot = root;
    // assets are copied into the cloud assembly while the constructs are built; nothing here outlives the process
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  return mkdtempSync(join(stagingRoot, `${prefix}-`));
}

/** Bundles `entry` once per process; later calls return the same bundle. */
export function bundleHandler(entry: string): HandlerBundle {
  const file = resolve(entry);
  const known = bundles.get(file);
  if (known) return known;
  const dir = stagingDir('bundle');
  mkdirSync(dir, { recursive: true });
  runs += 1;
  const workingDir = packageFolderOf(file);
  let metafile: Metafile;
  try {
    ({ metafile } = buildSync({
      absWorkingDir: workingDir,
      entryPoints: { index: file },
      outdir: dir,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      splitting: true,
      minify: true,
      // esm builds first: smaller, and tree-shakeable
      mainFields: ['module', 'main'],
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      banner: { js: REQUIRE_SHIM },
      external: NEVER_DEPLOYED,
      legalComments: 'none',
      metafile: true,
      logLevel: 'silent',
    }));
  } catch (error) {
    const message = causeOf(error);
    throw new Error(`bundling the Lambda handler ${file} failed: ${message}`, { cause: error });
  }
  const bundle = { dir, metafile, workingDir };
  bundles.set(file, bundle);
  return bundle;
}

/** the nearest folder above `file` holding a package.json; the file's own folder when none does */
function packageFolderOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return dirname(file);
  }
}

/**
 * A function's deployment folder: the files of its kind's bundle that it can load, and its own
 * `manifest.json` (shipped in the asset because Lambda's environment is limited to 4 KB).
 * `leaveOut` names source modules loaded by `import()` that the function never loads, by their
 * path in the package holding them (`adapters/engines/mysql-engine.ts`): their chunks, and every
 * chunk only they reach, stay out of the folder.
 */
export function functionAssetDir(
  bundle: HandlerBundle,
  id: string,
  manifest: unknown,
  leaveOut: readonly string[] = [],
): string {
  const dir = stagingDir(id.replace(/[^A-Za-z0-9_-]/g, '_'));
  for (const file of shippedFiles(bundle, leaveOut)) {
    const target = join(dir, relative(bundle.dir, file));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
  // stable bytes for a stable asset hash: no timestamps, no absolute paths
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest)}\n`);
  return dir;
}

/** The bundle's files (absolute paths) reachable from its entry without entering a left-out module. */
function shippedFiles(bundle: HandlerBundle, leaveOut: readonly string[] = []): string[] {
  const { outputs } = bundle.metafile;
  const absolute = (path: string) => resolve(bundle.workingDir, path);
  const byFile = new Map(Object.entries(outputs).map(([path, output]) => [absolute(path), output]));
  const leftOut = (entryPoint: string | undefined) =>
    entryPoint !== undefined &&
    leaveOut.some((module) => entryPoint === module || entryPoint.endsWith(`/${module}`));
  const shipped = new Set<string>();
  const visit = (file: string): void => {
    const output = byFile.get(file);
    if (output === undefined || shipped.has(file) || leftOut(output.entryPoint)) return;
    shipped.add(file);
    for (const imported of output.imports) {
      if (!imported.external) visit(absolute(imported.path));
    }
  };
  const entry = join(bundle.dir, BUNDLE_ENTRY_FILE);
  if (!byFile.has(entry)) throw new Error(`the bundle in ${bundle.dir} has no ${BUNDLE_ENTRY_FILE}`);
  visit(entry);
  return [...shipped].sort();
}
