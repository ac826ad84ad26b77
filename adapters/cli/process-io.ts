/**
 * The process's streams as the CLI's. A reader that goes away (`chasm run … | head -1`) ends what
 * is printed, not the command: it finishes and exits with its own status. A failure nothing else
 * caught is one line on stderr and exit status 1, never a stack trace.
 */
import { fstatSync } from 'node:fs';
import { causeOf } from '../../core/error-cause.js';
import { type CliIo, EXIT } from './cli-io.js';

export function processIo(): CliIo {
  const stderr = guarded(process.stderr);
  const stdout = guarded(process.stdout, stderr);
  const fail = (error: unknown) => {
    stderr.write(`chasm: ${causeOf(error)}\n`);
    process.exit(EXIT.badInput);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  return { stdout, stderr, readStdin };
}

/** Writes that stop once the stream fails; `report` hears of any failure but a closed pipe. */
function guarded(
  stream: NodeJS.WritableStream,
  report?: { write(text: string): unknown },
): { write(text: string): unknown } {
  let open = true;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!open) return;
    open = false;
    // EPIPE: the reader has gone, as `head` does once it has its lines; nothing is lost that it wanted
    if (error.code !== 'EPIPE') report?.write(`chasm: cannot write to standard output: ${error.message}\n`);
  });
  return { write: (text: string) => open && stream.write(text) };
}

async function readStdin(): Promise<string> {
  // a folder (`chasm validate - < dir`) would read as an empty file
  if (fstatSync(0).isDirectory()) throw new Error('standard input is a folder, not a file');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
