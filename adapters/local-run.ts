/**
 * A local run: the deployed machinery, in one process. The manifests are built as for a
 * deployment, each query function runs in-process against its databases' `local` blocks, and
 * the fan-out core invokes them (through the in-process invoker) and publishes to the given sink.
 */

import type { Config } from '../core/model.js';
import { fanoutManifest, queryManifest } from '../core/plan/build-manifests.js';
import { buildPlan } from '../core/plan/plan.js';
import type { Logger, MetricsSink } from '../core/ports.js';
import { type FanoutOutcome, fanOut } from '../core/run/fan-out.js';
import { createQueryFunction, type QueryFunction } from '../core/run/query-function.js';
import { localPoolOpener } from './database-pools.js';
import { sqlDialectOf } from './engines/engine-registry.js';
import { createInProcessInvoker } from './invokers/in-process-invoker.js';

/** Beyond the longest probe timeout, what an in-process invocation may take (embedded startup). */
const LOCAL_INVOKE_MARGIN_MS = 150_000;

export interface LocalRunOptions {
  readonly sink: MetricsSink;
  readonly logger?: Logger;
  /** where `auth: env` databases read their passwords; default `process.env` */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A config made ready to run, as a deployment makes it: the plan and the manifests are built once
 * (at synth time, for a deployment); each run then does what a schedule tick does.
 */
export interface LocalRunner {
  /** Runs `probes` (names in the config) once and closes every pool it opened before returning. */
  run(probes: readonly string[], options: LocalRunOptions): Promise<FanoutOutcome>;
}

export function prepareLocalRun(config: Config): LocalRunner {
  const plan = buildPlan(config);
  const fanout = fanoutManifest(plan);
  // the Data API databases' probes run in-process as the fan-out function runs them
  const functions = plan.dataApi ? [...plan.functions, plan.dataApi] : plan.functions;
  const manifests = functions.map((fn) => ({ id: fn.id, manifest: queryManifest(config, fn) }));
  return {
    async run(probes, options) {
      const openPool = localPoolOpener(config, options.env);
      const functions: Record<string, QueryFunction> = {};
      for (const { id, manifest } of manifests) {
        functions[id] = createQueryFunction(manifest, {
          openPool,
          sqlDialect: sqlDialectOf,
          ...(options.logger ? { logger: options.logger } : {}),
        });
      }
      try {
        return await fanOut(
          fanout,
          { probes },
          {
            invoker: createInProcessInvoker(functions),
            sink: options.sink,
            // an in-process invocation may start an embedded database first (see database-pools.ts)
            invokeMarginMs: LOCAL_INVOKE_MARGIN_MS,
            ...(options.logger ? { logger: options.logger } : {}),
          },
        );
      } finally {
        // open pools would keep the process alive
        await Promise.all(Object.values(functions).map((fn) => fn.close()));
      }
    },
  };
}

/** Runs `probes` (names in `config`) once and closes every pool it opened before returning. */
export function runProbesLocally(
  config: Config,
  probes: readonly string[],
  options: LocalRunOptions,
): Promise<FanoutOutcome> {
  return prepareLocalRun(config).run(probes, options);
}
