/**
 * A query function keeps its response within Lambda's limit to the byte, counting what escaped
 * characters and characters of several UTF-8 bytes serialize to. Rows come from an in-memory pool
 * so that the response, byte for byte, is the same on every run.
 */

import { expect, it } from 'vitest';
import { sqlDialectOf } from '../../adapters/engines/engine-registry.js';
import type { QueryManifest } from '../../core/manifest.js';
import type { ProbeConfig } from '../../core/model.js';
import type { DatabasePool, QueryResponse } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import { createQueryFunction } from '../../core/run/query-function.js';
import { database, probe } from '../support/config-factory.js';

const probes: ProbeConfig[] = [
  probe({ name: 'wide', sql: 'SELECT id, n FROM wide', dimensions: { Id: { column: 'id' } } }),
  probe({ name: 'broken', sql: 'SELECT nope' }),
];
const manifest: QueryManifest = {
  namespace: 'Acme/Test',
  publish: 'fanout',
  health: 'summary',
  databases: { db: database({ name: 'db', engine: 'postgres', maxConnections: 2 }) },
  probes: Object.fromEntries(probes.map((p) => [p.name, p])),
};
const pool: DatabasePool = {
  async query(sql) {
    // escaped characters and characters of several UTF-8 bytes, where a loose bound would fail
    if (sql === 'SELECT nope') throw new ProbeError('QUERY_FAILED', `kaputt: ${'ü€😀\u0001'.repeat(200)}`);
    return Array.from({ length: 4 }, (_, i) => ({ id: `${'"\\'.repeat(400)}${i}`, n: i * 1.5e-7 }));
  },
  warnings: () => [],
  settled: async () => undefined,
  close: async () => undefined,
};

async function respond(maxResponseBytes: number): Promise<QueryResponse> {
  const run = createQueryFunction(manifest, {
    sqlDialect: sqlDialectOf,
    openPool: () => pool,
    now: () => 0,
    maxResponseBytes,
  });
  return run({ probes: ['wide', 'broken'] });
}

it('keeps a response exactly at the size limit and cuts one a byte over it', async () => {
  // arrange
  const full = await respond(6 * 1024 * 1024);
  const size = new TextEncoder().encode(JSON.stringify(full)).length;

  // act
  const atLimit = await respond(size);
  const overLimit = await respond(size - 1);

  // assess
  expect(full.reports.map((report) => report.error?.code)).toEqual([undefined, 'QUERY_FAILED']);
  expect(atLimit).toEqual(full);
  expect(overLimit.reports[0]?.error?.code).toBe('PAYLOAD_TOO_LARGE');
  expect(overLimit.metrics).toEqual([]);
});
