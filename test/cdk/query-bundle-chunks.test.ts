// The query bundle's import graph: what a Postgres-only function loads never includes mysql2 or PGlite.
import { join, resolve } from 'node:path';
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_ENTRY_FILE, bundleHandler } from '../../adapters/cdk/handler-bundler.js';
import { packageRoot } from '../../adapters/cdk/package-root.js';
import { engineRegistry } from '../../adapters/engines/engine-registry.js';
import { testHandlers } from './synth-probes.js';

/** outputs reachable from `roots`: by static imports, and with `dynamic` also by `import()` */
function reachable(metafile: Metafile, roots: readonly string[], dynamic: boolean): Set<string> {
  const byPath = new Map(Object.keys(metafile.outputs).map((path) => [fromBundle(path), path]));
  const seen = new Set<string>();
  const visit = (file: string): void => {
    const key = byPath.get(fromBundle(file));
    if (key === undefined || seen.has(key)) return;
    seen.add(key);
    for (const imported of metafile.outputs[key]?.imports ?? []) {
      if (imported.kind === 'import-statement' || (dynamic && imported.kind === 'dynamic-import')) {
        visit(imported.path);
      }
    }
  };
  for (const root of roots) visit(root);
  return seen;
}

/** the output built for a source module (an entry or a dynamically imported one) */
function outputOf(metafile: Metafile, source: string): string {
  const found = Object.entries(metafile.outputs).find(
    ([, output]) => output.entryPoint !== undefined && fromBundle(output.entryPoint) === resolve(source),
  );
  if (!found) throw new Error(`no output is built for ${source}`);
  return found[0];
}

/** source modules and external imports of some outputs */
function contents(metafile: Metafile, outputs: Iterable<string>): { inputs: string[]; externals: string[] } {
  const inputs: string[] = [];
  const externals: string[] = [];
  for (const key of outputs) {
    const output = metafile.outputs[key];
    inputs.push(...Object.keys(output?.inputs ?? {}));
    externals.push(...(output?.imports ?? []).filter((i) => i.external).map((i) => i.path));
  }
  return { inputs, externals };
}

const engine = (name: string) =>
  join(packageRoot(), 'adapters', 'engines', `${engineRegistry[name]?.module}.ts`);
const fromMysql2 = (input: string) => input.includes('node_modules/mysql2/');
const fromPglite = (input: string) => input.includes('pglite');

let metafile: Metafile;
let postgresPath: Set<string>;
/** an absolute path from one of the metafile's, which are relative to the folder esbuild ran in */
let fromBundle: (path: string) => string;

beforeAll(() => {
  const bundle = bundleHandler(testHandlers().query);
  metafile = bundle.metafile;
  fromBundle = (path) => resolve(bundle.workingDir, path);
  // what a Postgres-only function loads: the entry with its static imports at cold start, then
  // the postgres engine with everything it imports when its first pool opens
  const entry = join(bundle.dir, BUNDLE_ENTRY_FILE);
  postgresPath = new Set([
    ...reachable(metafile, [entry], false),
    ...reachable(metafile, [outputOf(metafile, engine('postgres'))], true),
  ]);
}, 120_000);

describe('the query bundle for a Postgres-only function', () => {
  it('loads pg, pg-cursor and kysely (the seam every engine plugs into) on its Postgres path', () => {
    const { inputs } = contents(metafile, postgresPath);

    expect(inputs.some((input) => input.includes('node_modules/pg/'))).toBe(true);
    expect(inputs.some((input) => input.includes('node_modules/pg-cursor/'))).toBe(true);
    expect(inputs.some((input) => input.includes('node_modules/kysely/'))).toBe(true);
  });

  it('never reaches mysql2 on its Postgres path, which the mysql engine chunk holds', () => {
    const mysqlPath = reachable(metafile, [outputOf(metafile, engine('mysql'))], true);

    const onPostgresPath = contents(metafile, postgresPath).inputs.filter(fromMysql2);

    expect(contents(metafile, mysqlPath).inputs.some(fromMysql2)).toBe(true);
    expect(onPostgresPath).toEqual([]);
  });

  it('holds no PGlite at all: the embedded engine of local runs is left out of the bundle', () => {
    const { inputs, externals } = contents(metafile, Object.keys(metafile.outputs));

    expect(inputs.filter(fromPglite)).toEqual([]);
    expect(externals).not.toContain('@electric-sql/pglite');
    expect(engineRegistry.pglite?.capabilities.embedded).toBe(true);
  });
});
