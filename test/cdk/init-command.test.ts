import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../adapters/cdk/package-root.js';
import { installedFromRegistry } from '../../adapters/cli/init-command.js';
import { runCli } from '../support/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'chasm-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** the aws-cdk-lib this package runs with */
function cdkLibVersion(): string {
  return (
    createRequire(join(packageRoot(), 'package.json'))('aws-cdk-lib/package.json') as { version: string }
  ).version;
}

/** links the project's dependencies to this package and its own, as `npm install` would place them */
function linkDependencies(project: string): void {
  const root = packageRoot();
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  symlinkSync(root, join(modules, 'chasm'), 'dir');
  for (const dep of ['aws-cdk-lib', 'constructs', 'aws-cdk']) {
    symlinkSync(join(root, 'node_modules', dep), join(modules, dep), 'dir');
  }
  symlinkSync(join('..', 'aws-cdk', 'bin', 'cdk'), join(modules, '.bin', 'cdk'));
}

describe('the package for TypeScript CDK apps', () => {
  const tsc = join(packageRoot(), 'node_modules', '.bin', 'tsc');

  /** type-checks `source` as app.ts of a project that depends on this package; the compiler's output */
  function typecheck(project: string, source: string): { ok: boolean; output: string } {
    writeFileSync(join(project, 'app.ts'), source);
    try {
      execFileSync(tsc, ['--noEmit', '-p', project], { encoding: 'utf8', stdio: 'pipe' });
      return { ok: true, output: '' };
    } catch (error) {
      return { ok: false, output: String((error as { stdout?: string }).stdout) };
    }
  }

  it('ships declarations under which ProbesStack and loadConfig type-check, and misuse does not', () => {
    // the declarations, as `npm run build` (and `prepare`) writes them
    execFileSync(tsc, ['-p', join(packageRoot(), 'tsconfig.types.json')], { stdio: 'pipe' });
    const project = join(work, 'typed-app');
    mkdirSync(project);
    linkDependencies(project);
    const compilerOptions = { strict: true, module: 'NodeNext', target: 'ES2022', skipLibCheck: true };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['app.ts'] }));
    const header =
      "import { App } from 'aws-cdk-lib';\nimport { loadConfig } from 'chasm';\nimport { ProbesStack } from 'chasm/cdk';\n";

    const good = typecheck(
      project,
      `${header}new ProbesStack(new App(), 'Probes', { config: loadConfig('probes.yaml'), dashboard: false });\n`,
    );
    const bad = typecheck(project, `${header}new ProbesStack(new App(), 'Probes', { config: 42 });\n`);

    expect(good).toEqual({ ok: true, output: '' });
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(/app\.ts\(4,\d+\): error TS2322/);
  }, 120_000);
});

