// `chasm run` as a user runs it, for Data API databases without a local block: the built CLI
// reaches them through the Data API, here the local endpoint in front of PostgreSQL and MariaDB.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChasm } from '../support/chasm-process.js';
import {
  createReaderLogin,
  databasesAvailable,
  MYSQL_URL,
  mariadb,
  type PasswordLogin,
  PG_URL,
  postgres,
  uniqueName,
} from '../support/databases.js';
import { type LocalRdsData, startLocalRdsData } from '../support/local-aws/local-rds-data.js';

const available = await databasesAvailable();

const ACCOUNT = '123456789012';
const TABLE = uniqueName('chasm_run_api');
const serverOf = (url: string) => {
  const parsed = new URL(url);
  return { url: `${parsed.protocol}//${parsed.host}${parsed.pathname}`, database: parsed.pathname.slice(1) };
};

describe.skipIf(!available)('chasm run with Data API databases and no local block', () => {
  const secrets = new Map<string, string>();
  let endpoint: LocalRdsData;
  let logins: PasswordLogin[] = [];
  let folder: string;

  beforeAll(async () => {
    logins = [await createReaderLogin('postgres'), await createReaderLogin('mysql')];
    await postgres((c) => c.query(`CREATE TABLE ${TABLE} AS SELECT 7 AS n`));
    await mariadb((c) => c.query(`CREATE TABLE ${TABLE} AS SELECT 5 AS n`));
    const [pg, my] = logins as [PasswordLogin, PasswordLogin];
    secrets.set(
      `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:pg`,
      JSON.stringify({ username: pg.user, password: pg.password }),
    );
    secrets.set(
      `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:my`,
      JSON.stringify({ username: my.user, password: my.password }),
    );
    endpoint = await startLocalRdsData({
      clusters: {
        [`arn:aws:rds:eu-west-1:${ACCOUNT}:cluster:pg`]: { engine: 'postgres', url: serverOf(PG_URL).url },
        [`arn:aws:rds:eu-west-1:${ACCOUNT}:cluster:my`]: { engine: 'mysql', url: serverOf(MYSQL_URL).url },
      },
      secret: (arn) => secrets.get(arn),
    });
    folder = mkdtempSync(join(tmpdir(), 'chasm-run-api-'));
    writeFileSync(
      join(folder, 'probes.yaml'),
      `version: 1
namespace: Acme/Aurora
region: eu-west-1
databases:
  orders:
    engine: postgres
    database: ${serverOf(PG_URL).database}
    auth: { type: secret, secretArn: "arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:pg" }
    dataApi: { resourceArn: "arn:aws:rds:eu-west-1:${ACCOUNT}:cluster:pg" }
  jobs:
    engine: mysql
    database: ${serverOf(MYSQL_URL).database}
    auth: { type: secret, secretArn: "arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:my" }
    dataApi: { resourceArn: "arn:aws:rds:eu-west-1:${ACCOUNT}:cluster:my" }
probes:
  orders:
    database: orders
    sql: SELECT n FROM ${TABLE}
    metrics: [{ name: Orders, column: n }]
  jobs:
    database: jobs
    sql: SELECT n FROM ${TABLE}
    metrics: [{ name: Jobs, column: n }]
`,
    );
  });
  afterAll(async () => {
    await endpoint?.close();
    await postgres((c) => c.query(`DROP TABLE IF EXISTS ${TABLE}`));
    await mariadb((c) => c.query(`DROP TABLE IF EXISTS ${TABLE}`));
    await Promise.all(logins.map((login) => login.drop()));
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('runs their probes through the Data API the environment names, as deployed', async () => {
    // act
    const run = await runChasm(['run', join(folder, 'probes.yaml'), '--json'], {
      env: {
        AWS_ENDPOINT_URL_RDS_DATA: endpoint.endpoint,
        AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
        AWS_SECRET_ACCESS_KEY: 'local-test-secret',
        AWS_REGION: 'eu-west-1',
        // the SDK warns on stderr under Node 20, which this machine runs (Lambda runs 22)
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });

    // assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const output = JSON.parse(run.stdout) as { metrics: { MetricName: string; Value: number }[] };
    expect(output.metrics.map((datum) => [datum.MetricName, datum.Value])).toEqual([
      ['Orders', 7],
      ['Jobs', 5],
      ['ProbesFailed', 0],
    ]);
    const operations = endpoint.calls.map((call) => call.operation);
    expect(operations.filter((operation) => operation === 'BeginTransaction')).toHaveLength(2);
    expect(endpoint.openTransactions()).toBe(0);
  });
});
