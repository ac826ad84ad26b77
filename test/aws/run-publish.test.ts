import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReaderLogin, databasesAvailable, type PasswordLogin } from '../support/databases.js';
import { type LocalCloudWatch, startLocalCloudWatch } from '../support/local-aws/local-cloudwatch.js';
import { emfViolations } from './emf-spec-check.js';

const run = promisify(execFile);
// a fresh process per run; generous, as it includes Node's start and the SDK's import
const CLI_TIMEOUT_MS = 120_000;

// the quickstart's probe, run against the real PostgreSQL through a local url naming `reader`
const probesYaml = (reader: PasswordLogin) => `version: 1
namespace: Acme/Sessions
vpcs:
  app: { vpcId: vpc-0abc1234def567890, subnetIds: [subnet-0aaa1111bbbb2222c] }
databases:
  sessions:
    engine: postgres
    vpc: app
    host: sessions.cluster-cxyz12345678.eu-west-1.rds.amazonaws.com
    database: app
    user: metrics_reader
    auth: { type: iam }
    local: { url: "${reader.url()}" }
probes:
  active-sessions:
    database: sessions
    sql: SELECT 42 AS active
    metrics: [{ name: ActiveSessions, column: active, unit: Count }]
`;

// the binary a user runs (dist/ is built by the global setup), with dummy credentials
function chasm(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ['bin/chasm.js', ...args], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
      AWS_REGION: 'eu-west-1',
      ...env,
    },
  });
}

/** The binary's exit status and output, whatever the status. */
async function chasmExit(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number; stdout: string }> {
  try {
    const { stdout } = await chasm(args, env);
    return { status: 0, stdout };
  } catch (error) {
    const { code, stdout } = error as { code?: number; stdout?: string };
    if (typeof code !== 'number') throw error;
    return { status: code, stdout: stdout ?? '' };
  }
}

const available = await databasesAvailable();

describe.skipIf(!available)('chasm run --publish', () => {
  let cloudwatch: LocalCloudWatch;
  let dir: string;
  let file: string;
  // the probe user: read-only, and it needs its password
  let reader: PasswordLogin;
  beforeAll(async () => {
    cloudwatch = await startLocalCloudWatch();
    reader = await createReaderLogin('postgres');
    dir = mkdtempSync(join(tmpdir(), 'chasm-run-publish-'));
    file = join(dir, 'probes.yaml');
    writeFileSync(file, probesYaml(reader));
  });
  afterAll(async () => {
    await cloudwatch.close();
    await reader.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'cloudwatch: publishes through the SDK to the endpoint AWS_ENDPOINT_URL_CLOUDWATCH names',
    async () => {
      const { stdout } = await chasm(['run', file, '--publish', 'cloudwatch', '--json'], {
        AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.endpoint,
      });

      expect(JSON.parse(stdout).probes[0]).toMatchObject({ probe: 'active-sessions', ok: true });
      expect(JSON.parse(stdout).publish).toEqual({ ok: true });
      expect(cloudwatch.accepted.map((d) => [d.Namespace, d.MetricName, d.Value]).sort()).toEqual([
        ['Acme/Sessions', 'ActiveSessions', 42],
        ['Acme/Sessions', 'ProbesFailed', 0],
      ]);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'cloudwatch: a request that keeps failing shows under publish and on its probe, and exits 2',
    async () => {
      // every attempt the SDK makes (5) meets a 500
      cloudwatch.accepted.length = 0;
      for (let n = 1; n <= 5; n++) cloudwatch.failRequest(n);

      const { status, stdout } = await chasmExit(['run', file, '--publish', 'cloudwatch', '--json'], {
        AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.endpoint,
      });

      expect(status).toBe(2);
      const output = JSON.parse(stdout) as {
        probes: { ok: boolean; error?: { code: string; message: string } }[];
        publish: { ok: boolean; error?: { code: string; message: string } };
      };
      expect(output.publish).toEqual({
        ok: false,
        error: {
          code: 'PUBLISH_FAILED',
          message: expect.stringMatching(/^2 of 2 datums were not published: .*InternalServiceFault/),
        },
      });
      expect(output.probes[0]).toMatchObject({ ok: false, error: { code: 'PUBLISH_FAILED' } });
      expect(cloudwatch.accepted).toEqual([]);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'cloudwatch: the text output says publishing failed, and exits 2',
    async () => {
      for (let n = 1; n <= 5; n++) cloudwatch.failRequest(n);

      const { status, stdout } = await chasmExit(['run', file, '--publish', 'cloudwatch'], {
        AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.endpoint,
      });

      expect(status).toBe(2);
      expect(stdout).toMatch(/^FAILED\s+active-sessions\s+sessions\s+1\s+[\d.]+\s+PUBLISH_FAILED: /m);
      expect(stdout).toMatch(
        /^PUBLISH_FAILED: PutMetricData of 2 datums to 'Acme\/Sessions' failed after 5 attempts/m,
      );
      expect(stdout).toContain('Publishing to cloudwatch failed: 2 of 2 datums were not published.');
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'emf: prints the EMF lines a query function would log, valid against the specification',
    async () => {
      const { stdout } = await chasm(['run', file, '--publish', 'emf']);

      const lines = stdout.split('\n').filter((line) => line.startsWith('{'));
      expect(lines).toHaveLength(1);
      expect(emfViolations(lines[0] ?? '')).toEqual([]);
      expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ ActiveSessions: 42, ProbesFailed: 0 });
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'emf with --json: stdout stays one JSON document, the EMF documents under `emf`',
    async () => {
      const { stdout } = await chasm(['run', file, '--publish', 'emf', '--json']);

      const output = JSON.parse(stdout) as { probes: { ok: boolean }[]; publish: unknown; emf: unknown[] };
      expect(output.probes.map((probe) => probe.ok)).toEqual([true]);
      expect(output.publish).toEqual({ ok: true });
      expect(output.emf).toHaveLength(1);
      expect(emfViolations(JSON.stringify(output.emf[0]))).toEqual([]);
      expect(output.emf[0]).toMatchObject({ ActiveSessions: 42, ProbesFailed: 0 });
    },
    CLI_TIMEOUT_MS,
  );
});
