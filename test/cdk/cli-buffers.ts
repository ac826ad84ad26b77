// Captures what a command writes, as the binary's streams would receive it.
import type { CliIo } from '../../adapters/cli/cli-io.js';

export function buffers(): CliIo & { out(): string; err(): string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    out: () => stdout,
    err: () => stderr,
  };
}
