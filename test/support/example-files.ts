// The examples the suite treats as fixtures: every examples/*/probes.yaml, then every pack in
// examples/packs/*.yaml (after them, so the folders' order, which seeds some tests, stays as it was).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** the repository's examples folder */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

/** where the packs are, under {@link EXAMPLES_DIR} */
export const PACKS_DIR = join(EXAMPLES_DIR, 'packs');

/** Absolute paths of every example config: the folders' probes.yaml, then the packs. */
export function exampleFiles(): string[] {
  const entries = readdirSync(EXAMPLES_DIR, { withFileTypes: true });
  const folders = entries
    .filter((entry) => entry.isDirectory() && entry.name !== 'packs')
    .map((entry) => join(EXAMPLES_DIR, entry.name, 'probes.yaml'));
  return [...folders, ...packFiles()];
}

/** Absolute paths of the packs, examples/packs/*.yaml. */
export function packFiles(): string[] {
  return readdirSync(PACKS_DIR)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => join(PACKS_DIR, name));
}

/** `examples/...`: a file's path from the repository root, for test names. */
export function exampleName(file: string): string {
  return join('examples', file.slice(EXAMPLES_DIR.length));
}
