import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../adapters/config-loader.js';
import { generateProbesYaml } from '../../bench/generate-probes-yaml.js';
import { estimateCost } from '../../core/plan/cost-model.js';
import { buildPlan } from '../../core/plan/plan.js';
import { allRuns } from '../../core/probe-runs.js';
import { exampleFiles, exampleName } from '../support/example-files.js';

const examples = exampleFiles().map(exampleName);

describe.each(examples)('%s', (file) => {
  it('plans every probe run onto exactly one function with a valid, distinct name, and prices it', () => {
    const read = readConfig(file);
    if (!read.ok) throw new Error(read.errors.map((error) => error.format()).join('\n'));

    const plan = buildPlan(read.config);
    const report = estimateCost(plan);

    // each probe on each of its databases
    const planned = plan.functions.flatMap((fn) => fn.probes).sort();
    expect(planned).toEqual(
      allRuns(read.config.probes)
        .map((run) => run.key)
        .sort(),
    );
    const scheduled = plan.schedules.flatMap((s) => s.invocations.flatMap((i) => i.probes)).sort();
    expect(scheduled).toEqual(planned);
    const names = plan.functions.map((fn) => fn.functionName);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(report.cost.totalUsd).toBeGreaterThan(0);
  });
});

it('the quickstart deployment is at least 30 times cheaper than its NAT Gateway variant', () => {
  const read = readConfig('examples/quickstart/probes.yaml');
  if (!read.ok) throw new Error('quickstart is invalid');

  expect(estimateCost(buildPlan(read.config)).ratio).toBeGreaterThanOrEqual(30);
});

it('the benchmark generator writes a valid config that plans onto every VPC and the VPC-less function', () => {
  const folder = mkdtempSync(join(tmpdir(), 'chasm-gen-'));
  try {
    const file = join(folder, 'probes.yaml');
    writeFileSync(file, generateProbesYaml(50));

    const read = readConfig(file);
    if (!read.ok) throw new Error(read.errors.map((error) => error.format()).join('\n'));
    const plan = buildPlan(read.config);

    expect(plan.functions).toHaveLength(11);
    expect(plan.functions.at(-1)?.id).toBe('no-vpc');
    // in order of first use: probe-0, probe-1, probe-7, probe-14
    expect(plan.schedules.map((s) => s.expression)).toEqual([
      'rate(1 minute)',
      'rate(5 minutes)',
      'cron(0 8 ? * MON-FRI *)',
      'rate(1 hour)',
    ]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
