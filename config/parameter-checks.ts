/**
 * The cross checks of a probe's `parameters` and `parameterDimensions`: every map gives each
 * placeholder of the SQL a value and uses each of its values (placeholders as each of the probe's
 * engines reads them, `core/probe-parameters.ts`), `parameterDimensions` names parameters, a
 * dimension parameter's values are dimension values CloudWatch takes, and no two maps publish to
 * the same series. Like the other cross checks it reads a document the schema may have rejected.
 */

import {
  describeParameters,
  type ParameterMap,
  parameterMismatch,
  placeholdersOf,
} from '../core/probe-parameters.js';
import type { SqlDialect } from '../core/probe-sql.js';
import { didYouMean } from './closest-match.js';
import { patternMessage } from './pattern-messages.js';
import type { PendingIssue } from './pending-issue.js';

type Entries = Readonly<Record<string, unknown>>;
type Add = (path: readonly string[], at: PendingIssue['at'], message: string) => void;

/** A dimension a probe's runs add: its name, and where the file sets it (for messages pointing there). */
export interface RunDimension {
  readonly name: string;
  readonly path: readonly string[];
  readonly at: PendingIssue['at'];
  /** what sets it, in words: `parameter 'status'` */
  readonly source: string;
  /** the parameter it comes from; absent for a fleet's Database */
  readonly parameter?: string;
}

// CloudWatch's rule for a dimension value, as schema.json's dimensionValue
const DIMENSION_VALUE = /^(?! *$)[ -~]{1,1024}$/;

function isMap(value: unknown): value is Entries {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the parameters of probe `name` (at `path`), whose SQL is `sql` when it is one the
 * probe's `dialects` all accept (undefined otherwise: placeholders cannot be told). Returns the
 * dimensions its parameters become.
 */
export function checkParameters(
  name: string,
  probe: Entries,
  path: readonly string[],
  sql: string | undefined,
  dialects: ReadonlyMap<SqlDialect, readonly string[]>,
  add: Add,
): RunDimension[] {
  const given = isMap(probe.parameterDimensions) ? probe.parameterDimensions : {};
  if (!Array.isArray(probe.parameters)) {
    if (probe.parameterDimensions !== undefined) {
      add(
        [...path, 'parameterDimensions'],
        'key',
        `probe '${name}' has no parameters for parameterDimensions to name; add 'parameters' or remove it`,
      );
    }
    return [];
  }
  const maps = probe.parameters
    .map((map, index) => ({ map, index }))
    .filter((entry): entry is { map: Entries; index: number } => isMap(entry.map));
  const placeholders = sql === undefined ? undefined : placeholderNames(name, sql, path, dialects, add);
  const parameters = placeholders ?? [...new Set(maps.flatMap(({ map }) => Object.keys(map)))];
  if (placeholders !== undefined) {
    for (const { map, index } of maps) {
      const { missing, unused } = parameterMismatch(placeholders, map as ParameterMap);
      const at = [...path, 'parameters', String(index)];
      if (missing.length > 0) {
        add(
          at,
          'value',
          `parameters map ${index + 1} of probe '${name}' has no value for :${missing.join(', :')}`,
        );
      }
      for (const parameter of unused) {
        add(
          [...at, parameter],
          'key',
          `parameter '${parameter}' is not used: the sql of probe '${name}' has no :${parameter} placeholder`,
        );
      }
    }
  }

  for (const key of Object.keys(given)) {
    if (!parameters.includes(key)) {
      const known = parameters.length === 0 ? '' : `; its parameters: ${parameters.join(', ')}`;
      add(
        [...path, 'parameterDimensions', key],
        'key',
        `probe '${name}' has no parameter '${key}'${didYouMean(key, parameters) || known}`,
      );
    }
  }
  const dimensions: RunDimension[] = [];
  const dimensionOf = new Map<string, string>();
  for (const parameter of parameters) {
    const named = Object.hasOwn(given, parameter) ? given[parameter] : parameter;
    if (typeof named !== 'string') continue;
    dimensionOf.set(parameter, named);
    const renamed = Object.hasOwn(given, parameter);
    const first = maps.find(({ map }) => Object.hasOwn(map, parameter));
    dimensions.push({
      name: named,
      path: renamed
        ? [...path, 'parameterDimensions', parameter]
        : [...path, 'parameters', String(first?.index ?? 0), parameter],
      at: renamed ? 'value' : 'key',
      source: `parameter '${parameter}'`,
      parameter,
    });
  }
  checkDimensionValues(name, maps, dimensionOf, path, add);
  return dimensions;
}

/** The placeholders' names, once each in order of appearance; undefined when they cannot be told (reported). */
function placeholderNames(
  name: string,
  sql: string,
  path: readonly string[],
  dialects: ReadonlyMap<SqlDialect, readonly string[]>,
  add: Add,
): string[] | undefined {
  let found: { names: string[]; engines: readonly string[] } | undefined;
  for (const [dialect, engines] of dialects) {
    const read = placeholdersOf(sql, dialect.syntax);
    if ('problem' in read) {
      const on = dialects.size > 1 ? ` (on its ${engines.join(', ')} databases)` : '';
      add([...path, 'sql'], 'value', `probe '${name}'${on}: ${read.problem}`);
      return undefined;
    }
    const names = [...new Set(read.placeholders.map((placeholder) => placeholder.name))];
    if (found === undefined) found = { names, engines };
    else if (found.names.join() !== names.join()) {
      const list = (all: readonly string[]) => (all.length === 0 ? 'none' : `:${all.join(', :')}`);
      add(
        [...path, 'sql'],
        'value',
        `probe '${name}': its placeholders differ between its ${found.engines.join(', ')} databases (${list(found.names)}) and its ${engines.join(', ')} databases (${list(names)})`,
      );
      return undefined;
    }
  }
  return found?.names ?? [];
}

/** Dimension parameters hold values CloudWatch takes, and no two maps give every one of them the same values. */
function checkDimensionValues(
  name: string,
  maps: readonly { map: Entries; index: number }[],
  dimensionOf: ReadonlyMap<string, string>,
  path: readonly string[],
  add: Add,
): void {
  const seen = new Map<string, number>();
  for (const { map, index } of maps) {
    const values: Record<string, string | number | boolean> = {};
    for (const [parameter, dimension] of dimensionOf) {
      const value = map[parameter];
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
      values[parameter] = value;
      const text = String(value);
      if (!DIMENSION_VALUE.test(text)) {
        add(
          [...path, 'parameters', String(index), parameter],
          'value',
          patternMessage(
            'dimensionValue',
            parameter,
            text,
            `parameter '${parameter}' (dimension '${dimension}')`,
          ),
        );
      }
    }
    const signature = JSON.stringify([...dimensionOf.keys()].map((parameter) => map[parameter]));
    const first = seen.get(signature);
    if (first === undefined) {
      seen.set(signature, index);
      continue;
    }
    const shown =
      dimensionOf.size === 0 ? 'none of its parameters is a dimension' : describeParameters(values);
    add(
      [...path, 'parameters', String(index)],
      'value',
      `parameters map ${index + 1} of probe '${name}' gives its dimensions the same values as map ${first + 1} (${shown}), so both would publish to the same series; make a parameter that tells them apart a dimension, or drop one`,
    );
  }
}
