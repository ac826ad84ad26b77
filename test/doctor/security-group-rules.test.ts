import { describe, expect, it } from 'vitest';
import {
  admitsCidr,
  admitsPort,
  admittedGroup,
  cidrContains,
  type IngressRule,
} from '../../adapters/doctor/security-group-rules.js';

function rule(draft: Partial<IngressRule>): IngressRule {
  return { protocol: 'tcp', fromPort: 5432, toPort: 5432, groupIds: [], cidrs: [], ...draft };
}

describe('admitsPort', () => {
  it('admits TCP to a port within the range, by name or protocol number, and all traffic', () => {
    expect(admitsPort(rule({ fromPort: 5000, toPort: 6000 }), 5432)).toBe(true);
    expect(admitsPort(rule({ protocol: '6' }), 5432)).toBe(true);
    expect(admitsPort(rule({ protocol: '-1', fromPort: undefined, toPort: undefined }), 3306)).toBe(true);
  });

  it('refuses a port outside the range, UDP and a rule without a protocol', () => {
    expect(admitsPort(rule({}), 5433)).toBe(false);
    expect(admitsPort(rule({ protocol: 'udp' }), 5432)).toBe(false);
    expect(admitsPort(rule({ protocol: '' }), 5432)).toBe(false);
  });
});

describe('admittedGroup', () => {
  it('names the first of the groups a rule admits on the port', () => {
    const rules = [rule({ groupIds: ['sg-other'] }), rule({ groupIds: ['sg-fn-2', 'sg-fn-1'] })];

    expect(admittedGroup(rules, ['sg-fn-1', 'sg-fn-2'], 5432)).toBe('sg-fn-1');
  });

  it('admits no group named only by a rule on another port or by no rule', () => {
    const rules = [
      rule({ fromPort: 3306, toPort: 3306, groupIds: ['sg-fn'] }),
      rule({ groupIds: ['sg-other'] }),
    ];

    expect(admittedGroup(rules, ['sg-fn'], 5432)).toBeUndefined();
  });
});

describe('admitsCidr', () => {
  it('admits a block held by one rule on the port', () => {
    const rules = [rule({ cidrs: ['10.0.0.0/16'] })];

    expect(admitsCidr(rules, '10.0.1.0/24', 5432)).toBe(true);
    expect(admitsCidr(rules, '10.0.1.0/24', 3306)).toBe(false);
    expect(admitsCidr(rules, '10.1.1.0/24', 5432)).toBe(false);
  });

  it('admits any address only through 0.0.0.0/0', () => {
    expect(admitsCidr([rule({ cidrs: ['0.0.0.0/0'] })], '0.0.0.0/0', 5432)).toBe(true);
    expect(admitsCidr([rule({ cidrs: ['0.0.0.0/1', '128.0.0.0/1'] })], '0.0.0.0/0', 5432)).toBe(false);
  });
});

describe('cidrContains', () => {
  it('holds the blocks inside it, itself included, and none wider or elsewhere', () => {
    expect(cidrContains('10.0.0.0/16', '10.0.255.0/24')).toBe(true);
    expect(cidrContains('10.0.1.0/24', '10.0.1.0/24')).toBe(true);
    expect(cidrContains('10.0.1.0/24', '10.0.0.0/16')).toBe(false);
    expect(cidrContains('10.0.0.0/16', '10.1.0.0/24')).toBe(false);
    expect(cidrContains('192.168.1.7/32', '192.168.1.7/32')).toBe(true);
    expect(cidrContains('192.168.1.7/32', '192.168.1.8/32')).toBe(false);
  });

  it('compares the high bit as unsigned (addresses from 128.0.0.0 up)', () => {
    expect(cidrContains('172.16.0.0/12', '172.31.16.0/20')).toBe(true);
    expect(cidrContains('128.0.0.0/1', '255.255.255.0/24')).toBe(true);
    expect(cidrContains('0.0.0.0/1', '200.0.0.0/8')).toBe(false);
  });

  it('holds nothing that is not an IPv4 block', () => {
    expect(cidrContains('::/0', '2001:db8::/32')).toBe(false);
    expect(cidrContains('10.0.0.0/16', '10.0.0.300/32')).toBe(false);
    expect(cidrContains('10.0.0.0/33', '10.0.0.0/33')).toBe(false);
  });
});
