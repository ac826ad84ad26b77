/**
 * Runs every benchmark of `benchmarks.ts` (or those whose name contains an argument) one after
 * the other and prints one table. Exits 1 when a benchmark breaks its budget or fails to run.
 */
import { type BenchResult, type Budget, judge } from './benchmark.js';
import { benchmarks } from './benchmarks.js';
import { formatTable } from './format-table.js';

function figure(value: number | undefined, unit = ''): string {
  if (value === undefined) return '-';
  // counts (calls, bytes, runs) read best without decimals
  if (Number.isInteger(value)) return `${value}${unit ? ` ${unit}` : ''}`;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

function budgetText(budget: Budget, unit: string): string {
  return 'max' in budget ? `<= ${figure(budget.max, unit)}` : `<= ${budget.maxRatio.toFixed(2)}x`;
}

const filters = process.argv.slice(2);
const selected = benchmarks.filter(
  (benchmark) => filters.length === 0 || filters.some((filter) => benchmark.name.includes(filter)),
);
const rows: string[][] = [];
const notes: string[] = [];
let failed = 0;
for (const benchmark of selected) {
  process.stderr.write(`running ${benchmark.name}…\n`);
  let result: BenchResult;
  try {
    result = await benchmark.run();
  } catch (error) {
    failed++;
    rows.push([benchmark.name, 'error', '-', '-', budgetText(benchmark.budget, ''), 'FAIL']);
    notes.push(`${benchmark.name}: ${error instanceof Error ? error.message : String(error)}`);
    continue;
  }
  const verdict = judge(benchmark.budget, result);
  if (!verdict.pass) failed++;
  rows.push([
    benchmark.name,
    figure(result.measured, result.unit),
    figure(result.baseline, result.unit),
    verdict.ratio === undefined ? '-' : `${verdict.ratio.toFixed(2)}x`,
    budgetText(benchmark.budget, result.unit),
    verdict.pass ? 'pass' : 'FAIL',
  ]);
  if (result.note) notes.push(`${benchmark.name}: ${result.note}`);
}

process.stdout.write(
  `${formatTable(['benchmark', 'measured', 'baseline', 'ratio', 'budget', 'result'], rows)}\n`,
);
if (notes.length > 0) process.stdout.write(`\n${notes.join('\n')}\n`);
process.exitCode = failed > 0 || selected.length === 0 ? 1 : 0;
