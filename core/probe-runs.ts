/**
 * A probe's runs. A probe runs on each of its databases (several for a fleet, `database:` a list),
 * and on each, once per parameter map (once without `parameters`). Every run is isolated like a
 * probe of its own: its own timeout, error, `maxRows` and `maxSeries`.
 *
 * The runs on one database are reported together, as one entry per probe and database, and are
 * what payloads, schedules and manifests name by their run key (`run-keys.ts`).
 */
import type { DimensionSource, ProbeConfig } from './model.js';
import type { ParameterMap } from './probe-parameters.js';
import { describeParameters } from './probe-parameters.js';
import { DATABASE_DIMENSION, runKey } from './run-keys.js';

export { DATABASE_DIMENSION, parseRunKey, runKey } from './run-keys.js';

/** A probe on one of its databases: one report, one name in payloads. */
export interface ProbeRun {
  /** the probe's name, or `name@database` for a fleet member */
  readonly key: string;
  readonly probe: string;
  readonly database: string;
  /** a member of a fleet: its datums and detailed health metrics carry `Database=<database>` */
  readonly fleet: boolean;
}

/** Whether `database:` lists databases (a list of one too). */
export function isFleet(probe: Pick<ProbeConfig, 'database'>): boolean {
  return typeof probe.database !== 'string';
}

/** The databases a probe runs on, in the file's order. */
export function probeDatabases(probe: Pick<ProbeConfig, 'database'>): readonly string[] {
  return typeof probe.database === 'string' ? [probe.database] : probe.database;
}

/** A probe's runs, one per database, in the file's order. */
export function probeRuns(probe: ProbeConfig): ProbeRun[] {
  const fleet = isFleet(probe);
  return probeDatabases(probe).map((database) => ({
    key: runKey(probe.name, database, fleet),
    probe: probe.name,
    database,
    fleet,
  }));
}

/** Every run of every probe of `probes`, probe by probe in order. */
export function allRuns(probes: Readonly<Record<string, ProbeConfig>>): ProbeRun[] {
  return Object.values(probes).flatMap(probeRuns);
}

/** The dimension names a probe's runs add to its datums: Database for a fleet, then its dimension parameters. */
export function runDimensionNames(probe: ProbeConfig): string[] {
  const names = isFleet(probe) ? [DATABASE_DIMENSION] : [];
  for (const dimension of Object.values(probe.parameterDimensions))
    if (dimension !== false) names.push(dimension);
  return names;
}

/** The parameter maps a probe runs with on each database: one empty map without `parameters`. */
export function parameterMaps(probe: ProbeConfig): readonly ParameterMap[] {
  return probe.parameters.length === 0 ? [{}] : probe.parameters;
}

/**
 * The probe as one run executes it: on `database` (a single name), with `map` as its only
 * parameter map, and the static dimensions the run adds (Database for a fleet member, the
 * dimension parameters) among its own, so rows map to its datums as for a probe of its own.
 */
export function runProbe(probe: ProbeConfig, database: string, map: ParameterMap): ProbeConfig {
  const added: Record<string, DimensionSource> = {};
  if (isFleet(probe)) added[DATABASE_DIMENSION] = { value: database };
  for (const [parameter, dimension] of Object.entries(probe.parameterDimensions)) {
    const value = map[parameter];
    if (dimension !== false && value !== undefined) added[dimension] = { value: String(value) };
  }
  return {
    ...probe,
    database,
    parameters: probe.parameters.length === 0 ? [] : [map],
    dimensions: { ...probe.dimensions, ...added },
  };
}

/**
 * What messages call one run: `probe 'p' (database 'db')`, with its parameters when it has some:
 * `probe 'p' (database 'db', status="open")`.
 */
export function runLabel(probe: string, database: string, map: ParameterMap = {}): string {
  const parameters = describeParameters(map);
  return `probe '${probe}' (database '${database}'${parameters === '' ? '' : `, ${parameters}`})`;
}
