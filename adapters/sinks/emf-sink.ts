/**
 * A `MetricsSink` that writes Embedded Metric Format documents, one JSON line each, to a
 * writable: stdout in Lambda, where CloudWatch Logs extracts the metrics (no network route needed).
 */

import type { NamespacedDatum } from '../../core/metric-data.js';
import type { Clock, Logger, MetricsSink, PublishOutcome } from '../../core/ports.js';
import { type EmfDocument, emfDocuments } from '../../core/run/emf-documents.js';

export interface EmfSinkOptions {
  /** receives one line (a JSON document and a newline) per document */
  readonly out: { write(line: string): unknown };
  /** stamps datums without a `Timestamp`; default `Date.now` */
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export function createEmfSink(options: EmfSinkOptions): MetricsSink {
  const now = () => (options.clock ? options.clock.now() : Date.now());
  return {
    async publish(data: readonly NamespacedDatum[]): Promise<PublishOutcome> {
      const { documents, rejected, accepted } = emfDocuments(data, now());
      for (const document of documents) options.out.write(`${emfLine(document)}\n`);
      for (const { datum, reason } of rejected) {
        options.logger?.log('error', {
          event: 'datum-rejected',
          namespace: datum.Namespace,
          metric: datum.MetricName,
          reason,
        });
      }
      return {
        published: accepted,
        failed: rejected.length,
        errors: rejected.map(({ reason, index }) => ({
          code: 'INVALID_VALUE' as const,
          message: reason,
          datums: 1,
          indexes: [index],
        })),
      };
    },
  };
}

/** One document as the single line CloudWatch Logs expects. */
export function emfLine(document: EmfDocument): string {
  return JSON.stringify(document);
}
