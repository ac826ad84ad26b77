import { describe, expect, it } from 'vitest';
import { configPositions } from '../../config/config-positions.js';

const TEXT = `version: 1
namespace: Acme/Test
vpcs:
  app:
    vpcId: vpc-0abc1234def567890
    subnetIds: [subnet-0aaa1111bbbb2222c, subnet-0ddd3333eeee4444f]
databases:
  sessions:
    engine: postgres
    vpc: app
    host: db.example.com
    auth: { type: iam }
`;

describe('configPositions', () => {
  it("points at a key's value, or at the key itself when asked", () => {
    const positions = configPositions(TEXT);

    expect(positions.locate(['databases', 'sessions', 'host'])).toEqual({ line: 11, column: 11 });
    expect(positions.locate(['databases', 'sessions', 'host'], 'key')).toEqual({ line: 11, column: 5 });
  });

  it('points into flow collections: a list item and a value in an inline map', () => {
    const positions = configPositions(TEXT);

    expect(positions.locate(['vpcs', 'app', 'subnetIds', '1'])).toEqual({ line: 6, column: 43 });
    expect(positions.locate(['databases', 'sessions', 'auth', 'type'])).toEqual({ line: 12, column: 19 });
  });

  it('points a key the file leaves out (a defaulted port) at the map that would hold it', () => {
    const positions = configPositions(TEXT);

    expect(positions.locate(['databases', 'sessions', 'port'])).toEqual({ line: 9, column: 5 });
  });
});
