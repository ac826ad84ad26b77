import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedCluster } from '../../adapters/engines/pglite-cluster-cache.js';
import { pgliteEngine } from '../../adapters/engines/pglite-engine.js';

const QUERY = { timeoutMs: 10_000, maxRows: 10 };

describe('embedded PGlite started from the cached fresh cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chasm-pglite-cache-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('caches the cluster and never carries one run’s seed into the next', async () => {
    // prepare: two seeds creating different tables
    const first = join(dir, 'first.sql');
    const second = join(dir, 'second.sql');
    writeFileSync(first, 'CREATE TABLE seeded_first (n int); INSERT INTO seeded_first VALUES (1);');
    writeFileSync(second, 'CREATE TABLE seeded_second (n int); INSERT INTO seeded_second VALUES (2), (3);');

    // act: one run per seed
    const a = pgliteEngine.openPool({ kind: 'pglite', init: first });
    const firstRows = await a.query('SELECT count(*)::int AS n FROM seeded_first', QUERY);
    await a.close();
    const b = pgliteEngine.openPool({ kind: 'pglite', init: second });
    const secondRows = await b.query('SELECT count(*)::int AS n FROM seeded_second', QUERY);
    const leftover = await b.query("SELECT to_regclass('seeded_first') IS NULL AS gone", QUERY);
    await b.close();

    // assess
    expect(await cachedCluster()).toBeInstanceOf(Blob);
    expect(firstRows).toEqual([{ n: 1 }]);
    expect(secondRows).toEqual([{ n: 2 }]);
    expect(leftover).toEqual([{ gone: true }]);
  }, 120_000);
});
