/**
 * A query function's publishing with `publish: emf`: each response's metric data and health
 * metrics written as EMF lines to its log, where CloudWatch Logs extracts them.
 */
import type { QueryManifest } from '../../core/manifest.js';
import type { ProbeReport } from '../../core/metric-data.js';
import { entryNamed } from '../../core/model.js';
import type { Clock, Logger, QueryResponse } from '../../core/ports.js';
import { isFleet } from '../../core/probe-runs.js';
import { healthMetrics } from '../../core/run/health-metrics.js';
import { createEmfSink } from '../sinks/emf-sink.js';

export interface EmfPublisherOptions {
  /** where EMF lines go */
  readonly out: { write(line: string): unknown };
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** writes one response's metric data and health metrics as EMF lines */
export type EmfPublisher = (response: QueryResponse) => Promise<unknown>;

export function createEmfPublisher(manifest: QueryManifest, options: EmfPublisherOptions): EmfPublisher {
  const sink = createEmfSink(options);
  const fleet = (report: ProbeReport) => {
    const probe = entryNamed(manifest.probes, report.probe);
    return probe !== undefined && isFleet(probe);
  };
  return (response) =>
    sink.publish(
      [...response.metrics, ...healthMetrics(manifest.health, response.reports, fleet)].map((datum) => ({
        ...datum,
        Namespace: manifest.namespace,
      })),
    );
}
