/**
 * Ties one query to the raw driver connection it runs on. kysely hides the raw connection, but
 * the query must be able to destroy it when the caller stops waiting, so a busy connection never
 * goes back to the pool. An engine that checks connections out itself records them in the lease
 * directly ({@link runWithLease}); one whose pool adapter is called by kysely records each checkout
 * in the lease of the query that asked for it, found through `AsyncLocalStorage` ({@link runLeased}).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Deadline } from '../../core/deadline.js';
import { ProbeError } from '../../core/probe-error.js';

/** What one query knows about its connection. */
export interface Lease<C> {
  /** the raw connection, once checked out for this query */
  connection?: C;
  /** set when the caller stopped waiting; the query must not start any more */
  abandoned: boolean;
}

const leases = new AsyncLocalStorage<Lease<unknown>>();

/** The lease of the query on whose behalf a connection is being checked out, if any. */
export function currentLease<C>(): Lease<C> | undefined {
  return leases.getStore() as Lease<C> | undefined;
}

/**
 * Runs `work` with a fresh lease, findable through {@link currentLease} while it runs. When
 * `deadline` expires first, it rejects at once with `TIMEOUT` and calls `destroy` on the connection
 * if one is checked out (it may be mid-query); a connection checked out later is not used (`work`
 * sees `abandoned`) and goes back to the pool idle.
 */
export function runLeased<C, T>(
  deadline: Deadline | undefined,
  destroy: (connection: C) => void,
  work: (lease: Lease<C>) => Promise<T>,
): Promise<T> {
  return runWithLease(deadline, destroy, (lease) => leases.run(lease as Lease<unknown>, () => work(lease)));
}

/** As {@link runLeased}, but `work` records its connection in the lease itself. */
export function runWithLease<C, T>(
  deadline: Deadline | undefined,
  destroy: (connection: C) => void,
  work: (lease: Lease<C>) => Promise<T>,
): Promise<T> {
  const lease: Lease<C> = { abandoned: false };
  if (deadline?.expired) {
    return Promise.reject(
      new ProbeError('TIMEOUT', 'the client-side deadline passed before the query started'),
    );
  }
  const running = work(lease);
  if (!deadline) return running;
  return new Promise<T>((resolve, reject) => {
    const stop = deadline.onExpire(() => {
      lease.abandoned = true;
      if (lease.connection !== undefined) destroy(lease.connection);
      // the abandoned work settles later (its connection destroyed); nobody waits for it
      running.catch(() => undefined);
      reject(new ProbeError('TIMEOUT', 'the client-side deadline passed before the query finished'));
    });
    running.then(
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
