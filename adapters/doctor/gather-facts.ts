/**
 * Asks the account what `chasm doctor` needs to know, through the SDK's own clients, credential
 * chain and region resolution (endpoints overridable by `AWS_ENDPOINT_URL` and
 * `AWS_ENDPOINT_URL_<SERVICE>`). Each client is loaded only when its checks run. A call that is
 * refused or fails becomes an unknown fact naming the permission or the error; a secret's value is
 * read only to judge its shape and is never kept.
 */
import type { SecurityGroup } from '@aws-sdk/client-ec2';
import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import { namedCauseOf } from '../../core/error-cause.js';
import type { Config } from '../../core/model.js';
import {
  type AwsFacts,
  type Fact,
  matchEndpoint,
  type RdsDatabase,
  type SecretFacts,
  type SecurityGroupFacts,
  type SubnetFacts,
} from './aws-facts.js';
import { secretValueProblem } from './doctor-findings.js';
import type { IngressRule } from './security-group-rules.js';

/** Where to ask: `undefined` leaves each to the SDK (AWS_REGION, AWS_PROFILE, the config files). */
export interface AwsAccess {
  readonly region?: string;
  readonly profile?: string;
}

/** No region or no credentials: nothing can be asked. The message says how to provide them. */
export class AwsAccessError extends Error {
  override readonly name = 'AwsAccessError';
}

interface ClientOptions {
  region?: string;
  profile?: string;
}

// the names AWS services give a call the credentials may not make
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'AuthorizationErrorException',
]);

// EC2 takes at most 200 values per filter
const FILTER_VALUES = 200;

export async function gatherFacts(config: Config, access: AwsAccess): Promise<AwsFacts> {
  const ec2sdk = await import('@aws-sdk/client-ec2');
  const ec2 = new ec2sdk.EC2Client(clientOptions(access));
  try {
    const region = await resolveRegion(ec2.config.region);
    await resolveCredentials(ec2.config.credentials);
    const options = { ...clientOptions(access), region };
    const databases = Object.values(config.databases);
    const secretArns = databases.flatMap((db) => (db.auth.type === 'secret' ? [db.auth.secretArn] : []));
    const [rds, secrets, topics] = await Promise.all([
      rdsFacts(options),
      secretFacts(options, [...new Set(secretArns)]),
      topicFacts(options, config.alarms ? [config.alarms.topicArn] : []),
    ]);

    // the databases' own subnets and security groups are described with the config's
    const vpcs = Object.values(config.vpcs);
    const vpcIdList = vpcs.map((vpc) => vpc.vpcId);
    const subnetIds = vpcs.flatMap((vpc) => vpc.subnetIds);
    const groupIds = vpcs.flatMap((vpc) => vpc.securityGroupIds ?? []);
    for (const db of databases) {
      if (db.dataApi !== undefined) continue;
      const match = matchEndpoint(db.host, knownOr(rds.instances, []), knownOr(rds.clusters, []));
      subnetIds.push(...(match?.database.subnetIds ?? []));
      groupIds.push(...(match?.database.securityGroupIds ?? []));
    }
    const [vpcIds, subnets, securityGroups] = await Promise.all([
      byIds('ec2:DescribeVpcs', vpcIdList, async (values) => {
        const found: string[] = [];
        const pages = ec2sdk.paginateDescribeVpcs({ client: ec2 }, filtered('vpc-id', values));
        for await (const page of pages)
          for (const vpc of page.Vpcs ?? []) if (vpc.VpcId) found.push(vpc.VpcId);
        return found;
      }),
      byIds('ec2:DescribeSubnets', subnetIds, async (values) => {
        const found: SubnetFacts[] = [];
        const pages = ec2sdk.paginateDescribeSubnets({ client: ec2 }, filtered('subnet-id', values));
        for await (const page of pages)
          for (const { SubnetId: id, VpcId: vpcId, CidrBlock: cidrBlock } of page.Subnets ?? [])
            if (id) found.push({ id, vpcId, cidrBlock });
        return found;
      }),
      byIds('ec2:DescribeSecurityGroups', groupIds, async (values) => {
        const found: SecurityGroupFacts[] = [];
        const pages = ec2sdk.paginateDescribeSecurityGroups({ client: ec2 }, filtered('group-id', values));
        for await (const page of pages)
          for (const group of page.SecurityGroups ?? [])
            if (group.GroupId)
              found.push({ id: group.GroupId, vpcId: group.VpcId, ingress: ingressRules(group) });
        return found;
      }),
    ]);
    return {
      region,
      vpcIds: mapFact(vpcIds, (ids) => new Set(ids)),
      subnets: mapFact(subnets, (found) => new Map(found.map((subnet) => [subnet.id, subnet]))),
      securityGroups: mapFact(securityGroups, (found) => new Map(found.map((group) => [group.id, group]))),
      instances: rds.instances,
      clusters: rds.clusters,
      secrets,
      topics,
    };
  } finally {
    ec2.destroy();
  }
}

