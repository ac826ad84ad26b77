// The deploy rehearsal: the real CDK CLI deploys the `chasm init` project and every example into
// moto, redeploys with no change, deploys a second stack from the same file beside the first, and
// destroys both. Where moto falls short of CloudFormation, and what this test does about it:
// - It accepts AWS::Scheduler::Schedule, AWS::Lambda::EventInvokeConfig and AWS::CloudWatch::Alarm
//   but creates none of them: they are created from the template's own properties through their
//   APIs (test/support/moto-stack.ts), which also refuses what CloudWatch would and moto does not.
//   It skips the CDK's AWS::CDK::Metadata too, which no API creates.
// - It checks no VPC, subnet or security group id a function or security group names, nor that a
//   secret, key or topic an ARN names exists: the examples deploy as written, their ids unchanged.
// - It reports no outputs of a stack created through a change set, as the CDK CLI creates them:
//   physical ids come from DescribeStackResources instead.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetFunctionCommand, GetFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../adapters/cdk/package-root.js';
import { cfnLintAvailable, lintTemplates, unacknowledged } from '../support/cfn-lint.js';
import { type ExampleInAssembly, synthesizeExamples } from '../support/example-assembly.js';
import { exampleFiles, exampleName } from '../support/example-files.js';
import { type MotoServer, motoAvailable, startMotoServer } from '../support/moto-server.js';
import {
  type CreatedResource,
  createSkippedResources,
  type DeployedStack,
  deleteCreatedResources,
  describeStack,
  MOTO_SKIPPED_TYPES,
  type MotoClients,
  motoClients,
  type Template,
} from '../support/moto-stack.js';
import { runCli } from '../support/run-cli.js';
import { type CommandRun, runCommand } from '../support/run-command.js';

const motoReady = motoAvailable('the deploy rehearsal');
const lintReady = cfnLintAvailable("cfn-lint of the chasm init project's template");

const CDK = join(packageRoot(), 'node_modules', '.bin', 'cdk');
// moto's account, which the examples' ARNs name too
const ACCOUNT = '123456789012';
// a region no example deploys to: the init project's stack has the quickstart's name
const INIT_REGION = 'us-west-2';
const STEP_TIMEOUT_MS = 300_000;

const work = mkdtempSync(join(tmpdir(), 'chasm-rehearsal-'));
let moto: MotoServer | undefined;
let endpoint = '';
let examples: ExampleInAssembly[] = [];
// the examples synthesized twice: a redeploy of a fresh synthesis must find no change
const assembly = join(work, 'cdk.out');
const assemblyAgain = join(work, 'cdk.out.again');

/** The environment of a command that deploys to `region` of the moto server, and of nothing else. */
function awsEnv(region: string): NodeJS.ProcessEnv {
  // npm's settings for this test process (npm test sets npm_*) and the machine's AWS and CDK ones stay out
  const inherited = Object.entries(process.env).filter(([name]) => !/^(aws_|cdk_|npm_)/i.test(name));
  return {
    ...Object.fromEntries(inherited),
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
    AWS_CONFIG_FILE: join(work, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'aws-credentials'),
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    CDK_DISABLE_VERSION_CHECK: '1',
    // the CDK's built-in schema check takes seconds to load in every synthesis; cfn-lint checks
    // these templates, and init-command.test.ts synthesizes the init project with it on
    CDK_VALIDATION: 'false',
  };
}

/** The checkout's CDK CLI, in the work folder, for `region`. */
function cdk(args: readonly string[], region: string): Promise<CommandRun> {
  return runCommand(CDK, [...args, '--no-notices'], {
    cwd: work,
    env: awsEnv(region),
    timeoutMs: STEP_TIMEOUT_MS,
  });
}

/** what a command printed, for a failed expectation's message */
function printed(run: CommandRun): string {
  return `exit ${run.status}\n${run.stdout}\n${run.stderr}`.slice(-4000);
}

function readTemplate(file: string): Template {
  return JSON.parse(readFileSync(file, 'utf8')) as Template;
}

