// A stack deployed into moto, read back through the real SDK clients, and the resources moto's
// CloudFormation accepts in a template but never creates, created instead from the template's own
// properties through each service's API so that a rehearsal still exercises them.
import { randomUUID } from 'node:crypto';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import {
  GetFunctionCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
  type PutFunctionEventInvokeConfigCommandInput,
} from '@aws-sdk/client-lambda';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';

/** What moto's CloudFormation skips: it reports such a resource as created and creates nothing. */
export const MOTO_SKIPPED_TYPES: readonly string[] = [
  'AWS::Scheduler::Schedule',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::CloudWatch::Alarm',
  // the CDK's version record, which CloudFormation keeps and no API serves
  'AWS::CDK::Metadata',
];

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

export interface Template {
  readonly Resources: Readonly<Record<string, TemplateResource>>;
}

/** The SDK clients of one region of a moto server. */
export interface MotoClients {
  readonly region: string;
  readonly cloudFormation: CloudFormationClient;
  readonly lambda: LambdaClient;
  readonly cloudWatch: CloudWatchClient;
  readonly scheduler: SchedulerClient;
}

export function motoClients(endpoint: string, region: string): MotoClients {
  const config = {
    endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  return {
    region,
    cloudFormation: new CloudFormationClient(config),
    lambda: new LambdaClient(config),
    // moto decompresses a gzipped request body twice (PutMetricData is the SDK's one compressed call)
    cloudWatch: new CloudWatchClient({ ...config, disableRequestCompression: true }),
    scheduler: new SchedulerClient(config),
  };
}

/** A stack as moto reports it. */
export interface DeployedStack {
  readonly name: string;
  readonly status: string;
  readonly region: string;
  readonly account: string;
  /** what moto created: physical id and status by logical id */
  readonly resources: ReadonlyMap<string, { readonly physicalId: string; readonly status: string }>;
}

export async function describeStack(clients: MotoClients, name: string): Promise<DeployedStack> {
  const { Stacks } = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: name }));
  const stack = Stacks?.[0];
  if (!stack?.StackId || !stack.StackStatus) throw new Error(`moto describes no stack ${name}`);
  const { StackResources } = await clients.cloudFormation.send(
    new DescribeStackResourcesCommand({ StackName: name }),
  );
  const resources = new Map<string, { physicalId: string; status: string }>();
  for (const resource of StackResources ?? []) {
    // moto lists each skipped resource as an entry with neither id
    if (resource.LogicalResourceId === undefined) continue;
    resources.set(resource.LogicalResourceId, {
      physicalId: resource.PhysicalResourceId ?? '',
      status: resource.ResourceStatus ?? '',
    });
  }
  return {
    name,
    status: stack.StackStatus,
    region: clients.region,
    // arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID
    account: stack.StackId.split(':')[4] ?? '',
    resources,
  };
}

/** A resource created through its API in place of moto's CloudFormation. */
export interface CreatedResource {
  readonly type: string;
  readonly logicalId: string;
  /** the schedule's or alarm's name, the function's for an event invoke config */
  readonly name: string;
}

/**
 * Creates each resource of `template` that moto skipped, from its properties with every Ref and
 * Fn::GetAtt resolved to what `stack` deployed; throws where CloudFormation would fail (a name
 * taken) or where the API would refuse what moto accepts (an alarm action in another region).
 */
export async function createSkippedResources(
  clients: MotoClients,
  template: Template,
  stack: DeployedStack,
): Promise<CreatedResource[]> {
  const arns = await attributeArns(clients, template, stack);
  const resolve = (value: unknown) => resolveIntrinsics(value, stack, arns);
  const created: CreatedResource[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (stack.resources.has(logicalId)) continue;
    const properties = resolve(resource.Properties ?? {}) as Record<string, unknown>;
    switch (resource.Type) {
      case 'AWS::Lambda::EventInvokeConfig': {
        const input = properties as unknown as PutFunctionEventInvokeConfigCommandInput;
        await clients.lambda.send(new PutFunctionEventInvokeConfigCommand(input));
        created.push({ type: resource.Type, logicalId, name: String(input.FunctionName) });
        break;
      }
      case 'AWS::Scheduler::Schedule': {
        const name = (properties.Name as string | undefined) ?? generatedName(stack.name, logicalId, 64);
        const input = { ...properties, Name: name } as unknown as CreateScheduleCommandInput;
        await clients.scheduler.send(new CreateScheduleCommand(input));
        created.push({ type: resource.Type, logicalId, name });
        break;
      }
      case 'AWS::CloudWatch::Alarm': {
        const name =
          (properties.AlarmName as string | undefined) ?? generatedName(stack.name, logicalId, 255);
        const input = { ...properties, AlarmName: name } as unknown as PutMetricAlarmCommandInput;
        await refuseAsCloudWatchWould(clients, input, stack.region);
        await clients.cloudWatch.send(new PutMetricAlarmCommand(input));
        created.push({ type: resource.Type, logicalId, name });
        break;
      }
      case 'AWS::CDK::Metadata':
        break;
      default:
        throw new Error(
          `moto did not create ${logicalId} (${resource.Type}) of stack ${stack.name}, which it is not known to skip`,
        );
    }
  }
  return created;
}

