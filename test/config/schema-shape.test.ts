import { describe, expect, it } from 'vitest';
import schema from '../../schema.json' with { type: 'json' };

type Node = { readonly [key: string]: unknown };

/**
 * every subschema of schema.json that describes values, with its JSON pointer: not the conditions
 * of `if`/`then`/`else`, which name keys their map describes to say which are required
 */
function walk(node: unknown, pointer: string, visit: (node: Node, pointer: string) => void): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) walk(item, `${pointer}/${i}`, visit);
    return;
  }
  visit(node as Node, pointer);
  for (const [key, value] of Object.entries(node)) {
    if (['enum', 'default', 'const', 'if', 'then', 'else'].includes(key)) continue;
    walk(value, `${pointer}/${key}`, visit);
  }
}

describe('schema.json', () => {
  it('describes every property (the hover text editors show)', () => {
    // arrange
    const undescribed: string[] = [];

    // act
    walk(schema, '#', (node, pointer) => {
      const properties = (node.properties ?? {}) as Record<string, Node>;
      for (const [name, property] of Object.entries(properties)) {
        if (typeof property.description !== 'string' || property.description === '') {
          undescribed.push(`${pointer}/properties/${name}`);
        }
      }
    });

    // assess
    expect(undescribed).toEqual([]);
  });

  it('closes every map with fixed keys (additionalProperties: false)', () => {
    // arrange
    const open: string[] = [];

    // act
    walk(schema, '#', (node, pointer) => {
      if (node.properties !== undefined && node.additionalProperties !== false) open.push(pointer);
    });

    // assess
    expect(open).toEqual([]);
  });
});
