import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { runCli } from '../support/run-cli.js';

const COMMANDS = ['validate', 'run', 'plan', 'synth', 'init', 'doctor', 'invoke'];

describe('the chasm command line', () => {
  it('prints the package version with --version', async () => {
    const { status, stdout } = await runCli('--version');

    expect(status).toBe(0);
    expect(stdout).toBe(`${pkg.version}\n`);
  });

  it('lists every command with its summary with --help, and exits 1 when given no command', async () => {
    const help = await runCli('--help');
    const none = await runCli();

    expect(help.status).toBe(0);
    for (const name of COMMANDS) expect(help.stdout).toMatch(new RegExp(`chasm ${name} +\\w`));
    expect(none.status).toBe(1);
    expect(none.stdout).toBe(help.stdout);
  });

  it('refuses an unknown command on stderr with exit 1', async () => {
    const { status, stdout, stderr } = await runCli('deploy');

    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain("unknown command 'deploy'");
  });

  it('suggests the closest command for a mistyped one', async () => {
    const { status, stderr } = await runCli('valdiate', 'probes.yaml');

    expect(status).toBe(1);
    expect(stderr.split('\n')[0]).toBe("chasm: unknown command 'valdiate'; did you mean 'validate'?");
  });

  it("refuses the names of Object's own members as unknown commands", async () => {
    const { status, stderr } = await runCli('constructor');

    expect(status).toBe(1);
    expect(stderr.split('\n')[0]).toBe("chasm: unknown command 'constructor'");
  });

  it.each(COMMANDS)('shows the usage of %s with --help and exits 0', async (name) => {
    const { status, stdout } = await runCli(name, '--help');

    expect(status).toBe(0);
    expect(stdout).toMatch(new RegExp(`^chasm ${name}: .+\\n\\nUsage: chasm ${name}`));
  });
});
