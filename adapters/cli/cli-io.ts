/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Exit statuses (DESIGN.md): 0 all good, 1 unusable input, 2 one or more probes failed. */
export const EXIT = { ok: 0, badInput: 1, probesFailed: 2 } as const;

/** A command: its one-line summary, its `--help` text and what it does. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}