function ingressRules(group: SecurityGroup): IngressRule[] {
  return (group.IpPermissions ?? []).map((rule) => ({
    // a rule without a protocol admits nothing here: unknown is never a pass
    protocol: rule.IpProtocol ?? '',
    fromPort: rule.FromPort,
    toPort: rule.ToPort,
    groupIds: (rule.UserIdGroupPairs ?? []).flatMap((pair) => (pair.GroupId ? [pair.GroupId] : [])),
    cidrs: (rule.IpRanges ?? []).flatMap((range) => (range.CidrIp ? [range.CidrIp] : [])),
  }));
}

/** What a Describe call filtered by ids finds of `ids`, asked 200 ids at a time; no call for none. */
async function byIds<T>(
  action: string,
  ids: readonly string[],
  describe: (values: string[]) => Promise<T[]>,
): Promise<Fact<T[]>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return { known: true, value: [] };
  return ask(action, async () => {
    const found: T[] = [];
    for (let at = 0; at < unique.length; at += FILTER_VALUES)
      found.push(...(await describe(unique.slice(at, at + FILTER_VALUES))));
    return found;
  });
}

function clientOptions(access: AwsAccess): ClientOptions {
  return {
    ...(access.region ? { region: access.region } : {}),
    ...(access.profile ? { profile: access.profile } : {}),
  };
}

async function resolveRegion(region: () => Promise<string>): Promise<string> {
  try {
    const resolved = await region();
    if (resolved) return resolved;
  } catch {
    // the SDK found none: said below
  }
  throw new AwsAccessError(
    'no AWS region: pass --region REGION, set AWS_REGION, or give the profile one (aws configure set region REGION)',
  );
}

async function resolveCredentials(credentials: () => Promise<unknown>): Promise<void> {
  try {
    await credentials();
  } catch (error) {
    throw new AwsAccessError(
      `no AWS credentials (${namedCauseOf(error)}): pass --profile NAME, set AWS_PROFILE, or set ` +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      { cause: error },
    );
  }
}

async function rdsFacts(
  options: ClientOptions,
): Promise<{ instances: Fact<RdsDatabase[]>; clusters: Fact<RdsDatabase[]> }> {
  const sdk = await import('@aws-sdk/client-rds');
  const client = new sdk.RDSClient(options);
  try {
    const [instances, clusters] = await Promise.all([
      ask('rds:DescribeDBInstances', async () => {
        const found: DBInstance[] = [];
        for await (const page of sdk.paginateDescribeDBInstances({ client }, {}))
          found.push(...(page.DBInstances ?? []));
        return found;
      }),
      ask('rds:DescribeDBClusters', async () => {
        const found: DBCluster[] = [];
        for await (const page of sdk.paginateDescribeDBClusters({ client }, {}))
          found.push(...(page.DBClusters ?? []));
        return found;
      }),
    ]);
    return {
      instances: mapFact(instances, (found) => found.map(instanceFacts)),
      // a cluster's subnets are its member instances' subnet group's
      clusters: mapFact(clusters, (found) =>
        found.map((cluster) => clusterFacts(cluster, instances.known ? instances.value : [])),
      ),
    };
  } finally {
    client.destroy();
  }
}

function instanceFacts(instance: DBInstance): RdsDatabase {
  return {
    kind: 'instance',
    id: instance.DBInstanceIdentifier ?? '',
    endpoints: instance.Endpoint?.Address ? [instance.Endpoint.Address] : [],
    port: instance.Endpoint?.Port,
    iamAuth: instance.IAMDatabaseAuthenticationEnabled,
    resourceId: instance.DbiResourceId,
    securityGroupIds: instance.VpcSecurityGroups?.flatMap((group) =>
      group.VpcSecurityGroupId ? [group.VpcSecurityGroupId] : [],
    ),
    subnetIds: instance.DBSubnetGroup?.Subnets?.flatMap((subnet) =>
      subnet.SubnetIdentifier ? [subnet.SubnetIdentifier] : [],
    ),
    publiclyAccessible: instance.PubliclyAccessible,
    clusterId: instance.DBClusterIdentifier,
  };
}

