import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ENGINE_SYNTAX } from '../../adapters/config-loader.js';
import { readPlainYaml } from '../../config/plain-yaml.js';
import { parseConfigText } from '../../config/read-config.js';
import { parseYamlSource } from '../../config/yaml-source.js';
import { exampleFiles, exampleName } from '../support/example-files.js';

const sources = exampleFiles().map((file) => ({
  name: exampleName(file),
  text: readFileSync(file, 'utf8'),
}));

/** mulberry32: a small seeded PRNG, so a failure reproduces */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALUES = [
  '',
  '42',
  '-1',
  'true',
  'null',
  '[]',
  '{}',
  "''",
  'x',
  '[a, b]',
  '{ a: 1 }',
  '1.5',
  '0x1F',
  'rate(1 minute)',
  'AWS/X',
  ': :',
  '"q',
  '|',
];

function mutate(text: string, next: () => number): string {
  const lines = text.split('\n');
  const pick = (n: number) => Math.floor(next() * n);
  const at = pick(lines.length);
  switch (pick(7)) {
    case 0: // delete a line (a key, or part of a value)
      lines.splice(at, 1);
      break;
    case 1: // replace a value with one of another type
      lines[at] = (lines[at] ?? '').replace(/:\s.*$/, `: ${VALUES[pick(VALUES.length)]}`);
      break;
    case 2: {
      // swap the values of two lines
      const other = pick(lines.length);
      const a = /:\s(.*)$/.exec(lines[at] ?? '')?.[1];
      const b = /:\s(.*)$/.exec(lines[other] ?? '')?.[1];
      if (a !== undefined && b !== undefined) {
        lines[at] = (lines[at] ?? '').replace(/:\s.*$/, `: ${b}`);
        lines[other] = (lines[other] ?? '').replace(/:\s.*$/, `: ${a}`);
      }
      break;
    }
    case 3: // truncate the text
      return text.slice(0, pick(text.length));
    case 4: // duplicate a line
      lines.splice(at, 0, lines[at] ?? '');
      break;
    case 5: // shift a line's indentation
      lines[at] = next() < 0.5 ? `  ${lines[at]}` : (lines[at] ?? '').replace(/^ {1,2}/, '');
      break;
    default: // rename a key
      lines[at] = (lines[at] ?? '').replace(
        /^(\s*)(\w)/,
        (_, space: string, first: string) => `${space}x${first}`,
      );
  }
  return lines.join('\n');
}

describe('mutated examples', () => {
  const cases = sources.flatMap(({ name, text }, s) =>
    Array.from({ length: 80 }, (_, i) => {
      const next = random(1000 * s + i);
      let mutated = text;
      for (let k = 0, n = 1 + Math.floor(next() * 3); k < n; k++) mutated = mutate(mutated, next);
      return { label: `${name} #${i}`, text: mutated };
    }),
  );

  it('never crash: each is valid or has positioned, sorted errors inside the file', () => {
    for (const { label, text } of cases) {
      // act
      const result = parseConfigText(text, 'probes.yaml', { engines: ENGINE_SYNTAX });

      // assess
      if (result.ok) continue;
      const lines = text.split('\n');
      expect(result.errors.length, label).toBeGreaterThan(0);
      for (const error of result.errors) {
        expect(error.line, label).toBeGreaterThanOrEqual(1);
        expect(error.line, label).toBeLessThanOrEqual(lines.length);
        expect(error.column, label).toBeGreaterThanOrEqual(1);
        expect(error.column, label).toBeLessThanOrEqual((lines[error.line - 1]?.length ?? 0) + 1);
        expect(error.format(), label).toMatch(/^probes\.yaml:\d+:\d+: \S/);
      }
      const order = result.errors.map(({ line, column }) => line * 10_000 + column);
      expect(order, label).toEqual([...order].sort((a, b) => a - b));
    }
    expect(cases.length).toBeGreaterThanOrEqual(300);
  });

  it('read by the fast reader give exactly what the full YAML parser gives', () => {
    let read = 0;
    for (const { label, text } of [...sources.map(({ name, text }) => ({ label: name, text })), ...cases]) {
      // act
      const fast = readPlainYaml(text);
      if (fast === undefined) continue;
      const full = parseYamlSource(text);

      // assess
      read++;
      expect(full.problems, label).toEqual([]);
      expect(isDeepStrictEqual(fast, full.value), label).toBe(true);
    }
    expect(read).toBeGreaterThan(100);
  });
});

describe('the fast reader on deep nesting', () => {
  it('reads 64 levels and leaves deeper documents to the full parser instead of exhausting the stack', () => {
    // arrange
    const block = (depth: number) =>
      `${Array.from({ length: depth }, (_, level) => `${' '.repeat(level)}k:`).join('\n')} 1\n`;
    const flow = (depth: number) => `k: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;

    // act / assess
    expect(readPlainYaml(block(64))).toEqual(parseYamlSource(block(64)).value);
    expect(readPlainYaml(flow(64))).toEqual(parseYamlSource(flow(64)).value);
    expect(readPlainYaml(block(65))).toBeUndefined();
    expect(readPlainYaml(flow(65))).toBeUndefined();
    expect(readPlainYaml(block(5000))).toBeUndefined();
    expect(readPlainYaml(flow(5000))).toBeUndefined();
  });
});
