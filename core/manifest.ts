/**
 * What each deployed function is deployed with (a JSON file inside its asset; Lambda's
 * environment is limited to 4 KB). `chasm run` builds the same manifests in memory, so a
 * local run goes through the code that runs in Lambda.
 */
import type { DatabaseConfig, HealthMode, ProbeConfig, PublishMode } from './model.js';

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
  /** the probe runs it serves: probe names, `name@database` for fleet members (`core/probe-runs.ts`) */
  readonly probes: readonly string[];
}

/**
 * A query function's manifest: only its own databases and probes (a fleet probe listing only its
 * databases that this function reaches), `local` blocks stripped.
 */
export interface QueryManifest {
  readonly namespace: string;
  readonly publish: PublishMode;
  readonly health: HealthMode;
  readonly databases: Readonly<Record<string, Omit<DatabaseConfig, 'local'>>>;
  readonly probes: Readonly<Record<string, ProbeConfig>>;
}

/** The fan-out function's manifest: who serves which probe, never SQL. */
export interface FanoutManifest {
  readonly namespace: string;
  readonly health: HealthMode;
  readonly functions: readonly FunctionPlan[];
  /** per probe run (a probe name, `name@database` for a fleet member), what the fan-out needs to route, split and report it */
  readonly probes: Readonly<
    Record<
      string,
      {
        readonly probe: string;
        readonly database: string;
        readonly functionId: string;
        readonly timeoutMs: number;
        /** the most bytes this run's report and metric data can take in a response (for the 6 MiB split) */
        readonly maxResponseBytes: number;
      }
    >
  >;
  /** database name → Secrets Manager ARN, for `auth: secret` databases */
  readonly secrets: Readonly<Record<string, string>>;
}

/**
 * The event a schedule sends to the fan-out function: probe runs by key. A fleet probe's bare name
 * stands for all its runs (what a manual invocation may send).
 */
export interface ScheduleEvent {
  readonly probes: readonly string[];
}
