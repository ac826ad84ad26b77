/**
 * EventBridge Scheduler schedules: one per distinct schedule expression, targeting the fan-out
 * function (with `publish: emf`, one per expression and query function, targeting that function),
 * each sending `{ "probes": [...] }` with the probes it runs. Each target has a role that may invoke
 * that function only.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { ScheduleEvent } from '../../core/manifest.js';
import type { Plan } from '../../core/plan/plan.js';
import { stableId } from './construct-id.js';

export interface ProbeSchedulesProps {
  readonly plan: Plan;
  /** the fan-out function; absent with `publish: emf` */
  readonly fanout?: lambda.IFunction;
  /** query functions by plan id */
  readonly queryFunctions: ReadonlyMap<string, lambda.IFunction>;
}

/** One deployed schedule, for reports and tests. */
export interface DeployedSchedule {
  readonly expression: string;
  readonly target: string;
  readonly probes: readonly string[];
  readonly schedule: scheduler.CfnSchedule;
}

export class ProbeSchedules extends Construct {
  readonly schedules: readonly DeployedSchedule[];
  private readonly roles = new Map<string, iam.Role>();

  constructor(scope: Construct, id: string, props: ProbeSchedulesProps) {
    super(scope, id);
    const schedules: DeployedSchedule[] = [];
    for (const plan of props.plan.schedules) {
      if (props.fanout) {
        const probes = plan.invocations.flatMap((invocation) => invocation.probes);
        schedules.push(
          this.schedule(
            stableId('Schedule', plan.expression),
            plan.expression,
            'fanout',
            props.fanout,
            probes,
          ),
        );
        continue;
      }
      for (const invocation of plan.invocations) {
        const target = props.queryFunctions.get(invocation.functionId);
        if (!target)
          throw new Error(`schedule '${plan.expression}' names unknown function '${invocation.functionId}'`);
        const scheduleId = stableId(`Schedule-${invocation.functionId}`, plan.expression);
        schedules.push(
          this.schedule(scheduleId, plan.expression, invocation.functionId, target, invocation.probes),
        );
      }
    }
    this.schedules = schedules;
  }

  private schedule(
    id: string,
    expression: string,
    targetId: string,
    target: lambda.IFunction,
    probes: readonly string[],
  ): DeployedSchedule {
    // sorted: the file's order is not part of what runs
    const event: ScheduleEvent = { probes: [...probes].sort() };
    const schedule = new scheduler.CfnSchedule(this, id, {
      description: `Chasm: ${expression} runs ${event.probes.length} probe(s)`,
      scheduleExpression: expression,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: target.functionArn,
        roleArn: this.roleFor(targetId, target).roleArn,
        input: JSON.stringify(event),
        // a late tick is worth nothing once the next one is due
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 60 },
      },
    });
    return { expression, target: targetId, probes: event.probes, schedule };
  }

  /** The role the scheduler assumes to invoke one function, shared by that function's schedules. */
  private roleFor(targetId: string, target: lambda.IFunction): iam.Role {
    const known = this.roles.get(targetId);
    if (known) return known;
    const role = new iam.Role(this, stableId('Role', targetId), {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        // only schedules of this account may use it
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `Lets EventBridge Scheduler invoke ${targetId} only`,
      inlinePolicies: {
        Invoke: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }),
          ],
        }),
      },
    });
    this.roles.set(targetId, role);
    return role;
  }
}
