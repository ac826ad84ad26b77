import { describe, expect, it } from 'vitest';
import { ENGINE_SYNTAX } from '../../adapters/config-loader.js';
import { parseConfigText } from '../../config/read-config.js';

/** a config whose one VPC sets `vpcLines` under `vpcId` and `subnetIds` */
function withVpc(vpcLines: string): string {
  return `version: 1
namespace: Acme/Net
vpcs:
  app:
    vpcId: vpc-0abc1234def567890
    subnetIds: [subnet-0aaa1111bbbb2222c]
${vpcLines}
databases:
  pg: { engine: postgres, vpc: app, host: h, database: d, user: u, auth: { type: iam } }
probes:
  p:
    database: pg
    sql: SELECT 1 AS n
    metrics:
      - { name: M, column: n, unit: Count }
`;
}

function messages(text: string): string[] {
  const result = parseConfigText(text, 'probes.yaml', { engines: ENGINE_SYNTAX });
  return result.ok ? [] : result.errors.map((error) => `${error.line}:${error.column} ${error.message}`);
}

describe("a VPC's cidrBlocks", () => {
  it('load in the order written', () => {
    // act
    const result = parseConfigText(withVpc('    cidrBlocks: [10.1.0.0/16, 10.0.0.0/16]'), 'probes.yaml', {
      engines: ENGINE_SYNTAX,
    });

    // assess
    if (!result.ok) throw new Error(result.errors.map((error) => error.format()).join('\n'));
    expect(result.config.vpcs.app?.cidrBlocks).toEqual(['10.1.0.0/16', '10.0.0.0/16']);
  });

  it('stay absent when not written', () => {
    const result = parseConfigText(withVpc(''), 'probes.yaml', { engines: ENGINE_SYNTAX });

    if (!result.ok) throw new Error('expected a valid config');
    expect(result.config.vpcs.app).not.toHaveProperty('cidrBlocks');
  });

  it('accept the extremes: a whole address space and a single host', () => {
    expect(messages(withVpc('    cidrBlocks: [0.0.0.0/0, 255.255.255.255/32]'))).toEqual([]);
  });

  it.each([
    ['200.1.2.3/8', '200.0.0.0/8'],
    ['172.31.255.255/20', '172.31.240.0/20'],
    ['10.0.0.1/0', '0.0.0.0/0'],
  ])('refuse %s, whose host bits are set, naming its network %s', (block, network) => {
    expect(messages(withVpc(`    cidrBlocks: [${block}]`))).toEqual([
      `7:18 CIDR block '${block}' has host bits set; EC2 would store it as ${network}, so write ${network}`,
    ]);
  });

  it.each(['10.0.0.0', '10.0.0/16', '256.0.0.0/8', '010.0.0.0/8', '10.0.0.0/33', '2001:db8::/32'])(
    'refuse %s, which is no IPv4 CIDR block',
    (block) => {
      expect(messages(withVpc(`    cidrBlocks: ['${block}']`))).toEqual([
        `7:18 invalid IPv4 CIDR block '${block}'; expected an address and a prefix length of 0 to 32, e.g. 10.0.0.0/16`,
      ]);
    },
  );

  it('refuse an empty list and a block listed twice', () => {
    expect(messages(withVpc('    cidrBlocks: []'))).toHaveLength(1);
    expect(messages(withVpc('    cidrBlocks: [10.0.0.0/16, 10.0.0.0/16]'))).toHaveLength(1);
  });

  it('are refused beside securityGroupIds, at the cidrBlocks key', () => {
    const text = withVpc('    securityGroupIds: [sg-0123456789abcdef0]\n    cidrBlocks: [10.0.0.0/16]');

    expect(messages(text)).toEqual([
      "8:5 cidrBlocks only shapes the security group Chasm creates, and VPC 'app' names its own securityGroupIds (their rules apply); remove cidrBlocks, or securityGroupIds to let Chasm create one",
    ]);
  });
});
