// Typed, fully defaulted probes and databases for runtime tests, the way the loader produces them.
import type { DatabaseConfig, MetricConfig, ProbeConfig } from '../../core/config.js';
import { DEFAULTS } from '../../core/config.js';

type Draft<T> = Partial<T> & { readonly name: string };

export function metric(draft: Draft<MetricConfig>): MetricConfig {
  return { column: 'n', unit: 'Count', resolution: 60, dimensions: {}, ...draft };
}

export function probe(draft: Partial<ProbeConfig>): ProbeConfig {
  return {
    name: 'p',
    database: 'db',
    sql: 'SELECT 1 AS n',
    schedule: DEFAULTS.schedule,
    timeoutMs: DEFAULTS.timeoutMs,
    onNull: DEFAULTS.onNull,
    onEmpty: DEFAULTS.onEmpty,
    maxRows: DEFAULTS.maxRows,
    maxSeries: DEFAULTS.maxSeries,
    dimensions: {},
    metrics: [metric({ name: 'Value' })],
    ...draft,
  };
}

export function database(draft: Draft<DatabaseConfig>): Omit<DatabaseConfig, 'local'> {
  return {
    engine: 'postgres',
    host: 'db.example.com',
    port: 5432,
    database: 'app',
    user: 'metrics_reader',
    auth: { type: 'iam' },
    tls: true,
    maxConnections: DEFAULTS.maxConnections,
    ...draft,
  };
}
