// Synthesizes a config the way `chasm synth` does, into a temp folder, for the deploy tests.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { defaultHandlerEntries, type HandlerEntries } from '../../adapters/cdk/handler-bundler.js';
import { ProbesStack } from '../../adapters/cdk/probes-stack.js';
import type { Config } from '../../core/model.js';

let root: string | undefined;

/** one folder per test process for every synthesized assembly, removed when the process exits */
function outputRoot(): string {
  if (root === undefined) {
    const created = mkdtempSync(join(tmpdir(), 'chasm-cdk-test-'));
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
    root = created;
  }
  return root;
}

/** The package's own handlers, bundled as `chasm synth` bundles them. */
export function testHandlers(): HandlerEntries {
  return defaultHandlerEntries();
}

export interface Synthesized {
  readonly stack: ProbesStack;
  readonly template: Template;
  readonly outdir: string;
}

/**
 * Synthesizes `config`. With `nag`, AwsSolutionsChecks runs and any unacknowledged finding throws;
 * with `validate`, CDK's CloudFormation schema check runs too (slow to load, so off by default).
 */
export function synthProbes(
  config: Config,
  options: { readonly nag?: boolean; readonly validate?: boolean } = {},
): Synthesized {
  const outdir = mkdtempSync(join(outputRoot(), 'synth-'));
  const app = new App({ outdir, builtinCloudFormationValidation: options.validate === true });
  const stack = new ProbesStack(app, 'Probes', { config, handlers: testHandlers() });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return { stack, template: Template.fromStack(stack), outdir };
}

/**
 * The logical id of each deployed function by plan id (`vpc-app`, `no-vpc`, `fanout`): functions
 * have no fixed names, so tests find them through the constructs.
 */
export function functionLogicalIds(stack: ProbesStack): Map<string, string> {
  const ids = new Map<string, string>();
  const logicalId = (fn: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(fn.node.defaultChild as CfnElement);
  for (const [id, query] of stack.probes.queryFunctions) ids.set(id, logicalId(query.function));
  if (stack.probes.fanoutFunction) ids.set('fanout', logicalId(stack.probes.fanoutFunction.function));
  return ids;
}

/** The resources of a type, by logical id. */
export function resourcesOf(
  template: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}

/** The violations of the validation plugins (cdk-nag, CloudFormation schema) in the assembly's report. */
export function validationViolations(outdir: string): unknown[] {
  const file = join(outdir, 'validation-report.json');
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    pluginReports: { pluginName: string; violations: unknown[] }[];
  };
  return report.pluginReports.flatMap((r) =>
    r.violations.map((v) => ({ plugin: r.pluginName, ...(v as object) })),
  );
}
