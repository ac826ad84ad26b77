/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** the whole of standard input, for `chasm validate -`; absent where there is none */
  readonly readStdin?: () => Promise<string>;
}

/**
 * Exit statuses, part of the CLI contract: 0 all good, 1 unusable input, 2 one or more probes (or,
 * for `chasm doctor`, checks) failed.
 */
export const EXIT = { ok: 0, badInput: 1, probesFailed: 2, checksFailed: 2 } as const;

/** A command: its `--help` text and what it does (its summary lives in `main.ts`'s table). */
export interface Command {
  readonly usage: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}
