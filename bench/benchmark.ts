/**
 * One benchmark of `npm run bench`: a name, a budget and a run that measures one figure.
 * To add one: write `bench/<what>.bench.ts` exporting a `Benchmark`, and add it to the list
 * in `bench/benchmarks.ts`.
 */

/**
 * What a figure must stay within: an absolute ceiling (`max`, in the figure's unit) or a ceiling on
 * the ratio measured / baseline (`maxRatio`), the baseline being measured in the same run.
 */
export type Budget = { readonly max: number } | { readonly maxRatio: number };

export interface BenchResult {
  /** the figure, in `unit` */
  readonly measured: number;
  /** the same figure for the baseline, measured in the same run; required with a `maxRatio` budget */
  readonly baseline?: number;
  /**
   * The ratio the budget judges, when the benchmark pairs its runs (e.g. the median of each
   * round's measured / baseline); default `measured / baseline`.
   */
  readonly ratio?: number;
  /** 'ms', 'bytes', 'calls', … */
  readonly unit: string;
  /** one short line on what was measured, printed under the table */
  readonly note?: string;
}

export interface Benchmark {
  readonly name: string;
  readonly budget: Budget;
  run(): Promise<BenchResult>;
}

export interface Verdict {
  readonly ratio?: number;
  readonly pass: boolean;
}

/** Whether a result keeps its budget; a ratio budget without a baseline fails. */
export function judge(budget: Budget, result: BenchResult): Verdict {
  const ratio =
    result.ratio ??
    (result.baseline !== undefined && result.baseline > 0 ? result.measured / result.baseline : undefined);
  if ('max' in budget)
    return { ...(ratio === undefined ? {} : { ratio }), pass: result.measured <= budget.max };
  if (ratio === undefined) return { pass: false };
  return { ratio, pass: ratio <= budget.maxRatio };
}

/** The median of a few timed runs of `work`, in milliseconds, after one untimed warm-up run. */
export async function medianMs(work: () => unknown, runs = 5): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}
