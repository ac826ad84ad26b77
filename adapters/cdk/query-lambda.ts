/**
 * A private query function: one per VPC (attached to it) and one outside any VPC for publicly
 * reachable databases. It may write its logs, manage its network interfaces when in a VPC, and
 * connect with IAM auth as its databases' users; nothing else.
 */
import { ArnFormat, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { Config, DatabaseConfig, VpcConfig } from '../../core/model.js';
import { queryManifest } from '../../core/plan/build-manifests.js';
import { type FunctionSize, querySize } from '../../core/plan/function-sizing.js';
import type { FunctionPlan } from '../../core/plan/plan.js';
import { queryEgress } from '../../core/plan/query-egress.js';
import { rdsConnectScope } from '../../core/plan/rds-connect-scope.js';
import { unusedEngineModules } from '../engines/engine-registry.js';
import { type AcknowledgedWildcard, DeployedFunction } from './deployed-function.js';
import { functionAssetDir, type HandlerBundle } from './handler-bundler.js';

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
  /** the ids of the security groups attached to the function; empty outside any VPC */
  readonly securityGroupIds: readonly string[];
  /** the security group created for it (the databases' groups must admit it); absent when the VPC names its own */
  readonly createdSecurityGroup?: ec2.CfnSecurityGroup;

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
    this.securityGroupIds = network?.securityGroupIds ?? [];
    if (network?.created) this.createdSecurityGroup = network.created;
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
          appliesTo: `Resource::${this.asFinding(this.rdsDbArn(scope.resource))}`,
          reason:
            `database '${scope.database}' sets no resourceId, so rds-db:connect is scoped to user '${scope.user}' ` +
            'on any database of this account and region; set resourceId in probes.yaml to scope it to one database.',
        });
      }
    }

    this.size = querySize(config, plan);
    this.assetDir = functionAssetDir(
      props.bundle,
      plan.id,
      queryManifest(config, plan),
      unusedEngineModules(databases.map((database) => database.engine)),
    );
    const deployed = new DeployedFunction(this, 'Lambda', {
      label: `query function ${plan.id}`,
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

  /**
   * An ARN as cdk-nag names it in a finding: the template's text, each reference to a pseudo
   * parameter written `<AWS::Region>` (a stack with a region of its own holds it literally).
   */
  private asFinding(arn: string): string {
    const resolved = Stack.of(this).resolve(arn) as string | { 'Fn::Join': [string, unknown[]] };
    if (typeof resolved === 'string') return resolved;
    const [separator, parts] = resolved['Fn::Join'];
    return parts
      .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
      .join(separator);
  }

  /**
   * The function's subnets and security groups, by id: no lookup, no credentials, nothing
   * imported. The security group Chasm creates is written as CloudFormation declares it, its
   * egress rules inline.
   */
  private network(vpcConfig: VpcConfig, databases: readonly DatabaseConfig[]) {
    const subnetIds = [...vpcConfig.subnetIds];
    const egress = queryEgress(vpcConfig, databases);
    if (!egress) return { subnetIds, securityGroupIds: [...(vpcConfig.securityGroupIds ?? [])] };
    // the databases' addresses are hostnames resolved at run time, so egress is limited by port,
    // and to the VPC's cidrBlocks when given; sorted, so reordering the file changes nothing
    const cidrs = egress.cidrBlocks ? [...egress.cidrBlocks].sort(byAddress) : ['0.0.0.0/0'];
    const rules = [...egress.ports]
      .sort((a, b) => a.port - b.port)
      .flatMap(({ port, databases: names }) =>
        cidrs.map((cidrIp) => ({
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIp,
          description: `to ${[...names].sort().join(', ')}`,
        })),
      );
    // without a rule CloudFormation would allow all egress
    if (rules.length === 0) throw new Error(`vpc '${vpcConfig.name}' has no database to send to`);
    const created = new ec2.CfnSecurityGroup(new Construct(this, 'SecurityGroup'), 'Resource', {
      groupDescription: `Chasm query function of vpc ${vpcConfig.name}: egress to its databases only`,
      vpcId: vpcConfig.vpcId,
      securityGroupEgress: rules,
    });
    return { subnetIds, securityGroupIds: [created.attrGroupId], created };
  }
}

/** the modules of the engines none of `databases` uses, as the bundle names their sources */
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
