import { describe, expect, it } from 'vitest';
import type { NamespacedDatum } from '../../core/metric-data.js';
import { planPutMetricBatches } from '../../core/run/put-metric-batches.js';

function datum(i: number, extra: Partial<NamespacedDatum> = {}): NamespacedDatum {
  return {
    Namespace: 'Acme/Test',
    MetricName: 'Sessions',
    Dimensions: [{ Name: 'Shard', Value: `shard-${i}` }],
    Unit: 'Count',
    StorageResolution: 60,
    Value: i,
    Timestamp: 1_700_000_000_000 + i,
    ...extra,
  };
}

function wireBytes(request: { Namespace: string; MetricData: readonly unknown[] }): number {
  return Buffer.byteLength(JSON.stringify({ Namespace: request.Namespace, MetricData: request.MetricData }));
}

describe('planPutMetricBatches', () => {
  it.each([1, 999, 1000, 1001, 25_000])('sends %i datums in ceil(N/1000) requests under 1 MB each', (n) => {
    const data = Array.from({ length: n }, (_, i) => datum(i));

    const { requests, rejected } = planPutMetricBatches(data);

    expect(rejected).toEqual([]);
    expect(requests).toHaveLength(Math.ceil(n / 1000));
    expect(requests.reduce((sum, r) => sum + r.MetricData.length, 0)).toBe(n);
    for (const request of requests) {
      expect(request.MetricData.length).toBeLessThanOrEqual(1000);
      expect(wireBytes(request)).toBeLessThan(1_000_000);
      expect(request.bytes).toBeGreaterThanOrEqual(wireBytes(request));
    }
  });

  it('splits on size before count when datums carry large dimensions', () => {
    const dimensions = Array.from({ length: 30 }, (_, d) => ({
      Name: `Dimension${String(d).padStart(2, '0')}`,
      Value: 'v'.repeat(1000),
    }));
    const data = Array.from({ length: 100 }, (_, i) => datum(i, { Dimensions: dimensions }));

    const { requests, rejected } = planPutMetricBatches(data);

    expect(rejected).toEqual([]);
    // each datum is about 31 KB, so about 32 fit in 1 MB
    expect(requests.length).toBe(4);
    for (const request of requests) expect(wireBytes(request)).toBeLessThan(1_000_000);
    expect(requests.reduce((sum, r) => sum + r.MetricData.length, 0)).toBe(100);
  });

  it('groups datums per namespace', () => {
    const data = [datum(1), datum(2, { Namespace: 'Acme/Other' }), datum(3)];

    const { requests } = planPutMetricBatches(data);

    expect(requests.map((r) => [r.Namespace, r.MetricData.length])).toEqual([
      ['Acme/Test', 2],
      ['Acme/Other', 1],
    ]);
  });

  it('rejects invalid datums with a reason and batches the rest', () => {
    const data = [
      datum(1),
      datum(2, { Value: Number.NaN }),
      datum(3, { Value: 2 ** 361 }),
      datum(4, { Dimensions: [{ Name: 'Region', Value: '' }] }),
      datum(5, { Namespace: 'AWS/Lambda' }),
      datum(6, { MetricName: 'Émissions' }),
      datum(7, { Dimensions: [{ Name: ':private', Value: 'x' }] }),
      datum(8, {
        Dimensions: Array.from({ length: 31 }, (_, d) => ({
          Name: `D${String(d).padStart(2, '0')}`,
          Value: 'x',
        })),
      }),
      datum(9),
    ];

    const { requests, rejected } = planPutMetricBatches(data);

    expect(requests).toHaveLength(1);
    expect(requests[0]?.MetricData.map((d) => d.Value)).toEqual([1, 9]);
    expect(rejected.map((r) => r.datum.Value)).toEqual([Number.NaN, 2 ** 361, 4, 5, 6, 7, 8]);
    expect(rejected[0]?.reason).toMatch(/not a finite number/);
    expect(rejected[1]?.reason).toMatch(/2\^360/);
    expect(rejected[2]?.reason).toMatch(/empty value for dimension 'Region'/);
    expect(rejected[3]?.reason).toMatch(/reserved/);
    expect(rejected[4]?.reason).toMatch(/printable ASCII/);
    expect(rejected[5]?.reason).toMatch(/not starting with ':'/);
    expect(rejected[6]?.reason).toMatch(/31 dimensions/);
  });

  it('rejects dimension values CloudWatch refuses: non-ASCII, control characters, only spaces', () => {
    const data = [
      datum(1, { Dimensions: [{ Name: 'City', Value: 'Zürich' }] }),
      datum(2, { Dimensions: [{ Name: 'City', Value: 'Bern\tOst' }] }),
      datum(3, { Dimensions: [{ Name: 'City', Value: '   ' }] }),
      datum(4, { Dimensions: [{ Name: ' ', Value: 'Basel' }] }),
      datum(5, { Dimensions: [{ Name: 'City', Value: 'Genève'.normalize('NFD') }] }),
      datum(6, { Dimensions: [{ Name: 'City', Value: 'St. Gallen' }] }),
    ];

    const { requests, rejected } = planPutMetricBatches(data);

    expect(rejected.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(requests[0]?.MetricData.map((d) => d.Value)).toEqual([6]);
  });

  it('traces every datum of a request, and every rejected one, to its position in the data', () => {
    const many = Array.from({ length: 200 }, (_, i) => i);
    const data = [
      datum(0),
      datum(1, { Value: Number.NaN }),
      datum(2, { Namespace: 'Acme/Other' }),
      datum(3, { Value: undefined, Values: many }),
      datum(4),
    ];

    const { requests, rejected } = planPutMetricBatches(data);

    expect(rejected.map((r) => r.index)).toEqual([1]);
    // the datum of 200 distinct values goes out as two, both from position 3
    expect(requests.map((r) => [r.Namespace, r.sources])).toEqual([
      ['Acme/Test', [0, 3, 3, 4]],
      ['Acme/Other', [2]],
    ]);
  });

  it('merges repeated values into counts and cuts more than 150 distinct values into several datums', () => {
    const values = [...Array.from({ length: 200 }, (_, i) => i), 5, 5];
    const data = [datum(0, { Value: undefined, Values: values })];

    const { requests } = planPutMetricBatches(data);

    const sent = requests[0]?.MetricData ?? [];
    expect(sent).toHaveLength(2);
    expect(sent[0]?.Values).toHaveLength(150);
    expect(sent[1]?.Values).toHaveLength(50);
    expect(sent[0]?.Counts?.[5]).toBe(3);
    const total = sent.flatMap((d) => d.Counts ?? []).reduce((a, b) => a + b, 0);
    expect(total).toBe(202);
  });

  it('keeps the counts that come with values', () => {
    const data = [datum(0, { Value: undefined, Values: [1, 2], Counts: [4, 6] })];

    const { requests } = planPutMetricBatches(data);

    expect(requests[0]?.MetricData[0]).toMatchObject({ Values: [1, 2], Counts: [4, 6] });
  });
});
