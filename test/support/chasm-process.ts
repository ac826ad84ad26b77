// Runs the built `chasm` binary as a user does: a process of its own, with its exit status, output,
// wall time and peak memory.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ChasmProcess {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** the process's peak resident set size, in megabytes */
  readonly maxRssMb: number;
}

export interface ChasmProcessOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** extra Node.js flags, e.g. `--max-old-space-size=256` */
  readonly nodeFlags?: readonly string[];
  /** killed after this long (the result then says so through its status) */
  readonly timeoutMs?: number;
}

/** `chasm ...args` in a child process (`bin/chasm.js` over the built `dist/`). */
export function runChasm(args: readonly string[], options: ChasmProcessOptions = {}): Promise<ChasmProcess> {
  const start = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeFlags ?? []),
      '--import',
      join(ROOT, 'test/support/report-max-rss.mjs'),
      join(ROOT, 'bin/chasm.js'),
      ...args,
    ],
    { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      const rss = /\nmax-rss-kb=(\d+)\n$/.exec(stderr);
      resolvePromise({
        status,
        stdout,
        stderr: rss ? stderr.slice(0, rss.index) : stderr,
        ms: performance.now() - start,
        maxRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN,
      });
    });
  });
}
