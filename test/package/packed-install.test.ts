// The package as a user gets it: `npm pack`, installed with its peers into an empty project.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../adapters/cdk/package-root.js';

const root = packageRoot();
const work = mkdtempSync(join(tmpdir(), 'chasm-pack-'));
const project = join(work, 'app');
afterAll(() => rmSync(work, { recursive: true, force: true }));

// npm's own settings for this test process (npm test sets npm_* variables) must not steer the user's npm
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function installedVersion(name: string): string {
  return (
    JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
  ).version;
}

/** `node` in the project; what it prints */
function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: project, env, encoding: 'utf8', stdio: 'pipe' });
}

let packedFiles: string[] = [];

beforeAll(() => {
  // dist/ is built by the global setup; the declarations as `prepare` writes them
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.types.json')], {
    stdio: 'pipe',
  });
  const [packed] = JSON.parse(
    npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], root),
  ) as {
    filename: string;
    files: { path: string }[];
  }[];
  if (!packed) throw new Error('npm pack wrote no tarball');
  packedFiles = packed.files.map((file) => file.path);

  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'app', private: true, type: 'module' }),
  );
  // the registry is reachable, but everything should be in npm's cache already
  npm(
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(work, packed.filename),
      `aws-cdk-lib@${installedVersion('aws-cdk-lib')}`,
      `constructs@${installedVersion('constructs')}`,
    ],
    project,
  );
}, 600_000);

describe('the packed chasm package', () => {
  it('holds the built CLI and both entry points with their types, the handler sources, the examples and the schema, and no tests or source maps', () => {
    for (const file of [
      'bin/chasm.js',
      'dist/cli.js',
      'dist/index.js',
      'dist/cdk.js',
      'dist/types/index.d.ts',
      'dist/types/cdk.d.ts',
      'adapters/lambda/query-handler.ts',
      'adapters/lambda/fanout-handler.ts',
      'examples/quickstart/probes.yaml',
      'examples/quickstart/seed.sql',
      'schema.json',
      'package.json',
    ]) {
      expect(packedFiles).toContain(file);
    }
    expect(packedFiles.filter((file) => /^(test|bench|\.ci|node_modules)\/|\.map$/.test(file))).toEqual([]);
  });

  it('installs beside one copy of aws-cdk-lib and constructs, its peers', () => {
    const installed = join(project, 'node_modules');

    expect(existsSync(join(installed, 'aws-cdk-lib'))).toBe(true);
    expect(existsSync(join(installed, 'constructs'))).toBe(true);
    // a second copy of constructs would break `instanceof Construct` between the app and chasm
    expect(existsSync(join(installed, 'chasm', 'node_modules', 'constructs'))).toBe(false);
    expect(existsSync(join(installed, 'chasm', 'node_modules', 'aws-cdk-lib'))).toBe(false);
  });

  it("exports the library from 'chasm' and the CDK constructs from 'chasm/cdk'", () => {
    const exports = node([
      '--input-type=module',
      '-e',
      "const [lib, cdk] = await Promise.all([import('chasm'), import('chasm/cdk')]); console.log(JSON.stringify({ lib: Object.keys(lib).sort(), cdk: Object.keys(cdk).sort() }))",
    ]);

    expect(JSON.parse(exports)).toEqual({
      lib: [
        'ConfigError',
        'ERROR_CODES',
        'ProbeError',
        'WARNING_CODES',
        'buildPlan',
        'createCollectingSink',
        'estimateCost',
        'loadConfig',
        'prepareLocalRun',
        'readConfig',
        'runProbesLocally',
      ],
      cdk: ['Probes', 'ProbesStack'],
    });
  });

  it('runs its binary: init, validate and run of the quickstart on embedded Postgres', () => {
    const chasm = join(project, 'node_modules', '.bin', 'chasm');

    execFileSync(chasm, ['init', 'probes'], { cwd: project, env, stdio: 'pipe' });
    const validated = execFileSync(chasm, ['validate', 'probes/probes.yaml'], {
      cwd: project,
      env,
      encoding: 'utf8',
    });
    const run = execFileSync(chasm, ['run', 'probes/probes.yaml', '--json'], {
      cwd: project,
      env,
      encoding: 'utf8',
    });

    expect(validated).toBe('probes/probes.yaml: ok (1 probe, 1 database, 1 VPC)\n');
    const metrics = (JSON.parse(run) as { metrics: { MetricName: string; Value?: number }[] }).metrics;
    expect(metrics.find((datum) => datum.MetricName === 'ActiveSessions')?.Value).toBe(42);
  }, 120_000);

  it("synthesizes a ProbesStack from 'chasm/cdk' inside the app's own App, bundling the shipped handlers", () => {
    mkdirSync(join(project, 'synth'), { recursive: true });
    writeFileSync(join(project, 'synth', 'seed.sql'), 'SELECT 1;\n');
    writeFileSync(
      join(project, 'synth', 'probes.yaml'),
      readFileSync(join(root, 'examples', 'quickstart', 'probes.yaml'), 'utf8'),
    );
    writeFileSync(
      join(project, 'synth.mjs'),
      [
        "import { App } from 'aws-cdk-lib';",
        "import { loadConfig } from 'chasm';",
        "import { ProbesStack } from 'chasm/cdk';",
        "const app = new App({ outdir: 'synth/cdk.out' });",
        "new ProbesStack(app, 'Probes', { config: loadConfig('synth/probes.yaml') });",
        'app.synth();',
      ].join('\n'),
    );

    node(['synth.mjs']);

    const template = JSON.parse(
      readFileSync(join(project, 'synth', 'cdk.out', 'Probes.template.json'), 'utf8'),
    ) as {
      Resources: Record<string, { Type: string }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(2);
  }, 180_000);

  it('type-checks a TypeScript app against the shipped declarations, and rejects a misuse', () => {
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    // no skipLibCheck: the shipped declarations are checked too (aws-cdk-lib's need Disposable)
    const compilerOptions = {
      strict: true,
      module: 'NodeNext',
      target: 'ES2022',
      lib: ['ES2022', 'ESNext.Disposable'],
      noEmit: true,
      types: [],
    };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['app.ts'] }));
    const check = (source: string): string => {
      writeFileSync(join(project, 'app.ts'), source);
      try {
        execFileSync(tsc, ['-p', project], { encoding: 'utf8', stdio: 'pipe' });
        return '';
      } catch (error) {
        return String((error as { stdout?: string }).stdout);
      }
    };
    const header = [
      "import { App } from 'aws-cdk-lib';",
      "import { type Config, ERROR_CODES, loadConfig, ProbeError } from 'chasm';",
      "import { ProbesStack } from 'chasm/cdk';",
      "const config: Config = loadConfig('probes.yaml');",
      "const error = new ProbeError(ERROR_CODES[0], 'timed out');",
    ].join('\n');

    const good = check(
      `${header}\nnew ProbesStack(new App(), 'Probes', { config, dashboard: error.code === 'TIMEOUT' });\n`,
    );
    const bad = check(`${header}\nnew ProbesStack(new App(), 'Probes', { config: 42 });\n`);

    expect(good).toBe('');
    expect(bad).toMatch(/app\.ts\(6,\d+\): error TS2322/);
  }, 120_000);
});
