/**
 * A stack holding one `Probes` construct: what `chasm synth` and the `chasm init` app deploy.
 *
 * @example
 * const app = new App();
 * new ProbesStack(app, 'Probes', { config: loadConfig('probes.yaml') });
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Probes, type ProbesProps } from './probes.js';

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
    super(scope, id, { ...props, stackName: props.stackName ?? defaultStackName(props.config.namespace) });
    this.probes = new Probes(this, 'Probes', props);
  }
}

/** `Chasm-<namespace>`, in CloudFormation's stack name characters, at most 128 of them */
export function defaultStackName(namespace: string): string {
  const slug = namespace
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `Chasm-${slug || 'Probes'}`.slice(0, 128);
}
