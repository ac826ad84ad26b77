/** Validate + plan of a generated 10,000-probe config: read, check and plan it, end to end. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../adapters/config-loader.js';
import { estimateCost } from '../core/plan/cost-model.js';
import { buildPlan } from '../core/plan/plan.js';
import type { Benchmark } from './benchmark.js';
import { medianMs } from './benchmark.js';
import { generateProbesYaml } from './generate-probes-yaml.js';

const PROBES = 10_000;

export const validatePlan10k: Benchmark = {
  name: 'validate + plan, 10,000 probes',
  budget: { max: 2000 },
  async run() {
    const folder = mkdtempSync(join(tmpdir(), 'chasm-bench-'));
    try {
      const file = join(folder, 'probes.yaml');
      writeFileSync(file, generateProbesYaml(PROBES));
      let functions = 0;
      const readMs = await medianMs(() => {
        const read = readConfig(file);
        if (!read.ok) throw new Error(`generated config is invalid: ${read.errors[0]?.format()}`);
      }, 3);
      const read = readConfig(file);
      if (!read.ok) throw new Error(`generated config is invalid: ${read.errors[0]?.format()}`);
      const planMs = await medianMs(() => {
        const plan = buildPlan(read.config);
        estimateCost(plan);
        functions = plan.functions.length;
      }, 3);
      return {
        measured: readMs + planMs,
        unit: 'ms',
        note: `medians of 3 runs, ${PROBES} probes, ${functions} functions: readConfig ${readMs.toFixed(0)} ms + buildPlan and estimateCost ${planMs.toFixed(0)} ms`,
      };
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
};
