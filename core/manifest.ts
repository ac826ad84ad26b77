/**
 * What each deployed function is deployed with (a JSON file inside its asset; Lambda's
 * environment is limited to 4 KB). `chasm run` builds the same manifests in memory, so a
 * local run goes through the code that runs in Lambda.
 */
import type { DatabaseConfig, HealthMode, ProbeConfig, PublishMode } from './config.js';
import type { FunctionPlan } from './plan.js';

/** A query function's manifest: only its own databases and probes, `local` blocks stripped. */
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
  /** per probe, what the fan-out needs to route, split and report it */
  readonly probes: Readonly<
    Record<
      string,
      {
        readonly database: string;
        readonly functionId: string;
        readonly timeoutMs: number;
        /** the most bytes this probe's metric data can take in a response (for the 6 MiB split) */
        readonly maxResponseBytes: number;
      }
    >
  >;
  /** database name → Secrets Manager ARN, for `auth: secret` databases */
  readonly secrets: Readonly<Record<string, string>>;
}

/** The event a schedule sends to the fan-out function. */
export interface ScheduleEvent {
  readonly probes: readonly string[];
}