function clusterFacts(cluster: DBCluster, instances: readonly DBInstance[]): RdsDatabase {
  const member = instances.find(
    (instance) =>
      instance.DBClusterIdentifier === cluster.DBClusterIdentifier && instance.DBSubnetGroup?.Subnets,
  );
  return {
    kind: 'cluster',
    id: cluster.DBClusterIdentifier ?? '',
    endpoints: [cluster.Endpoint, cluster.ReaderEndpoint, ...(cluster.CustomEndpoints ?? [])].filter(
      (endpoint): endpoint is string => Boolean(endpoint),
    ),
    port: cluster.Port,
    iamAuth: cluster.IAMDatabaseAuthenticationEnabled,
    resourceId: cluster.DbClusterResourceId,
    securityGroupIds: cluster.VpcSecurityGroups?.flatMap((group) =>
      group.VpcSecurityGroupId ? [group.VpcSecurityGroupId] : [],
    ),
    subnetIds: member ? instanceFacts(member).subnetIds : undefined,
    publiclyAccessible: cluster.PubliclyAccessible,
    arn: cluster.DBClusterArn,
    dataApi: cluster.HttpEndpointEnabled,
  };
}

async function secretFacts(
  options: ClientOptions,
  arns: readonly string[],
): Promise<Map<string, Fact<SecretFacts>>> {
  if (arns.length === 0) return new Map();
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const client = new sdk.SecretsManagerClient(options);
  const secretFact = async (arn: string): Promise<Fact<SecretFacts>> => {
    const described = await ask('secretsmanager:DescribeSecret', () =>
      client
        .send(new sdk.DescribeSecretCommand({ SecretId: arn }))
        .catch(absentWhen('ResourceNotFoundException', undefined)),
    );
    if (!described.known) return described;
    if (!described.value) return { known: true, value: { found: false } };
    if (described.value.DeletedDate)
      return {
        known: true,
        value: { found: true, scheduledForDeletion: true, valueProblem: { known: false, reason: 'deleted' } },
      };
    // only the judgement of the value's shape leaves this call, never the value
    const valueProblem = await ask('secretsmanager:GetSecretValue', async () =>
      secretValueProblem((await client.send(new sdk.GetSecretValueCommand({ SecretId: arn }))).SecretString),
    );
    return { known: true, value: { found: true, scheduledForDeletion: false, valueProblem } };
  };
  try {
    return new Map(await Promise.all(arns.map(async (arn) => [arn, await secretFact(arn)] as const)));
  } finally {
    client.destroy();
  }
}

async function topicFacts(
  options: ClientOptions,
  arns: readonly string[],
): Promise<Map<string, Fact<boolean>>> {
  if (arns.length === 0) return new Map();
  const sdk = await import('@aws-sdk/client-sns');
  const client = new sdk.SNSClient(options);
  try {
    const exists = (arn: string) =>
      ask('sns:GetTopicAttributes', () =>
        client
          .send(new sdk.GetTopicAttributesCommand({ TopicArn: arn }))
          .then(() => true, absentWhen('NotFoundException', false)),
      );
    return new Map(await Promise.all(arns.map(async (arn) => [arn, await exists(arn)] as const)));
  } finally {
    client.destroy();
  }
}

/** The call's answer, or why there is none: a refused call names the permission it needs. */
async function ask<T>(action: string, call: () => Promise<T>): Promise<Fact<T>> {
  try {
    return { known: true, value: await call() };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const reason = DENIED.has(name)
      ? `your credentials may not call ${action} (${namedCauseOf(error)}); allow it to run this check`
      : `${action} failed (${namedCauseOf(error)})`;
    return { known: false, reason };
  }
}

/** An error handler that turns the service's "no such thing" error into `value`. */
function absentWhen<T>(name: string, value: T): (error: unknown) => T {
  return (error) => {
    if (error instanceof Error && error.name === name) return value;
    throw error;
  };
}

function filtered(name: string, values: string[]) {
  return { Filters: [{ Name: name, Values: values }] };
}

function mapFact<T, U>(fact: Fact<T>, map: (value: T) => U): Fact<U> {
  return fact.known ? { known: true, value: map(fact.value) } : fact;
}

function knownOr<T>(fact: Fact<T>, otherwise: T): T {
  return fact.known ? fact.value : otherwise;
}