beforeAll(async () => {
  if (!motoReady) return;
  examples = synthesizeExamples(assembly, { second: true });
  synthesizeExamples(assemblyAgain, { second: true });
  moto = await startMotoServer();
  // the CDK CLI hands CloudFormation its template as an S3 URL on this endpoint, which moto reads
  // as its own only under the name localhost (else: "The specified bucket does not exist")
  const url = new URL(moto.endpoint);
  url.hostname = 'localhost';
  endpoint = url.origin;
  const regions = [...new Set([INIT_REGION, ...examples.map((example) => example.region)])];
  const bootstrap = await cdk(
    ['bootstrap', ...regions.map((region) => `aws://${ACCOUNT}/${region}`)],
    INIT_REGION,
  );
  if (bootstrap.status !== 0) throw new Error(`cdk bootstrap failed: ${printed(bootstrap)}`);
}, 600_000);

afterAll(async () => {
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** One stack of a rehearsal: how it is deployed, and the template it deployed. */
interface Deployment {
  readonly stackName: string;
  /** deploys it; `again`: from a fresh synthesis of the same file */
  deploy(again: boolean): Promise<CommandRun>;
  template(): Template;
}

/** A deployed stack, its functions' names, and what was created in place of what moto skipped. */
interface Rehearsed {
  readonly stack: DeployedStack;
  readonly functionNames: readonly string[];
  readonly created: readonly CreatedResource[];
}

/** the physical names of the functions `template` deployed as `stack` */
function functionNamesOf(template: Template, stack: DeployedStack): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([logicalId]) => stack.resources.get(logicalId)?.physicalId ?? `${logicalId} (not created)`);
}

/**
 * Deploys `deployment` and asserts moto created every resource but those it skips, which are then
 * created through their APIs and checked there.
 */
async function deployAndCheck(clients: MotoClients, deployment: Deployment): Promise<Rehearsed> {
  const run = await deployment.deploy(false);
  expect(run.status, printed(run)).toBe(0);
  const template = deployment.template();
  const stack = await describeStack(clients, deployment.stackName);
  expect(stack.status).toBe('CREATE_COMPLETE');
  const notCreated = Object.entries(template.Resources)
    .filter(([logicalId]) => stack.resources.get(logicalId)?.status !== 'CREATE_COMPLETE')
    .map(([, resource]) => resource.Type);
  expect(notCreated.filter((type) => !MOTO_SKIPPED_TYPES.includes(type))).toEqual([]);

  const created = await createSkippedResources(clients, template, stack);
  const functionNames = functionNamesOf(template, stack);
  await expectCreatedAsTemplated(clients, template, functionNames, created);
  return { stack, functionNames, created };
}

/** Each resource created in moto's stead holds its template's settings and points into `stack`. */
async function expectCreatedAsTemplated(
  clients: MotoClients,
  template: Template,
  functionNames: readonly string[],
  created: readonly CreatedResource[],
): Promise<void> {
  for (const resource of created) {
    const properties = template.Resources[resource.logicalId]?.Properties ?? {};
    if (resource.type === 'AWS::Scheduler::Schedule') {
      const schedule = await clients.scheduler.send(new GetScheduleCommand({ Name: resource.name }));
      expect(schedule.ScheduleExpression).toBe(properties.ScheduleExpression);
      expect(functionNames).toContain(schedule.Target?.Arn?.split(':function:')[1]);
    } else if (resource.type === 'AWS::Lambda::EventInvokeConfig') {
      const config = await clients.lambda.send(
        new GetFunctionEventInvokeConfigCommand({ FunctionName: resource.name }),
      );
      expect(functionNames).toContain(resource.name);
      expect(config.MaximumRetryAttempts).toBe(properties.MaximumRetryAttempts);
    } else {
      const { MetricAlarms } = await clients.cloudWatch.send(
        new DescribeAlarmsCommand({ AlarmNames: [resource.name] }),
      );
      expect(MetricAlarms?.[0]?.AlarmDescription).toBe(properties.AlarmDescription);
    }
  }
}

/**
 * The rehearsal of one file: deploy, redeploy with no change, deploy a second stack beside the
 * first, destroy both; nothing of either stack remains.
 */
