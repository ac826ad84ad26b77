/**
 * Invocations per tick for `examples/multi-vpc/probes.yaml`: every schedule's tick through the
 * fan-out core with a counting invoker; the budget is one invocation per query function it
 * touches (more only where 6 MiB forces a split).
 */
import { loadConfig } from '../adapters/config-loader.js';
import { fanoutManifest } from '../core/plan/build-manifests.js';
import { buildPlan } from '../core/plan/plan.js';
import type { Invoker, MetricsSink } from '../core/ports.js';
import { fanOut } from '../core/run/fan-out.js';
import type { Benchmark } from './benchmark.js';

const EXAMPLE = 'examples/multi-vpc/probes.yaml';

export const invocationsPerTick: Benchmark = {
  name: 'invocations per tick, multi-vpc example',
  budget: { maxRatio: 1 },
  async run() {
    const plan = buildPlan(loadConfig(EXAMPLE));
    const manifest = fanoutManifest(plan);
    let invocations = 0;
    const invoker: Invoker = {
      async invoke(_functionId, request) {
        invocations++;
        return {
          reports: request.probes.map((probe) => ({
            probe,
            database: manifest.probes[probe]?.database ?? '',
            ok: true,
            rows: 0,
            durationMs: 0,
          })),
          metrics: [],
        };
      },
    };
    const sink: MetricsSink = {
      publish: async (data) => ({ published: data.length, failed: 0, errors: [] }),
    };
    let groups = 0;
    for (const schedule of plan.schedules) {
      const probes = schedule.invocations.flatMap((invocation) => invocation.probes);
      groups += new Set(schedule.invocations.map((invocation) => invocation.functionId)).size;
      await fanOut(manifest, { probes }, { invoker, sink });
    }
    return {
      measured: invocations,
      baseline: groups,
      unit: 'calls',
      note: `${plan.schedules.length} schedule(s), ${plan.functions.length} query functions (${plan.functions.map((fn) => fn.id).join(', ')})`,
    };
  },
};
