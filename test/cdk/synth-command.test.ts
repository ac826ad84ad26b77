import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'chasm-synth-cmd-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('chasm synth', () => {
  it('writes the template and one asset folder per function, each with its manifest, and says so', async () => {
    const out = join(work, 'assembly');
    const { status, stdout, stderr } = await runCli('synth', 'examples/quickstart/probes.yaml', '--out', out);
    expect(stderr).toBe('');
    expect(status).toBe(0);

    const template = JSON.parse(readFileSync(join(out, 'Probes.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(2);
    const assets = readdirSync(out).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      expect(existsSync(join(out, asset, 'index.mjs'))).toBe(true);
      const manifest = JSON.parse(readFileSync(join(out, asset, 'manifest.json'), 'utf8')) as {
        namespace: string;
      };
      expect(manifest.namespace).toBe('Acme/Sessions');
    }

    const text = stdout;
    expect(text).toContain('stack Chasm-Acme-Sessions');
    expect(text).toContain("for the deploying profile's region");
    expect(text).toContain('Probes.template.json');
    expect(text).toContain('vpc-app  query, in vpc app');
    expect(text).toContain('fanout  fan-out, outside any VPC');
    expect(text).toContain('rate(5 minutes) -> fanout: active-sessions');
    for (const asset of assets) expect(text).toContain(asset);
  });

  it('prints every config error as FILE:LINE:COL and exits 1, writing nothing', async () => {
    const file = join(work, 'broken.yaml');
    writeFileSync(file, 'version: 1\nnamespace: Acme/Sessions\ndatabases: {}\nprobes: {}\nbogus: 1\n');
    const out = join(work, 'never');
    const { status, stderr } = await runCli('synth', file, '--out', out);
    expect(status).toBe(1);
    expect(stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `, 'm'));
    expect(existsSync(out)).toBe(false);
  });

  it('deploys to the region asked for, checking the file against it', async () => {
    const out = join(work, 'regional');
    const file = join(work, 'secret.yaml');
    writeFileSync(
      file,
      readFileSync('examples/quickstart/probes.yaml', 'utf8')
        .replace(
          'auth: { type: iam }',
          'auth: { type: secret, secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s" }',
        )
        // the seed file stays behind, so no local block
        .replace(/^\s+local:\n\s+pglite:.*$/m, ''),
    );

    const asked = await runCli('synth', file, '--out', out, '--region', 'eu-west-1');
    const elsewhere = await runCli('synth', file, '--out', join(work, 'elsewhere'), '--region=us-east-1');

    expect(asked.stderr).toBe('');
    expect(asked.stdout).toContain('for eu-west-1');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { environment?: string }>;
    };
    expect(manifest.artifacts.Probes?.environment).toBe('aws://unknown-account/eu-west-1');
    expect(elsewhere.status).toBe(1);
    expect(elsewhere.stderr).toMatch(
      /secret\.yaml:\d+:\d+: secretArn '.*' is in region eu-west-1, but the stack deploys to us-east-1/,
    );
  });

  it('refuses unknown options, a missing FILE and a malformed region with its usage', async () => {
    for (const args of [
      ['synth'],
      ['synth', 'a.yaml', '--bogus'],
      ['synth', 'a.yaml', '--out'],
      ['synth', 'a.yaml', '--region', 'Ireland'],
    ]) {
      const { status, stderr } = await runCli(...args);
      expect(status).toBe(1);
      expect(stderr).toContain('Usage: chasm synth FILE [--out DIR] [--region REGION]');
    }
  });
});
