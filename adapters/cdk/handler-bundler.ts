/**
 * Bundles the Lambda handlers with esbuild, locally (no Docker): ESM, minified, for Node 22, with
 * code splitting so each engine loaded by dynamic `import()` is a chunk of its own that a function
 * whose databases do not use it never loads. Each handler is bundled once per process and the
 * result reused for every function of that kind. Paths are taken relative to the package holding
 * the handler, never to the working directory, so the chunks' hashed names (and the asset hashes)
 * are the same from any folder and in any copy of the project.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { buildSync, type Metafile } from 'esbuild';
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

// cjs dependencies (pg, mysql2) call require() on node built-ins, which ESM lacks
const REQUIRE_SHIM =
  "import { createRequire as __chasmCreateRequire } from 'node:module'; const require = __chasmCreateRequire(import.meta.url);";

/** never needed in Lambda: pg's optional native binding, the embedded database of local runs */
const NEVER_DEPLOYED = ['pg-native', '@electric-sql/pglite'];

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
    const message = error instanceof Error ? error.message : String(error);
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
