/**
 * What `chasm doctor` concludes from the account's facts: one finding per thing that would make
 * the first deploy or the first probe fail, or that was checked and holds, each at the config
 * key it is about. Pure: every decision here is testable with hand-made facts.
 */
import type {
  Config,
  DataApiDatabaseConfig,
  DatabaseConfig,
  ServerDatabaseConfig,
  VpcConfig,
} from '../../core/model.js';
import { entryNamed } from '../../core/model.js';
import { type AwsFacts, type Fact, matchEndpoint, type RdsDatabase, type RdsMatch } from './aws-facts.js';
import { admitsCidr, admittedGroup, cidrContains, type IngressRule } from './security-group-rules.js';

/** Every check, by the name `--json` reports; each is about one kind of config key. */
export const CHECKS = [
  'vpc',
  'subnet',
  'securityGroup',
  'endpoint',
  'port',
  'ingress',
  'egress',
  'iamAuth',
  'resourceId',
  'secret',
  'alarmTopic',
] as const;
export type CheckName = (typeof CHECKS)[number];

export interface Finding {
  readonly check: CheckName;
  /** false: the check failed, or could not be made */
  readonly ok: boolean;
  /** the config key it is about, e.g. `['databases', 'sessions', 'host']` */
  readonly path: readonly string[];
  readonly message: string;
}

/** Every finding on `config`, in the file's order of VPCs, databases, then alarms. */
export function judgeConfig(config: Config, facts: AwsFacts): Finding[] {
  return [
    ...Object.values(config.vpcs).flatMap((vpc) => judgeVpc(vpc, facts)),
    ...Object.values(config.databases).flatMap((database) => judgeDatabase(database, config, facts)),
    ...(config.alarms ? [judgeTopic(config.alarms.topicArn, facts)] : []),
  ];
}

/**
 * What is wrong with a secret's value for Chasm (`undefined`: nothing): it must be a JSON object
 * with a string `password` (and may hold `username`), as RDS-managed secrets are. The message
 * never quotes the value.
 */
