/** A counting semaphore: at most `limit` tasks run at once, the rest wait in arrival order. */
export interface ConcurrencyLimit {
  /** waits for a slot (or rejects when `signal` aborts first) and returns its release function */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

export function createConcurrencyLimit(limit: number): ConcurrencyLimit {
  let running = 0;
  const waiting: { grant: () => void }[] = [];

  const release = (): void => {
    const next = waiting.shift();
    // the slot passes straight to the next waiter, so `running` stays the same
    if (next) next.grant();
    else running--;
  };

  return {
    acquire(signal) {
      if (running < Math.max(1, limit)) {
        running++;
        return Promise.resolve(once(release));
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(once(release));
          },
        };
        const onAbort = (): void => {
          const index = waiting.indexOf(waiter);
          if (index >= 0) waiting.splice(index, 1);
          reject(signal?.reason);
        };
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(waiter);
      });
    },
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
