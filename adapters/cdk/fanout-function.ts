/**
 * The public fan-out function (outside any VPC): invokes the query functions, reads the configured
 * secrets (decrypting them with their customer managed keys through Secrets Manager only), runs
 * the probes of Data API databases through the RDS Data API on their clusters only, publishes into
 * the config's namespace. Its role allows exactly that.
 */
import { Fn, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LAMBDA } from '../../core/limits.js';
import { QUERY_FUNCTION_NAMES_ENV } from '../../core/manifest.js';
import { entryNamed } from '../../core/model.js';
import { fanoutManifest } from '../../core/plan/build-manifests.js';
import { DATA_API_ACTIONS, dataApiClusterArns } from '../../core/plan/data-api-scope.js';
import { type FunctionSize, fanoutSize, querySize } from '../../core/plan/function-sizing.js';
import type { Plan } from '../../core/plan/plan.js';
import { secretReadScope } from '../../core/plan/secret-read-scope.js';
import { tickDurationBoundMs } from '../../core/run/fan-out.js';
import { deployedEngineName, unusedEngineModules } from '../engines/engine-registry.js';
import { DeployedFunction } from './deployed-function.js';
import { functionAssetDir, type HandlerBundle } from './handler-bundler.js';

export interface FanoutFunctionProps {
  readonly plan: Plan;
  readonly bundle: HandlerBundle;
  readonly logRemovalPolicy: RemovalPolicy;
  /** the query functions it invokes, with their sizes, in the order of the plan's functions */
  readonly queryFunctions: readonly { readonly function: lambda.IFunction; readonly size: FunctionSize }[];
}

export class FanoutFunction extends Construct {
  readonly function: lambda.Function;
  readonly size: FunctionSize;
  readonly assetDir: string;

  constructor(scope: Construct, id: string, props: FanoutFunctionProps) {
    super(scope, id);
    const { config } = props.plan;
    if (props.queryFunctions.length !== props.plan.functions.length) {
      throw new Error(
        `the fan-out function needs one query function per planned function (${props.plan.functions.length}), got ${props.queryFunctions.length}`,
      );
    }
    const statements = [
      // none when every database is reached through the Data API
      ...(props.queryFunctions.length > 0
        ? [
            new iam.PolicyStatement({
              actions: ['lambda:InvokeFunction'],
              resources: props.queryFunctions.map((fn) => fn.function.functionArn),
            }),
          ]
        : []),
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': config.namespace } },
      }),
    ];
    const secrets = secretReadScope(config);
    if (secrets.secretResources.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [...secrets.secretResources],
        }),
      );
    }
    const clusters = dataApiClusterArns(props.plan);
    if (clusters.length > 0) {
      statements.push(new iam.PolicyStatement({ actions: [...DATA_API_ACTIONS], resources: clusters }));
    }
    for (const { viaService, keyArns } of secrets.kmsDecrypt) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [...keyArns],
          conditions: { StringEquals: { 'kms:ViaService': viaService } },
        }),
      );
    }

    const manifest = fanoutManifest(props.plan);
    // it waits for its own Data API probes as for a query function
    const ownProbes = props.plan.dataApi ? [querySize(config, props.plan.dataApi)] : [];
    this.size = fanoutSize(
      [...props.queryFunctions.map((fn) => fn.size), ...ownProbes],
      tickDurationBoundMs(manifest),
    );
    // it loads the Data API engines its own probes need, and no server engine
    const engines = (props.plan.dataApi?.databases ?? []).flatMap((name) => {
      const database = entryNamed(config.databases, name);
      return database ? [deployedEngineName(database)] : [];
    });
    this.assetDir = functionAssetDir(props.bundle, 'fanout', manifest, unusedEngineModules(engines));
    const deployed = new DeployedFunction(this, 'Lambda', {
      label: 'fan-out function',
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
      environment: { [QUERY_FUNCTION_NAMES_ENV]: queryFunctionNames(props.queryFunctions) },
    });
    this.function = deployed.function;
  }
}

/** The query functions' generated names, comma-separated; refused at synth when they might not fit. */
function queryFunctionNames(queryFunctions: readonly { readonly function: lambda.IFunction }[]): string {
  // the names are known at deploy time only: count each at the longest Lambda allows
  const worstBytes =
    QUERY_FUNCTION_NAMES_ENV.length + queryFunctions.length * (LAMBDA.maxFunctionNameLength + 1);
  if (worstBytes > LAMBDA.maxEnvironmentBytes) {
    throw new Error(
      `${queryFunctions.length} query functions' names may not fit the fan-out function's ${LAMBDA.maxEnvironmentBytes}-byte environment; deploy the VPCs as several stacks (several probes.yaml files)`,
    );
  }
  // none when every database is reached through the Data API (a join needs one value)
  if (queryFunctions.length === 0) return '';
  return Fn.join(
    ',',
    queryFunctions.map((fn) => fn.function.functionName),
  );
}
