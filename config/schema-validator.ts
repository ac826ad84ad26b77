/**
 * `schema.json` as validation and error reporting read it: a document's errors
 * (`document-validator.ts`), and, for reporting, the subschema at an instance path, each `oneOf`
 * branch on its own (compiled by one cached ajv instance, only when a document has errors), and
 * which `$defs` entry a `pattern` belongs to.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import schemaJson from '../schema.json' with { type: 'json' };
import ajvOptions from './ajv-options.json' with { type: 'json' };
import validateDocument from './document-validator.js';

/** A (sub)schema of `schema.json`, read structurally. */
export interface SchemaNode {
  readonly [keyword: string]: unknown;
}

/** A subschema and its JSON pointer inside `schema.json` (`#/$defs/auth`). */
export interface LocatedSchema {
  readonly node: SchemaNode;
  readonly pointer: string;
}

export const schema: SchemaNode = schemaJson;
const KEY = 'probes';

let cached: Ajv2020 | undefined;

/** Every schema error of a document; empty when it conforms. */
export function schemaErrors(value: unknown): readonly ErrorObject[] {
  return validateDocument(value);
}

/** The errors of `value` against one branch of the `oneOf` at `pointer`. */
export function branchErrors(pointer: string, branch: number, value: unknown): readonly ErrorObject[] {
  if (!cached) {
    cached = new Ajv2020(ajvOptions);
    cached.addSchema(schemaJson, KEY);
  }
  const validate = cached.getSchema(`${KEY}${pointer}/oneOf/${branch}`);
  if (!validate) throw new Error(`no schema at ${pointer}/oneOf/${branch}`);
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/** `keyword` may be a name from the document (a probe named `constructor`): own entries only */
function child(node: SchemaNode, keyword: string): SchemaNode | undefined {
  const value = Object.hasOwn(node, keyword) ? node[keyword] : undefined;
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as SchemaNode)
    : undefined;
}

function lookup(pointer: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const segment of pointer.replace(/^#\/?/, '').split('/')) {
    if (segment === '' || !node) continue;
    node = child(node, segment);
  }
  return node;
}

function resolve(located: LocatedSchema): LocatedSchema {
  let current = located;
  // a property is often `{ description, $ref }`: follow the reference to the rules
  for (let hops = 0; typeof current.node.$ref === 'string' && hops < 20; hops++) {
    const pointer = current.node.$ref;
    const node = lookup(pointer);
    if (!node) break;
    current = { node, pointer };
  }
  return current;
}

/**
 * The subschema that applies at an instance path, following `properties`, `items`,
 * `additionalProperties` and `$ref`; it stops at a `oneOf` (whose branch depends on the value).
 */
export function schemaAt(path: readonly string[]): LocatedSchema | undefined {
  let current = resolve({ node: schema, pointer: '#' });
  for (const segment of path) {
    const property = child(child(current.node, 'properties') ?? {}, segment);
    let next: LocatedSchema | undefined;
    if (property) next = { node: property, pointer: `${current.pointer}/properties/${segment}` };
    else if (child(current.node, 'items'))
      next = { node: child(current.node, 'items') ?? {}, pointer: `${current.pointer}/items` };
    else if (child(current.node, 'additionalProperties')) {
      next = {
        node: child(current.node, 'additionalProperties') ?? {},
        pointer: `${current.pointer}/additionalProperties`,
      };
    }
    if (!next) return undefined;
    current = resolve(next);
  }
  return current;
}

/** The keys a map with this schema accepts. */
export function propertyNamesOf(node: unknown): string[] {
  return typeof node === 'object' && node !== null
    ? Object.keys(child(node as SchemaNode, 'properties') ?? {})
    : [];
}

let patterns: Map<string, string> | undefined;

/** `$defs` name of the definition that owns a pattern (`duration`, `vpcId`, …), for tailored messages. */
export function patternKind(pattern: string): string | undefined {
  if (!patterns) {
    patterns = new Map();
    for (const [name, node] of Object.entries(child(schema, '$defs') ?? {})) {
      const pattern = (node as SchemaNode).pattern;
      if (typeof pattern === 'string') patterns.set(pattern, name);
    }
  }
  return patterns.get(pattern);
}
