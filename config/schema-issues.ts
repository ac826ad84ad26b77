/**
 * ajv errors → messages a user can act on. Unknown keys point at the key and suggest the nearest
 * allowed one; missing keys point at their map; a failed `oneOf` reports only the branch the value
 * came closest to (or, when no branch fits at all, what the value should be).
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { didYouMean } from './closest-match.js';
import { describeData, describeMap, describeValue, typeWords } from './describe-path.js';
import { patternMessage } from './pattern-messages.js';
import { type PendingIssue, segmentsOf } from './pending-issue.js';
import { branchErrors, patternKind, propertyNamesOf, schemaAt } from './schema-validator.js';

/** An ajv error whose instance path is already split and absolute. */
interface PathError {
  readonly path: readonly string[];
  readonly error: ErrorObject;
}

export function schemaIssues(document: unknown, errors: readonly ErrorObject[]): PendingIssue[] {
  const pathErrors = errors.map((error) => ({ path: segmentsOf(error.instancePath), error }));
  return finish(convertAll(document, pathErrors));
}

function valueAt(document: unknown, path: readonly string[]): unknown {
  let value = document;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function isUnder(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

function convertAll(document: unknown, errors: readonly PathError[]): PendingIssue[] {
  // each failed oneOf owns every error at or below its path: replace them with its best branch's
  const choices = errors
    .filter(({ error }) => error.keyword === 'oneOf')
    .map(({ path }) => path)
    .sort((a, b) => a.length - b.length)
    .filter((path, i, all) => !all.slice(0, i).some((outer) => isUnder(path, outer)));
  const issues: PendingIssue[] = [];
  for (const entry of errors) {
    if (!choices.some((choice) => isUnder(entry.path, choice))) issues.push(...convert(document, entry));
  }
  for (const choice of choices) issues.push(...chooseBranch(document, choice));
  return issues;
}

function convert(document: unknown, { path, error }: PathError): PendingIssue[] {
  const value = valueAt(document, path);
  const params = error.params as Record<string, unknown>;
  const label = describeValue(path);
  if (error.propertyName !== undefined) return [nameIssue(path, error.propertyName, error)];
  switch (error.keyword) {
    case 'propertyNames':
      // reported by the inner error, which carries the offending name
      return [];
    case 'if':
      // reported by the inner errors of the branch that applies (a missing key)
      return [];
    case 'required':
      return [{ path, at: 'value', message: `missing key '${String(params.missingProperty)}'` }];
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = propertyNamesOf(error.parentSchema);
      const hint = didYouMean(key, allowed) || `; expected ${allowed.map((k) => `'${k}'`).join(', ')}`;
      const where = path.length === 0 ? '' : ` in ${describeMap(path)}`;
      return [{ path: [...path, key], at: 'key', message: `unknown key '${key}'${where}${hint}` }];
    }
    case 'type': {
      if (path.length === 0 && value == null) {
        return [
          {
            path,
            at: 'value',
            message:
              "the file is empty; a probes.yaml is a map with at least 'version', 'namespace', 'databases' and 'probes'",
          },
        ];
      }
      const quote = params.type === 'string' && (typeof value === 'number' || typeof value === 'boolean');
      const hint = quote ? `; quote it to make it a string: '${String(value)}'` : '';
      return [
        {
          path,
          at: 'value',
          message: `${label} must be ${typeWords(params.type)}, not ${describeData(value)}${hint}`,
        },
      ];
    }
    case 'const':
      return [
        {
          path,
          at: 'value',
          message: `${label} must be ${JSON.stringify(params.allowedValue)}, not ${describeData(value)}`,
        },
      ];
    case 'enum':
      return [
        { path, at: 'value', message: enumMessage(path, value, (params.allowedValues as unknown[]) ?? []) },
      ];
    case 'pattern': {
      const kind = patternKind(String(params.pattern));
      return [{ path, at: 'value', message: patternMessage(kind, path.at(-1) ?? '', String(value), label) }];
    }
    case 'minLength':
      return [{ path, at: 'value', message: `${label} must not be empty` }];
    case 'minProperties':
      return [{ path, at: 'value', message: `${label} must have at least one entry` }];
    case 'maxProperties': {
      const count = Object.keys(value ?? {}).length;
      const why = path.at(-1) === 'dimensions' ? 'CloudWatch allows at most' : 'the most allowed is';
      return [
        { path, at: 'value', message: `${label} has ${count} entries; ${why} ${String(params.limit)}` },
      ];
    }
    case 'minItems':
      return [
        {
          path,
          at: 'value',
          message: `${label} must list at least ${params.limit === 1 ? 'one item' : `${String(params.limit)} items`}`,
        },
      ];
    case 'maxItems':
      return [
        {
          path,
          at: 'value',
          message: `${label} lists ${Array.isArray(value) ? value.length : '?'} items; at most ${String(params.limit)} allowed`,
        },
      ];
    case 'uniqueItems':
      return [
        {
          path: [...path, String(params.i)],
          at: 'value',
          message: `${label} lists ${describeData(valueAt(value, [String(params.i)]))} twice`,
        },
      ];
    case 'minimum':
    case 'maximum':
      return [
        {
          path,
          at: 'value',
          message: `${label} must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}, not ${String(value)}`,
        },
      ];
    default:
      return [{ path, at: 'value', message: `${label} ${error.message ?? 'is invalid'}` }];
  }
}

function enumMessage(path: readonly string[], value: unknown, allowed: readonly unknown[]): string {
  const key = path.at(-1) ?? 'value';
  const names = allowed.map(String);
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  const suggestion = typeof value === 'string' ? didYouMean(value, names) : '';
  if (key === 'unit')
    return `unknown unit ${shown}${suggestion || `; CloudWatch units are ${names.join(', ')}`}`;
  return `${key} ${shown} is not one of ${names.join(', ')}${suggestion}`;
}

function nameIssue(path: readonly string[], name: string, error: ErrorObject): PendingIssue {
  const section = path.at(-1);
  const label =
    section === 'probes'
      ? 'probe name'
      : section === 'databases'
        ? 'database name'
        : section === 'vpcs'
          ? 'VPC name'
          : 'name';
  const kind =
    error.keyword === 'pattern'
      ? patternKind(String((error.params as Record<string, unknown>).pattern))
      : undefined;
  const message =
    kind === undefined
      ? `invalid ${label} '${name}': ${error.message ?? 'not allowed'}`
      : patternMessage(kind, section ?? '', name, label);
  return { path: [...path, name], at: 'key', message };
}

/** errors of one branch, relative to the oneOf's path, scored: lower fits better */
function scoreOf(errors: readonly ErrorObject[]): number {
  let score = 0;
  for (const error of errors) {
    if (error.keyword === 'type' && error.instancePath === '') score += 100;
    else if (error.keyword === 'const' || error.keyword === 'enum') score += 10;
    else score += 1;
  }
  return score;
}

function chooseBranch(document: unknown, path: readonly string[]): PendingIssue[] {
  const value = valueAt(document, path);
  const located = schemaAt(path);
  const branches = Array.isArray(located?.node.oneOf) ? located.node.oneOf.length : 0;
  if (!located || branches === 0) {
    return [{ path, at: 'value', message: `${describeValue(path)} does not have any of the allowed forms` }];
  }
  const results = Array.from({ length: branches }, (_, branch) => {
    const errors = branchErrors(located.pointer, branch, value);
    return { errors, score: scoreOf(errors) };
  });
  const rootTypes = results.map(({ errors }) =>
    errors.find((e) => e.keyword === 'type' && e.instancePath === ''),
  );
  if (rootTypes.every((error) => error !== undefined)) {
    // no branch takes this kind of value at all: say which kinds it may be
    const types = rootTypes.map((error) => (error?.params as Record<string, unknown> | undefined)?.type);
    const quote = types.includes('string') && (typeof value === 'number' || typeof value === 'boolean');
    const hint = quote ? `; quote it to make it a string: '${String(value)}'` : '';
    return [
      {
        path,
        at: 'value',
        message: `${describeValue(path)} must be ${typeWords(types)}, not ${describeData(value)}${hint}`,
      },
    ];
  }
  const discriminator = sharedConst(results.map(({ errors }) => errors));
  if (discriminator) {
    const at = [...path, ...segmentsOf(discriminator.instancePath)];
    const given = valueAt(document, at);
    const allowed = results.map(({ errors }) => {
      const error = errors.find(
        (e) => e.keyword === 'const' && e.instancePath === discriminator.instancePath,
      );
      return String((error?.params as Record<string, unknown> | undefined)?.allowedValue);
    });
    const suggestion = typeof given === 'string' ? didYouMean(given, allowed) : '';
    const shown = typeof given === 'string' ? `'${given}'` : describeData(given);
    return [
      {
        path: at,
        at: 'value',
        message: `${at.at(-1) ?? 'value'} ${shown} is not one of ${allowed.join(', ')}${suggestion}`,
      },
    ];
  }
  const best = Math.min(...results.map(({ score }) => score));
  const tied = results.filter(({ score }) => score === best);
  const onlyMissing = tied.every(({ errors }) =>
    errors.every((e) => e.keyword === 'required' && e.instancePath === ''),
  );
  if (tied.length > 1 && onlyMissing) {
    const keys = tied.flatMap(({ errors }) =>
      errors.map((e) => `'${String((e.params as Record<string, unknown>).missingProperty)}'`),
    );
    return [{ path, at: 'value', message: `${describeMap(path)} needs ${keys.join(' or ')}` }];
  }
  const chosen = tied[0]?.errors ?? [];
  return convertAll(
    document,
    chosen.map((error) => ({ path: [...path, ...segmentsOf(error.instancePath)], error })),
  );
}

/** a `const` every branch fails at the same place: the value that picks the branch (`type: iam`) */
function sharedConst(branches: readonly (readonly ErrorObject[])[]): ErrorObject | undefined {
  const [first, ...rest] = branches;
  const candidate = first?.find((e) => e.keyword === 'const');
  if (!candidate) return undefined;
  const sameSpot = (errors: readonly ErrorObject[]) =>
    errors.some((e) => e.keyword === 'const' && e.instancePath === candidate.instancePath);
  return rest.every(sameSpot) ? candidate : undefined;
}

/**
 * One message per missing-key map ("missing keys 'sql', 'metrics' in probe 'p'"), none for a key
 * an unknown key's suggestion already names, and no exact repeats.
 */
function finish(issues: readonly PendingIssue[]): PendingIssue[] {
  const suggested = new Set<string>();
  for (const issue of issues) {
    const match = /^unknown key '.*'; did you mean '(.*)'\?$/.exec(issue.message);
    if (match) suggested.add(JSON.stringify([...issue.path.slice(0, -1), match[1]]));
  }
  const missing = new Map<string, { path: readonly string[]; keys: string[] }>();
  const result: PendingIssue[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const key = /^missing key '(.*)'$/.exec(issue.message)?.[1];
    if (key !== undefined) {
      if (suggested.has(JSON.stringify([...issue.path, key]))) continue;
      const id = JSON.stringify(issue.path);
      const entry = missing.get(id) ?? { path: issue.path, keys: [] };
      entry.keys.push(`'${key}'`);
      missing.set(id, entry);
      continue;
    }
    const id = JSON.stringify([issue.path, issue.at, issue.message]);
    if (!seen.has(id)) result.push(issue);
    seen.add(id);
  }
  for (const { path, keys } of missing.values()) {
    const where = path.length === 0 ? ' at the top level' : ` in ${describeMap(path)}`;
    result.push({
      path,
      at: 'value',
      message: `missing ${keys.length === 1 ? 'key' : 'keys'} ${keys.join(', ')}${where}`,
    });
  }
  return result;
}
