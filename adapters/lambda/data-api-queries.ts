/**
 * The fan-out function's own query function: the probes of Data API databases run in its process
 * (no VPC, no query function to invoke), through the query-function logic every query function
 * runs, on the engines that reach Aurora through the RDS Data API. The fan-out handler loads this
 * module by dynamic `import()` on the first such probe, so a fan-out function without Data API
 * databases never loads it, the engines or the Data API client.
 */
import type { QueryManifest } from '../../core/manifest.js';
import type { Invoker, Logger } from '../../core/ports.js';
import { createQueryFunction } from '../../core/run/query-function.js';
import { deployedPoolOpener } from '../database-pools.js';
import { sqlDialectOf } from '../engines/engine-registry.js';
import { createInProcessInvoker } from '../invokers/in-process-invoker.js';

/** An invoker of the fan-out's own query function, and how to close its pools. */
export interface DataApiQueries {
  readonly invoker: Invoker;
  close(): Promise<void>;
}

/** @param functionId the id its probes are routed by (`FunctionPlan.id`) */
export function createDataApiQueries(
  functionId: string,
  manifest: QueryManifest,
  logger?: Logger,
): DataApiQueries {
  const run = createQueryFunction(manifest, {
    openPool: deployedPoolOpener(),
    sqlDialect: sqlDialectOf,
    ...(logger ? { logger } : {}),
  });
  return { invoker: createInProcessInvoker({ [functionId]: run }), close: () => run.close() };
}
