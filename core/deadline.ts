/**
 * Client-side deadlines: a promise raced against a timer, with an `AbortSignal` so the work
 * behind it (a query, an invocation) can release what it holds.
 */

/** Raised by {@link withDeadline} when the time is up; the caller turns it into its own error. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

/**
 * Runs `work` with a signal that aborts after `ms`; rejects with `DeadlineExceededError` at the
 * deadline even if `work` ignores the signal.
 */
export async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const error = new DeadlineExceededError(`deadline of ${formatDuration(ms)} exceeded`);
        controller.abort(error);
        reject(error);
      },
      Math.max(0, ms),
    );
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A duration as `probes.yaml` writes it: `500ms`, `5s`, `2m`. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
