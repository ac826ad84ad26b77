/** The `chasm` command line: dispatches to one module per command. */
import pkg from '../../package.json' with { type: 'json' };
import { type CliIo, type Command, EXIT } from './cli-io.js';

const commands: Readonly<Record<string, () => Promise<Command>>> = {
  validate: () => import('./validate-command.js').then((m) => m.validateCommand),
  run: () => import('./run-command.js').then((m) => m.runCommand),
  plan: () => import('./plan-command.js').then((m) => m.planCommand),
  invoke: () => import('./invoke-command.js').then((m) => m.invokeCommand),
  synth: () => import('./synth-command.js').then((m) => m.synthCommand),
  init: () => import('./init-command.js').then((m) => m.initCommand),
};

function overview(): string {
  const lines = Object.keys(commands).map((name) => `  chasm ${name}`);
  return [
    'Usage: chasm <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'chasm <command> --help for details; chasm --version.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${pkg.version}\n`);
    return EXIT.ok;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  const load = commands[name];
  if (!load) {
    io.stderr.write(`chasm: unknown command '${name}'\n\n${overview()}`);
    return EXIT.badInput;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.summary}\n\n${command.usage}\n`);
    return EXIT.ok;
  }
  return command.run(rest, io);
}
