import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReference } from '../../docs/reference-markdown.js';
import schema from '../../schema.json' with { type: 'json' };

const ROOT = resolve(import.meta.dirname, '../..');
const REFERENCE = join(ROOT, 'docs', 'reference.md');

type Node = { readonly [keyword: string]: unknown };

/** Every key name of every `properties` in the schema, with its description, found by walking the JSON. */
function schemaKeys(node: unknown, into: { key: string; description?: string }[] = []) {
  if (Array.isArray(node)) for (const item of node) schemaKeys(item, into);
  else if (typeof node === 'object' && node !== null) {
    for (const [keyword, value] of Object.entries(node)) {
      if (keyword === 'properties' && typeof value === 'object' && value !== null) {
        for (const [key, property] of Object.entries(value as Record<string, Node>)) {
          const description = property.description;
          into.push({ key, ...(typeof description === 'string' ? { description } : {}) });
        }
      }
      schemaKeys(value, into);
    }
  }
  return into;
}

describe('docs/reference.md', () => {
  it('is what schema.json renders (npm run docs regenerates it)', () => {
    // prepare
    const rendered = renderReference(schema);

    // act
    const written = readFileSync(REFERENCE, 'utf8');

    // assess
    expect(written, 'docs/reference.md is not what schema.json renders: run `npm run docs`').toBe(rendered);
  });

  it('is as Biome formats it, so npx biome check --write leaves it as rendered', () => {
    // prepare
    const rendered = renderReference(schema);

    // act
    const formatted = execFileSync(
      join(ROOT, 'node_modules', '.bin', 'biome'),
      ['format', '--stdin-file-path=docs/reference.md'],
      { cwd: ROOT, input: rendered, encoding: 'utf8' },
    );

    // assess
    expect(formatted).toBe(rendered);
  });

  it('is written by npm run docs as the test renders it', () => {
    // prepare
    const dir = mkdtempSync(join(tmpdir(), 'chasm-reference-'));
    const out = join(dir, 'reference.md');

    try {
      // act
      execFileSync(process.execPath, [join(ROOT, 'docs', 'generate-reference.mjs'), out], { stdio: 'pipe' });

      // assess
      expect(readFileSync(out, 'utf8')).toBe(renderReference(schema));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('renderReference', () => {
  it('gives every key of schema.json a heading at its path, with its description', () => {
    // prepare
    const keys = schemaKeys(schema);

    // act
    const text = renderReference(schema);

    // assess
    const headings = [...text.matchAll(/^### `([^`]+)`$/gm)].map((match) => match[1] ?? '');
    const missing = keys.filter(
      ({ key }) => !headings.some((path) => path === key || path.endsWith(`.${key}`)),
    );
    expect(missing).toEqual([]);
    const lost = keys.filter(
      ({ description }) => description !== undefined && !text.includes(description.replace(/[<>]/g, '\\$&')),
    );
    expect(lost).toEqual([]);
    // top level, every map a name keys, each list's items and each form of a choice
    for (const path of [
      'namespace',
      'defaults.timeout',
      'vpcs.<name>.subnetIds',
      'databases.<name>.auth.secretArn',
      'databases.<name>.local.pglite.init',
      'probes.<name>.dimensions.<dimensionName>.column',
      'probes.<name>.metrics[].unit',
    ]) {
      expect(headings).toContain(path);
    }
  });

  it('marks required keys, writes defaults, allowed values and limits', () => {
    // act
    const text = renderReference(schema);

    // assess
    const entry = (path: string) => {
      const start = text.indexOf(`### \`${path}\`\n`);
      expect(start, path).toBeGreaterThanOrEqual(0);
      const end = text.indexOf('\n#', start + 1);
      return text.slice(start, end < 0 ? undefined : end);
    };
    expect(entry('namespace')).toContain('- Required.');
    expect(entry('schedule')).not.toContain('- Required.');
    expect(entry('schedule')).toContain('- Default: `rate(5 minutes)`');
    expect(entry('publish')).toContain('- Type: text, one of `fanout`, `emf`');
    expect(entry('databases.<name>.maxConnections')).toContain('(from 1 to 100)');
    expect(entry('vpcs.<name>.subnetIds')).toContain(
      'a list (1 to 16 items, no item twice), each text matching',
    );
    expect(entry('version')).toContain('- Type: exactly `1`');
  });

  it('gives each form of a choice of maps a section named by its fixed key or its required keys', () => {
    // act
    const text = renderReference(schema);

    // assess
    expect(text).toContain('## `databases.<name>.auth`, as `type: secret`');
    expect(text).toContain('## `databases.<name>.local`, as `url`');
    expect(text).toContain(
      '  - a map with `type: iam` (see `databases.<name>.auth`, as `type: iam`): An RDS IAM auth token',
    );
  });

  it('shows examples, and a keyword it has no words for as JSON rather than dropping it', () => {
    // prepare
    const small = {
      type: 'object',
      properties: {
        contact: {
          description: 'Who to call, as <team>.',
          type: 'string',
          format: 'email',
          examples: ['ops@example.com'],
        },
        limit: { type: 'object', properties: { above: { type: 'number' } }, not: { required: ['below'] } },
      },
    };

    // act
    const text = renderReference(small);

    // assess
    expect(text).toContain('Who to call, as \\<team\\>.');
    expect(text).toContain('- Example: `ops@example.com`');
    expect(text).toContain('- `format`: `"email"`');
    expect(text).toContain('- Type: a map with the keys under `limit`\n- `not`: `{"required":["below"]}`');
    expect(text).toContain('### `limit.above`');
  });
});
