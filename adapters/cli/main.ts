/** The `chasm` command line: dispatches to one module per command. */

import { didYouMean } from '../../config/closest-match.js';
import { causeOf } from '../../core/error-cause.js';
import pkg from '../../package.json' with { type: 'json' };
import { type CliIo, type Command, EXIT } from './cli-io.js';

export { processIo } from './process-io.js';

/**
 * Each command's one-line summary and its module, loaded only when that command runs: the build
 * splits each into chunks of its own, so `chasm --help` loads none of them.
 */
const commands: Readonly<Record<string, { readonly summary: string; load(): Promise<Command> }>> = {
  validate: {
    summary: 'check probes.yaml files; every error as FILE:LINE:COL: message',
    load: () => import('./validate-command.js').then((m) => m.validateCommand),
  },
  run: {
    summary: 'run the probes once, locally, and print the metrics they would publish',
    load: () => import('./run-command.js').then((m) => m.runCommand),
  },
  plan: {
    summary: 'functions, schedules, billed series and monthly cost against a NAT Gateway',
    load: () => import('./plan-command.js').then((m) => m.planCommand),
  },
  synth: {
    summary: 'write the CDK cloud assembly (templates and assets) of a probes.yaml',
    load: () => import('./synth-command.js').then((m) => m.synthCommand),
  },
  init: {
    summary: 'write a starter probes.yaml and CDK project into an empty folder',
    load: () => import('./init-command.js').then((m) => m.initCommand),
  },
  doctor: {
    summary: 'ask the AWS account what would make the first deploy or probe fail',
    load: () => import('./doctor-command.js').then((m) => m.doctorCommand),
  },
  invoke: {
    summary: 'run the deployed probes once through the fan-out function and print its report',
    load: () => import('./invoke-command.js').then((m) => m.invokeCommand),
  },
};

function overview(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(
    ([name, { summary }]) => `  chasm ${name.padEnd(width)}  ${summary}`,
  );
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
  // own entries only: `chasm constructor` is an unknown command, not Object's
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!entry) {
    io.stderr.write(
      `chasm: unknown command '${name}'${didYouMean(name, Object.keys(commands))}\n\n${overview()}`,
    );
    return EXIT.badInput;
  }
  try {
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`chasm ${name}: ${entry.summary}\n\n${command.usage}\n`);
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (error) {
    // what no command foresaw (a missing peer dependency, a file system failure): one line
    io.stderr.write(`chasm ${name}: ${causeOf(error)}\n`);
    return EXIT.badInput;
  }
}
