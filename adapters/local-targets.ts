/**
 * Where `chasm run` connects instead of the deployed host: a database's `local` block (a URL or
 * an embedded PGlite), or, for an `auth: env` database without one, its own host with the
 * password from the environment (env auth exists for local runs). A `dataApi:` database without
 * one is reached as when deployed, through the RDS Data API, with this machine's AWS credentials
 * and region (or the endpoint `AWS_ENDPOINT_URL_RDS_DATA` names). Any other database without a
 * `local` block cannot be reached from here: its probes fail with `CONNECTION_FAILED` and a
 * message saying what to add.
 */
import type { DatabaseConfig } from '../core/model.js';
import type { ConnectionTarget } from '../core/ports.js';
import { ProbeError } from '../core/probe-error.js';
import { envPassword } from './credentials/env-password.js';
import { deployedEngineName, engineRegistry } from './engines/engine-registry.js';

/** The engine to load and the target to open for one database in a local run. */
export interface LocalConnection {
  /** a key of the engine registry */
  readonly engine: string;
  readonly target: ConnectionTarget;
}

/** The engine that serves embedded PGlite databases. */
export const PGLITE_ENGINE = 'pglite';

/** Throws a `CONNECTION_FAILED` `ProbeError` when the database cannot be reached locally. */
export function localConnection(
  database: DatabaseConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LocalConnection {
  const { local } = database;
  if (local && 'pglite' in local) {
    const target: ConnectionTarget =
      local.pglite.init === undefined ? { kind: 'pglite' } : { kind: 'pglite', init: local.pglite.init };
    return { engine: PGLITE_ENGINE, target };
  }
  if (local && 'url' in local) {
    return {
      engine: engineForUrl(local.url) ?? database.engine,
      target: { kind: 'url', url: local.url, maxConnections: database.maxConnections },
    };
  }
  if (database.dataApi !== undefined) {
    return {
      engine: deployedEngineName(database),
      target: {
        kind: 'data-api',
        resourceArn: database.dataApi.resourceArn,
        secretArn: database.auth.secretArn,
        database: database.database,
        maxConnections: database.maxConnections,
      },
    };
  }
  if (database.auth.type === 'env') {
    const variable = database.auth.passwordEnv;
    return {
      engine: database.engine,
      target: {
        kind: 'server',
        host: database.host,
        port: database.port,
        database: database.database,
        login: () => ({ user: database.user, password: envPassword(env, variable) }),
        tls: database.tls ? 'verify-full' : 'disable',
        maxConnections: database.maxConnections,
      },
    };
  }
  throw new ProbeError(
    'CONNECTION_FAILED',
    `database '${database.name}' has no local: block and auth: ${database.auth.type} works only when deployed; ` +
      `add local: { url: ... } or local: { pglite: { init: ./seed.sql } } to it in probes.yaml to run it locally`,
  );
}

// the URL's scheme names the engine (postgres://, mysql://), whatever `engine:` says
function engineForUrl(url: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return undefined;
  for (const [name, entry] of Object.entries(engineRegistry)) {
    if (entry.urlSchemes.includes(scheme)) return name;
  }
  return undefined;
}
