/**
 * Measuring a bundled handler the way Lambda loads it: which output files a cold start reads (from
 * esbuild's metafile import graph), their bytes, and the time a fresh Node process takes to
 * import them. Shared by the bundle-size benchmarks.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { resolve as resolveFrom } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HandlerBundle } from '../adapters/cdk/handler-bundler.js';

/** The output files a bundle loads, by absolute path, starting from `roots`. */
export interface LoadedFiles {
  readonly files: ReadonlySet<string>;
  readonly bytes: number;
}

/**
 * `roots` (absolute paths of outputs) and every output they import statically; with
 * `followDynamic`, also what they load by dynamic `import()`, transitively.
 */
export function loadedFiles(
  bundle: Pick<HandlerBundle, 'metafile' | 'workingDir'>,
  roots: readonly string[],
  options: { readonly followDynamic?: boolean } = {},
): LoadedFiles {
  const outputs = bundle.metafile.outputs;
  const resolve = (path: string) => resolveFrom(bundle.workingDir, path);
  const byPath = new Map(Object.keys(outputs).map((path) => [resolve(path), path]));
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const key = byPath.get(file);
    if (key === undefined) throw new Error(`${file} is not an output of this bundle`);
    seen.add(file);
    for (const imported of outputs[key]?.imports ?? []) {
      if (imported.external) continue;
      const followed =
        imported.kind === 'import-statement' || (options.followDynamic && imported.kind === 'dynamic-import');
      if (followed) visit(resolve(imported.path));
    }
  };
  for (const root of roots) visit(resolve(root));
  let bytes = 0;
  for (const file of seen) bytes += statSync(file).size;
  return { files: seen, bytes };
}

/** The absolute path of the output built for `source` (an entry or a dynamically imported module). */
export function outputFor(bundle: Pick<HandlerBundle, 'metafile' | 'workingDir'>, source: string): string {
  const resolve = (path: string) => resolveFrom(bundle.workingDir, path);
  const wanted = resolve(source);
  const found = Object.entries(bundle.metafile.outputs).find(
    ([, output]) => output.entryPoint !== undefined && resolve(output.entryPoint) === wanted,
  );
  if (!found) throw new Error(`no output of this bundle is built for ${source}`);
  return resolve(found[0]);
}

/** An `import()` expression of a file, for a script run by `coldImportMs`. */
export function importOf(file: string): string {
  return `import(${JSON.stringify(pathToFileURL(file).href)})`;
}

/**
 * One cold import in a fresh Node process: the milliseconds `body` (module code, e.g.
 * `await import(…)`) takes to run there.
 */
export function coldImportMs(body: string, env: NodeJS.ProcessEnv): number {
  const script = `const t0 = performance.now();\n${body}\nprocess.stdout.write('\\n' + String(performance.now() - t0));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
  // the last line: the imported code may log to stdout first
  const ms = Number(run.stdout.split('\n').at(-1));
  if (run.status !== 0 || !Number.isFinite(ms)) {
    throw new Error(`a cold import failed (status ${run.status}): ${run.stderr || run.stdout}`);
  }
  return ms;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
