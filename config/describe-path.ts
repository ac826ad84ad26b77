/** Plain-words names for places in a `probes.yaml` document, for error messages. */

const ENTITY: ReadonlyMap<string, string> = new Map([
  ['probes', 'probe'],
  ['databases', 'database'],
  ['vpcs', 'VPC'],
]);

/** What a map at this path is: `probe 'active'`, `metric 2 of probe 'active'`, `'alarms'`; `the file` at the root. */
export function describeMap(path: readonly string[]): string {
  const [section, name, third, fourth] = path;
  if (section === undefined) return 'the file';
  const entity = ENTITY.get(section);
  if (entity && name !== undefined) {
    const owner = `${entity} '${name}'`;
    if (third === undefined) return owner;
    if (third === 'metrics' && fourth !== undefined && path.length === 4)
      return `metric ${Number(fourth) + 1} of ${owner}`;
    if (path.at(-2) === 'dimensions') return `dimension '${path.at(-1)}' of ${owner}`;
    if (third === 'metrics' && fourth !== undefined && path.at(-1) === 'alarm')
      return `the alarm of metric ${Number(fourth) + 1} of ${owner}`;
    return `'${path.at(-1)}' of ${owner}`;
  }
  if (section === 'defaults' && path.length === 1) return "'defaults'";
  return `'${path.at(-1)}'`;
}

/** What a value at this path is called: `'port'`, `item 2 of 'subnetIds'`, `dimension 'Region'`. */
export function describeValue(path: readonly string[]): string {
  const last = path.at(-1);
  const parent = path.at(-2);
  if (last === undefined) return 'the file';
  if (/^[0-9]+$/.test(last) && parent !== undefined) return `item ${Number(last) + 1} of '${parent}'`;
  if (parent === 'dimensions') return `dimension '${last}'`;
  return `'${last}'`;
}

/** A value as the user wrote it, short: `the string 'abc'`, `the number 5`, `a list`. */
export function describeData(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'string')
    return `the string '${value.length > 40 ? `${value.slice(0, 37)}...` : value}'`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a map';
}

/** The expected type in words, from a JSON Schema `type`. */
export function typeWords(type: unknown): string {
  const words: Readonly<Record<string, string>> = {
    string: 'a string',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    object: 'a map',
    array: 'a list',
    null: 'empty',
  };
  // several `oneOf` branches may take the same type: name each type once
  const types = new Set((Array.isArray(type) ? type : [type]).flat());
  return [...types].map((t) => words[String(t)] ?? String(t)).join(' or ');
}
