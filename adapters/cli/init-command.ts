/**
 * `chasm init [DIR]`: a ready CDK project in an empty (or new) folder: the quickstart
 * `probes.yaml` and its seed, a CDK app that deploys it with `ProbesStack`, `cdk.json`, a
 * `package.json` and a README. `npx cdk synth` works there offline once dependencies are installed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { packageRoot } from '../cdk/package-root.js';
import { type CliIo, type Command, EXIT } from './cli-io.js';

const USAGE = `Usage: chasm init [DIR]

Writes a starter CDK project into DIR (default: the current folder), which must be empty or
not exist yet: probes.yaml (the quickstart: one VPC, one Postgres database, one probe), seed.sql
(for \`chasm run\` on an embedded database), app.mjs (the CDK app), cdk.json, package.json,
README.md and .gitignore. Then: npm install, edit probes.yaml, npx cdk deploy.
Exits 0 on success, 1 when DIR is not empty.`;

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
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      io.stderr.write(`chasm init: ${dir} is not empty; choose an empty or new folder\n`);
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
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);

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