export function secretValueProblem(secretString: string | undefined): string | undefined {
  const shape = 'Chasm reads a SecretString holding JSON { "username"?, "password" }';
  if (secretString === undefined) return `is binary or empty; ${shape}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    return `is not JSON; ${shape}`;
  }
  const password =
    typeof parsed === 'object' && parsed !== null ? (parsed as { password?: unknown }).password : undefined;
  return typeof password === 'string' ? undefined : `has no string "password"; ${shape}`;
}

const pass = (check: CheckName, path: readonly string[], message: string): Finding => ({
  check,
  ok: true,
  path,
  message,
});
const fail = (check: CheckName, path: readonly string[], message: string): Finding => ({
  check,
  ok: false,
  path,
  message,
});
const unknown = (check: CheckName, path: readonly string[], what: string, reason: string): Finding =>
  fail(check, path, `could not check ${what}: ${reason}`);

function judgeVpc(vpc: VpcConfig, facts: AwsFacts): Finding[] {
  const base = ['vpcs', vpc.name];
  const { region } = facts;
  const findings: Finding[] = [];
  const vpcPath = [...base, 'vpcId'];
  if (!facts.vpcIds.known)
    findings.push(unknown('vpc', vpcPath, `that ${vpc.vpcId} exists`, facts.vpcIds.reason));
  else if (facts.vpcIds.value.has(vpc.vpcId))
    findings.push(pass('vpc', vpcPath, `${vpc.vpcId} exists in ${region}`));
  else findings.push(fail('vpc', vpcPath, `${vpc.vpcId} does not exist in ${region}`));

  const inVpc = (
    check: 'subnet' | 'securityGroup',
    key: 'subnetIds' | 'securityGroupIds',
    noun: string,
    found: Fact<ReadonlyMap<string, { readonly vpcId?: string }>>,
  ) =>
    (vpc[key] ?? []).map((id, index) => {
      const path = [...base, key, String(index)];
      if (!found.known) return unknown(check, path, `${noun} ${id}`, found.reason);
      const owner = found.value.get(id);
      if (!owner) return fail(check, path, `${noun} ${id} does not exist in ${region}`);
      if (owner.vpcId === undefined) return unknown(check, path, `the VPC of ${id}`, 'EC2 did not report it');
      if (owner.vpcId !== vpc.vpcId)
        return fail(
          check,
          path,
          `${noun} ${id} is in ${owner.vpcId}, not in ${vpc.vpcId} (vpcId of VPC '${vpc.name}')`,
        );
      return pass(check, path, `${noun} ${id} is in ${vpc.vpcId}`);
    });
  findings.push(...inVpc('subnet', 'subnetIds', 'subnet', facts.subnets));
  findings.push(...inVpc('securityGroup', 'securityGroupIds', 'security group', facts.securityGroups));
  return findings;
}

function judgeDatabase(db: DatabaseConfig, config: Config, facts: AwsFacts): Finding[] {
  const base = ['databases', db.name];
  const findings =
    db.dataApi === undefined ? judgeServerDatabase(db, config, facts) : [judgeDataApi(db, facts)];
  if (db.auth.type === 'secret')
    findings.push(judgeSecret(db.auth.secretArn, [...base, 'auth', 'secretArn'], facts));
  return findings;
}

/** Whether the cluster a `dataApi:` database names exists and has its Data API on. */
function judgeDataApi(db: DataApiDatabaseConfig, facts: AwsFacts): Finding {
  const path = ['databases', db.name, 'dataApi', 'resourceArn'];
  const { resourceArn } = db.dataApi;
  if (!facts.clusters.known)
    return unknown('endpoint', path, `that ${resourceArn} exists`, facts.clusters.reason);
  const cluster = facts.clusters.value.find((candidate) => candidate.arn === resourceArn);
  if (!cluster)
    return fail('endpoint', path, `no Aurora DB cluster in ${facts.region} has the ARN ${resourceArn}`);
  if (cluster.dataApi === undefined)
    return unknown(
      'endpoint',
      path,
      `whether the Data API of ${describe(cluster)} is on`,
      'RDS did not report it',
    );
  if (!cluster.dataApi)
    return fail(
      'endpoint',
      path,
      `the Data API is off on ${describe(cluster)}; turn it on (aws rds enable-http-endpoint --resource-arn ${resourceArn})`,
    );
  return pass('endpoint', path, `the Data API is on for ${describe(cluster)}`);
}

function judgeServerDatabase(db: ServerDatabaseConfig, config: Config, facts: AwsFacts): Finding[] {
  const base = ['databases', db.name];
  const findings: Finding[] = [];
  const match = matchEndpoint(
    db.host,
    facts.instances.known ? facts.instances.value : [],
    facts.clusters.known ? facts.clusters.value : [],
  );
  const hostPath = [...base, 'host'];
  if (match) {
    findings.push(pass('endpoint', hostPath, `${db.host} is the endpoint of ${describe(match.database)}`));
    findings.push(...judgeRdsDatabase(db, match, config, facts));
  } else {
    const notAsked = [facts.instances, facts.clusters].find((fact) => !fact.known);
    findings.push(
      notAsked && !notAsked.known
        ? unknown('endpoint', hostPath, `whether ${db.host} is an RDS database`, notAsked.reason)
        : fail(
            'endpoint',
            hostPath,
            `no RDS DB instance or cluster in ${facts.region} has the endpoint ${db.host}; ` +
              'its port, security groups, IAM auth and resource id could not be checked',
          ),
    );
  }
  return findings;
}

function judgeRdsDatabase(
  db: ServerDatabaseConfig,
  match: RdsMatch,
  config: Config,
  facts: AwsFacts,
): Finding[] {
  const base = ['databases', db.name];
  const { database, authority } = match;
  const name = describe(database);
  const owner = describe(authority);
  const findings: Finding[] = [];

  const portPath = [...base, 'port'];
  if (database.port === undefined)
    findings.push(unknown('port', portPath, `the port of ${name}`, 'RDS did not report it'));
  else if (database.port !== db.port)
    findings.push(fail('port', portPath, `${name} listens on port ${database.port}, not ${db.port}`));
  else findings.push(pass('port', portPath, `${name} listens on port ${db.port}`));

  const vpc = db.vpc === undefined ? undefined : entryNamed(config.vpcs, db.vpc);
  findings.push(judgeIngress(db, vpc, database, facts));
  if (vpc?.cidrBlocks) findings.push(judgeEgress(db, vpc, vpc.cidrBlocks, database, facts));

  if (db.auth.type === 'iam') {
    const path = [...base, 'auth', 'type'];
    const modify = authority.kind === 'cluster' ? 'modify-db-cluster' : 'modify-db-instance';
    if (authority.iamAuth === undefined)
      findings.push(
        unknown(
          'iamAuth',
          path,
          `IAM database authentication on ${owner}`,
          'RDS did not report whether it is on',
        ),
      );
    else if (!authority.iamAuth)
      findings.push(
        fail(
          'iamAuth',
          path,
          `auth is iam, but IAM database authentication is off on ${owner}; ` +
            `turn it on (aws rds ${modify} --enable-iam-database-authentication)`,
        ),
      );
    else findings.push(pass('iamAuth', path, `IAM database authentication is on for ${owner}`));
  }

  if (db.resourceId !== undefined) {
    const path = [...base, 'resourceId'];
    if (authority.resourceId === undefined)
      findings.push(unknown('resourceId', path, `the resource id of ${owner}`, 'RDS did not report it'));
    else if (authority.resourceId !== db.resourceId) {
      const why =
        authority !== database && database.resourceId === db.resourceId
          ? ` (rds-db:connect to an Aurora cluster names the cluster's resource id, not its instance's)`
          : '';
      findings.push(
        fail(
          'resourceId',
          path,
          `${db.resourceId} is not the resource id of ${owner}: ${authority.resourceId} is${why}`,
        ),
      );
    } else findings.push(pass('resourceId', path, `${db.resourceId} is the resource id of ${owner}`));
  }
  return findings;
}

/**
 * Whether the database's security groups let its query function in: from the VPC's
 * `securityGroupIds`, or from the addresses of its subnets (where the function's network
 * interfaces are); outside any VPC, from any address.
 */
function judgeIngress(
  db: ServerDatabaseConfig,
  vpc: VpcConfig | undefined,
  database: RdsDatabase,
  facts: AwsFacts,
): Finding {
  const path = ['databases', db.name, vpc ? 'vpc' : 'host'];
  const name = describe(database);
  const port = db.port;
  if (!database.securityGroupIds)
    return unknown('ingress', path, `the security groups of ${name}`, 'RDS did not report them');
  if (!facts.securityGroups.known)
    return unknown('ingress', path, `the security groups of ${name}`, facts.securityGroups.reason);
  const found = facts.securityGroups.value;
  // a group that no longer exists admits nothing
  const rules: IngressRule[] = database.securityGroupIds.flatMap((id) => found.get(id)?.ingress ?? []);
  const one = database.securityGroupIds.length === 1;
  const groups = `the security group${one ? '' : 's'} ${database.securityGroupIds.join(', ') || '(none)'} of ${name}`;
  const admit = one ? 'admits' : 'admit';
  const doNot = one ? 'does not' : 'do not';

  if (!vpc) {
    if (database.publiclyAccessible === false)
      return fail(
        'ingress',
        path,
        `${name} is not publicly accessible, and database '${db.name}' has no vpc, so its query function runs outside any VPC and cannot reach it; name the VPC it is in with vpc:`,
      );
    if (!admitsCidr(rules, '0.0.0.0/0', port))
      return fail(
        'ingress',
        path,
        `database '${db.name}' has no vpc, so its query function connects from any of AWS's public addresses, which ${groups} ${doNot} admit on port ${port}`,
      );
    if (database.publiclyAccessible === undefined)
      return unknown('ingress', path, `whether ${name} is publicly accessible`, 'RDS did not report it');
    return pass(
      'ingress',
      path,
      `${name} is publicly accessible and ${groups} ${admit} any address on port ${port}`,
    );
  }

  const blocks = subnetBlocks(vpc, facts);
  const subnetsAdmitted = blocks.known && blocks.value.every((cidr) => admitsCidr(rules, cidr, port));
  const subnetWords = blocks.known ? `the subnets of VPC '${vpc.name}' (${blocks.value.join(', ')})` : '';
  if (vpc.securityGroupIds) {
    const group = admittedGroup(rules, vpc.securityGroupIds, port);
    if (group)
      return pass(
        'ingress',
        path,
        `${groups} ${admit} ${group} (securityGroupIds of VPC '${vpc.name}') on port ${port}`,
      );
    if (subnetsAdmitted) return pass('ingress', path, `${groups} ${admit} ${subnetWords} on port ${port}`);
    const named = `${vpc.securityGroupIds.join(', ')} (securityGroupIds of VPC '${vpc.name}')`;
    if (!blocks.known)
      return unknown(
        'ingress',
        path,
        `whether ${groups} admit the subnets of VPC '${vpc.name}'`,
        blocks.reason,
      );
    return fail(
      'ingress',
      path,
      `${groups} ${admit} neither ${named} nor ${subnetWords} on port ${port}; ` +
        `add an inbound rule for TCP ${port} from ${vpc.securityGroupIds[0]}`,
    );
  }
  // the stack creates the query function's security group at deploy: no rule can name it before
  if (!blocks.known)
    return unknown(
      'ingress',
      path,
      `whether ${groups} admit the subnets of VPC '${vpc.name}'`,
      blocks.reason,
    );
  if (subnetsAdmitted)
    return pass(
      'ingress',
      path,
      `${groups} ${admit} ${subnetWords}, where the query function runs, on port ${port}`,
    );
  return fail(
    'ingress',
    path,
    `${groups} ${doNot} admit ${subnetWords} on port ${port}, and the query function's security group ` +
      `is created at deploy, so no rule can name it yet: allow TCP ${port} from those blocks, or name a ` +
      `security group in securityGroupIds, or after deploy allow the created one (see the stack's resources)`,
  );
}

