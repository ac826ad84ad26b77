/**
 * Splitting one function's probes across invocations: only where the worst-case response would
 * exceed Lambda's 6 MiB, so a tick makes one invocation per function whenever it can.
 */
import { LAMBDA } from '../limits.js';

/** What a probe may add to a response, at most. */
export interface SizedProbe {
  readonly name: string;
  readonly maxResponseBytes: number;
}

/** `{"reports":[],"metrics":[]}` and some slack */
const RESPONSE_ENVELOPE_BYTES = 256;

/**
 * Groups probes, in their order, into as few batches as fit `limitBytes` each; a probe that
 * alone exceeds the limit gets a batch of its own (the query function then drops its data with
 * `PAYLOAD_TOO_LARGE` if it really is that large).
 */
export function invocationBatches(
  probes: readonly SizedProbe[],
  limitBytes: number = LAMBDA.maxPayloadBytes,
): string[][] {
  const budget = limitBytes - RESPONSE_ENVELOPE_BYTES;
  const total = probes.reduce((sum, probe) => sum + probe.maxResponseBytes, 0);
  if (total <= budget) return probes.length === 0 ? [] : [probes.map((probe) => probe.name)];
  const batches: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const probe of probes) {
    if (current.length > 0 && used + probe.maxResponseBytes > budget) {
      batches.push(current);
      current = [];
      used = 0;
    }
    current.push(probe.name);
    used += probe.maxResponseBytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
