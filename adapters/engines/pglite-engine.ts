/**
 * Embedded PostgreSQL (PGlite) for local runs only: one in-process database per pool, seeded once
 * from the `init` SQL file, queries serialised. Each probe runs as on a server: `BEGIN READ ONLY`,
 * `SET LOCAL statement_timeout`, the probe's one statement, ROLLBACK. PGlite runs a statement on
 * the JavaScript thread, so neither the statement timeout nor the deadline can interrupt one
 * already running; the deadline still stops waiting for one that has not started.
 *
 * Values as PGlite returns them: numbers for int2/int4/float, numeric as strings, booleans; int8
 * is a number when it fits a double exactly and a string otherwise (PGlite would give a BigInt,
 * which neither JSON nor the row mapper takes), so no precision is lost silently.
 */
import { readFile } from 'node:fs/promises';
import { PGlite, types } from '@electric-sql/pglite';
import { CompiledQuery, Kysely } from 'kysely';
import type { ConnectionTarget, DatabaseEngine, DatabasePool, QueryOptions, Row } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import { runLeased } from './connection-lease.js';
import { driverErrorFields, driverFailure } from './driver-failure.js';
import { cacheCluster, cachedCluster } from './pglite-cluster-cache.js';
import { type PgliteDatabase, PgliteDialect } from './pglite-dialect.js';

export const pgliteEngine: DatabaseEngine = {
  name: 'pglite',
  openPool: (target) => openPglitePool(target),
};

export default pgliteEngine;

export function openPglitePool(target: ConnectionTarget): DatabasePool {
  if (target.kind !== 'pglite') {
    throw new ProbeError('CONNECTION_FAILED', 'the pglite engine runs embedded databases only (local runs)');
  }
  const db = new Kysely<Record<string, never>>({
    dialect: new PgliteDialect({ database: () => createDatabase(target.init) }),
  });
  let closed = false;

  return {
    async query(sql: string, { timeoutMs, maxRows, deadline }: QueryOptions): Promise<readonly Row[]> {
      if (closed) throw new ProbeError('QUERY_FAILED', 'the database is closed');
      const statementTimeoutMs = Math.max(1, Math.ceil(timeoutMs));
      let ready = false;
      try {
        // nothing to destroy: an abandoned query finishes and rolls back before the next one starts
        return await runLeased<never, readonly Row[]>(
          deadline,
          () => undefined,
          (lease) =>
            db.connection().execute(async (conn) => {
              if (lease.abandoned)
                throw new ProbeError('TIMEOUT', 'the client-side deadline passed while waiting');
              ready = true;
              await conn.executeQuery(CompiledQuery.raw('BEGIN READ ONLY'));
              try {
                await conn.executeQuery(
                  CompiledQuery.raw(`SET LOCAL statement_timeout = ${statementTimeoutMs}`),
                );
                const { rows } = await conn.executeQuery<Row>(CompiledQuery.raw(sql));
                return rows.length > maxRows + 1 ? rows.slice(0, maxRows + 1) : rows;
              } finally {
                await conn.executeQuery(CompiledQuery.raw('ROLLBACK'));
              }
            }),
        );
      } catch (error) {
        if (error instanceof ProbeError) throw error;
        // the database could not be created or seeded
        if (!ready) throw driverFailure('CONNECTION_FAILED', error);
        throw driverFailure(driverErrorFields(error).code === '57014' ? 'TIMEOUT' : 'QUERY_FAILED', error);
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

async function createDatabase(init: string | undefined): Promise<PgliteDatabase> {
  const seed = init === undefined ? undefined : await readSeed(init);
  const cluster = await cachedCluster();
  const database = await PGlite.create({
    parsers: { [types.INT8]: parseInt8 },
    ...(cluster ? { loadDataDir: cluster } : {}),
  });
  if (!cluster) await cacheCluster(database);
  if (seed !== undefined) {
    try {
      await database.exec(seed);
    } catch (error) {
      await database.close();
      throw new Error(`seeding from ${init} failed: ${driverErrorFields(error).message}`, { cause: error });
    }
  }
  return database;
}

async function readSeed(init: string): Promise<string> {
  try {
    return await readFile(init, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the init file ${init}: ${driverErrorFields(error).message}`, {
      cause: error,
    });
  }
}

function parseInt8(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}
