import { describe, expect, it } from 'vitest';
import { ENGINE_SYNTAX } from '../../adapters/config-loader.js';
import { checkArnRegions } from '../../config/arn-regions.js';
import type { PendingIssue } from '../../config/pending-issue.js';
import { parseConfigText } from '../../config/read-config.js';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/reader';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts';

/** a config with an optional `region` line, one secret database and an alarm topic */
function withRegion(regionLine: string, topic = TOPIC): string {
  return `version: 1
namespace: Acme/Regions
${regionLine}
alarms: { topicArn: "${topic}" }
databases:
  pg:
    engine: postgres
    host: h
    database: d
    user: u
    auth: { type: secret, secretArn: "${SECRET}" }
probes:
  p:
    database: pg
    sql: SELECT 1 AS n
    metrics:
      - { name: M, column: n, unit: Count }
      - name: N
        column: n
        unit: Count
        dimensions: { QueueArn: "arn:aws:sqs:us-east-1:123456789012:elsewhere" }
`;
}

function read(text: string, region?: string) {
  return parseConfigText(text, 'probes.yaml', { engines: ENGINE_SYNTAX, ...(region ? { region } : {}) });
}

function messages(text: string, region?: string): string[] {
  const result = read(text, region);
  return result.ok ? [] : result.errors.map((error) => `${error.line}:${error.column} ${error.message}`);
}

describe("the stack's region", () => {
  it("comes from the file's region, and ARNs there pass (a dimension value is data, never checked)", () => {
    // act
    const result = read(withRegion('region: eu-west-1'));

    // assess
    if (!result.ok) throw new Error(result.errors.map((error) => error.format()).join('\n'));
    expect(result.config.region).toBe('eu-west-1');
  });

  it('comes from the region asked for when the file names none, and ARNs are checked against it', () => {
    // act
    const asked = read(withRegion(''), 'eu-west-1');
    const elsewhere = messages(withRegion(''), 'us-east-1');

    // assess
    expect(asked.ok && asked.config.region).toBe('eu-west-1');
    expect(elsewhere).toEqual([
      `4:21 topicArn '${TOPIC}' is in region eu-west-1, but the stack deploys to us-east-1 (the region asked for); name a resource of us-east-1`,
      `11:38 secretArn '${SECRET}' is in region eu-west-1, but the stack deploys to us-east-1 (the region asked for); name a resource of us-east-1`,
    ]);
  });

  it('refuses a file whose region differs from the one asked for, at its region', () => {
    // act
    const found = messages(withRegion('region: eu-west-1'), 'us-east-1');

    // assess
    expect(found).toEqual([
      "3:9 region 'eu-west-1' differs from the region asked for, us-east-1; ask for eu-west-1 or change the file's region",
    ]);
  });

  it('is absent without region and with ARNs that agree', () => {
    // act
    const result = read(withRegion(''));

    // assess
    expect(result.ok && result.config.region).toBeUndefined();
  });

  it('never refuses an ARN of a global service, which names no region', () => {
    // arrange: no key of today's schema holds a global ARN; the check reads any key ending in Arn
    const issues: PendingIssue[] = [];
    const document = {
      region: 'eu-west-1',
      roles: { runner: { roleArn: 'arn:aws:iam::123456789012:role/runner' } },
      alarms: { topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts' },
    };

    // act
    checkArnRegions(document, undefined, new Set(), (path, at, message) =>
      issues.push({ path, at, message }),
    );

    // assess
    expect(issues.map((issue) => issue.path.join('.'))).toEqual(['alarms.topicArn']);
  });
});
