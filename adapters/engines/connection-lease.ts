/**
 * Ties one probe to the pooled connection it runs on. kysely's driver checks the connection out
 * of the pool on the probe's behalf and hides it, but the probe must be able to abandon it when
 * its deadline passes (cancel its statement, destroy it), so a busy connection never goes back
 * to the pool. The pool adapter records each checkout in the lease of the probe that asked for
 * it, found through `AsyncLocalStorage`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Deadline } from '../../core/deadline.js';
import { ProbeError } from '../../core/probe-error.js';
import type { ConnectionPool, PooledConnection } from './connection-pool.js';

/** What one probe knows about its connection. */
export interface Lease {
  readonly deadline: Deadline | undefined;
  /** the connection, once checked out for this probe */
  checkout?: PooledConnection<unknown>;
  /** set when the deadline passed; the probe must not start any more */
  abandoned: boolean;
}

const leases = new AsyncLocalStorage<Lease>();

/**
 * Runs `work` with a fresh lease. When `deadline` passes first, it rejects at once with `TIMEOUT`
 * and abandons the connection checked out for it, if any (it may be mid-statement).
 */
export function runLeased<T>(deadline: Deadline | undefined, work: (lease: Lease) => Promise<T>): Promise<T> {
  if (deadline?.expired) {
    return Promise.reject(
      new ProbeError('TIMEOUT', 'the client-side deadline passed before the query started'),
    );
  }
  const lease: Lease = { deadline, abandoned: false };
  const running = leases.run(lease, () => work(lease));
  if (!deadline) return running;
  return new Promise<T>((resolve, reject) => {
    const stop = deadline.onExpire(() => {
      lease.abandoned = true;
      lease.checkout?.abandon();
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

/**
 * Checks a connection out of `pool` for the probe running now (see {@link runLeased}), under its
 * deadline, and records it in the probe's lease.
 */
export async function checkOutLeased<C>(pool: ConnectionPool<C>): Promise<PooledConnection<C>> {
  const lease = leases.getStore();
  const checkout = await pool.acquire(lease?.deadline);
  if (lease) {
    if (lease.abandoned) {
      checkout.release();
      throw new ProbeError('TIMEOUT', 'the client-side deadline passed while connecting');
    }
    lease.checkout = checkout;
  }
  return checkout;
}
