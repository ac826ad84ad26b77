/**
 * Hands a connection whose probe has finished, still inside that probe's read-only transaction,
 * straight to the next probe, whose first message then ends it (`ROLLBACK; BEGIN READ ONLY; …`):
 * one round trip fewer per probe. A parked connection nobody takes before the event loop's next
 * turn is rolled back and released then, so no connection stays idle in a transaction for longer
 * than it takes the next probe to take it.
 */

/** Connections parked between two probes, each still in its last probe's transaction. */
export interface RollbackHandoff<C> {
  /** takes a parked connection (its transaction still open, to be rolled back first), if any */
  take(): C | undefined;
  /** parks a connection whose probe finished; rolled back at the next turn unless taken first */
  park(connection: C): void;
  /** rolls back and releases every parked connection; resolves once all of them are released */
  settle(): Promise<void>;
}

/**
 * @param end rolls a connection back and releases it (or destroys it when that fails); never rejects
 */
export function createRollbackHandoff<C>(end: (connection: C) => Promise<void>): RollbackHandoff<C> {
  const parked: C[] = [];
  const ending = new Set<Promise<void>>();
  let scheduled: ReturnType<typeof setImmediate> | undefined;

  const endParked = (): void => {
    scheduled = undefined;
    for (const connection of parked.splice(0)) {
      const done = end(connection).finally(() => ending.delete(done));
      ending.add(done);
    }
  };

  return {
    // the most recently parked first: its server backend is the warmest
    take: () => parked.pop(),
    park(connection) {
      parked.push(connection);
      // after every pending promise reaction: a probe waiting for a slot has had its chance
      scheduled ??= setImmediate(endParked);
    },
    async settle() {
      if (scheduled) clearImmediate(scheduled);
      endParked();
      await Promise.all(ending);
    },
  };
}
