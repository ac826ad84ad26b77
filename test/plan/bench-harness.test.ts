import { describe, expect, it } from 'vitest';
import { judge } from '../../bench/benchmark.js';
import { formatTable } from '../../bench/format-table.js';

describe('judge', () => {
  it('passes an absolute budget at or under its ceiling and fails above it', () => {
    expect(judge({ max: 2000 }, { measured: 2000, unit: 'ms' })).toEqual({ pass: true });
    expect(judge({ max: 2000 }, { measured: 2001, unit: 'ms' })).toEqual({ pass: false });
  });

  it('judges a ratio budget by measured over baseline', () => {
    expect(judge({ maxRatio: 1.1 }, { measured: 110, baseline: 100, unit: 'bytes' })).toEqual({
      ratio: 1.1,
      pass: true,
    });
    expect(judge({ maxRatio: 1.1 }, { measured: 111, baseline: 100, unit: 'bytes' }).pass).toBe(false);
  });

  it('fails a ratio budget without a baseline', () => {
    expect(judge({ maxRatio: 1.1 }, { measured: 1, unit: 'bytes' })).toEqual({ pass: false });
  });
});

describe('formatTable', () => {
  it('pads every column to its widest cell', () => {
    const table = formatTable(
      ['name', 'ms'],
      [
        ['a', '1200'],
        ['longer', '3'],
      ],
    );

    expect(table.split('\n')).toEqual(['name    ms', '------  ----', 'a       1200', 'longer  3']);
  });
});