/** The created security group reaches only `cidrBlocks`: the database's subnets must lie inside them. */
function judgeEgress(
  db: ServerDatabaseConfig,
  vpc: VpcConfig,
  cidrBlocks: readonly string[],
  database: RdsDatabase,
  facts: AwsFacts,
): Finding {
  const path = ['vpcs', vpc.name, 'cidrBlocks'];
  const name = describe(database);
  const what = `whether database '${db.name}' (${name}) lies within cidrBlocks`;
  if (!database.subnetIds) return unknown('egress', path, what, 'RDS did not report its subnets');
  if (!facts.subnets.known) return unknown('egress', path, what, facts.subnets.reason);
  for (const id of database.subnetIds) {
    const cidr = facts.subnets.value.get(id)?.cidrBlock;
    if (cidr === undefined)
      return unknown('egress', path, what, `EC2 did not report the addresses of its subnet ${id}`);
    if (!cidrBlocks.some((block) => cidrContains(block, cidr)))
      return fail(
        'egress',
        path,
        `database '${db.name}' (${name}) may take an address in ${id} (${cidr}), outside cidrBlocks, ` +
          `where the query function's security group lets no connection out`,
      );
  }
  return pass('egress', path, `database '${db.name}' (${name}) lies within cidrBlocks`);
}

