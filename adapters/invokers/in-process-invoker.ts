/**
 * An `Invoker` that calls query functions in this process (`chasm run`, tests, benchmarks).
 * The request crosses as JSON text, so a query function holds nothing of the caller's. The
 * response is handed over as it is: the fan-out checks every response's shape (numbers finite,
 * strings where strings belong) before anything of it is published, which is what crossing
 * Lambda as JSON would enforce; copying it through JSON text as well would only cost time.
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
      return fn(JSON.parse(JSON.stringify(request)));
    },
  };
}
