import { describe, expect, it } from 'vitest';
import { createEmfSink } from '../../adapters/sinks/emf-sink.js';
import type { NamespacedDatum } from '../../core/metric-data.js';
import { emfViolations } from './emf-spec-check.js';

const NOW = Date.UTC(2025, 5, 1, 8, 30, 0);

function collect(): { lines: string[]; out: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, out: { write: (text) => lines.push(...text.split('\n').filter((l) => l !== '')) } };
}

/** a probe with 250 metrics over 30 dimensions, two dimension value sets, some series with 250 values */
function manyMetricsProbe(): NamespacedDatum[] {
  const data: NamespacedDatum[] = [];
  for (const region of ['eu', 'us']) {
    const Dimensions = Array.from({ length: 30 }, (_, d) => ({
      Name: `Dim${String(d).padStart(2, '0')}`,
      Value: d === 0 ? region : `value-${d}`,
    }));
    for (let m = 0; m < 250; m++) {
      const many = m % 50 === 0;
      data.push({
        Namespace: 'Acme/Emf',
        MetricName: `Metric${m}`,
        Dimensions,
        Unit: m % 2 === 0 ? 'Count' : 'Milliseconds',
        StorageResolution: m % 3 === 0 ? 1 : 60,
        ...(many
          ? { Values: Array.from({ length: 250 }, (_, v) => v), Counts: Array.from({ length: 250 }, () => 1) }
          : { Value: m }),
      });
    }
  }
  return data;
}

/** all values per (dimension values, metric) as found in the documents */
function valuesIn(lines: string[]): Map<string, number[]> {
  const found = new Map<string, number[]>();
  for (const line of lines) {
    const doc = JSON.parse(line) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
    };
    const directive = doc._aws.CloudWatchMetrics[0];
    const dims = (directive?.Dimensions[0] ?? []).map((name) => `${name}=${String(doc[name])}`).join(',');
    for (const { Name } of directive?.Metrics ?? []) {
      const key = `${dims}|${Name}`;
      const value = doc[Name];
      found.set(key, [...(found.get(key) ?? []), ...(Array.isArray(value) ? value : [value as number])]);
    }
  }
  return found;
}

describe('EMF sink', () => {
  it('writes documents valid against the EMF specification for a probe with many metrics and dimensions', async () => {
    const { lines, out } = collect();
    const sink = createEmfSink({ out, clock: { now: () => NOW } });
    const data = manyMetricsProbe();

    const outcome = await sink.publish(data);

    expect(outcome).toEqual({ published: 500, failed: 0, errors: [] });
    for (const line of lines) expect(emfViolations(line)).toEqual([]);
    // per dimension set: 250 metrics → 3 documents for the first 100 values, 1 more for values 101-200, 1 for 201-250
    expect(lines).toHaveLength(2 * (3 + 1 + 1));
    const found = valuesIn(lines);
    expect(found.size).toBe(500);
    for (const datum of data) {
      const key = `${datum.Dimensions.map((d) => `${d.Name}=${d.Value}`).join(',')}|${datum.MetricName}`;
      expect(found.get(key)).toEqual(datum.Values ? [...datum.Values] : [datum.Value]);
    }
  });

  it('stamps datums with the clock, keeps their own timestamps and declares unit and resolution', async () => {
    const { lines, out } = collect();
    const sink = createEmfSink({ out, clock: { now: () => NOW } });

    await sink.publish([
      {
        Namespace: 'Acme/Emf',
        MetricName: 'ProbesFailed',
        Dimensions: [],
        Unit: 'Count',
        StorageResolution: 60,
        Value: 0,
      },
      {
        Namespace: 'Acme/Emf',
        MetricName: 'Lag',
        Dimensions: [],
        Unit: 'Seconds',
        StorageResolution: 1,
        Value: 4,
        Timestamp: NOW - 1000,
      },
    ]);

    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        _aws: {
          Timestamp: NOW,
          CloudWatchMetrics: [
            {
              Namespace: 'Acme/Emf',
              Dimensions: [[]],
              Metrics: [{ Name: 'ProbesFailed', Unit: 'Count', StorageResolution: 60 }],
            },
          ],
        },
        ProbesFailed: 0,
      },
      {
        _aws: {
          Timestamp: NOW - 1000,
          CloudWatchMetrics: [
            {
              Namespace: 'Acme/Emf',
              Dimensions: [[]],
              Metrics: [{ Name: 'Lag', Unit: 'Seconds', StorageResolution: 1 }],
            },
          ],
        },
        Lag: 4,
      },
    ]);
  });

  it('repeats a value by its count, since EMF has no counts', async () => {
    const { lines, out } = collect();
    const sink = createEmfSink({ out, clock: { now: () => NOW } });

    await sink.publish([
      {
        Namespace: 'Acme/Emf',
        MetricName: 'Size',
        Dimensions: [],
        Unit: 'Bytes',
        StorageResolution: 60,
        Values: [10, 20],
        Counts: [2, 1],
      },
    ]);

    expect(JSON.parse(lines[0] ?? '{}').Size).toEqual([10, 10, 20]);
  });

  it('leaves out an invalid datum, reports it and logs it as an error, writing the others', async () => {
    const { lines, out } = collect();
    const logged: Record<string, unknown>[] = [];
    const sink = createEmfSink({
      out,
      clock: { now: () => NOW },
      logger: { log: (level, event) => logged.push({ level, ...event }) },
    });

    const outcome = await sink.publish([
      {
        Namespace: 'Acme/Emf',
        MetricName: 'Good',
        Dimensions: [],
        Unit: 'Count',
        StorageResolution: 60,
        Value: 1,
      },
      {
        Namespace: 'Acme/Emf',
        MetricName: 'Bad',
        Dimensions: [],
        Unit: 'Count',
        StorageResolution: 60,
        Value: Number.NaN,
      },
    ]);

    expect(outcome.published).toBe(1);
    expect(outcome.errors).toEqual([
      expect.objectContaining({ code: 'INVALID_VALUE', datums: 1, indexes: [1] }),
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"Good":1');
    expect(lines[0]).not.toContain('Bad');
    expect(logged).toEqual([
      expect.objectContaining({ level: 'error', event: 'datum-rejected', metric: 'Bad' }),
    ]);
  });
});
