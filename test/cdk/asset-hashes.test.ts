// Asset hashes depend on the code deployed only, not on which copy of the project synthesizes it.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { forgetBundles, type HandlerEntries } from '../../adapters/cdk/handler-bundler.js';
import { packageRoot } from '../../adapters/cdk/package-root.js';
import { ProbesStack } from '../../adapters/cdk/probes-stack.js';
import { loadConfig } from '../../adapters/config-loader.js';

const work = mkdtempSync(join(tmpdir(), 'chasm-asset-hashes-'));
const startedIn = process.cwd();
afterAll(() => {
  process.chdir(startedIn);
  forgetBundles();
  rmSync(work, { recursive: true, force: true });
});

const quickstart = join(packageRoot(), 'examples', 'quickstart', 'probes.yaml');

/** the S3 keys (asset hash + .zip) of the functions' code, synthesized afresh (bundling included) */
function assetHashes(handlers: HandlerEntries): string[] {
  forgetBundles();
  const app = new App({ outdir: mkdtempSync(join(work, 'out-')) });
  const stack = new ProbesStack(app, 'Probes', { config: loadConfig(quickstart), handlers });
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  return Object.values(functions)
    .map((fn) => String(fn.Properties.Code.S3Key))
    .sort();
}

/** a copy of the package's sources at `dir`, sharing its installed dependencies */
function copyOfPackage(dir: string): HandlerEntries {
  mkdirSync(dir);
  for (const entry of ['package.json', 'adapters', 'core', 'config']) {
    cpSync(join(packageRoot(), entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(packageRoot(), 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    query: join(dir, 'adapters', 'lambda', 'query-handler.ts'),
    fanout: join(dir, 'adapters', 'lambda', 'fanout-handler.ts'),
  };
}

describe('asset hashes', () => {
  it('are the same in two copies of the project, each synthesized from its own folder', () => {
    // arrange: two checkouts side by side
    const copies = join(work, 'checkouts');
    mkdirSync(copies);
    const one = join(copies, 'one');
    const two = join(copies, 'two');
    const first = copyOfPackage(one);
    const second = copyOfPackage(two);

    // act
    process.chdir(one);
    const fromFirst = assetHashes(first);
    process.chdir(two);
    const fromSecond = assetHashes(second);
    process.chdir(startedIn);

    // assess
    expect(fromFirst).toHaveLength(2);
    expect(fromSecond).toEqual(fromFirst);
  }, 120_000);
});
