/**
 * `chasm init [DIR] [--region REGION]`: a ready CDK project in an empty (or new) folder: the
 * quickstart `probes.yaml` and its seed, a CDK app that deploys it with `ProbesStack`, `cdk.json`
 * with the CDK's recommended feature flags, a `package.json` and a README. The project depends on
 * the Chasm it was created with: the published version when this one was installed from the
 * registry (it lives under `node_modules`), else a tarball of this package, as built, packed into
 * the project. `npm install` then `npx cdk synth` work there, the latter offline.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative, resolve, sep } from 'node:path';
import { causeOf } from '../../core/error-cause.js';
import { packageRoot } from '../cdk/package-root.js';
import { type CliIo, type Command, EXIT } from './cli-io.js';
import { isRegionName } from './command-input.js';

const USAGE = `Usage: chasm init [DIR] [--region REGION]

Writes a starter CDK project into DIR (default: the current folder), which must be empty or
not exist yet: probes.yaml (the quickstart: one VPC, one Postgres database, one probe), seed.sql
(for \`chasm run\` on an embedded database), app.mjs (the CDK app), cdk.json (with the CDK's
recommended feature flags), package.json, README.md and .gitignore. The project depends on this
Chasm: its published version, or, when it runs from a checkout, a tarball of it packed into DIR.
Then: npm install, edit probes.yaml, npx cdk deploy.

  --region REGION   the region the stack deploys to, written into probes.yaml (default: the
                    deploying AWS profile's)

Exits 0 on success, 1 when DIR is not empty or cannot be written, or the tarball cannot be packed.`;

const APP = `// The CDK app: deploys the probes of probes.yaml (\`npx cdk synth\`, \`npx cdk deploy\`).
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { loadConfig } from 'chasm';
import { ProbesStack } from 'chasm/cdk';

const app = new App();
new ProbesStack(app, 'Probes', {
  config: loadConfig(fileURLToPath(new URL('./probes.yaml', import.meta.url))),
  // default Chasm-<namespace>; a second deployment of the same file: npx cdk deploy -c stackName=NAME
  stackName: app.node.tryGetContext('stackName'),
});
`;

function readme(dependency: string): string {
  const source = dependency.startsWith('file:')
    ? `Chasm comes from \`${dependency.slice('file:'.length)}\`, a tarball of the Chasm that created this project (keep it beside package.json).`
    : `Chasm comes from the npm registry (\`chasm@${dependency}\`).`;
  return `# Chasm probes

SQL probes against private databases, published as CloudWatch metrics without a NAT Gateway.

${source}

## Steps

1. \`npm install\`
2. \`npx chasm run probes.yaml\`: runs the probes once, locally, on an embedded database seeded from \`seed.sql\`.
3. Edit \`probes.yaml\`: your VPC, subnets, database and probes (your editor validates it against the
   schema named on its first line). Set \`region:\` to the region of your databases; every ARN in the
   file must be in it.
4. \`npx chasm validate probes.yaml\`: every mistake at once.
5. \`npx chasm plan probes.yaml\`: what will be deployed and what it costs.
6. \`npx cdk synth\`: the CloudFormation template and assets, in \`cdk.out\` (no AWS credentials needed).
7. \`npx cdk bootstrap\` once per account and region, then \`npx cdk deploy\`. The stack's outputs name the
   security group of each VPC's query function (admit it in your databases' security groups), the
   fan-out function and the dashboard.
8. \`npx chasm invoke probes.yaml\`: runs the deployed probes once and prints what they published.

The stack is named \`Chasm-<namespace>\`. To deploy the same file a second time (staging beside
production, in one account): \`npx cdk deploy -c stackName=Chasm-Staging\`, then
\`npx chasm invoke probes.yaml --stack Chasm-Staging\`.
`;
}

const GITIGNORE = 'node_modules\ncdk.out\n';

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly main?: string;
  readonly bin?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

/** `cdk.json`: the app, and every feature flag the CDK recommends for new projects, as `cdk init` writes them */
function cdkJson(recommended: Readonly<Record<string, unknown>>): string {
  const context = Object.fromEntries(
    Object.keys(recommended)
      .sort()
      .map((flag) => [flag, recommended[flag]]),
  );
  return `${JSON.stringify({ app: 'node app.mjs', context }, null, 2)}\n`;
}

function projectPackage(name: string, own: Manifest, chasm: string, cdkLibVersion: string): string {
  const range = (dep: string) => own.dependencies?.[dep] ?? own.devDependencies?.[dep] ?? '*';
  const pkg = {
    name,
    private: true,
    type: 'module',
    scripts: { synth: 'cdk synth', deploy: 'cdk deploy' },
    dependencies: {
      // the version cdk.json's feature flags were read from, so none is left unconfigured
      'aws-cdk-lib': cdkLibVersion,
      chasm,
      constructs: range('constructs'),
    },
    devDependencies: { 'aws-cdk': range('aws-cdk') },
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
      return causeOf(error);
  }
}

