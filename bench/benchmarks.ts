/** Every benchmark `npm run bench` runs, in order. One line per benchmark. */
import type { Benchmark } from './benchmark.js';
import { cliStartBenchmarks } from './cli-start.bench.js';
import { fanoutOverhead, safePathOverhead } from './fanout-overhead.bench.js';
import { invocationsPerTick } from './invocations-per-tick.bench.js';
import { privateBundleBenchmarks } from './private-bundle-size.bench.js';
import { publicBundleBytes, publicBundleImport } from './public-bundle-size.bench.js';
import { putMetricRequestBenchmarks } from './put-metric-requests.bench.js';
import { synthBenchmarks } from './synth-time.js';
import { validatePlan10k } from './validate-plan-10k.bench.js';

export const benchmarks: readonly Benchmark[] = [
  validatePlan10k,
  ...cliStartBenchmarks,
  fanoutOverhead,
  safePathOverhead,
  ...putMetricRequestBenchmarks,
  invocationsPerTick,
  publicBundleBytes,
  publicBundleImport,
  ...privateBundleBenchmarks,
  ...synthBenchmarks,
];
