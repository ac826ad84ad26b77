/**
 * `chasm run` as a user runs it, a process of its own, against what could take it down: a result
 * of two million rows (memory stays flat, only that probe fails, the healthy probes' metrics are
 * all there, even with a small heap) and a server that stops answering (the run ends at the
 * probe's timeout plus a small margin, and says so).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChasm } from '../support/chasm-process.js';
import { createReaderLogin, type PasswordLogin, type Server, serverAvailable } from '../support/databases.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

interface Engine {
  readonly server?: Server;
  /** two million rows, streamed by the server as they are made */
  readonly manyRows: string;
}

const engines: Readonly<Record<string, Engine>> = {
  postgres: {
    server: 'postgres',
    manyRows: "SELECT g AS n, repeat('x', 100) AS pad FROM generate_series(1, 2000000) AS g",
  },
  mysql: { server: 'mysql', manyRows: "SELECT seq AS n, REPEAT('x', 100) AS pad FROM seq_1_to_2000000" },
  // in the select list, Postgres makes the rows as they are fetched (in FROM it would store them all first)
  pglite: { manyRows: "SELECT generate_series(1, 2000000) AS n, repeat('x', 100) AS pad" },
};

interface ProbeSpec {
  readonly name: string;
  readonly database: string;
  readonly sql: string;
  readonly timeout?: string;
}

function probesYaml(databases: Record<string, string>, probes: readonly ProbeSpec[]): string {
  const lines = ['version: 1', 'namespace: Chasm/Limits', 'databases:'];
  for (const [name, local] of Object.entries(databases)) {
    const engine = local.includes('mysql://') ? 'mysql' : 'postgres';
    lines.push(
      `  ${name}:`,
      `    engine: ${engine}`,
      '    host: db.example.com',
      '    database: app',
      '    user: reader',
      '    auth: { type: iam }',
      `    local: ${local}`,
    );
  }
  lines.push('probes:');
  for (const probe of probes) {
    lines.push(
      `  ${probe.name}:`,
      `    database: ${probe.database}`,
      `    sql: "${probe.sql.replace(/"/g, '\\"')}"`,
      ...(probe.timeout ? [`    timeout: ${probe.timeout}`] : []),
      '    metrics: [{ name: Rows, column: n, unit: Count }]',
    );
  }
  return `${lines.join('\n')}\n`;
}

interface RunJson {
  probes: { probe: string; ok: boolean; rows: number; error?: { code: string; message: string } }[];
  metrics: { MetricName: string; Dimensions: unknown[]; Value?: number }[];
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'chasm-limits-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

for (const [name, engine] of Object.entries(engines)) {
  const available = engine.server ? await serverAvailable(engine.server) : true;

  describe.skipIf(!available)(`chasm run on ${name}`, () => {
    let login: PasswordLogin | undefined;
    let local = '';
    beforeAll(async () => {
      if (engine.server) {
        login = await createReaderLogin(engine.server);
        local = `{ url: "${login.url()}" }`;
      } else {
        local = '{ pglite: {} }';
      }
    });
    afterAll(() => login?.drop());

    const write = async (file: string, probes: readonly ProbeSpec[]): Promise<string> => {
      const path = join(folder, `${name}-${file}`);
      await writeFile(path, probesYaml({ db: local }, probes));
      return path;
    };
    const healthy: ProbeSpec[] = [
      { name: 'healthy-a', database: 'db', sql: 'SELECT 1 AS n' },
      { name: 'healthy-b', database: 'db', sql: 'SELECT 2 AS n' },
    ];

    it('fails only the probe of two million rows, with TOO_MANY_ROWS, in flat memory, even on a small heap', async () => {
      // arrange
      const big = await write('big.yaml', [
        ...healthy,
        { name: 'huge', database: 'db', sql: engine.manyRows, timeout: '60s' },
      ]);
      const small = await write('small.yaml', [
        ...healthy,
        { name: 'huge', database: 'db', sql: 'SELECT 3 AS n', timeout: '60s' },
      ]);

      // act
      const run = await runChasm(['run', big, '--json'], { nodeFlags: ['--max-old-space-size=256'] });
      const baseline = await runChasm(['run', small, '--json'], { nodeFlags: ['--max-old-space-size=256'] });

      // assess
      expect(run.status, run.stderr).toBe(2);
      const { probes, metrics } = JSON.parse(run.stdout) as RunJson;
      expect(probes.map((probe) => [probe.probe, probe.ok, probe.error?.code])).toEqual([
        ['healthy-a', true, undefined],
        ['healthy-b', true, undefined],
        ['huge', false, 'TOO_MANY_ROWS'],
      ]);
      expect(metrics.filter((datum) => datum.MetricName === 'Rows').map((datum) => datum.Value)).toEqual([
        1, 2,
      ]);
      // an embedded database holds its own memory (PGlite: hundreds of megabytes, whatever it runs):
      // what counts is that the result adds nothing to it
      if (engine.server) expect(run.maxRssMb).toBeLessThan(200);
      expect(run.maxRssMb - baseline.maxRssMb).toBeLessThan(60);
    }, 120_000);

    it.skipIf(!engine.server)(
      'ends at the timeout, plus a small margin, when the server stops answering, and reports it',
      async () => {
        // arrange: the healthy database answers; the other one, behind a proxy, is silent
        const proxy = await startTcpProxy({
          host: '127.0.0.1',
          port: engine.server === 'mysql' ? 3306 : 5432,
        });
        proxy.stall();
        const silent = (login as PasswordLogin).url().replace(/:(5432|3306)\//, `:${proxy.port}/`);
        const path = join(folder, `${name}-stalled.yaml`);
        await writeFile(
          path,
          probesYaml({ db: local, silent: `{ url: "${silent}" }` }, [
            ...healthy,
            { name: 'stalled', database: 'silent', sql: 'SELECT 1 AS n', timeout: '2s' },
          ]),
        );

        try {
          // act: the same run without the silent database says what starting a process costs here
          const run = await runChasm(['run', path, '--json'], { timeoutMs: 30_000 });
          const healthyOnly = await runChasm([
            'run',
            path,
            '--json',
            '--probe',
            'healthy-a',
            '--probe',
            'healthy-b',
          ]);

          // assess
          expect(run.status, run.stderr).toBe(2);
          const { probes } = JSON.parse(run.stdout) as RunJson;
          expect(probes.map((probe) => [probe.probe, probe.ok, probe.error?.code])).toEqual([
            ['healthy-a', true, undefined],
            ['healthy-b', true, undefined],
            ['stalled', false, 'TIMEOUT'],
          ]);
          expect(healthyOnly.status, healthyOnly.stderr).toBe(0);
          // the 2 s timeout, and a margin for giving up on the connection attempt
          expect(run.ms - healthyOnly.ms).toBeLessThan(2000 + 1500);
          expect(proxy.open).toBe(0);
        } finally {
          await proxy.close();
        }
      },
      60_000,
    );
  });
}
