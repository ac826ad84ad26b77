/**
 * What the connections of every server engine have in common, whatever the driver:
 *
 * - each is opened on a socket of the engine's making, which can be destroyed at once whatever the
 *   server does (a driver's own `end()` may wait for a server that stopped answering);
 * - it logs in with the credentials current at that moment, under a backoff after failed logins,
 *   and a failed opening destroys its socket at once;
 * - the pool's first connection asks what its user may do (`WRITE_CAPABLE_USER`);
 * - a statement given up on is cancelled from a second connection.
 */
import type { Socket } from 'node:net';
import type { DatabaseLogin, DatabaseWarning } from '../../core/ports.js';
import type { Connector } from './connection-pool.js';
import type { ServerAddress } from './connection-url.js';
import { LoginBackoff } from './login-backoff.js';

/** A logged-in session: what the driver holds, over the socket it runs on. */
export interface ServerSession {
  readonly socket: Socket;
}

/** What one engine does over its driver; the rest is `serverConnector`'s. */
export interface ServerDriver<S extends ServerSession, C extends ServerSession> {
  /** starts a session as `login`: its socket at once, and the session once logged in */
  connect(login: DatabaseLogin): { readonly socket: Socket; readonly session: Promise<S> };
  /** what a pooled connection needs beyond its session (its server-side id, say), read once */
  setUp(session: S): Promise<C>;
  /** the warning its user's privileges call for, if any */
  privilegeWarning(session: S): Promise<DatabaseWarning | undefined>;
  /** returns a used connection to a known state */
  reset(connection: C): Promise<void>;
  /** from `session`, a second one, stops the statement `connection` runs */
  cancel(session: S, connection: C): Promise<void>;
}

/** The pool's connector for a server at `address`, over `driver`. */
export function serverConnector<S extends ServerSession, C extends ServerSession>(
  address: ServerAddress,
  driver: ServerDriver<S, C>,
  warn: (warning: DatabaseWarning) => void,
): Connector<C> {
  let checked = false;
  const backoff = new LoginBackoff();

  const connect = async (abort: AbortSignal, lost?: () => void): Promise<S> => {
    const login = await address.login();
    backoff.check(login);
    const { socket, session } = driver.connect(login);
    if (lost) socket.once('close', lost);
    try {
      const opened = await untilAborted(socket, abort, () => session);
      backoff.succeeded();
      return opened;
    } catch (error) {
      // a failed login never leaves its socket open
      socket.destroy();
      backoff.failed(login, error);
      throw error;
    }
  };

  return {
    async open(lost, abort) {
      const session = await connect(abort, lost);
      try {
        const connection = await untilAborted(session.socket, abort, () => driver.setUp(session));
        if (!checked) {
          checked = true;
          const warning = await untilAborted(session.socket, abort, () => driver.privilegeWarning(session));
          if (warning) warn(warning);
        }
        return connection;
      } catch (error) {
        session.socket.destroy();
        throw error;
      }
    },
    reset: (connection) => driver.reset(connection),
    async cancel(connection, abort) {
      const session = await connect(abort);
      try {
        await untilAborted(session.socket, abort, () => driver.cancel(session, connection));
      } finally {
        session.socket.destroy();
      }
    },
    destroy({ socket }) {
      socket.destroy();
    },
  };
}

/** Runs `work`, destroying `socket` if `abort` fires first (which makes the work fail). */
async function untilAborted<T>(socket: Socket, abort: AbortSignal, work: () => Promise<T>): Promise<T> {
  const destroy = (): void => {
    socket.destroy();
  };
  if (abort.aborted) destroy();
  abort.addEventListener('abort', destroy, { once: true });
  try {
    return await work();
  } finally {
    abort.removeEventListener('abort', destroy);
  }
}
