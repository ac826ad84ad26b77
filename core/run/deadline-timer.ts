/**
 * Client-side deadlines: a moment after which nobody waits for the work any more, with listeners
 * so the work behind it (a query, a wait for a connection slot) can release what it holds.
 *
 * Not an `AbortSignal`, which would take a timer per probe: a deadline is one timer and a set of
 * listeners, shared by all the work that started together with the same allowance (a database's
 * probes with the same timeout).
 */
import { type Deadline, DeadlineExceededError } from '../deadline.js';
import { formatDuration } from '../model.js';

/** A deadline with its timer: ended early with `expire()`, or stopped with `cancel()` once nobody needs it. */
export interface DeadlineTimer extends Deadline {
  /** the moment passes now */
  expire(): void;
  /** stops the timer without expiring; the deadline then never expires */
  cancel(): void;
}

/** A deadline `ms` milliseconds from now; expired at once when `ms` is 0 or less. */
export function startDeadline(ms: number): DeadlineTimer {
  const listeners = new Set<() => void>();
  let expired = false;
  const expire = (): void => {
    if (expired) return;
    expired = true;
    clearTimeout(timer);
    for (const listener of listeners) listener();
    listeners.clear();
  };
  // a moment already reached has passed: no timer, no turn of the event loop to wait for
  const timer = ms > 0 ? setTimeout(expire, ms) : undefined;
  expired = timer === undefined;
  return {
    get expired() {
      return expired;
    },
    onExpire(listener) {
      if (!expired) listeners.add(listener);
      return () => listeners.delete(listener);
    },
    expire,
    cancel() {
      clearTimeout(timer);
      listeners.clear();
    },
  };
}

/**
 * Resolves or rejects as `work` does, or rejects with `DeadlineExceededError` once `deadline`
 * expires, whichever comes first, even if `work` ignores the deadline.
 */
export function meetDeadline<T>(deadline: Deadline, work: () => Promise<T>, what = 'deadline'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (deadline.expired) {
      reject(new DeadlineExceededError(`${what} exceeded`));
      return;
    }
    const stop = deadline.onExpire(() => reject(new DeadlineExceededError(`${what} exceeded`)));
    work().then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}

/** Runs `work` under a deadline `ms` from now; rejects with `DeadlineExceededError` at it. */
export async function withDeadline<T>(ms: number, work: (deadline: Deadline) => Promise<T>): Promise<T> {
  const deadline = startDeadline(ms);
  try {
    return await meetDeadline(deadline, () => work(deadline), `deadline of ${formatDuration(ms)}`);
  } finally {
    deadline.cancel();
  }
}