/** Whether the package at `root` was installed by a package manager rather than checked out. */
export function installedFromRegistry(root: string): boolean {
  return root.split(sep).includes('node_modules');
}

/**
 * Packs this package, as built (the running Chasm, not a rebuild), into `dir`; the tarball's file
 * name. Throws when it was never built: the tarball would lack the library and the binary.
 */
function packInto(root: string, own: Manifest, dir: string): string {
  const built = [own.main, ...Object.values(own.bin ?? {})].filter((file) => file !== undefined);
  const missing = built.filter((file) => !existsSync(join(root, file)));
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: build it first (npm run build)`);
  const output = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const packed = JSON.parse(output) as { filename: string }[];
  const filename = packed[0]?.filename;
  if (!filename) throw new Error('npm pack named no tarball');
  return filename;
}

function parseArgs(args: readonly string[]): { dir: string; region?: string } | string {
  let region: string | undefined;
  const dirs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const option = /^--region(?:=(.*))?$/.exec(arg);
    if (option) {
      region = option[1] ?? args[++i];
      if (region === undefined || !isRegionName(region)) {
        return `'--region' expects a region name such as eu-west-1${region === undefined ? '' : `, got '${region}'`}`;
      }
    } else if (arg.startsWith('-')) return `unknown option '${arg}'`;
    else dirs.push(arg);
  }
  if (dirs.length > 1) return 'expects at most one DIR';
  return { dir: resolve(dirs[0] ?? '.'), ...(region ? { region } : {}) };
}

export const initCommand: Command = {
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseArgs(args);
    if (typeof parsed === 'string') {
      io.stderr.write(`chasm init: ${parsed}\n\n${USAGE}\n`);
      return EXIT.badInput;
    }
    const { dir, region } = parsed;
    const taken = whyNotUsable(dir);
    if (taken) {
      io.stderr.write(`chasm init: ${dir} ${taken}; choose an empty or new folder\n`);
      return EXIT.badInput;
    }

    const root = packageRoot();
    const quickstart = join(root, 'examples', 'quickstart');
    const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
    const cdkLib = createRequire(join(root, 'package.json'))('aws-cdk-lib/package.json') as Manifest;
    // the schema ships with the installed package
    let probes = readFileSync(join(quickstart, 'probes.yaml'), 'utf8').replace(
      /^# yaml-language-server: \$schema=.*$/m,
      `# yaml-language-server: $schema=./node_modules/${own.name}/schema.json`,
    );
    if (region) probes = probes.replace(/^(namespace: .*)$/m, `$1\nregion: ${region}`);

    const created = !existsSync(dir);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      io.stderr.write(`chasm init: cannot write the project to ${dir}: ${fileSystemReason(error)}\n`);
      return EXIT.badInput;
    }
    let dependency: string;
    const files: string[] = [];
    if (installedFromRegistry(root)) dependency = `^${own.version}`;
    else {
      try {
        const tarball = packInto(root, own, dir);
        files.push(tarball);
        dependency = `file:./${tarball}`;
      } catch (error) {
        if (created) rmSync(dir, { recursive: true, force: true });
        const detail = (error as { stderr?: string }).stderr || (error as Error).message;
        io.stderr.write(`chasm init: cannot pack ${root} into the project: ${String(detail).trim()}\n`);
        return EXIT.badInput;
      }
    }
    // the CDK loads only here, not for `chasm init --help`
    const { CURRENTLY_RECOMMENDED_FLAGS } = await import('aws-cdk-lib/cx-api');
    const texts: Record<string, string> = {
      'probes.yaml': probes,
      'seed.sql': readFileSync(join(quickstart, 'seed.sql'), 'utf8'),
      'app.mjs': APP,
      'cdk.json': cdkJson(CURRENTLY_RECOMMENDED_FLAGS),
      'package.json': projectPackage(packageName(dir), own, dependency, cdkLib.version),
      'README.md': readme(dependency),
      '.gitignore': GITIGNORE,
    };
    try {
      for (const [name, text] of Object.entries(texts)) writeFileSync(join(dir, name), text);
    } catch (error) {
      io.stderr.write(`chasm init: cannot write the project to ${dir}: ${fileSystemReason(error)}\n`);
      return EXIT.badInput;
    }
    files.push(...Object.keys(texts));

    const shown = relative(process.cwd(), dir) || '.';
    io.stdout.write(
      [
        `Wrote a Chasm CDK project to ${shown}:`,
        ...files.map((name) => `  ${join(shown, name)}`),
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
