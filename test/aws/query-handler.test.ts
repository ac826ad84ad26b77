import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedPoolOpener } from '../../adapters/database-pools.js';
import { createJsonLogger } from '../../adapters/lambda/json-logger.js';
import { createQueryHandler, handler } from '../../adapters/lambda/query-handler.js';
import { queryManifest } from '../../core/plan/build-manifests.js';
import { buildPlan } from '../../core/plan/plan.js';
import { metric, vpc } from '../support/config-factory.js';
import {
  createReaderLogin,
  databasesAvailable,
  type PasswordLogin,
  postgres,
  uniqueName,
} from '../support/databases.js';
import { serverDatabase, stackConfig, stackProbe } from './aws-stack.js';
import { emfViolations } from './emf-spec-check.js';

const TABLE = uniqueName('chasm_aws_emf');
const NOW = Date.UTC(2025, 2, 3, 4, 5, 6);
const available = await databasesAvailable();
// the probe user: read-only, its password in the variable `auth: env` names
let reader: PasswordLogin;

beforeAll(async () => {
  if (!available) return;
  reader = await createReaderLogin('postgres');
  await postgres(async (c) => {
    await c.query(`CREATE TABLE ${TABLE} (region text, n int)`);
    await c.query(`INSERT INTO ${TABLE} VALUES ('eu', 1), ('eu', 2), ('us', 3)`);
  });
});
afterAll(async () => {
  if (!available) return;
  await postgres((c) => c.query(`DROP TABLE IF EXISTS ${TABLE}`));
  await reader.drop();
});

describe('query handler', () => {
  it.skipIf(!available)(
    'with publish: emf writes its metric data and health metrics as valid EMF lines',
    async () => {
      const emf = {
        ...stackConfig({
          vpcs: [vpc('app')],
          databases: [
            serverDatabase('pg', reader.url(), {
              engine: 'postgres',
              vpc: 'app',
              auth: { type: 'env', passwordEnv: 'CHASM_TEST_PG_PASSWORD' },
            }),
          ],
          probes: [
            stackProbe({
              name: 'by-region',
              database: 'pg',
              sql: `SELECT region, n FROM ${TABLE}`,
              dimensions: { Region: { column: 'region' } },
              metrics: [metric({ name: 'Sessions' })],
            }),
            stackProbe({ name: 'broken', database: 'pg', sql: 'SELECT 1 AS n FROM no_such_table_here' }),
          ],
          health: 'detailed',
        }),
        publish: 'emf' as const,
      };
      const fn = buildPlan(emf).functions[0];
      const lines: string[] = [];
      const logged: string[] = [];
      const handle = createQueryHandler(queryManifest(emf, fn ?? ({} as never)), {
        openPool: deployedPoolOpener({
          iamToken: () => 'unused',
          env: { CHASM_TEST_PG_PASSWORD: reader.password },
        }),
        emfOut: { write: (line) => lines.push(line) },
        logger: createJsonLogger({ out: { write: (line) => logged.push(line) } }),
        clock: { now: () => NOW },
      });

      const response = await handle({ probes: ['by-region', 'broken'] });
      await handle.close();

      expect(response.reports.map((r) => [r.probe, r.ok])).toEqual([
        ['by-region', true],
        ['broken', false],
      ]);
      expect(lines.every((line) => line.endsWith('\n'))).toBe(true);
      for (const line of lines) expect(emfViolations(line.trimEnd())).toEqual([]);
      const documents = lines.map((line) => JSON.parse(line));
      expect(
        documents.every(
          (d) => d._aws.Timestamp === NOW && d._aws.CloudWatchMetrics[0].Namespace === 'Chasm/Test',
        ),
      ).toBe(true);
      const members = documents.map(({ _aws, ...rest }) => rest);
      expect(members).toEqual(
        expect.arrayContaining([
          { Region: 'eu', Sessions: [1, 2] },
          { Region: 'us', Sessions: 3 },
          { ProbesFailed: 1 },
          { Probe: 'broken', ProbeSuccess: 0, ProbeDuration: expect.any(Number), ProbeRows: 0 },
        ]),
      );
      // one log line per probe outcome, JSON each
      const events = logged.map((line) => JSON.parse(line));
      expect(events.filter((e) => e.event === 'probe').map((e) => [e.probe, e.ok])).toEqual([
        ['by-region', true],
        ['broken', false],
      ]);
    },
  );

  it('fails each invocation with the reason when the manifest cannot be read', async () => {
    await expect(handler({ probes: [] })).rejects.toThrow(
      /cannot read the function's manifest .*manifest\.json/,
    );
  });
});

describe('JSON logger', () => {
  it('writes one JSON line per event at its level and never a credential, a row or SQL', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({
      out: { write: (line) => lines.push(line) },
      now: () => NOW,
      fields: { function: 'f' },
    });

    logger.log('info', {
      event: 'probe',
      probe: 'p',
      rows: 3,
      password: 'hunter2',
      credentials: { db: { password: 'x' } },
      sql: 'SELECT secret',
    });
    logger.log('error', { event: 'oops', error: new Error('bad'), row: { email: 'a@b.c' } });

    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: new Date(NOW).toISOString(),
      level: 'info',
      function: 'f',
      event: 'probe',
      probe: 'p',
      rows: 3,
      password: '[hidden]',
      credentials: '[hidden]',
      sql: '[hidden]',
    });
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({
      level: 'error',
      error: { name: 'Error', message: 'bad' },
      row: '[hidden]',
    });
    expect(lines.join('')).not.toMatch(/hunter2|a@b\.c|SELECT secret/);
  });
});
