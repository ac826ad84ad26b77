/**
 * What to tell a user whose value fails one of `schema.json`'s patterns: the rule in words, an
 * example, and where it helps, the exact character or part at fault.
 */
import { parseSchedule } from '../core/plan/schedule.js';

const PRINTABLE_ASCII = /^[ -~]*$/;

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first character outside printable ASCII, shown with its code point (a control character by its code point only). */
function badCharacter(value: string): string {
  for (const char of value) {
    if (!PRINTABLE_ASCII.test(char)) {
      const point = codePoint(char);
      return /\p{Cc}/u.test(char) ? `the control character ${point}` : `'${char}' (${point})`;
    }
  }
  return '';
}

function cloudWatchName(what: string, value: string, max: number): string {
  if (value.length === 0) return `${what} must not be empty`;
  if (value.length > max)
    return `${what} '${value.slice(0, 20)}...' is ${value.length} characters long; CloudWatch allows at most ${max}`;
  if (what.startsWith('dimension') && value.startsWith(':')) {
    return `${what} '${value}' starts with ':', which CloudWatch reserves; drop or replace the ':'`;
  }
  return `${what} '${value}' has ${badCharacter(value)}; CloudWatch accepts printable ASCII only`;
}

function namespaceMessage(value: string): string {
  if (value.startsWith('AWS/'))
    return `namespace '${value}' starts with 'AWS/', which is reserved for AWS services; use your own, e.g. 'Acme/${value.slice(4)}'`;
  if (value.length === 0) return 'namespace must not be empty';
  if (value.length > 255)
    return `namespace is ${value.length} characters long; CloudWatch allows at most 255`;
  if (/^[ :]/.test(value)) return `namespace '${value}' must not start with a space or ':'`;
  const bad = [...value].find((char) => !/[0-9A-Za-z._/#: -]/.test(char)) ?? '';
  return `namespace '${value}' contains '${bad}'; CloudWatch namespaces use letters, digits, spaces and . - _ / # : only`;
}

const AWS_ID = (kind: string, prefix: string, example: string) => (value: string) =>
  `invalid ${kind} '${value}'; expected '${prefix}-' and 8 or 17 lowercase hex digits, e.g. ${example}`;

const BY_KIND: Readonly<Record<string, (value: string, label: string) => string>> = {
  name: (value, label) =>
    `invalid ${label} '${value}'; names use letters, digits, '-' and '_', start with a letter and are at most 64 characters`,
  namespace: namespaceMessage,
  schedule: (value) => {
    const example = 'e.g. rate(5 minutes), rate(1 hour) or cron(0 8 ? * MON-FRI *)';
    const parsed = /^(rate|cron)\(/.test(value) ? parseSchedule(value) : undefined;
    if (parsed && 'error' in parsed) return `invalid schedule '${value}': ${parsed.error}; ${example}`;
    return `invalid schedule '${value}'; expected rate(value unit) or cron(six fields), ${example}`;
  },
  duration: (value, label) =>
    `invalid duration '${value}' for ${label}; write a whole number followed by ms, s or m, e.g. 500ms, 10s, 2m`,
  vpcId: AWS_ID('VPC id', 'vpc', 'vpc-0abc1234def567890'),
  subnetId: AWS_ID('subnet id', 'subnet', 'subnet-0aaa1111bbbb2222c'),
  securityGroupId: AWS_ID('security group id', 'sg', 'sg-0123456789abcdef0'),
  cidrBlock: (value) =>
    `invalid IPv4 CIDR block '${value}'; expected an address and a prefix length of 0 to 32, e.g. 10.0.0.0/16`,
  secretArn: (value) =>
    `invalid Secrets Manager secret ARN '${value}'; expected arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`,
  kmsKeyArn: (value) =>
    value.includes(':alias/')
      ? `KMS alias ARN '${value}' names no key; kms:Decrypt is granted on the key itself: give its ARN, arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`
      : `invalid KMS key ARN '${value}'; expected arn:aws:kms:REGION:ACCOUNT:key/KEY-ID, the key id a UUID or mrk-… for a multi-Region key`,
  region: (value) => `invalid region '${value}'; expected an AWS region name such as eu-west-1 or us-east-1`,
  snsTopicArn: (value) => `invalid SNS topic ARN '${value}'; expected arn:aws:sns:REGION:ACCOUNT:TOPIC`,
  rdsClusterArn: (value) =>
    `invalid Aurora DB cluster ARN '${value}'; expected arn:aws:rds:REGION:ACCOUNT:cluster:NAME`,
  resourceId: (value) =>
    `invalid RDS resource id '${value}'; expected db-... (an instance's DbiResourceId) or cluster-... (a cluster's DbClusterResourceId)`,
  envName: (value) =>
    `invalid environment variable name '${value}'; use letters, digits and '_', not starting with a digit`,
  metricName: (value) => cloudWatchName('metric name', value, 255),
  dimensionName: (value) => cloudWatchName('dimension name', value, 255),
  dimensionValue: (value, label) => {
    if (value.length === 0) return `${label} must not be empty`;
    if (!PRINTABLE_ASCII.test(value)) {
      const cut = value.length > 40 ? `${value.slice(0, 37)}...` : value;
      const shown = cut.replace(/\p{Cc}/gu, (char) => `\\u${codePoint(char).slice(2)}`);
      return `${label} has ${badCharacter(value)} in '${shown}'; CloudWatch accepts printable ASCII only`;
    }
    if (value.length > 1024)
      return `${label} is ${value.length} characters long; CloudWatch allows at most 1024`;
    return `${label} is only spaces; CloudWatch needs at least one other character`;
  },
};

/** The message for `value` failing the pattern of `$defs` entry `kind` (or of the property `key` when it has no entry). */
export function patternMessage(kind: string | undefined, key: string, value: string, label: string): string {
  const byKind = kind === undefined ? undefined : BY_KIND[kind];
  if (byKind) return byKind(value, label);
  if (key === 'url')
    return `invalid local url '${value}'; expected a connection URL such as postgres://user@host:5432/db`;
  if (key === 'host')
    return `invalid host '${value}'; expected a host name or IP address, without scheme, port or path`;
  return `${label} '${value}' has an invalid form`;
}
