/**
 * A private query function: one per VPC (attached to it) and one outside any VPC for publicly
 * reachable databases. It may write its logs, manage its network interfaces when in a VPC, and
 * connect with IAM auth as its databases' users; nothing else.
 */
import { ArnFormat, Fn, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { Config, DatabaseConfig, VpcConfig } from '../../core/model.js';
import { queryManifest } from '../../core/plan/build-manifests.js';
import type { FunctionPlan } from '../../core/plan/plan.js';
import { queryEgress } from '../../core/plan/query-egress.js';
import { rdsConnectScope } from '../../core/plan/rds-connect-scope.js';
import { type AcknowledgedWildcard, DeployedFunction } from './deployed-function.js';
import { functionAssetDir } from './function-asset.js';
import { type FunctionSize, querySize } from './function-sizing.js';
import type { HandlerBundle } from './handler-bundler.js';

export interface QueryLambdaProps {
  readonly config: Config;
  readonly plan: FunctionPlan;
  readonly bundle: HandlerBundle;
  readonly logRemovalPolicy: RemovalPolicy;
  /** invoked by a schedule (`publish: emf`) rather than by the fan-out function */
  readonly scheduled: boolean;
}

/** what Lambda needs to create, describe and delete the function's network interfaces */
const ENI_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

export class QueryLambda extends Construct {
  readonly function: lambda.Function;
  readonly size: FunctionSize;
  /** the folder deployed as the function's code */
  readonly assetDir: string;
  /** the security groups attached to the function; empty outside any VPC */
  readonly securityGroups: readonly ec2.ISecurityGroup[];

  constructor(scope: Construct, id: string, props: QueryLambdaProps) {
    super(scope, id);
    const { config, plan } = props;
    const databases = plan.databases
      .map((name) => config.databases[name])
      .filter((db): db is DatabaseConfig => db !== undefined);
    const vpcConfig = plan.vpc === undefined ? undefined : config.vpcs[plan.vpc];
    if (plan.vpc !== undefined && !vpcConfig) {
      throw new Error(`function '${plan.id}' names vpc '${plan.vpc}', which is not in the config's vpcs`);
    }

    const statements: iam.PolicyStatement[] = [];
    const wildcards: AcknowledgedWildcard[] = [];
    const network = vpcConfig ? this.network(vpcConfig, databases) : undefined;
    this.securityGroups = network?.securityGroups ?? [];
    if (network) {
      statements.push(new iam.PolicyStatement({ actions: ENI_ACTIONS, resources: ['*'] }));
      wildcards.push({
        appliesTo: 'Resource::*',
        reason:
          'Lambda manages the network interfaces of a VPC-attached function through its role; ' +
          'ec2:Describe* and ec2:CreateNetworkInterface support no resource-level scoping (same actions as AWSLambdaVPCAccessExecutionRole).',
      });
    }
    const scopes = databases.flatMap((db) => rdsConnectScope(db) ?? []);
    if (scopes.length > 0) {
      const resources = [...new Set(scopes.map((scope) => this.rdsDbArn(scope.resource)))].sort();
      statements.push(new iam.PolicyStatement({ actions: ['rds-db:connect'], resources }));
      for (const scope of scopes.filter((s) => !s.exact)) {
        wildcards.push({
          appliesTo: `Resource::arn:<AWS::Partition>:rds-db:<AWS::Region>:<AWS::AccountId>:${scope.resource}`,
          reason:
            `database '${scope.database}' sets no resourceId, so rds-db:connect is scoped to user '${scope.user}' ` +
            'on any database of this account and region; set resourceId in probes.yaml to scope it to one database.',
        });
      }
    }

    this.size = querySize(config, plan);
    this.assetDir = functionAssetDir(props.bundle, plan.id, queryManifest(config, plan));
    const deployed = new DeployedFunction(this, 'Lambda', {
      functionName: plan.functionName,
      description: `Chasm query function ${plan.id}: probes ${[...plan.databases].sort().join(', ')}`,
      assetDir: this.assetDir,
      size: this.size,
      logRetentionDays: config.logRetentionDays,
      logRemovalPolicy: props.logRemovalPolicy,
      statements,
      wildcards: dedupe(wildcards),
      scheduled: props.scheduled,
      ...(network ? { network } : {}),
    });
    this.function = deployed.function;
  }

  /**
   * `arn:<partition>:rds-db:<region>:<account>:dbuser:<resource id>/<user>`; without a resource id
   * the id is `*`: that user on any database of the account and region (`chasm plan` says so too).
   */
  private rdsDbArn(resource: string): string {
    return Stack.of(this).formatArn({ service: 'rds-db', resource, arnFormat: ArnFormat.NO_RESOURCE_NAME });
  }

  /** The VPC imported from its id and subnet ids (no lookup, no credentials) and its security groups. */
  private network(vpcConfig: VpcConfig, databases: readonly DatabaseConfig[]) {
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: vpcConfig.vpcId,
      // unused: the subnets are given by id; a token keeps the import free of lookups
      availabilityZones: Fn.getAzs(),
    });
    const subnets = vpcConfig.subnetIds.map((subnetId) => ec2.Subnet.fromSubnetId(this, subnetId, subnetId));
    const egress = queryEgress(vpcConfig, databases);
    let securityGroups: ec2.ISecurityGroup[];
    if (!egress) {
      securityGroups = (vpcConfig.securityGroupIds ?? []).map((sgId) =>
        ec2.SecurityGroup.fromSecurityGroupId(this, sgId, sgId, { mutable: false }),
      );
    } else {
      const created = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc,
        description: `Chasm query function of vpc ${vpcConfig.name}: egress to its databases only`,
        allowAllOutbound: false,
      });
      // the databases' addresses are hostnames resolved at run time, so egress is limited by port,
      // and to the VPC's cidrBlocks when given; sorted, so reordering the file changes nothing
      const peers = egress.cidrBlocks
        ? [...egress.cidrBlocks].sort(byAddress).map((cidr) => ec2.Peer.ipv4(cidr))
        : [ec2.Peer.anyIpv4()];
      for (const { port, databases: names } of [...egress.ports].sort((a, b) => a.port - b.port)) {
        for (const peer of peers) {
          created.addEgressRule(peer, ec2.Port.tcp(port), `to ${[...names].sort().join(', ')}`);
        }
      }
      securityGroups = [created];
    }
    return { vpc, subnets, securityGroups };
  }
}

function dedupe(wildcards: readonly AcknowledgedWildcard[]): AcknowledgedWildcard[] {
  const byFinding = new Map(wildcards.map((w) => [w.appliesTo, w]));
  return [...byFinding.values()];
}

/** IPv4 CIDR blocks by address, then by prefix length */
function byAddress(a: string, b: string): number {
  const parts = (cidr: string) => cidr.split(/[./]/).map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 5; i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
