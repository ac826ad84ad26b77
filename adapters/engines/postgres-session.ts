/** The SQL that brackets a probe on PostgreSQL, a server or embedded, and how its parameters are bound. */
import type { SqlSyntax } from '../../core/sql-tokens.js';

/** A probe's parameters go to the server as `$1`, `$2`, … (one per placeholder, in order). */
export const POSTGRES_PARAMETERS: { readonly syntax: SqlSyntax; marker(index: number): string } = {
  syntax: 'postgres',
  marker: (index) => `$${index + 1}`,
};

/** Opens a probe's read-only transaction, its statements cut off after `timeoutMs` by the server. */
export function beginReadOnly(timeoutMs: number): string {
  return `BEGIN READ ONLY; SET LOCAL statement_timeout = ${Math.max(1, Math.ceil(timeoutMs))}`;
}

/**
 * Ends the probe's transaction and undoes what outlives one, as `DISCARD ALL` does (which cannot
 * share a message with other statements): cursors, session authorization, settings, prepared
 * statements, LISTEN, session advisory locks, cached plans, temporary tables, sequence state.
 */
export const RESET_SESSION =
  'ROLLBACK; CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; DEALLOCATE ALL; UNLISTEN *; ' +
  'SELECT pg_advisory_unlock_all(); DISCARD PLANS; DISCARD TEMP; DISCARD SEQUENCES';
