/**
 * Client-side deadlines: a moment after which nobody waits for the work any more, with listeners
 * so the work behind it (a query, a wait for a connection slot) can release what it holds. The
 * timer behind one is the run phase's (`run/deadline-timer.ts`).
 */

/** Raised when the time is up; the caller turns it into its own error. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

/** A moment after which nobody waits for the work any more. */
export interface Deadline {
  /** whether the moment has passed */
  readonly expired: boolean;
  /**
   * Calls `listener` once, when the moment passes; never when it already has (check `expired`
   * first). Returns the function that stops listening.
   */
  onExpire(listener: () => void): () => void;
}
