/**
 * The plan: which function serves which probes, which schedule invokes what, how many
 * billed series, and what it all costs. Pure: derived from a `Config` alone.
 */
import type { Config } from './config.js';

/** One query function: one per VPC, and one outside any VPC for VPC-less databases. */
export interface FunctionPlan {
  /** stable id derived from config names: `vpc-<name>` or `no-vpc`; construct ids build on it */
  readonly id: string;
  /** the deployed Lambda function name: stable, derived from the namespace and the id, ≤ 64 characters */
  readonly functionName: string;
  /** the VPC name in `probes.yaml`; absent for the function outside any VPC */
  readonly vpc?: string;
  readonly databases: readonly string[];
  /** engine names the function needs (its bundle loads only these drivers) */
  readonly engines: readonly string[];
  readonly probes: readonly string[];
}

/** One schedule expression and the probes it runs, grouped per function. */
export interface SchedulePlan {
  readonly expression: string;
  /** ticks per 30-day month */
  readonly ticksPerMonth: number;
  readonly invocations: readonly { readonly functionId: string; readonly probes: readonly string[] }[];
}

export interface Plan {
  readonly config: Config;
  readonly functions: readonly FunctionPlan[];
  readonly schedules: readonly SchedulePlan[];
}