describe('chasm init', () => {
  it('writes a project that npm installs and whose npx cdk synth prints no warning, deploying to the region asked', async () => {
    // arrange
    const project = join(work, 'my-probes');

    // act: as a user would, with the registry reachable
    const init = await runCli('init', project, '--region', 'eu-west-1');
    const env = {
      ...process.env,
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      CDK_DISABLE_VERSION_CHECK: '1',
      // no credentials: synthesis must not need any
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
    };
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: project,
      env,
      stdio: 'pipe',
      timeout: 400_000,
    });
    const synth = spawnSync('npx', ['--no', 'cdk', 'synth', '--no-notices'], {
      cwd: project,
      encoding: 'utf8',
      env,
      timeout: 280_000,
    });

    // assess: the project
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect(init.stdout).toContain('npx cdk deploy');
    const tarball = readdirSync(project).find((name) => name.endsWith('.tgz'));
    expect(tarball).toMatch(/^chasm-\d+\.\d+\.\d+\.tgz$/);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.dependencies).toEqual({
      'aws-cdk-lib': cdkLibVersion(),
      chasm: `file:./${tarball}`,
      constructs: expect.any(String),
    });
    expect(Object.keys(pkg.devDependencies)).toEqual(['aws-cdk']);
    const probes = readFileSync(join(project, 'probes.yaml'), 'utf8');
    expect(probes).toContain('$schema=./node_modules/chasm/schema.json');
    expect(probes).toMatch(/^region: eu-west-1$/m);
    expect(existsSync(join(project, 'node_modules', 'chasm', 'schema.json'))).toBe(true);
    const cdkJson = JSON.parse(readFileSync(join(project, 'cdk.json'), 'utf8')) as { context: object };
    expect(cdkJson.context).toEqual(CURRENTLY_RECOMMENDED_FLAGS);
    const readme = readFileSync(join(project, 'README.md'), 'utf8');
    for (const step of ['npm install', 'npx cdk synth', 'npx cdk deploy', 'npx chasm invoke']) {
      expect(readme).toContain(step);
    }

    // assess: the synthesis
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    expect(synth.stdout).not.toMatch(/warning|feature flag/i);
    const assembly = join(project, 'cdk.out');
    const manifest = JSON.parse(readFileSync(join(assembly, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { environment?: string; metadata?: Record<string, { type: string }[]> }>;
    };
    expect(manifest.artifacts.Probes?.environment).toBe('aws://unknown-account/eu-west-1');
    const messages = Object.values(manifest.artifacts.Probes?.metadata ?? {})
      .flat()
      .filter((entry) => ['aws:cdk:warning', 'aws:cdk:error'].includes(entry.type));
    expect(messages).toEqual([]);
    const template = JSON.parse(readFileSync(join(assembly, 'Probes.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      Outputs: Record<string, unknown>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(2);
    for (const fn of functions) expect(fn.Properties.FunctionName).toBeUndefined();
    expect(Object.keys(template.Outputs).sort()).toEqual([
      'DashboardUrl',
      'FanoutFunctionName',
      'SecurityGroupapp',
    ]);
    // installing, bundling and CDK's synthesis in fresh processes take a while on a small machine
  }, 700_000);

  it('depends on the published Chasm when this one was installed from the registry', () => {
    expect(installedFromRegistry(join('/srv', 'app', 'node_modules', 'chasm'))).toBe(true);
    expect(installedFromRegistry(join('/srv', 'checkouts', 'chasm'))).toBe(false);
    expect(installedFromRegistry(packageRoot())).toBe(false);
  });

  it('refuses a folder that is not empty and leaves it alone', async () => {
    const project = join(work, 'taken');
    mkdirSync(project);
    writeFileSync(join(project, 'notes.txt'), 'mine');
    const { status, stderr } = await runCli('init', project);
    expect(status).toBe(1);
    expect(stderr).toContain('is not empty');
    expect(readdirSync(project)).toEqual(['notes.txt']);
    expect(existsSync(join(project, 'probes.yaml'))).toBe(false);
  });

  it('refuses a path that is a file, or lies under one, with one line and exit 1', async () => {
    const file = join(work, 'a-file');
    writeFileSync(file, 'mine');

    const onFile = await runCli('init', file);
    const underFile = await runCli('init', join(file, 'project'));

    expect(onFile.status).toBe(1);
    expect(onFile.stderr).toBe(
      `chasm init: ${file} is a file, not a folder; choose an empty or new folder\n`,
    );
    expect(underFile.status).toBe(1);
    expect(underFile.stderr).toBe(
      `chasm init: ${join(file, 'project')} cannot be used: a part of its path is a file, not a folder; choose an empty or new folder\n`,
    );
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('answers a folder it may not write with one line and exit 1', async () => {
    // root may write anywhere but sysfs; anyone else may not write a folder without write permission
    let target = '/sys/chasm-init';
    if (process.getuid?.() !== 0) {
      const locked = join(work, 'locked');
      mkdirSync(locked, { mode: 0o500 });
      target = join(locked, 'project');
    }

    const { status, stdout, stderr } = await runCli('init', target);

    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`chasm init: cannot write the project to ${target}: permission denied\n`);
  });
});
