/** `chasm plan FILE [--json]`: what will be deployed, the billed series and the monthly bill. */

import { causeOf } from '../../core/error-cause.js';
import { estimateCost } from '../../core/plan/cost-model.js';
import { buildPlan, type Plan } from '../../core/plan/plan.js';
import { type CliIo, type Command, EXIT } from './cli-io.js';
import { fileAndJson, readConfigOrReport } from './command-input.js';
import { planJson, planText } from './plan-report.js';

const USAGE = `Usage: chasm plan FILE [--json]

Prints what FILE deploys: the query function per VPC and the probes and metrics each runs, the
schedules, the billed metric series, the alarms and the stack's resources, and the monthly cost
beside the NAT Gateway variant of the same job. Exits 1 when FILE is invalid (each error as
FILE:LINE:COL: message).

  --json   one JSON object: functions, schedules, probes, series, alarms, resources, cost,
           natGateway, ratio`;

export const planCommand: Command = {
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = fileAndJson(args);
    if (typeof parsed === 'string') {
      io.stderr.write(`chasm plan: ${parsed}\n\n${USAGE}\n`);
      return EXIT.badInput;
    }
    const { file, json } = parsed;
    const config = readConfigOrReport('plan', file, io);
    if (!config) return EXIT.badInput;
    let plan: Plan;
    try {
      plan = buildPlan(config);
    } catch (error) {
      io.stderr.write(`chasm plan: ${causeOf(error)}\n`);
      return EXIT.badInput;
    }
    const report = estimateCost(plan);
    io.stdout.write(
      json ? `${JSON.stringify(planJson(plan, report), null, 2)}\n` : planText(file, plan, report),
    );
    return EXIT.ok;
  },
};
