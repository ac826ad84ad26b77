import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../adapters/config-loader.js';

// each fixture starts with `# expect: LINE:COL message-part` lines, in the order the errors must come
const folder = fileURLToPath(new URL('./fixtures/invalid/', import.meta.url));
const fixtures = readdirSync(folder)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

function expectations(text: string): { line: number; column: number; part: string }[] {
  return [...text.matchAll(/^# expect: (\d+):(\d+) (.*)$/gm)].map((match) => ({
    line: Number(match[1]),
    column: Number(match[2]),
    part: match[3] ?? '',
  }));
}

describe('invalid configs', () => {
  it('cover at least 40 failure classes, each stating what it expects', () => {
    // arrange
    const stated = fixtures.map((name) => expectations(readFileSync(join(folder, name), 'utf8')).length);

    // assess
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    expect(stated.every((count) => count > 0)).toBe(true);
  });

  it.each(fixtures)('%s reports exactly the expected errors at their line and column', (name) => {
    // arrange
    const file = join(folder, name);
    const expected = expectations(readFileSync(file, 'utf8'));

    // act
    const result = readConfig(file);

    // assess
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map(({ line, column }) => `${line}:${column}`)).toEqual(
      expected.map(({ line, column }) => `${line}:${column}`),
    );
    errors.forEach((error, i) => {
      expect(error.message).toContain(expected[i]?.part);
      expect(error.format()).toBe(`${file}:${error.line}:${error.column}: ${error.message}`);
    });
  });

  it('reports every error of a file with several, sorted by position', () => {
    // arrange
    const file = join(folder, 'several-errors.yaml');

    // act
    const result = readConfig(file);

    // assess
    const errors = result.ok ? [] : result.errors;
    expect(errors).toHaveLength(5);
    const positions = errors.map(({ line, column }) => line * 1000 + column);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(errors.map((error) => error.message.split(' ')[0])).toEqual([
      'namespace',
      'invalid',
      'unknown',
      'probe',
      'unknown',
    ]);
  });
});
