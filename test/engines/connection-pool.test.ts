/**
 * The connection pool's own rules, on a connector that records what it is asked to do and a clock
 * the test moves: slots counted with what is being opened and cancelled, idle and old connections
 * closed, resets that fail or hang, a deadline that withdraws a waiting checkout, close().
 * (What the pools do to real servers is in engine-safety.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { ConnectionPool, type Connector } from '../../adapters/engines/connection-pool.js';
import { startDeadline } from '../../core/run/deadline-timer.js';

interface Fake {
  readonly id: number;
  destroyed: boolean;
}

/** A connector of numbered connections; `reset` and `cancel` wait for what the test says. */
function recordingConnector() {
  let opened = 0;
  const events: string[] = [];
  let resetOutcome: () => Promise<void> = async () => undefined;
  let cancelOutcome: (abort: AbortSignal) => Promise<void> = async () => undefined;
  const connector: Connector<Fake> = {
    async open() {
      opened++;
      events.push(`open ${opened}`);
      return { id: opened, destroyed: false };
    },
    reset: (connection) => {
      events.push(`reset ${connection.id}`);
      return resetOutcome();
    },
    cancel: (connection, abort) => {
      events.push(`cancel ${connection.id}`);
      return cancelOutcome(abort);
    },
    destroy(connection) {
      connection.destroyed = true;
      events.push(`destroy ${connection.id}`);
    },
  };
  return {
    connector,
    events,
    onReset(outcome: () => Promise<void>) {
      resetOutcome = outcome;
    },
    onCancel(outcome: (abort: AbortSignal) => Promise<void>) {
      cancelOutcome = outcome;
    },
  };
}

/** lets the pool's pending promise callbacks run */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ConnectionPool', () => {
  it('reuses a released connection after its reset, and says it is reused', async () => {
    // arrange
    const { connector, events } = recordingConnector();
    const pool = new ConnectionPool(connector, { max: 2 });

    // act
    const first = await pool.acquire();
    first.release();
    await settle();
    const second = await pool.acquire();

    // assess
    expect(second.connection.id).toBe(1);
    expect([first.reused, second.reused]).toEqual([false, true]);
    expect(events).toEqual(['open 1', 'reset 1']);
  });

  it('opens a new connection instead of one idle longer than idleMs, and destroys the old one', async () => {
    // arrange
    let now = 0;
    const { connector, events } = recordingConnector();
    const pool = new ConnectionPool(connector, { max: 1, idleMs: 60_000, now: () => now });
    (await pool.acquire()).release();
    await settle();

    // act: the instance was frozen past the idle limit, so no timer ran
    now = 60_000;
    const next = await pool.acquire();

    // assess
    expect(next.connection.id).toBe(2);
    expect(events).toEqual(['open 1', 'reset 1', 'destroy 1', 'open 2']);
  });

  it('does not reuse a connection older than lifetimeMs, however recently it was used', async () => {
    // arrange
    let now = 0;
    const { connector } = recordingConnector();
    const pool = new ConnectionPool(connector, { max: 1, lifetimeMs: 900_000, now: () => now });
    const first = await pool.acquire();
    now = 900_000;

    // act
    first.release();
    await settle();
    const next = await pool.acquire();

    // assess
    expect(first.connection.destroyed).toBe(true);
    expect(next.connection.id).toBe(2);
  });

  it('destroys a connection whose reset fails, and one whose reset does not finish in time', async () => {
    // arrange
    const { connector, onReset } = recordingConnector();
    const pool = new ConnectionPool(connector, { max: 1, resetTimeoutMs: 20 });
    const failing = await pool.acquire();
    onReset(() => Promise.reject(new Error('ROLLBACK failed')));
    failing.release();
    await settle();
    const hanging = await pool.acquire();
    onReset(() => new Promise(() => undefined));

    // act
    hanging.release();
    const after = await pool.acquire();

    // assess
    expect(failing.connection.destroyed).toBe(true);
    expect(hanging.connection.destroyed).toBe(true);
    expect(after.connection.id).toBe(3);
  });

  it('counts a connection whose statement is being cancelled against max until the cancel ends', async () => {
    // arrange
    const { connector, events, onCancel } = recordingConnector();
    let finishCancel = (): void => undefined;
    onCancel(() => new Promise<void>((resolve) => (finishCancel = resolve)));
    const pool = new ConnectionPool(connector, { max: 1 });
    const busy = await pool.acquire();

    // act
    busy.abandon();
    let served = false;
    const waiting = pool.acquire().then((checkout) => {
      served = true;
      return checkout;
    });
    await settle();
    const servedWhileCancelling = served;
    finishCancel();
    const next = await waiting;

    // assess
    expect(busy.connection.destroyed).toBe(true);
    expect(servedWhileCancelling).toBe(false);
    expect(next.connection.id).toBe(2);
    expect(events).toEqual(['open 1', 'destroy 1', 'cancel 1', 'open 2']);
  });

  it('withdraws a waiting checkout at its deadline, and hands the connection to the next waiter', async () => {
    // arrange
    const { connector } = recordingConnector();
    const pool = new ConnectionPool(connector, { max: 1 });
    const held = await pool.acquire();
    const deadline = startDeadline(10_000);
    const gaveUp = pool.acquire(deadline);
    const patient = pool.acquire();

    // act
    deadline.expire();
    const error = await gaveUp.catch((reason: unknown) => reason);
    held.release();
    const next = await patient;

    // assess
    expect(error).toBeInstanceOf(Error);
    expect(next.connection.id).toBe(1);
  });

  it('destroys every connection on close(), even one still being reset, and refuses checkouts after', async () => {
    // arrange
    const { connector, onReset } = recordingConnector();
    const pool = new ConnectionPool(connector, { max: 2 });
    const idle = await pool.acquire();
    const resetting = await pool.acquire();
    idle.release();
    await settle();
    onReset(() => new Promise(() => undefined));
    resetting.release();

    // act
    await pool.close();
    const refused = await pool.acquire().catch((reason: unknown) => reason);

    // assess
    expect([idle.connection.destroyed, resetting.connection.destroyed]).toEqual([true, true]);
    expect(pool.size).toBe(0);
    expect(String(refused)).toContain('closed');
  });
});
