import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

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
