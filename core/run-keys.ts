/**
 * How payloads, schedules and manifests name a probe's run on one database: by the probe's name,
 * or for a fleet member by `name@database` (names never hold '@'), so a probe on one database is
 * named as it always was; and the dimension a fleet member's datums carry. The runs themselves are
 * `probe-runs.ts`'s.
 */

/** The dimension each datum of a fleet member carries: its database's name in probes.yaml. */
export const DATABASE_DIMENSION = 'Database';

const KEY_SEPARATOR = '@';

/** The name of a probe on one database. */
export function runKey(probe: string, database: string, fleet: boolean): string {
  return fleet ? `${probe}${KEY_SEPARATOR}${database}` : probe;
}

/** The probe (and, for a fleet member, the database) a run key names. */
export function parseRunKey(key: string): { readonly probe: string; readonly database?: string } {
  const at = key.indexOf(KEY_SEPARATOR);
  return at < 0 ? { probe: key } : { probe: key.slice(0, at), database: key.slice(at + 1) };
}
