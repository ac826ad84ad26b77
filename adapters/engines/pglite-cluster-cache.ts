/**
 * A fresh PGlite cluster takes seconds to create (it runs initdb); starting one from a dumped data
 * directory takes a fraction of that. The first local run dumps a fresh, unseeded cluster into the
 * OS temp folder, keyed by the installed PGlite build; later runs start from it. Seeds always run
 * anew: only the empty cluster is cached. Any failure to read or write the cache is ignored.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

const CACHE_DIR = join(tmpdir(), 'chasm-pglite');

/** the cache file of the installed PGlite build: a new version never starts from an old dump */
async function cacheFile(): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const { size, mtimeMs } = await stat(entry);
  const key = createHash('sha256').update(`${entry}:${size}:${mtimeMs}`).digest('hex').slice(0, 16);
  return join(CACHE_DIR, `cluster-${key}.tar.gz`);
}

/** The dumped fresh cluster, or `undefined` when there is none yet. */
export async function cachedCluster(): Promise<Blob | undefined> {
  try {
    return new Blob([await readFile(await cacheFile())]);
  } catch {
    return undefined;
  }
}

/** Dumps `database` (fresh, not yet seeded) for later runs; written whole or not at all. */
export async function cacheCluster(database: PGlite): Promise<void> {
  try {
    const file = await cacheFile();
    const dump = await database.dumpDataDir('gzip');
    await mkdir(CACHE_DIR, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    // a rename is atomic: a concurrent run reads the old state or the whole new file
    await rename(partial, file);
  } catch {
    // a cache only: the next run creates the cluster again
  }
}
