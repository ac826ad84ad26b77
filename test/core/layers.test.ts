/**
 * The architecture, as imports show it: `core/` is pure and laid out by phase (`plan/` and `run/`
 * never import each other; the root imports neither), and only `config/` reads YAML or JSON Schema.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

/** every module specifier `file` imports, statically or dynamically */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1] ?? '');
}

/** where a relative specifier of `file` points, from the project root */
function target(file: string, specifier: string): string {
  return relative(ROOT, resolve(ROOT, dirname(file), specifier));
}

describe('core', () => {
  const files = sources('core');

  it('imports nothing but its own modules: no SDK, driver, CDK or Node.js API', () => {
    const outside = files.flatMap((file) =>
      importsOf(file)
        .filter((specifier) => !specifier.startsWith('.') || !target(file, specifier).startsWith('core/'))
        .map((specifier) => `${file} imports ${specifier}`),
    );

    expect(outside).toEqual([]);
  });

  it('keeps plan/ and run/ apart, and its root free of both', () => {
    const phaseOf = (path: string): string =>
      path.startsWith('core/plan/') ? 'plan' : path.startsWith('core/run/') ? 'run' : 'root';
    const crossings = files.flatMap((file) =>
      importsOf(file)
        .filter((specifier) => specifier.startsWith('.'))
        .map(
          (specifier) => [phaseOf(file), phaseOf(target(file, specifier)), `${file} → ${specifier}`] as const,
        )
        .filter(([from, to]) => from !== to && to !== 'root')
        .map(([, , edge]) => edge),
    );

    expect(crossings).toEqual([]);
  });
});

it('reads YAML and JSON Schema only in config/', () => {
  const readers = ['core', 'adapters']
    .flatMap(sources)
    .filter((file) => importsOf(file).some((specifier) => /^(yaml|ajv|ajv-formats)(\/|$)/.test(specifier)));

  expect(readers).toEqual([]);
});
