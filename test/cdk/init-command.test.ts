import { execFileSync } from 'node:child_process';
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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../adapters/cdk/package-root.js';
import { runCli } from '../support/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'chasm-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

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
  it('writes a CDK project in which `npx cdk synth` succeeds offline', async () => {
    const project = join(work, 'my-probes');
    const { status, stdout } = await runCli('init', project);
    expect(status).toBe(0);
    expect(readdirSync(project).sort()).toEqual(
      ['.gitignore', 'README.md', 'app.mjs', 'cdk.json', 'package.json', 'probes.yaml', 'seed.sql'].sort(),
    );
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['aws-cdk-lib', 'chasm', 'constructs']);
    expect(Object.keys(pkg.devDependencies)).toEqual(['aws-cdk']);
    expect(readFileSync(join(project, 'probes.yaml'), 'utf8')).toContain(
      '$schema=./node_modules/chasm/schema.json',
    );
    expect(stdout).toContain('npx cdk deploy');

    linkDependencies(project);
    const output = execFileSync('npx', ['--no', 'cdk', 'synth', '--no-notices', '--quiet'], {
      cwd: project,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        CDK_DISABLE_VERSION_CHECK: '1',
        // no credentials: synthesis must not need any
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_PROFILE: '',
        npm_config_offline: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 280_000,
    });
    // cdk may print notices of its own (feature flags); nothing of ours may fail
    expect(output).not.toMatch(/error|warning/i);
    const template = JSON.parse(readFileSync(join(project, 'cdk.out', 'Probes.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const names = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((fn) => fn.Properties.FunctionName);
    expect(names.sort()).toEqual(['chasm-acme-sessions-fanout', 'chasm-acme-sessions-vpc-app']);
    // bundling and CDK's CloudFormation schema check in a fresh process take a while on a small machine
  }, 300_000);

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
