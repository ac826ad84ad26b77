/**
 * The connections to one database server, whatever its driver: at most `max` at once, counting the
 * ones still being opened or reset and the ones whose statement is being cancelled, so no
 * misconfiguration of Chasm can fill a server's connection slots.
 *
 * - A connection is opened with current credentials each time (an IAM token, a rotated secret's
 *   user and password); a failed opening closes its socket at once (the connector's duty).
 * - A released connection is reset to a known state before anyone else gets it; a reset that fails
 *   or does not finish in time destroys it.
 * - Idle connections are closed after `idleMs`, and none is reused past `lifetimeMs`, so a revoked
 *   password or a failed-over server is noticed. Both are also checked at checkout: timers do not
 *   run while a Lambda instance is frozen.
 * - A connection given up on (its probe's deadline passed, or its result was cut short) is
 *   destroyed at once, and its statement cancelled from another connection, in its slot.
 * - `close()` destroys every connection, whatever it is doing, and aborts what is being opened.
 */
import { type Deadline, DeadlineExceededError } from '../../core/deadline.js';

/** What the pool needs from a driver. */
export interface Connector<C> {
  /**
   * Opens one connection with current credentials. `lost` must be called when the server closes
   * it. When `abort` fires, or opening fails, whatever was opened is closed at once.
   */
  open(lost: () => void, abort: AbortSignal): Promise<C>;
  /** returns a used connection to a known state; rejects when it cannot */
  reset(connection: C): Promise<void>;
  /** stops the statement running on `connection` from another connection; gives up at `abort` */
  cancel(connection: C, abort: AbortSignal): Promise<void>;
  /** closes at once, whatever the connection is doing */
  destroy(connection: C): void;
  /**
   * resolves once what `destroy` left to finish on the server is done (a remote transaction
   * rolled back once its statement ends), bounded; absent: nothing is left
   */
  settled?(): Promise<void>;
  /** releases what the connector itself holds, once every connection is destroyed */
  close?(): Promise<void>;
}

export interface ConnectionPoolOptions {
  /** connections at once, including those being opened, reset or cancelled */
  readonly max: number;
  /** how long opening one connection may take; default 5 s */
  readonly openTimeoutMs?: number;
  /** how long resetting a released connection may take; default 5 s */
  readonly resetTimeoutMs?: number;
  /** how long cancelling a statement may take; default 1 s */
  readonly cancelTimeoutMs?: number;
  /** an idle connection is closed after this; default 60 s */
  readonly idleMs?: number;
  /** a connection is not reused after this; default 15 min (an RDS IAM token's life) */
  readonly lifetimeMs?: number;
  /** a monotonic clock in ms; default `performance.now` */
  readonly now?: () => number;
}

/** A checkout: the connection, until `release()`, `destroy()` or `abandon()`. */
export interface PooledConnection<C> {
  readonly connection: C;
  /** whether it served an earlier checkout (the server may have closed it while it was idle) */
  readonly reused: boolean;
  /** back to the pool, reset first */
  release(): void;
  /** destroyed at once, never reused (the server closed it, or its state is unknown) */
  destroy(): void;
  /** destroyed at once, and the statement it was running cancelled on the server */
  abandon(): void;
}

/** Raised at checkout once the pool is closed. */
export class PoolClosedError extends Error {
  override readonly name = 'PoolClosedError';
}

interface Entry<C> {
  readonly connection: C;
  readonly openedAt: number;
  idleSince: number;
  uses: number;
  /** the server closed it */
  lost: boolean;
  idleTimer?: ReturnType<typeof setTimeout>;
}

interface Waiter<C> {
  resolve(checkout: PooledConnection<C>): void;
  reject(error: unknown): void;
}