async function rehearse(
  clients: MotoClients,
  first: Deployment,
  second: Deployment,
  destroy: () => Promise<CommandRun[]>,
): Promise<void> {
  const deployed = await deployAndCheck(clients, first);

  const again = await first.deploy(true);
  expect(again.status, printed(again)).toBe(0);
  expect(`${again.stdout}${again.stderr}`).toContain(`(${first.stackName}) (no changes)`);
  expect((await describeStack(clients, first.stackName)).status).toBe('CREATE_COMPLETE');

  const beside = await deployAndCheck(clients, second);
  const physicalIds = (stack: DeployedStack) => [...stack.resources.values()].map((r) => r.physicalId);
  const shared = physicalIds(beside.stack).filter((id) => physicalIds(deployed.stack).includes(id));
  expect(shared).toEqual([]);

  for (const run of await destroy()) expect(run.status, printed(run)).toBe(0);
  for (const { stack, functionNames, created } of [deployed, beside]) {
    await expect(describeStack(clients, stack.name)).rejects.toThrow(/does not exist/);
    for (const name of functionNames) {
      await expect(clients.lambda.send(new GetFunctionCommand({ FunctionName: name }))).rejects.toThrow(
        /not found/i,
      );
    }
    await deleteCreatedResources(clients, created);
  }
}

describe.skipIf(!motoReady && !lintReady)('the chasm init project', () => {
  const project = join(work, 'probes');
  const env = () => awsEnv(INIT_REGION);
  /** `npx cdk ...` in the project, as its README says */
  const npxCdk = (...args: string[]) =>
    runCommand('npx', ['--no', 'cdk', ...args, '--no-notices'], {
      cwd: project,
      env: env(),
      timeoutMs: STEP_TIMEOUT_MS,
    });
  const template = () => readTemplate(join(project, 'cdk.out', 'Probes.template.json'));

  beforeAll(async () => {
    const init = await runCli('init', project);
    if (init.status !== 0) throw new Error(`chasm init failed: ${init.stderr}`);
    const install = await runCommand('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: project,
      env: env(),
      timeoutMs: 400_000,
    });
    if (install.status !== 0) throw new Error(`npm install failed: ${printed(install)}`);
  }, 600_000);

  it.skipIf(!lintReady)(
    'synthesizes a template in which cfn-lint finds no error and only acknowledged warnings',
    async () => {
      const synth = await npxCdk('synth', '--quiet');
      expect(synth.status, printed(synth)).toBe(0);

      const findings = await lintTemplates([join(project, 'cdk.out', 'Probes.template.json')], INIT_REGION);

      expect(unacknowledged(findings)).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );

  it.skipIf(!motoReady)(
    'deploys with npx cdk deploy, redeploys with no change, deploys a second stack by -c stackName, and destroys both',
    async () => {
      const deployment = (stackName: string, context: string[]): Deployment => ({
        stackName,
        deploy: () => npxCdk('deploy', ...context, '--require-approval', 'never'),
        template,
      });

      await rehearse(
        motoClients(endpoint, INIT_REGION),
        deployment('Chasm-Acme-Sessions', []),
        deployment('Chasm-Staging', ['-c', 'stackName=Chasm-Staging']),
        async () => [
          await npxCdk('destroy', '--force'),
          await npxCdk('destroy', '--force', '-c', 'stackName=Chasm-Staging'),
        ],
      );
    },
    4 * STEP_TIMEOUT_MS,
  );
});

describe.skipIf(!motoReady)('every example, deployed into moto', () => {
  it.each(exampleFiles().map(exampleName))(
    '%s: deploys, redeploys a fresh synthesis with no change, deploys a second stack beside it, and destroys both',
    async (name) => {
      const example = examples.find((candidate) => candidate.example === name);
      if (!example?.second) throw new Error(`${name} was not synthesized`);
      const { region, stack, second } = example;
      const deployment = (target: typeof stack): Deployment => ({
        stackName: target.name,
        deploy: (again) =>
          cdk(
            ['deploy', '--app', again ? assemblyAgain : assembly, '--require-approval', 'never', target.id],
            region,
          ),
        template: () => readTemplate(target.template),
      });

      await rehearse(motoClients(endpoint, region), deployment(stack), deployment(second), async () => [
        await cdk(['destroy', '--app', assembly, '--force', stack.id, second.id], region),
      ]);
    },
    4 * STEP_TIMEOUT_MS,
  );
});
