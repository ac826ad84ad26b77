/**
 * The public fan-out function (outside any VPC): invokes the query functions, reads the configured
 * secrets, publishes into the config's namespace. Its role allows exactly that.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { fanoutManifest } from '../../core/plan/build-manifests.js';
import type { Plan } from '../../core/plan/plan.js';
import { tickDurationBoundMs } from '../../core/run/fan-out.js';
import { DeployedFunction } from './deployed-function.js';
import { functionAssetDir } from './function-asset.js';
import { type FunctionSize, fanoutSize } from './function-sizing.js';
import type { HandlerBundle } from './handler-bundler.js';

export interface FanoutFunctionProps {
  readonly plan: Plan;
  /** the deployed name (from the plan) */
  readonly functionName: string;
  readonly bundle: HandlerBundle;
  readonly logRemovalPolicy: RemovalPolicy;
  /** the query functions it invokes, with their sizes */
  readonly queryFunctions: readonly { readonly function: lambda.IFunction; readonly size: FunctionSize }[];
}

export class FanoutFunction extends Construct {
  readonly function: lambda.Function;
  readonly size: FunctionSize;
  readonly assetDir: string;

  constructor(scope: Construct, id: string, props: FanoutFunctionProps) {
    super(scope, id);
    const { config } = props.plan;
    const statements = [
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: props.queryFunctions.map((fn) => fn.function.functionArn),
      }),
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': config.namespace } },
      }),
    ];
    const secretArns = [
      ...new Set(
        Object.values(config.databases).flatMap((db) =>
          db.auth.type === 'secret' ? [db.auth.secretArn] : [],
        ),
      ),
    ].sort();
    if (secretArns.length > 0) {
      statements.push(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: secretArns }),
      );
    }

    const manifest = fanoutManifest(props.plan);
    this.size = fanoutSize(
      props.queryFunctions.map((fn) => fn.size),
      tickDurationBoundMs(manifest),
    );
    this.assetDir = functionAssetDir(props.bundle, 'fanout', manifest);
    const deployed = new DeployedFunction(this, 'Lambda', {
      functionName: props.functionName,
      description: `Chasm fan-out: runs the probes of ${config.namespace} and publishes their metrics`,
      assetDir: this.assetDir,
      size: this.size,
      logRetentionDays: config.logRetentionDays,
      logRemovalPolicy: props.logRemovalPolicy,
      statements,
      wildcards: [
        {
          appliesTo: 'Resource::*',
          reason: `cloudwatch:PutMetricData supports no resource-level permissions; the statement is limited to namespace '${config.namespace}' by the cloudwatch:namespace condition.`,
        },
      ],
      scheduled: true,
    });
    this.function = deployed.function;
  }
}