/** Deletes what `createSkippedResources` made (CloudFormation does not know of it). */
export async function deleteCreatedResources(
  clients: MotoClients,
  created: readonly CreatedResource[],
): Promise<void> {
  for (const resource of created) {
    if (resource.type === 'AWS::Scheduler::Schedule') {
      await clients.scheduler.send(new DeleteScheduleCommand({ Name: resource.name }));
    }
  }
  const alarms = created.filter((resource) => resource.type === 'AWS::CloudWatch::Alarm');
  if (alarms.length > 0) {
    await clients.cloudWatch.send(new DeleteAlarmsCommand({ AlarmNames: alarms.map((alarm) => alarm.name) }));
  }
  // an event invoke config belongs to its function, which the stack's deletion removed
}

/** A name as CloudFormation generates one: the stack's, the logical id, a random suffix, within `max`. */
function generatedName(stackName: string, logicalId: string, max: number): string {
  const suffix = randomUUID().replaceAll('-', '').slice(0, 12).toUpperCase();
  return `${`${stackName}-${logicalId}`.slice(0, max - suffix.length - 1)}-${suffix}`;
}

/**
 * CloudFormation fails on an alarm name taken, where moto's PutMetricAlarm replaces the alarm; and
 * CloudWatch refuses an SNS action in another region, which moto accepts.
 */
async function refuseAsCloudWatchWould(
  clients: MotoClients,
  input: PutMetricAlarmCommandInput,
  region: string,
): Promise<void> {
  const taken = await clients.cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [input.AlarmName ?? ''] }),
  );
  if ((taken.MetricAlarms ?? []).length > 0) throw new Error(`alarm ${input.AlarmName} already exists`);
  const actions = [
    ...(input.AlarmActions ?? []),
    ...(input.OKActions ?? []),
    ...(input.InsufficientDataActions ?? []),
  ];
  for (const action of actions) {
    const actionRegion = /^arn:aws[a-z-]*:sns:([^:]+):/.exec(action)?.[1];
    if (actionRegion !== undefined && actionRegion !== region) {
      throw new Error(
        `alarm ${input.AlarmName}: action ${action} is in ${actionRegion}; only ${region} is supported`,
      );
    }
  }
}

/** `<logical id>.Arn` of each function (as Lambda reports it) and role (IAM's form) in `template`. */
async function attributeArns(
  clients: MotoClients,
  template: Template,
  stack: DeployedStack,
): Promise<Map<string, string>> {
  const arns = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const physicalId = stack.resources.get(logicalId)?.physicalId;
    if (physicalId === undefined) continue;
    if (resource.Type === 'AWS::Lambda::Function') {
      const { Configuration } = await clients.lambda.send(
        new GetFunctionCommand({ FunctionName: physicalId }),
      );
      if (Configuration?.FunctionArn) arns.set(`${logicalId}.Arn`, Configuration.FunctionArn);
    } else if (resource.Type === 'AWS::IAM::Role') {
      arns.set(`${logicalId}.Arn`, `arn:aws:iam::${stack.account}:role/${physicalId}`);
    }
  }
  return arns;
}

/** `value` with Ref, Fn::GetAtt, Fn::Join and Fn::Sub resolved; any other function throws. */
function resolveIntrinsics(value: unknown, stack: DeployedStack, arns: ReadonlyMap<string, string>): unknown {
  const resolve = (inner: unknown) => resolveIntrinsics(inner, stack, arns);
  if (Array.isArray(value)) return value.map(resolve);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [key, argument] = entries[0] ?? [];
  if (entries.length !== 1 || key === undefined || !(key === 'Ref' || key.startsWith('Fn::'))) {
    return Object.fromEntries(entries.map(([name, inner]) => [name, resolve(inner)]));
  }
  const reference = (name: string): string => {
    const pseudo: Record<string, string> = {
      'AWS::Region': stack.region,
      'AWS::AccountId': stack.account,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stack.name,
    };
    const resolved = pseudo[name] ?? stack.resources.get(name)?.physicalId ?? arns.get(name);
    if (resolved === undefined) throw new Error(`cannot resolve ${name} in stack ${stack.name}`);
    return resolved;
  };
  switch (key) {
    case 'Ref':
      return reference(String(argument));
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = argument as [string, string];
      return reference(`${logicalId}.${attribute}`);
    }
    case 'Fn::Join': {
      const [separator, parts] = argument as [string, unknown[]];
      return (resolve(parts) as unknown[]).map(String).join(separator);
    }
    case 'Fn::Sub': {
      const [text, variables] =
        typeof argument === 'string' ? [argument, {}] : (argument as [string, object]);
      const own = resolve(variables) as Record<string, string>;
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => own[name] ?? reference(name));
    }
    default:
      throw new Error(`cannot resolve ${key} in stack ${stack.name}`);
  }
}
