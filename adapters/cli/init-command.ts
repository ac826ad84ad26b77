/**
 * `chasm init [DIR]`: a ready CDK project in an empty (or new) folder: the quickstart
 * `probes.yaml` and its seed, a CDK app that deploys it with `ProbesStack`, `cdk.json`, a
 * `package.json` and a README. `npx cdk synth` works there offline once dependencies are installed.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { packageRoot } from '../cdk/package-root.js';
import { type CliIo, type Command, EXIT } from './cli-io.js';

const USAGE = `Usage: chasm init [DIR]

Writes a starter CDK project into DIR (default: the current folder), which must be empty or
not exist yet: probes.yaml (the quickstart: one VPC, one Postgres database, one probe), seed.sql
(for \`chasm run\` on an embedded database), app.mjs (the CDK app), cdk.json, package.json,
README.md and .gitignore. Then: npm install, edit probes.yaml, npx cdk deploy.
Exits 0 on success, 1 when DIR is not empty or cannot be written.`;

const APP = `// The CDK app: deploys the probes of probes.yaml (\`npx cdk synth\`, \`npx cdk deploy\`).
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { loadConfig } from 'chasm';
import { ProbesStack } from 'chasm/cdk';

const app = new App();
new ProbesStack(app, 'Probes', { config: loadConfig(fileURLToPath(new URL('./probes.yaml', import.meta.url))) });
`;

const README = `# Chasm probes

SQL probes against private databases, published as CloudWatch metrics without a NAT Gateway.

- \`probes.yaml\`: the probes; your editor validates it against the schema named on its first line.
- \`npx chasm validate probes.yaml\`: every mistake at once.
- \`npx chasm run probes.yaml\`: runs the probes once, locally (here on an embedded database seeded from \`seed.sql\`).
- \`npx chasm plan probes.yaml\`: what will be deployed and what it costs.
- \`npx cdk synth\`: the CloudFormation template and assets, in \`cdk.out\` (no AWS credentials needed).
- \`npx cdk deploy\`: deploys the stack (\`app.mjs\`) to the account and region of your AWS profile.

Replace the quickstart's VPC, subnet and database values with yours before deploying.
`;

const GITIGNORE = 'node_modules\ncdk.out\n';

interface Manifest {
  readonly version: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

function projectPackage(name: string, own: Manifest): string {
  const version = (dep: string) => own.dependencies?.[dep] ?? own.devDependencies?.[dep] ?? '*';
  const pkg = {
    name,
    private: true,
    type: 'module',
    scripts: { synth: 'cdk synth', deploy: 'cdk deploy' },
    dependencies: {
      'aws-cdk-lib': version('aws-cdk-lib'),
      chasm: `^${own.version}`,
      constructs: version('constructs'),
    },
    devDependencies: { 'aws-cdk': version('aws-cdk') },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** a package name from the folder's name: lowercase letters, digits, `-` */
function packageName(dir: string): string {
  const slug = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'chasm-probes';
}

/** Why `dir` cannot take the project (it is a file, holds files, cannot be read), or undefined. */
function whyNotUsable(dir: string): string | undefined {
  try {
    if (!statSync(dir).isDirectory()) return 'is a file, not a folder';
    return readdirSync(dir).length > 0 ? 'is not empty' : undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // a folder that does not exist yet is created
    if (code === 'ENOENT') return undefined;
    return `cannot be used: ${fileSystemReason(error)}`;
  }
}

/** A file system error in words, without the syscall and path Node puts in its message. */
function fileSystemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of its path is a file, not a folder';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EEXIST':
      return 'a file of that name exists';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

export const initCommand: Command = {
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const options = args.filter((arg) => arg.startsWith('-'));
    const dirs = args.filter((arg) => !arg.startsWith('-'));
    if (options.length > 0 || dirs.length > 1) {
      const problem = options.length > 0 ? `unknown option '${options[0]}'` : 'expects at most one DIR';
      io.stderr.write(`chasm init: ${problem}\n\n${USAGE}\n`);
      return EXIT.badInput;
    }
    const dir = resolve(dirs[0] ?? '.');
    const taken = whyNotUsable(dir);
    if (taken) {
      io.stderr.write(`chasm init: ${dir} ${taken}; choose an empty or new folder\n`);
      return EXIT.badInput;
    }

    const root = packageRoot();
    const quickstart = join(root, 'examples', 'quickstart');
    const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
    // the schema ships with the installed package
    const probes = readFileSync(join(quickstart, 'probes.yaml'), 'utf8').replace(
      /^# yaml-language-server: \$schema=.*$/m,
      '# yaml-language-server: $schema=./node_modules/chasm/schema.json',
    );
    const files: Record<string, string> = {
      'probes.yaml': probes,
      'seed.sql': readFileSync(join(quickstart, 'seed.sql'), 'utf8'),
      'app.mjs': APP,
      'cdk.json': `${JSON.stringify({ app: 'node app.mjs' }, null, 2)}\n`,
      'package.json': projectPackage(packageName(dir), own),
      'README.md': README,
      '.gitignore': GITIGNORE,
    };
    try {
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    } catch (error) {
      io.stderr.write(`chasm init: cannot write the project to ${dir}: ${fileSystemReason(error)}\n`);
      return EXIT.badInput;
    }

    const shown = relative(process.cwd(), dir) || '.';
    io.stdout.write(
      [
        `Wrote a Chasm CDK project to ${shown}:`,
        ...Object.keys(files).map((name) => `  ${join(shown, name)}`),
        '',
        'Next:',
        ...(shown === '.' ? [] : [`  cd ${shown}`]),
        '  npm install',
        '  npx chasm run probes.yaml      # the probes, locally',
        '  npx cdk synth                  # the template, no credentials needed',
        '  npx cdk deploy',
        '',
      ].join('\n'),
    );
    return EXIT.ok;
  },
};
