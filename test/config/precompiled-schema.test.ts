/**
 * The built CLI validates with schema.json's validator generated ahead of time (build.mjs); the
 * sources compile it at run time. Both must report every invalid fixture, and every example, alike.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { readConfig } from '../../adapters/config-loader.js';
import { runChasm } from '../support/chasm-process.js';
import { exampleFiles } from '../support/example-files.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const folder = fileURLToPath(new URL('./fixtures/invalid/', import.meta.url));
const files = [
  ...readdirSync(folder)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => join(folder, name)),
  ...exampleFiles(),
].map((file) => relative(ROOT, file));

it('reports the same errors from the built CLI as from the sources, for every fixture and example', async () => {
  // arrange
  const expected = files.flatMap((file) => {
    const result = readConfig(join(ROOT, file));
    return result.ok ? [] : result.errors.map((error) => error.format().replace(join(ROOT, file), file));
  });

  // act
  const run = await runChasm(['validate', ...files]);

  // assess
  expect(expected.length).toBeGreaterThan(files.length / 2);
  expect(run.stderr.trimEnd().split('\n')).toEqual(expected);
  expect(run.status).toBe(1);
});