function judgeSecret(arn: string, path: readonly string[], facts: AwsFacts): Finding {
  const { region } = facts;
  const arnRegion = regionOf(arn);
  if (arnRegion !== region)
    return fail(
      'secret',
      path,
      `the secret is in ${arnRegion}, but the stack's region is ${region}: the fan-out function reads secrets in its own region`,
    );
  const fact = facts.secrets.get(arn) ?? { known: false, reason: 'it was not looked up' };
  if (!fact.known) return unknown('secret', path, 'the secret', fact.reason);
  const secret = fact.value;
  if (!secret.found) return fail('secret', path, `no secret ${arn} in ${region}`);
  if (secret.scheduledForDeletion)
    return fail(
      'secret',
      path,
      'the secret is scheduled for deletion; restore it (aws secretsmanager restore-secret)',
    );
  if (!secret.valueProblem.known)
    return unknown('secret', path, "the secret's value", secret.valueProblem.reason);
  if (secret.valueProblem.value !== undefined)
    return fail('secret', path, `the secret's value ${secret.valueProblem.value}`);
  return pass('secret', path, 'the secret exists and holds JSON with a string "password"');
}

function judgeTopic(arn: string, facts: AwsFacts): Finding {
  const path = ['alarms', 'topicArn'];
  const { region } = facts;
  const arnRegion = regionOf(arn);
  if (arnRegion !== region)
    return fail(
      'alarmTopic',
      path,
      `the topic is in ${arnRegion}, but the stack's region is ${region}: alarms notify topics of their own region only`,
    );
  const fact = facts.topics.get(arn) ?? { known: false, reason: 'it was not looked up' };
  if (!fact.known) return unknown('alarmTopic', path, 'the topic', fact.reason);
  return fact.value
    ? pass('alarmTopic', path, `the topic exists in ${region}`)
    : fail('alarmTopic', path, `no SNS topic ${arn} in ${region}`);
}

/** The address blocks of the VPC's subnets, known only when every one of them is. */
function subnetBlocks(vpc: VpcConfig, facts: AwsFacts): Fact<readonly string[]> {
  if (!facts.subnets.known) return facts.subnets;
  const blocks: string[] = [];
  for (const id of vpc.subnetIds) {
    const subnet = facts.subnets.value.get(id);
    if (!subnet) return { known: false, reason: `subnet ${id} does not exist` };
    if (subnet.cidrBlock === undefined)
      return { known: false, reason: `EC2 did not report the addresses of ${id}` };
    blocks.push(subnet.cidrBlock);
  }
  return { known: true, value: blocks };
}

function describe(database: RdsDatabase): string {
  return `DB ${database.kind} '${database.id}'`;
}

/** `eu-west-1` of `arn:aws:sns:eu-west-1:123456789012:alarms` */
function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}
