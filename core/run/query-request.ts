/**
 * The invocation payload of a query function, checked strictly: it names probes and may carry
 * credentials, nothing else. Anything more (a `sql` key above all) refuses the whole request, so a
 * query function only ever runs the SQL it was deployed with.
 */
import type { DatabaseCredentials, QueryRequest } from '../ports.js';

/** A payload that is not a well-formed `QueryRequest`; nothing of it runs. */
export class InvalidQueryRequestError extends Error {
  override readonly name = 'InvalidQueryRequestError';
}

/** What a request may hold: the function's own databases, and no more probe runs than it was deployed with. */
export interface RequestLimits {
  /** the names credentials may be given for */
  readonly databases: readonly string[];
  /** the number of probe runs deployed with the function (a fleet probe's on each of its databases) */
  readonly maxProbes: number;
  /** the longest name of a deployed probe run (`name@database` for a fleet member) */
  readonly maxNameLength: number;
}

/**
 * Checks an invocation payload. It may not name more probe runs than are deployed, nor a name
 * longer than any deployed one: the response, a report per name, then stays as small as the
 * function.
 */
export function parseQueryRequest(payload: unknown, limits: RequestLimits): QueryRequest {
  const { databases } = limits;
  if (!isPlainObject(payload)) refuse(`expected an object { probes, credentials? }, got ${kind(payload)}`);
  for (const key of Object.keys(payload)) {
    if (key !== 'probes' && key !== 'credentials')
      refuse(`unexpected key '${key}' (only probes and credentials)`);
  }
  const { probes, credentials } = payload;
  if (!Array.isArray(probes)) refuse(`'probes' must be a list of probe names, got ${kind(probes)}`);
  if (probes.length > limits.maxProbes) {
    refuse(`'probes' names ${probes.length} probes; this function has ${limits.maxProbes}`);
  }
  probes.forEach((probe, index) => {
    if (typeof probe !== 'string') refuse(`'probes[${index}]' must be a probe name, got ${kind(probe)}`);
    if (probe.length > limits.maxNameLength) {
      refuse(
        `'probes[${index}]' is ${probe.length} characters long; no probe of this function has a name that long`,
      );
    }
  });
  if (credentials === undefined) return { probes: probes as string[] };
  if (!isPlainObject(credentials))
    refuse(`'credentials' must be an object keyed by database, got ${kind(credentials)}`);
  const checked: Record<string, DatabaseCredentials> = {};
  for (const [database, value] of Object.entries(credentials)) {
    if (!databases.includes(database)) refuse(`credentials for unknown database '${database}'`);
    checked[database] = parseCredentials(database, value);
  }
  return { probes: probes as string[], credentials: checked };
}

function parseCredentials(database: string, value: unknown): DatabaseCredentials {
  if (!isPlainObject(value)) refuse(`credentials of '${database}' must be an object, got ${kind(value)}`);
  for (const key of Object.keys(value)) {
    if (key !== 'password' && key !== 'username')
      refuse(`unexpected key '${key}' in credentials of '${database}'`);
  }
  if (typeof value.password !== 'string') refuse(`credentials of '${database}' need a string password`);
  if (value.username !== undefined && typeof value.username !== 'string') {
    refuse(`the username in credentials of '${database}' must be a string`);
  }
  return value.username === undefined
    ? { password: value.password }
    : { username: value.username, password: value.password };
}

/** the longest reason a refusal gives: it may quote a name from the payload */
const MAX_REASON_LENGTH = 300;

function refuse(reason: string): never {
  const capped = reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason;
  throw new InvalidQueryRequestError(`invalid query request: ${capped}`);
}

/** A JSON object (not an array, not null): what a payload's maps must be. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// never echo a value: it may be a credential
function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
