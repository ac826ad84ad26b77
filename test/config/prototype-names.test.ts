// Names in probes.yaml are data: one that every object inherits as a member (`toString`,
// `constructor`, `hasOwnProperty`, `__proto__`) names nothing unless the file defines it.
import { describe, expect, it } from 'vitest';
import { ENGINE_SYNTAX } from '../../adapters/config-loader.js';
import { parseConfigText } from '../../config/read-config.js';
import { entryNamed } from '../../core/model.js';
import { buildPlan } from '../../core/plan/plan.js';

/** a config with `databaseLines` under `databases:` and `probeLines` under its probe `p` */
function configWith(databaseLines: string, probeLines: string, top = ''): string {
  return `version: 1
namespace: Acme/Names
${top}vpcs:
  hasOwnProperty:
    vpcId: vpc-0abc1234def567890
    subnetIds: [subnet-0aaa1111bbbb2222c]
databases:
${databaseLines}
probes:
  p:
${probeLines}
    sql: SELECT 1 AS n
    metrics:
      - { name: M, column: n, unit: Count }
`;
}

const MAIN =
  '  main: { engine: postgres, vpc: hasOwnProperty, host: h, database: d, user: u, auth: { type: iam } }';

function messages(text: string): string[] {
  const result = parseConfigText(text, 'probes.yaml', { engines: ENGINE_SYNTAX });
  return result.ok ? [] : result.errors.map((error) => `${error.line}:${error.column} ${error.message}`);
}

describe('a name that objects inherit', () => {
  it.each(['toString', 'constructor', 'hasOwnProperty', 'valueOf'])(
    'is an unknown database when a probe names database %s',
    (name) => {
      // act
      const found = messages(configWith(MAIN, `    database: ${name}`));

      // assess
      expect(found).toEqual([`11:15 unknown database '${name}'; defined: main`]);
    },
  );

  it('is refused by the schema, and only there, as database __proto__', () => {
    // act
    const found = messages(configWith(MAIN, '    database: __proto__'));

    // assess
    expect(found).toEqual([
      "11:15 invalid 'database' '__proto__'; names use letters, digits, '-' and '_', start with a letter and are at most 64 characters",
    ]);
  });

  it('is an unknown database in defaults', () => {
    // act
    const found = messages(configWith(MAIN, '    database: main', 'defaults: { database: toString }\n'));

    // assess
    expect(found).toEqual(["3:23 unknown database 'toString'; defined: main"]);
  });

  it('is an unknown VPC when a database names vpc constructor', () => {
    // act
    const found = messages(
      configWith(
        '  main: { engine: postgres, vpc: constructor, host: h, database: d, user: u, auth: { type: iam } }',
        '    database: main',
      ),
    );

    // assess
    expect(found).toEqual(["8:34 unknown VPC 'constructor'; defined: hasOwnProperty"]);
  });

  it('is no engine: engine constructor gets the schema error and no engine-specific one', () => {
    // act
    const found = messages(
      configWith(
        '  main: { engine: constructor, host: h, database: d, user: u, auth: { type: iam }, local: { pglite: {} } }',
        '    database: main',
      ),
    );

    // assess
    expect(found).toEqual(["8:19 engine 'constructor' is not one of postgres, mysql"]);
  });

  it('is no probe dimension when a metric has a dimension named toString', () => {
    // act
    const found = messages(
      configWith(MAIN, '    database: main').replace(
        '{ name: M, column: n, unit: Count }',
        '{ name: M, column: n, unit: Count, dimensions: { toString: x } }',
      ),
    );

    // assess
    expect(found).toEqual([]);
  });

  it('as a probe name is refused, and what lies under it still checked against the probe schema', () => {
    // arrange
    const text = `version: 1
namespace: Acme/Names
databases:
  main: { engine: postgres, host: h, database: d, user: u, auth: { type: iam } }
probes:
  __proto__:
    database: main
    sql: SELECT 1 AS n
    dimensions: { X: 5 }
    metrics:
      - { name: M, column: n, unit: Count }
`;

    // act
    const found = messages(text);

    // assess
    expect(found).toEqual([
      "6:3 invalid probe name '__proto__'; names use letters, digits, '-' and '_', start with a letter and are at most 64 characters",
      "9:22 dimension 'X' must be a string or a map, not the number 5; quote it to make it a string: '5'",
    ]);
  });

  it('defined in the file is found, validated and planned like any other name', () => {
    // arrange: a VPC hasOwnProperty, a database constructor, a probe toString
    const text = `version: 1
namespace: Acme/Names
vpcs:
  hasOwnProperty:
    vpcId: vpc-0abc1234def567890
    subnetIds: [subnet-0aaa1111bbbb2222c]
databases:
  constructor: { engine: mysql, vpc: hasOwnProperty, host: h, database: d, user: u, auth: { type: iam } }
probes:
  toString:
    database: constructor
    sql: SELECT 1 AS n
    metrics:
      - { name: M, column: n, unit: Count }
`;

    // act
    const result = parseConfigText(text, 'probes.yaml', { engines: ENGINE_SYNTAX });
    if (!result.ok) throw new Error(result.errors.map((error) => error.format()).join('\n'));
    const plan = buildPlan(result.config);

    // assess
    expect(entryNamed(result.config.databases, 'constructor')?.port).toBe(3306);
    expect(plan.functions).toEqual([
      expect.objectContaining({
        id: 'vpc-hasOwnProperty',
        databases: ['constructor'],
        engines: ['mysql'],
        probes: ['toString'],
      }),
    ]);
  });
});
