import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../adapters/cdk/package-root.js';
import { main } from '../../adapters/cli/main.js';
import { captureCli, runCli } from '../support/run-cli.js';

const quickstart = fileURLToPath(new URL('../../examples/quickstart/probes.yaml', import.meta.url));
const multiVpc = fileURLToPath(new URL('../../examples/multi-vpc/probes.yaml', import.meta.url));
const broken = fileURLToPath(new URL('./fixtures/invalid/several-errors.yaml', import.meta.url));

describe('chasm validate', () => {
  it('prints one ok line per valid file and exits 0', async () => {
    // act
    const { status, stdout, stderr } = await runCli('validate', quickstart, multiVpc);

    // assess
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe(
      `${quickstart}: ok (1 probe, 1 database, 1 VPC)\n${multiVpc}: ok (5 probes, 4 databases, 3 VPCs)\n`,
    );
  });

  it('prints every error as FILE:LINE:COL: message on stderr and exits 1', async () => {
    // act
    const { status, stdout, stderr } = await runCli('validate', broken);

    // assess
    expect(status).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line.startsWith(`${broken}:`)).toBe(true);
    expect(lines[2]).toBe(`${broken}:23:15: unknown database 'mian'; did you mean 'main'?`);
  });

  it('exits 1 when any one of several files is invalid, still reporting the valid ones', async () => {
    // act
    const { status, stdout, stderr } = await runCli('validate', quickstart, broken);

    // assess
    expect(status).toBe(1);
    expect(stdout).toContain(`${quickstart}: ok`);
    expect(stderr).toContain(`${broken}:7:12: namespace 'AWS/Test'`);
  });

  it('reports a missing file at 1:1 and exits 1', async () => {
    // act
    const { status, stderr } = await runCli('validate', 'no-such-probes.yaml');

    // assess
    expect(status).toBe(1);
    expect(stderr).toBe('no-such-probes.yaml:1:1: cannot read the file: no such file\n');
  });

  it('prints one JSON object with --json', async () => {
    // act
    const { status, stdout } = await runCli('validate', '--json', quickstart, broken);

    // assess
    expect(status).toBe(1);
    const output = JSON.parse(stdout) as {
      files: { file: string; ok: boolean; errors?: { line: number }[] }[];
    };
    expect(output.files.map(({ file, ok }) => ({ file, ok }))).toEqual([
      { file: quickstart, ok: true },
      { file: broken, ok: false },
    ]);
    expect(output.files[1]?.errors?.map(({ line }) => line)).toEqual([7, 8, 23, 24, 26]);
  });

  it('refuses no file and unknown options with usage, exit 1', async () => {
    // act
    const none = await runCli('validate');
    const unknown = await runCli('validate', '--strict', quickstart);

    // assess
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('Usage: chasm validate FILE...');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("unknown option '--strict'");
  });

  it('shows its usage with --help', async () => {
    // act
    const { status, stdout } = await runCli('validate', '--help');

    // assess
    expect(status).toBe(0);
    expect(stdout).toContain('Usage: chasm validate FILE... [--json]');
  });
});

describe('chasm validate -', () => {
  it('reads standard input, named <stdin>, with relative paths from the current folder', () => {
    // act: the binary, the quickstart piped in from its own folder (its seed is ./seed.sql)
    const stdout = execFileSync(process.execPath, [join(packageRoot(), 'bin', 'chasm.js'), 'validate', '-'], {
      cwd: dirname(quickstart),
      input: readFileSync(quickstart),
      encoding: 'utf8',
    });

    // assess
    expect(stdout).toBe('<stdin>: ok (1 probe, 1 database, 1 VPC)\n');
  });

  it('reports the errors of standard input as <stdin>:LINE:COL and exits 1', async () => {
    // arrange
    const text = readFileSync(broken, 'utf8');

    // act
    const { status, stderr } = await captureCli((io) =>
      main(['validate', '-'], { ...io, readStdin: async () => text }),
    );

    // assess
    expect(status).toBe(1);
    expect(stderr).toContain("<stdin>:23:15: unknown database 'mian'; did you mean 'main'?\n");
  });

  it('refuses standard input named twice', async () => {
    // act
    const { status, stderr } = await runCli('validate', '-', '-');

    // assess
    expect(status).toBe(1);
    expect(stderr).toContain("chasm validate: standard input ('-') can be read once only");
  });
});

describe('chasm validate on documents built to exhaust a reader', () => {
  const folder = mkdtempSync(join(tmpdir(), 'chasm-hostile-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    const file = join(folder, name);
    writeFileSync(file, text);
    return file;
  }

  it('answers an alias bomb (a billion laughs) with one line and exit 1', async () => {
    // arrange: ten levels of ten aliases each, 10^10 values once expanded
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 10; level++) {
      levels.push(
        `a${level}: &a${level} [${Array(10)
          .fill(`*a${level - 1}`)
          .join(', ')}]`,
      );
    }
    const file = write('bomb.yaml', `${levels.join('\n')}\n`);

    // act
    const { status, stdout, stderr } = await runCli('validate', file);

    // assess
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `${file}:1:1: cannot read the file: its aliases expand to too many values (more than 10,000)\n`,
    );
  });

  it.each([
    ['block maps', () => `${Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')}\n`],
    ['flow sequences', () => `version: ${'['.repeat(5000)}${']'.repeat(5000)}\n`],
    ['flow maps', () => `version: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`],
  ])('answers 5,000-deep %s with one line and exit 1', async (_, text) => {
    // arrange
    const file = write('deep.yaml', text());

    // act
    const { status, stdout, stderr } = await runCli('validate', file);

    // assess
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      new RegExp(`^${file}:\\d+:\\d+: YAML syntax error: the document nests too deeply to read\n$`),
    );
  });
});
