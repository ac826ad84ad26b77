/**
 * After a failed login, the same login is not tried again for a while (1 s, doubling to 1 min):
 * a misconfigured database fails its probes at once instead of hammering the server with logins.
 * Another login (a rotated secret, a new IAM token) is tried at once.
 */

import { causeOf } from '../../core/error-cause.js';
import type { DatabaseLogin } from '../../core/ports.js';

/** Raised instead of a connection attempt while the same login backs off; `cause` is the last failure. */
export class ConnectBackoffError extends Error {
  override readonly name = 'ConnectBackoffError';
}

const BACKOFF = { firstMs: 1_000, maxMs: 60_000 } as const;

export class LoginBackoff {
  readonly #now: () => number;
  #failures = 0;
  #until = 0;
  #login: DatabaseLogin | undefined;
  #failure: unknown;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Throws {@link ConnectBackoffError} while `login` is the one that failed last and its wait runs. */
  check(login: DatabaseLogin): void {
    const last = this.#login;
    if (!last || last.user !== login.user || last.password !== login.password) return;
    const left = this.#until - this.#now();
    if (left <= 0) return;
    const attempts = `${this.#failures} failed attempt${this.#failures === 1 ? '' : 's'}`;
    throw new ConnectBackoffError(
      `not connecting again for ${Math.ceil(left / 1000)} s after ${attempts}: ${causeOf(this.#failure)}`,
      { cause: this.#failure },
    );
  }

  failed(login: DatabaseLogin, error: unknown): void {
    const same = this.#login?.user === login.user && this.#login?.password === login.password;
    this.#failures = same ? this.#failures + 1 : 1;
    this.#login = login;
    this.#failure = error;
    this.#until = this.#now() + Math.min(BACKOFF.maxMs, BACKOFF.firstMs * 2 ** (this.#failures - 1));
  }

  succeeded(): void {
    this.#failures = 0;
    this.#login = undefined;
    this.#failure = undefined;
  }
}
