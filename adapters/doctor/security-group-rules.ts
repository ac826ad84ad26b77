/**
 * Whether a security group's inbound rules let a TCP connection to one port in, from another
 * security group or from a block of IPv4 addresses: pure decisions over the parts of EC2's
 * `IpPermission` that matter to such a connection.
 */

/** One inbound rule, as EC2's DescribeSecurityGroups reports it. */
export interface IngressRule {
  /** `tcp` or `6`, `-1` for all traffic, or another protocol (which admits no TCP) */
  readonly protocol: string;
  /** absent for all traffic */
  readonly fromPort?: number;
  readonly toPort?: number;
  /** the security groups it admits */
  readonly groupIds: readonly string[];
  /** the IPv4 CIDR blocks it admits */
  readonly cidrs: readonly string[];
}

/** Whether `rule` admits TCP to `port` (from whatever source it names). */
export function admitsPort(rule: IngressRule, port: number): boolean {
  if (rule.protocol === '-1') return true;
  if (rule.protocol !== 'tcp' && rule.protocol !== '6') return false;
  return (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65_535);
}

/** The first of `groupIds` that a rule admits on `port`, if any. */
export function admittedGroup(
  rules: readonly IngressRule[],
  groupIds: readonly string[],
  port: number,
): string | undefined {
  for (const rule of rules) {
    if (!admitsPort(rule, port)) continue;
    const group = groupIds.find((id) => rule.groupIds.includes(id));
    if (group) return group;
  }
  return undefined;
}

/** Whether one rule admits every address of `cidr` on `port`. */
export function admitsCidr(rules: readonly IngressRule[], cidr: string, port: number): boolean {
  return rules.some(
    (rule) => admitsPort(rule, port) && rule.cidrs.some((outer) => cidrContains(outer, cidr)),
  );
}

/** Whether the IPv4 block `outer` holds every address of `inner`; false when either is not IPv4. */
export function cidrContains(outer: string, inner: string): boolean {
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  if (!a || !b || a.prefix > b.prefix) return false;
  const mask = a.prefix === 0 ? 0 : (0xffffffff << (32 - a.prefix)) >>> 0;
  return (a.address & mask) >>> 0 === (b.address & mask) >>> 0;
}

function parseCidr(cidr: string): { address: number; prefix: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return undefined;
  const [a, b, c, d, prefix] = match.slice(1).map(Number) as [number, number, number, number, number];
  if ([a, b, c, d].some((octet) => octet > 255) || prefix > 32) return undefined;
  return { address: ((a << 24) | (b << 16) | (c << 8) | d) >>> 0, prefix };
}
