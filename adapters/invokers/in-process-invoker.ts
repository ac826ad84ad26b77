/**
 * An `Invoker` that calls query functions in this process (`chasm run`, tests, benchmarks).
 * Request and response cross as JSON text, so what arrives is what would cross Lambda.
 */
import type { Invoker, QueryResponse } from '../../core/ports.js';

/** A query function as the in-process invoker calls it: a payload in, a response out. */
export type InProcessFunction = (payload: unknown) => Promise<QueryResponse>;

/** @param functions query functions by function id (`FunctionPlan.id`) */
export function createInProcessInvoker(functions: Readonly<Record<string, InProcessFunction>>): Invoker {
  return {
    async invoke(functionId, request) {
      const fn = functions[functionId];
      if (!fn) throw new Error(`no query function '${functionId}' in this process`);
      const response = await fn(JSON.parse(JSON.stringify(request)));
      return JSON.parse(JSON.stringify(response)) as QueryResponse;
    },
  };
}
