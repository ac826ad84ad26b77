/**
 * One deployed Lambda function as Chasm deploys every function: the newest Node.js runtime on
 * arm64, JSON logs in a log group created with the config's retention, and a role of its own whose
 * only policy is inline (logs to its own group plus the statements the caller passes). Neither the
 * function nor its log group has a fixed name: CloudFormation names them after the stack, so two
 * stacks from one `probes.yaml` coexist in one account.
 */
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSize } from '../../core/plan/function-sizing.js';
import { LAMBDA_HANDLER } from './handler-bundler.js';

/** the newest Node.js runtime this aws-cdk-lib knows; the handlers are built for Node 22 and newer */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** A wildcard a statement cannot avoid, acknowledged (cdk-nag's AwsSolutions-IAM5) with the reason. */
export interface AcknowledgedWildcard {
  /** the finding, e.g. `Resource::*` */
  readonly appliesTo: string;
  readonly reason: string;
}

export interface DeployedFunctionProps {
  /** what the function is, for its role's description: `query function vpc-app` */
  readonly label: string;
  readonly description: string;
  /** folder holding the bundle and the function's manifest */
  readonly assetDir: string;
  readonly size: FunctionSize;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
  /** what the function may do beyond writing its logs */
  readonly statements: readonly iam.PolicyStatement[];
  /** wildcards in `statements` and why they cannot be narrowed */
  readonly wildcards: readonly AcknowledgedWildcard[];
  /** absent: outside any VPC */
  readonly network?: {
    readonly subnetIds: readonly string[];
    readonly securityGroupIds: readonly string[];
  };
  /** invoked asynchronously by a schedule: no retries, a retried tick would publish twice */
  readonly scheduled: boolean;
  /** environment variables, at most 4 KB together with their names */
  readonly environment?: Readonly<Record<string, string>>;
}

export class DeployedFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DeployedFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.logRemovalPolicy,
    });
    const logWriting = new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      // the group's Arn attribute ends in `:*`, which covers its streams
      resources: [this.logGroup.logGroupArn],
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the Chasm ${props.label}`,
      inlinePolicies: {
        Function: new iam.PolicyDocument({ statements: [logWriting, ...props.statements] }),
      },
    });
    for (const wildcard of props.wildcards) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[${wildcard.appliesTo}]`,
        reason: wildcard.reason,
      });
    }
    this.function = new lambda.Function(this, 'Function', {
      // Lambda accepts at most 256 characters
      description: props.description.slice(0, 256),
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: LAMBDA_HANDLER,
      code: lambda.Code.fromAsset(props.assetDir),
      memorySize: props.size.memoryMb,
      timeout: Duration.seconds(props.size.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...(props.scheduled ? { retryAttempts: 0 } : {}),
      ...(props.environment ? { environment: { ...props.environment } } : {}),
    });
    if (props.network) {
      // by id: the VPC and subnets are not imported as constructs, which would need their AZs and
      // route tables; the role already may manage the network interfaces
      (this.function.node.defaultChild as lambda.CfnFunction).vpcConfig = {
        subnetIds: [...props.network.subnetIds],
        securityGroupIds: [...props.network.securityGroupIds],
      };
    }
  }
}
