// Runs Node on the built package (bin/chasm.js over dist/) and records every module it loads.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { packageRoot } from '../../adapters/cdk/package-root.js';

const REGISTER = fileURLToPath(new URL('./module-trace-register.mjs', import.meta.url));

export interface TracedRun {
  readonly status: number;
  readonly stdout: string;
  /** the packages under node_modules the process resolved, e.g. `@electric-sql/pglite`, `pg` */
  readonly packages: ReadonlySet<string>;
}

/** `chasm ...argv` as a user runs it, with the packages it loaded. */
export function traceChasm(...argv: string[]): Promise<TracedRun> {
  return traceNode([join(packageRoot(), 'bin', 'chasm.js'), ...argv]);
}

/** `node ...args` in the package's folder, with the packages it loaded. */
export async function traceNode(args: readonly string[]): Promise<TracedRun> {
  const folder = mkdtempSync(join(tmpdir(), 'chasm-trace-'));
  const file = join(folder, 'modules.txt');
  try {
    let status = 0;
    let stdout = '';
    try {
      ({ stdout } = await promisify(execFile)(process.execPath, ['--import', REGISTER, ...args], {
        cwd: packageRoot(),
        env: { ...process.env, MODULE_TRACE_FILE: file },
      }));
    } catch (error) {
      const failed = error as { code?: unknown; stdout?: string };
      if (typeof failed.code !== 'number') throw error;
      status = failed.code;
      stdout = failed.stdout ?? '';
    }
    const urls = readFileSync(file, 'utf8').split('\n');
    const packages = new Set<string>();
    for (const url of urls) {
      const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
      if (name) packages.add(name);
    }
    return { status, stdout, packages };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
