// Runs the command line in-process and keeps what it writes, as the binary's streams would receive it.
import type { CliIo } from '../../adapters/cli/cli-io.js';
import { main } from '../../adapters/cli/main.js';

/** What one run printed, and its exit status. */
export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` with buffers for stdout and stderr. */
export async function captureCli(command: (io: CliIo) => Promise<number>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const status = await command({
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { status, stdout, stderr };
}

/** `chasm ...argv`, through `main()`. */
export function runCli(...argv: string[]): Promise<CliRun> {
  return captureCli((io) => main(argv, io));
}
