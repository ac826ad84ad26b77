/**
 * A stack holding one `Probes` construct: what `chasm synth` and the `chasm init` app deploy. It
 * deploys to the config's `region` when it names one, and its outputs say what to do next: the
 * security groups the databases must admit, the fan-out function `chasm invoke` runs, the
 * dashboards.
 *
 * @example
 * const app = new App();
 * new ProbesStack(app, 'Probes', { config: loadConfig('probes.yaml') });
 */
import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { outputId } from './construct-id.js';
import { Probes, type ProbesProps } from './probes.js';
import { defaultStackName, STACK_OUTPUTS } from './stack-contract.js';

export interface ProbesStackProps extends StackProps, ProbesProps {
  /**
   * The CloudFormation stack name.
   * @default `Chasm-<namespace>` with characters outside letters, digits and `-` replaced by `-`
   */
  readonly stackName?: string;
}

export class ProbesStack extends Stack {
  readonly probes: Probes;

  constructor(scope: Construct, id: string, props: ProbesStackProps) {
    const { region } = props.config;
    if (region !== undefined && props.env?.region !== undefined && props.env.region !== region) {
      throw new Error(
        `the stack's env names region ${props.env.region}, but ${props.config.file} deploys to ${region}`,
      );
    }
    super(scope, id, {
      ...props,
      stackName: props.stackName ?? defaultStackName(props.config.namespace),
      ...(region !== undefined ? { env: { ...props.env, region } } : {}),
    });
    this.probes = new Probes(this, 'Probes', props);
    this.addOutputs();
  }

  private addOutputs(): void {
    const { probes } = this;
    for (const [fnId, fn] of probes.queryFunctions) {
      const vpc = probes.plan.functions.find((planned) => planned.id === fnId)?.vpc;
      if (vpc === undefined || !fn.createdSecurityGroup) continue;
      new CfnOutput(this, outputId(STACK_OUTPUTS.securityGroupPrefix, vpc), {
        value: fn.createdSecurityGroup.attrGroupId,
        description: `Security group of the query function in VPC ${vpc}: admit it in the security groups of that VPC's databases`,
      });
    }
    if (probes.fanoutFunction) {
      new CfnOutput(this, STACK_OUTPUTS.fanoutFunctionName, {
        value: probes.fanoutFunction.function.functionName,
        description: 'The fan-out function: chasm invoke runs it once',
      });
    }
    probes.dashboards.forEach((dashboard, index) => {
      new CfnOutput(this, `${STACK_OUTPUTS.dashboardUrl}${index === 0 ? '' : index + 1}`, {
        value: dashboardUrl(this.region, dashboard.dashboardName),
        description: `The CloudWatch dashboard of ${probes.plan.config.namespace}`,
      });
    });
  }
}

/** The console address of a dashboard (`region` may be the deploy-time region's token). */
function dashboardUrl(region: string, name: string): string {
  return Fn.join('', [
    'https://console.aws.amazon.com/cloudwatch/home?region=',
    region,
    '#dashboards/dashboard/',
    name,
  ]);
}
