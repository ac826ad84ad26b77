// Every example synthesized into one cloud assembly, as the CDK CLI deploys it (`cdk deploy --app
// DIR STACK`): one ProbesStack per example, and on request a second one from the same file under
// another stack name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ProbesStack } from '../../adapters/cdk/probes-stack.js';
import { loadConfig } from '../../adapters/config-loader.js';
import type { Config } from '../../core/model.js';
import { exampleFiles, exampleName } from './example-files.js';

/** One stack of the assembly. */
export interface AssemblyStack {
  /** its artifact id, which selects it on the CDK CLI's command line */
  readonly id: string;
  /** its CloudFormation stack name */
  readonly name: string;
  /** the absolute path of its template */
  readonly template: string;
}

export interface ExampleInAssembly {
  /** `examples/quickstart/probes.yaml` */
  readonly example: string;
  readonly config: Config;
  /** where it deploys: its `region`, else the region its ARNs name, else us-east-1 */
  readonly region: string;
  readonly stack: AssemblyStack;
  /** with `second`: the same file deployed again under the stack name `<name>-Second` */
  readonly second?: AssemblyStack;
}

/** `quickstart`, `packs-mysql-health`: an artifact id from an example's path */
function exampleId(example: string): string {
  return example
    .replace(/^examples\//, '')
    .replace(/(\/probes)?\.yaml$/, '')
    .replaceAll('/', '-');
}

/**
 * A file without `region` deploys to the deploying profile's region, which a user picks where the
 * file's ARNs are: CloudWatch, for one, refuses an alarm whose SNS topic is in another region.
 */
function deployRegion(file: string, config: Config): string {
  const arnRegion = /\barn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):/.exec(readFileSync(file, 'utf8'));
  return config.region ?? arnRegion?.[1] ?? 'us-east-1';
}

/**
 * Synthesizes every example into `outdir`, without CDK's built-in CloudFormation schema check
 * (cfn-lint checks the templates).
 */
export function synthesizeExamples(
  outdir: string,
  options: { readonly second?: boolean } = {},
): ExampleInAssembly[] {
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const examples = exampleFiles().map((file) => {
    const config = loadConfig(file);
    const id = exampleId(exampleName(file));
    const first = new ProbesStack(app, id, { config });
    const second = options.second
      ? new ProbesStack(app, `${id}-second`, { config, stackName: `${first.stackName}-Second` })
      : undefined;
    const stackOf = (stack: ProbesStack): AssemblyStack => ({
      id: stack.artifactId,
      name: stack.stackName,
      template: join(outdir, stack.templateFile),
    });
    return {
      example: exampleName(file),
      config,
      region: deployRegion(file, config),
      stack: stackOf(first),
      ...(second ? { second: stackOf(second) } : {}),
    };
  });
  app.synth();
  return examples;
}
