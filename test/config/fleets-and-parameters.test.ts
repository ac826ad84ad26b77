import { describe, expect, it } from 'vitest';
import { ENGINE_SYNTAX } from '../../adapters/config-loader.js';
import { parseConfigText } from '../../config/read-config.js';

const HEAD = `version: 1
namespace: Acme/Fleet
databases:
  eu: { engine: postgres, host: eu.example.com, database: app, user: reader, auth: { type: iam } }
  us: { engine: postgres, host: us.example.com, database: app, user: reader, auth: { type: iam } }
  billing: { engine: mysql, host: billing.example.com, database: app, user: reader, auth: { type: iam } }
`;

function load(text: string) {
  return parseConfigText(`${HEAD}${text}`, 'probes.yaml', { engines: ENGINE_SYNTAX });
}

function errorsOf(text: string): string[] {
  const result = load(text);
  return result.ok ? [] : result.errors.map((error) => `${error.line}:${error.column} ${error.message}`);
}

describe('fleets in probes.yaml', () => {
  it('keeps a list as the fleet it is, one name as one database, and takes a list from defaults', () => {
    // act
    const result = load(`defaults:
  database: [eu, us]
probes:
  fleet:
    sql: SELECT 1 AS n
    metrics: [{ name: N, column: n }]
  one-of-a-list:
    database: [eu]
    sql: SELECT 1 AS n
    metrics: [{ name: N, column: n }]
  single:
    database: eu
    sql: SELECT 1 AS n
    metrics: [{ name: N, column: n }]
`);

    // assess
    if (!result.ok) throw new Error(result.errors.map((error) => error.format()).join('\n'));
    const { probes } = result.config;
    expect([probes.fleet?.database, probes['one-of-a-list']?.database, probes.single?.database]).toEqual([
      ['eu', 'us'],
      ['eu'],
      'eu',
    ]);
  });

  it("refuses a probe dimension named Database in a fleet, whose datums carry their database's name there", () => {
    // act
    const errors = errorsOf(`probes:
  fleet:
    database: [eu, us]
    sql: SELECT 1 AS n
    dimensions: { Database: main }
    metrics: [{ name: N, column: n }]
`);

    // assess
    expect(errors).toEqual([
      "9:5 probe 'fleet' runs on a fleet of databases, so each datum carries dimension 'Database' (its database's name), which its dimensions already set; rename that one",
    ]);
  });

  it('checks the SQL of a fleet against each of its engines, naming the one that refuses it', () => {
    // act
    const errors = errorsOf(`probes:
  fleet:
    database: [eu, billing]
    sql: SHOW STATUS
    metrics: [{ name: N, column: n }]
`);

    // assess
    expect(errors).toEqual([
      "10:10 probe 'fleet' (on its postgres databases): a probe runs one query statement (SELECT, WITH … SELECT, VALUES, TABLE), not SHOW",
    ]);
  });

  it('counts the Database and parameter dimensions against the 30 CloudWatch allows', () => {
    // arrange: 28 probe dimensions, Database and one parameter
    const dimensions = Array.from({ length: 28 }, (_, i) => `D${i}: v`).join(', ');

    // act
    const errors = errorsOf(`probes:
  fleet:
    database: [eu, us]
    sql: SELECT :a AS n
    parameters: [{ a: 1 }]
    dimensions: { ${dimensions} }
    metrics: [{ name: N, column: n, dimensions: { Own: x } }]
`);

    // assess
    expect(errors).toEqual([
      "13:15 metric 'N' of probe 'fleet' has 31 dimensions (30 from the probe, 2 of them from its databases and parameters, 1 its own); CloudWatch allows at most 30",
    ]);
  });
});

describe('parameters in probes.yaml', () => {
  it('makes each parameter a dimension of its own name unless renamed or false', () => {
    // act
    const result = load(`probes:
  tickets:
    database: eu
    sql: SELECT count(*) AS n FROM t WHERE status = :status AND age > :days::int AND note <> ':not' -- :nor
    parameters:
      - { status: open, days: 1 }
      - { status: "it's; --", days: 1 }
    parameterDimensions: { days: false }
    metrics: [{ name: Tickets, column: n }]
`);

    // assess
    if (!result.ok) throw new Error(result.errors.map((error) => error.format()).join('\n'));
    expect(result.config.probes.tickets).toMatchObject({
      parameters: [
        { status: 'open', days: 1 },
        { status: "it's; --", days: 1 },
      ],
      parameterDimensions: { status: 'status', days: false },
    });
  });

  it.each([
    [
      'a dimension parameter whose value CloudWatch would refuse',
      `    parameters: [{ s: "café" }]`,
      "11:23 parameter 's' (dimension 's') has 'é' (U+00E9) in 'café'; CloudWatch accepts printable ASCII only",
    ],
    [
      'parameterDimensions without parameters',
      `    parameterDimensions: { s: S }`,
      "11:5 probe 'p' has no parameters for parameterDimensions to name; add 'parameters' or remove it",
    ],
    [
      'a parameter that is no dimension with a value CloudWatch would refuse, which is fine',
      `    parameters: [{ s: "café" }]\n    parameterDimensions: { s: false }`,
      undefined,
    ],
  ])('on %s', (_, lines, expected) => {
    // act
    const errors = errorsOf(`probes:
  p:
    database: eu
    sql: SELECT count(*) AS n FROM t WHERE s = :s
${lines}
    metrics: [{ name: N, column: n }]
`);

    // assess
    expect(errors).toEqual(expected === undefined ? [] : [expected]);
  });
});
