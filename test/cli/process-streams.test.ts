// The binary on the process's own streams: a reader that goes away, and input it cannot read.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../adapters/cdk/package-root.js';
import { exampleFiles } from '../support/example-files.js';

const root = packageRoot();
const examples = exampleFiles();

interface Finished {
  readonly status: number | null;
  readonly stderr: string;
}

/** `chasm ...argv` whose stdout reader has gone before it writes, as `chasm … | head -1` leaves it. */
function withClosedStdout(argv: readonly string[]): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'chasm.js'), ...argv], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('chasm on a closed pipe', () => {
  it('validate finishes with its own status and no stack trace', async () => {
    const { status, stderr } = await withClosedStdout(['validate', ...examples]);

    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  it('validate --json of an invalid file still exits 1, with only its errors on stderr', async () => {
    const file = 'test/config/fixtures/invalid/several-errors.yaml';

    const { status, stderr } = await withClosedStdout(['validate', '--json', file]);

    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line.startsWith(`${file}:`)).toBe(true);
    expect(status).toBe(1);
  });

  it('run of the quickstart finishes with its own status and no stack trace', async () => {
    const { status, stderr } = await withClosedStdout(['run', 'examples/quickstart/probes.yaml']);

    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});

describe('chasm on input it cannot read', () => {
  it('answers standard input that is a folder with one line and exit 1', async () => {
    const { status, stderr } = await new Promise<Finished>((resolve, reject) => {
      // a shell gives `chasm validate - < /` a folder as standard input
      const child = spawn('sh', ['-c', `"${process.execPath}" bin/chasm.js validate - < /`], { cwd: root });
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ status: code, stderr: err }));
    });

    expect(stderr).toBe('chasm validate: standard input is a folder, not a file\n');
    expect(status).toBe(1);
  });
});
