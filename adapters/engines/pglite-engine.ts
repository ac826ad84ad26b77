/**
 * Embedded PostgreSQL (PGlite) for local runs only: one in-process database per pool, seeded once
 * from the `init` SQL file, handed to one probe at a time. Each probe runs as on a server: `BEGIN
 * READ ONLY` with a statement timeout, the probe through a cursor, then the session reset. PGlite
 * runs a statement on the JavaScript thread, so neither the statement timeout nor the deadline
 * can interrupt one already running; the deadline still stops waiting for one that has not started.
 *
 * Values as PGlite returns them: numbers for int2/int4/float, numeric as strings, booleans; int8
 * is a number when it fits a double exactly and a string otherwise (PGlite would give a BigInt,
 * which neither JSON nor the row mapper takes), so no precision is lost silently.
 */
import { readFile } from 'node:fs/promises';
import { PGlite, types } from '@electric-sql/pglite';
import type { ConnectionTarget, DatabaseEngine } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import type { Connector } from './connection-pool.js';
import { driverErrorFields, driverFailure } from './driver-failure.js';
import { cacheCluster, cachedCluster } from './pglite-cluster-cache.js';
import { PgliteDialect } from './pglite-dialect.js';
import { beginReadOnly, POSTGRES_PARAMETERS, RESET_SESSION } from './postgres-session.js';
import { type EngineAdapter, openProbePool } from './probe-pool.js';

export const pgliteAdapter: EngineAdapter<PGlite> = {
  name: 'pglite',
  connector: (target) => pgliteConnector(target),
  // one statement at a time
  maxConnections: () => 1,
  dialect: (checkOut) =>
    new PgliteDialect({
      pool: {
        connect: async () => {
          const checkout = await checkOut();
          return { database: checkout.connection, release: (discard) => checkout.release(discard) };
        },
        // the probe pool closes the database itself
        end: async () => undefined,
      },
    }),
  // PGlite's extended-protocol query() takes one statement at a time
  begin: (_database, timeoutMs) => beginReadOnly(timeoutMs).split('; '),
  stopsStreamsCleanly: true,
  parameters: POSTGRES_PARAMETERS,
  classify: (error, connected) => {
    if (error instanceof ProbeError) return error;
    // the database could not be created or seeded
    if (!connected) return driverFailure('CONNECTION_FAILED', error);
    return driverFailure(driverErrorFields(error).code === '57014' ? 'TIMEOUT' : 'QUERY_FAILED', error);
  },
  // an embedded database is never closed under a probe
  isConnectionLost: () => false,
};

export const pgliteEngine: DatabaseEngine = {
  name: 'pglite',
  openPool: (target) => openProbePool(pgliteAdapter, target),
};

export default pgliteEngine;

/**
 * The pool's one connection is the database itself: created and seeded on first use, reset before
 * each holder (a holder given up on may have left its transaction open), closed with the pool.
 */
function pgliteConnector(target: ConnectionTarget): Connector<PGlite> {
  if (target.kind !== 'pglite') {
    throw new ProbeError('CONNECTION_FAILED', 'the pglite engine runs embedded databases only (local runs)');
  }
  let database: Promise<PGlite> | undefined;
  const reset = async (db: PGlite): Promise<void> => {
    await db.exec(RESET_SESSION);
  };
  return {
    async open() {
      database ??= createDatabase(target.init).catch((error: unknown) => {
        database = undefined;
        throw error;
      });
      const db = await database;
      await reset(db);
      return db;
    },
    reset,
    // nothing can interrupt PGlite; the next holder waits for the statement to finish
    cancel: async () => undefined,
    destroy: () => undefined,
    async close() {
      const opened = database;
      database = undefined;
      await (await opened?.catch(() => undefined))?.close();
    },
  };
}

async function createDatabase(init: string | undefined): Promise<PGlite> {
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