export class ConnectionPool<C> {
  readonly #connector: Connector<C>;
  readonly #max: number;
  readonly #openTimeoutMs: number;
  readonly #resetTimeoutMs: number;
  readonly #cancelTimeoutMs: number;
  readonly #idleMs: number;
  readonly #lifetimeMs: number;
  readonly #now: () => number;
  /** every connection not yet destroyed: idle, checked out or being reset */
  readonly #entries = new Set<Entry<C>>();
  readonly #idle: Entry<C>[] = [];
  readonly #waiters: Waiter<C>[] = [];
  /** what is being opened or cancelled, to abort on `close()` */
  readonly #pending = new Set<AbortController>();
  readonly #cancelling = new Set<Promise<void>>();
  /** connections being opened, and destroyed ones whose statement is being cancelled */
  #inFlight = 0;
  #closed = false;

  constructor(connector: Connector<C>, options: ConnectionPoolOptions) {
    this.#connector = connector;
    this.#max = Math.max(1, options.max);
    this.#openTimeoutMs = options.openTimeoutMs ?? 5_000;
    this.#resetTimeoutMs = options.resetTimeoutMs ?? 5_000;
    this.#cancelTimeoutMs = options.cancelTimeoutMs ?? 1_000;
    this.#idleMs = options.idleMs ?? 60_000;
    this.#lifetimeMs = options.lifetimeMs ?? 15 * 60_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** the slots taken: connections open, being opened, reset or cancelled */
  get size(): number {
    return this.#entries.size + this.#inFlight;
  }

  /**
   * A connection: an idle one, a new one if a slot is free, else the next one released. When
   * `deadline` passes first, the request is withdrawn and rejects; a connection that arrives later
   * goes back to the pool.
   */
  acquire(deadline?: Deadline): Promise<PooledConnection<C>> {
    if (this.#closed) return Promise.reject(new PoolClosedError('the connection pool is closed'));
    if (deadline?.expired)
      return Promise.reject(new DeadlineExceededError('no connection before the deadline'));
    return new Promise<PooledConnection<C>>((resolve, reject) => {
      const waiter: Waiter<C> = { resolve, reject };
      if (deadline) {
        const stop = deadline.onExpire(() => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(new DeadlineExceededError('no connection before the deadline'));
        });
        waiter.resolve = (checkout) => {
          stop();
          if (deadline.expired) checkout.release();
          else resolve(checkout);
        };
        waiter.reject = (error) => {
          stop();
          reject(error);
        };
      }
      this.#waiters.push(waiter);
      this.#serve();
    });
  }

  /** Closes every idle connection: after one turned out dead, the others likely are too. */
  discardIdle(): void {
    for (const entry of this.#idle.splice(0)) this.#destroy(entry);
    this.#serve();
  }

  /** Resolves once no statement this pool gave up on is still being cancelled or ended. */
  async settled(): Promise<void> {
    while (this.#cancelling.size > 0) await Promise.allSettled([...this.#cancelling]);
    await this.#connector.settled?.();
  }

  /**
   * Waits for pending cancellations (each bounded by its timeout), then destroys every connection,
   * whatever it is doing, and aborts any still being opened; waiting checkouts fail.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0))
      waiter.reject(new PoolClosedError('the connection pool is closed'));
    await this.settled();
    this.#idle.length = 0;
    for (const entry of [...this.#entries]) this.#destroy(entry);
    for (const controller of this.#pending) controller.abort();
    await this.#connector.close?.();
  }

  #serve(): void {
    while (this.#waiters.length > 0 && !this.#closed) {
      const entry = this.#takeIdle();
      if (entry) {
        this.#checkout(entry, this.#waiters.shift() as Waiter<C>);
        continue;
      }
      if (this.size >= this.#max) return;
      this.#open(this.#waiters.shift() as Waiter<C>);
    }
  }

  /** the most recently used idle connection still fit for use; the unfit ones are destroyed */
  #takeIdle(): Entry<C> | undefined {
    for (let entry = this.#idle.pop(); entry; entry = this.#idle.pop()) {
      clearTimeout(entry.idleTimer);
      const now = this.#now();
      if (!entry.lost && now - entry.idleSince < this.#idleMs && now - entry.openedAt < this.#lifetimeMs) {
        return entry;
      }
      this.#destroy(entry);
    }
    return undefined;
  }

  #open(waiter: Waiter<C>): void {
    this.#inFlight++;
    const controller = new AbortController();
    this.#pending.add(controller);
    const timer = setTimeout(() => controller.abort(), this.#openTimeoutMs);
    let entry: Entry<C> | undefined;
    const lost = (): void => {
      if (!entry || entry.lost) return;
      entry.lost = true;
      const index = this.#idle.indexOf(entry);
      if (index >= 0) {
        this.#idle.splice(index, 1);
        this.#destroy(entry);
        this.#serve();
      }
    };
    this.#connector.open(lost, controller.signal).then(
      (connection) => {
        clearTimeout(timer);
        this.#pending.delete(controller);
        this.#inFlight--;
        const now = this.#now();
        entry = { connection, openedAt: now, idleSince: now, uses: 0, lost: false };
        this.#entries.add(entry);
        if (this.#closed) {
          this.#destroy(entry);
          waiter.reject(new PoolClosedError('the connection pool is closed'));
          return;
        }
        this.#checkout(entry, waiter);
      },
      (error: unknown) => {
        clearTimeout(timer);
        this.#pending.delete(controller);
        this.#inFlight--;
        waiter.reject(
          controller.signal.aborted && !this.#closed
            ? new Error(`connecting took longer than ${this.#openTimeoutMs} ms`, { cause: error })
            : error,
        );
        this.#serve();
      },
    );
  }

  #checkout(entry: Entry<C>, waiter: Waiter<C>): void {
    const reused = entry.uses > 0;
    entry.uses++;
    let returned = false;
    const once = (then: () => void) => () => {
      if (returned) return;
      returned = true;
      then();
    };
    waiter.resolve({
      connection: entry.connection,
      reused,
      release: once(() => this.#release(entry)),
      destroy: once(() => {
        this.#destroy(entry);
        this.#serve();
      }),
      abandon: once(() => this.#abandon(entry)),
    });
  }

  #release(entry: Entry<C>): void {
    if (this.#closed || entry.lost) {
      this.#destroy(entry);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the reset took too long')), this.#resetTimeoutMs);
    });
    Promise.race([this.#connector.reset(entry.connection), timeout])
      .finally(() => clearTimeout(timer))
      .then(
        () => {
          if (!this.#entries.has(entry)) return;
          if (this.#closed || entry.lost || this.#now() - entry.openedAt >= this.#lifetimeMs) {
            this.#destroy(entry);
            this.#serve();
            return;
          }
          entry.idleSince = this.#now();
          entry.idleTimer = setTimeout(() => {
            const index = this.#idle.indexOf(entry);
            if (index >= 0) {
              this.#idle.splice(index, 1);
              this.#destroy(entry);
            }
          }, this.#idleMs);
          // an idle connection alone never keeps the process alive
          entry.idleTimer.unref?.();
          this.#idle.push(entry);
          this.#serve();
        },
        () => {
          // never hand a connection on in an unknown state
          this.#destroy(entry);
          this.#serve();
        },
      );
  }

  #abandon(entry: Entry<C>): void {
    // the socket goes at once; the statement it ran is then cancelled from another connection,
    // which takes this one's slot until it is done
    this.#destroy(entry);
    this.#inFlight++;
    const controller = new AbortController();
    this.#pending.add(controller);
    const timer = setTimeout(() => controller.abort(), this.#cancelTimeoutMs);
    const cancelling = this.#connector
      .cancel(entry.connection, controller.signal)
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        this.#pending.delete(controller);
        this.#cancelling.delete(cancelling);
        this.#inFlight--;
        this.#serve();
      });
    this.#cancelling.add(cancelling);
  }

  /** closes the connection and frees its slot; a connection already destroyed is left alone */
  #destroy(entry: Entry<C>): void {
    if (!this.#entries.delete(entry)) return;
    clearTimeout(entry.idleTimer);
    try {
      this.#connector.destroy(entry.connection);
    } catch {
      // already gone
    }
  }
}
