/**
 * A `MetricsSink` that keeps what it is given, for the CLI to print (`chasm run`) and tests to
 * read; it prints nothing itself.
 */
import type { NamespacedDatum } from '../../core/metric-data.js';
import type { MetricsSink } from '../../core/ports.js';

export interface CollectingSink extends MetricsSink {
  /** every datum published so far, in order */
  readonly data: readonly NamespacedDatum[];
}

export function createCollectingSink(): CollectingSink {
  const data: NamespacedDatum[] = [];
  return {
    data,
    async publish(batch) {
      data.push(...batch);
      return { published: batch.length, failed: 0, errors: [] };
    },
  };
}
