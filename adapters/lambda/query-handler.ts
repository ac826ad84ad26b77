/**
 * The private query function's Lambda handler: thin. The manifest, the pools and the query
 * function are created once per instance, outside the handler; each invocation only runs the
 * probes it names. With `publish: emf` the function also writes its metric data and health
 * metrics as EMF lines to its log, where CloudWatch Logs extracts them (no route to any AWS API).
 */

import type { QueryManifest } from '../../core/manifest.js';
import type { Clock, Logger, QueryResponse } from '../../core/ports.js';
import {
  createQueryFunction,
  type QueryFunction,
  type QueryFunctionDeps,
} from '../../core/run/query-function.js';
import { deployedPoolOpener } from '../database-pools.js';
import { sqlDialectOf } from '../engines/engine-registry.js';
import { createEmfPublisher } from './emf-publisher.js';
import { createJsonLogger } from './json-logger.js';
import { readManifest } from './manifest-file.js';

export interface QueryHandlerDeps {
  readonly openPool: QueryFunctionDeps['openPool'];
  readonly logger?: Logger;
  /** where EMF lines go (`publish: emf`); default `process.stdout` */
  readonly emfOut?: { write(line: string): unknown };
  readonly clock?: Clock;
}

/** A query handler: a payload in, metric data and reports out. */
export interface QueryHandler {
  (event: unknown): Promise<QueryResponse>;
  /** closes the pools (tests and local runs; Lambda just freezes the instance) */
  close(): Promise<void>;
}

/**
 * @example
 * const handle = createQueryHandler(manifest, { openPool: deployedPoolOpener() });
 * const { reports, metrics } = await handle({ probes: ['active-sessions'] });
 */
export function createQueryHandler(manifest: QueryManifest, deps: QueryHandlerDeps): QueryHandler {
  const run: QueryFunction = createQueryFunction(manifest, {
    openPool: deps.openPool,
    sqlDialect: sqlDialectOf,
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  // imported, not loaded on demand: as a chunk of its own it would split the code the handler
  // shares with the engines into more files, which costs a cold start more than its few kilobytes
  const emf =
    manifest.publish === 'emf'
      ? createEmfPublisher(manifest, {
          out: deps.emfOut ?? process.stdout,
          ...(deps.clock ? { clock: deps.clock } : {}),
          ...(deps.logger ? { logger: deps.logger } : {}),
        })
      : undefined;

  const handle = async (event: unknown): Promise<QueryResponse> => {
    const response = await run(event);
    if (emf) await emf(response);
    return response;
  };
  return Object.assign(handle, { close: () => run.close() });
}

// once per instance; a missing manifest fails each invocation with the reason instead of the import
const deployed: QueryHandler | Error = (() => {
  try {
    const manifest = readManifest<QueryManifest>();
    const logger = createJsonLogger({ fields: { function: process.env.AWS_LAMBDA_FUNCTION_NAME } });
    // IAM tokens are signed locally with the function's own credentials (the opener's default)
    return createQueryHandler(manifest, { openPool: deployedPoolOpener(), logger });
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
})();

/** The Lambda entry point. */
export async function handler(event: unknown): Promise<QueryResponse> {
  if (deployed instanceof Error) throw deployed;
  return deployed(event);
}
