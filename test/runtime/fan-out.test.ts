// The fan-out against query functions running in this process (the in-process invoker is the
// real adapter `chasm run` uses); the functions here stand in for remote ones that answer,
// fail, hang or answer nonsense.
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  createInProcessInvoker,
  type InProcessFunction,
} from '../../adapters/invokers/in-process-invoker.js';
import { createCollectingSink } from '../../adapters/sinks/collecting-sink.js';
import type { FanoutManifest } from '../../core/manifest.js';
import type { MetricDatum, ProbeReport } from '../../core/metric-data.js';
import type { FunctionPlan } from '../../core/plan/plan.js';
import type { MetricsSink, QueryRequest, QueryResponse } from '../../core/ports.js';
import { type FanoutOutcome, fanOut, tickDurationBoundMs } from '../../core/run/fan-out.js';

function fn(id: string, probes: string[]): FunctionPlan {
  return { id, functionName: `Acme-${id}`, databases: [`db-${id}`], engines: ['postgres'], probes };
}

function manifest(functions: FunctionPlan[], extra: Partial<FanoutManifest> = {}): FanoutManifest {
  const probes: Record<string, FanoutManifest['probes'][string]> = {};
  for (const f of functions) {
    for (const p of f.probes)
      probes[p] = {
        probe: p,
        database: `db-${f.id}`,
        functionId: f.id,
        timeoutMs: 1000,
        maxResponseBytes: 4096,
      };
  }
  return { namespace: 'Acme/Test', health: 'summary', functions, probes, secrets: {}, ...extra };
}

function datum(name: string, value: number): MetricDatum {
  return { MetricName: name, Dimensions: [], Unit: 'Count', StorageResolution: 60, Value: value };
}

/** A query function that answers every requested probe with one datum named after it. */
function answering(calls: unknown[] = []): InProcessFunction {
  return async (payload) => {
    calls.push(payload);
    const { probes } = payload as QueryRequest;
    return {
      reports: probes.map(
        (probe): ProbeReport => ({ probe, database: 'x', ok: true, rows: 1, durationMs: 1 }),
      ),
      metrics: probes.map((probe) => datum(probe, 1)),
    };
  };
}

describe('fanOut', () => {
  it('invokes each function once with its own probes and publishes all results namespaced, with ProbesFailed', async () => {
    // arrange
    const calls: unknown[] = [];
    const sink = createCollectingSink();
    const invoker = createInProcessInvoker({ a: answering(calls), b: answering(calls) });
    const m = manifest([fn('a', ['p1', 'p2']), fn('b', ['p3'])]);
    // act
    const outcome = await fanOut(m, { probes: ['p3', 'p1', 'p2'] }, { invoker, sink });
    // assess
    expect(calls).toEqual([{ probes: ['p1', 'p2'] }, { probes: ['p3'] }]);
    expect(outcome.reports.map((r) => [r.probe, r.ok])).toEqual([
      ['p3', true],
      ['p1', true],
      ['p2', true],
    ]);
    expect(sink.data).toEqual(outcome.metrics);
    expect(outcome.metrics.map((d) => [d.Namespace, d.MetricName, d.Value])).toEqual([
      ['Acme/Test', 'p1', 1],
      ['Acme/Test', 'p2', 1],
      ['Acme/Test', 'p3', 1],
      ['Acme/Test', 'ProbesFailed', 0],
    ]);
    expect(outcome.publish).toEqual({ published: 4, failed: 0, errors: [] });
  });

  it('marks exactly the probes of a failing function INVOKE_FAILED, naming it, and publishes the others', async () => {
    // arrange
    const sink = createCollectingSink();
    const invoker = createInProcessInvoker({
      a: async () => {
        throw new Error('Task timed out after 3.00 seconds');
      },
      b: answering(),
    });
    const m = manifest([fn('a', ['p1', 'p2']), fn('b', ['p3'])]);
    // act
    const outcome = await fanOut(m, { probes: ['p1', 'p2', 'p3'] }, { invoker, sink });
    // assess
    expect(outcome.reports.filter((r) => !r.ok).map((r) => [r.probe, r.database, r.error])).toEqual([
      [
        'p1',
        'db-a',
        {
          code: 'INVOKE_FAILED',
          message: "query function 'Acme-a' failed: Task timed out after 3.00 seconds",
        },
      ],
      [
        'p2',
        'db-a',
        {
          code: 'INVOKE_FAILED',
          message: "query function 'Acme-a' failed: Task timed out after 3.00 seconds",
        },
      ],
    ]);
    expect(sink.data.map((d) => [d.MetricName, d.Value])).toEqual([
      ['p3', 1],
      ['ProbesFailed', 2],
    ]);
  });

  it('gives up on an invocation at its deadline (longest timeout plus margin) and reports INVOKE_FAILED', async () => {
    // arrange: a never answers; its deadline is 30 ms + 20 ms
    vi.useFakeTimers();
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const invoker = createInProcessInvoker({ a: () => new Promise<QueryResponse>(() => {}), b: answering() });
    const m = manifest([fn('a', ['p1']), fn('b', ['p2'])]);
    const quick = { ...m, probes: { ...m.probes, p1: { ...m.probes.p1!, timeoutMs: 30 } } };
    let outcome: FanoutOutcome | undefined;
    // act
    void fanOut(
      quick,
      { probes: ['p1', 'p2'] },
      { invoker, sink: createCollectingSink(), invokeMarginMs: 20 },
    ).then((done) => {
      outcome = done;
    });
    await vi.advanceTimersByTimeAsync(49);
    const before = outcome;
    await vi.advanceTimersByTimeAsync(1);
    // assess
    expect(before).toBeUndefined();
    expect(outcome?.reports[0]?.error).toEqual({
      code: 'INVOKE_FAILED',
      message: "query function 'Acme-a' failed: no answer within 50ms",
    });
    expect(outcome?.reports[1]?.ok).toBe(true);
  });

  it('treats a malformed response as a failed invocation and publishes none of it', async () => {
    // arrange
    const invoker = createInProcessInvoker({
      a: async () =>
        ({ reports: [], metrics: [{ MetricName: 'x', Value: 'NaN' }] }) as unknown as QueryResponse,
    });
    const sink = createCollectingSink();
    // act
    const outcome = await fanOut(manifest([fn('a', ['p1'])]), { probes: ['p1'] }, { invoker, sink });
    // assess
    expect(outcome.reports[0]?.error?.code).toBe('INVOKE_FAILED');
    expect(outcome.reports[0]?.error?.message).toContain('malformed response: metrics[0]');
    expect(sink.data.map((d) => d.MetricName)).toEqual(['ProbesFailed']);
  });

  it('treats a response whose metricsPerReport does not count its metrics as a failed invocation', async () => {
    // arrange: two datums, counted as three
    const invoker = createInProcessInvoker({
      a: async () => ({
        reports: [{ probe: 'p1', database: 'db-a', ok: true, rows: 2, durationMs: 1 }],
        metrics: [datum('x', 1), datum('x', 2)],
        metricsPerReport: [3],
      }),
    });
    const sink = createCollectingSink();
    // act
    const outcome = await fanOut(manifest([fn('a', ['p1'])]), { probes: ['p1'] }, { invoker, sink });
    // assess
    expect(outcome.reports[0]?.error?.code).toBe('INVOKE_FAILED');
    expect(outcome.reports[0]?.error?.message).toContain('malformed response: metricsPerReport');
    expect(sink.data.map((d) => d.MetricName)).toEqual(['ProbesFailed']);
  });

  it('reports INVOKE_FAILED for a requested probe the response has no report for', async () => {
    const invoker = createInProcessInvoker({ a: async () => ({ reports: [], metrics: [] }) });
    const outcome = await fanOut(
      manifest([fn('a', ['p1'])]),
      { probes: ['p1'] },
      { invoker, sink: createCollectingSink() },
    );
    expect(outcome.reports[0]?.error?.message).toBe("query function 'Acme-a' returned no report for it");
  });

  it('reports a probe the manifest does not know as UNKNOWN_PROBE without invoking anything', async () => {
    const calls: unknown[] = [];
    const invoker = createInProcessInvoker({ a: answering(calls) });
    const outcome = await fanOut(
      manifest([fn('a', ['p1'])]),
      { probes: ['nope'] },
      { invoker, sink: createCollectingSink() },
    );
    expect(calls).toEqual([]);
    expect(outcome.reports).toEqual([
      {
        probe: 'nope',
        database: '',
        ok: false,
        rows: 0,
        durationMs: 0,
        error: { code: 'UNKNOWN_PROBE', message: "probe 'nope' is not in the deployed configuration" },
      },
    ]);
  });

  it('splits a function’s probes across invocations only when their worst-case response exceeds the limit', async () => {
    // arrange
    const calls: unknown[] = [];
    const invoker = createInProcessInvoker({ a: answering(calls) });
    const m = manifest([fn('a', ['p1', 'p2', 'p3'])]);
    // act: 3 × 4096 bytes against a 10,000-byte limit
    await fanOut(
      m,
      { probes: ['p1', 'p2', 'p3'] },
      { invoker, sink: createCollectingSink(), maxResponseBytes: 10_000 },
    );
    const roomy: unknown[] = [];
    await fanOut(
      m,
      { probes: ['p1', 'p2', 'p3'] },
      { invoker: createInProcessInvoker({ a: answering(roomy) }), sink: createCollectingSink() },
    );
    // assess
    expect(calls).toEqual([{ probes: ['p1', 'p2'] }, { probes: ['p3'] }]);
    expect(roomy).toEqual([{ probes: ['p1', 'p2', 'p3'] }]);
  });

  it('invokes a split function’s batches one after another, while other functions run alongside', async () => {
    // arrange: each invocation answers only when the test lets it, and logs when it starts
    const log: string[] = [];
    const waiting = new Map<string, () => void>();
    const held =
      (id: string): InProcessFunction =>
      async (payload) => {
        log.push(`${id} [${(payload as QueryRequest).probes.join(', ')}]`);
        await new Promise<void>((resolve) => waiting.set(id, resolve));
        return answering()(payload);
      };
    const answer = async (id: string): Promise<void> => {
      waiting.get(id)?.();
      // every promise the fan-out chains on the answer settles before the next macrotask
      await new Promise((resolve) => setImmediate(resolve));
    };
    const invoker = createInProcessInvoker({ a: held('a'), b: held('b') });
    const m = manifest([fn('a', ['p1', 'p2', 'p3']), fn('b', ['p4'])]);
    // act: one probe per invocation for a (4096 bytes each against 5,000)
    const tick = fanOut(
      m,
      { probes: ['p1', 'p2', 'p3', 'p4'] },
      { invoker, sink: createCollectingSink(), maxResponseBytes: 5000 },
    );
    await new Promise((resolve) => setImmediate(resolve));
    const atStart = [...log];
    await answer('a');
    const afterFirst = [...log];
    await answer('a');
    await answer('b');
    await answer('a');
    const outcome = await tick;
    // assess: a's next batch starts only once the one before has answered; b does not wait for a
    expect(atStart).toEqual(['a [p1]', 'b [p4]']);
    expect(afterFirst).toEqual(['a [p1]', 'b [p4]', 'a [p2]']);
    expect(log).toEqual(['a [p1]', 'b [p4]', 'a [p2]', 'a [p3]']);
    expect(outcome.reports.every((report) => report.ok)).toBe(true);
  });

  it('starts no batch that could outlast the tick’s budget, failing its probes and publishing the rest', async () => {
    // arrange: two batches of a, each waited for up to 100 ms + 50 ms; each answers 80 ms later on the clock
    let clock = 0;
    const calls: unknown[] = [];
    const slow: InProcessFunction = async (payload) => {
      clock += 80;
      return answering(calls)(payload);
    };
    const invoker = createInProcessInvoker({ a: slow });
    const m = manifest([fn('a', ['p1', 'p2'])]);
    const quick = {
      ...m,
      probes: Object.fromEntries(
        Object.entries(m.probes).map(([name, p]) => [name, { ...p, timeoutMs: 100 }]),
      ),
    };
    const sink = createCollectingSink();
    // act: 200 ms for the tick: the first batch fits, the second (150 ms) no longer does
    const outcome = await fanOut(
      quick,
      { probes: ['p1', 'p2'] },
      { invoker, sink, maxResponseBytes: 5000, invokeMarginMs: 50, tickBudgetMs: 200, now: () => clock },
    );
    // assess
    expect(calls).toEqual([{ probes: ['p1'] }]);
    expect(outcome.reports[0]?.ok).toBe(true);
    expect(outcome.reports[1]?.error).toEqual({
      code: 'INVOKE_FAILED',
      message:
        "query function 'Acme-a' was not invoked for it: its probes take 2 invocations one after another, and the tick had 120ms left for one that may take 150ms",
    });
    expect(sink.data.map((d) => [d.MetricName, d.Value])).toEqual([
      ['p1', 1],
      ['ProbesFailed', 1],
    ]);
  });

  it('bounds a tick’s wait by each function’s batches in turn, the functions side by side', () => {
    // arrange: a in two batches (timeouts 1 s and 2 s | 3 s), b in one (10 s)
    const m = manifest([fn('a', ['p1', 'p2', 'p3']), fn('b', ['p4'])]);
    const timeouts: Record<string, number> = { p1: 1000, p2: 2000, p3: 3000, p4: 10_000 };
    const sized = {
      ...m,
      probes: Object.fromEntries(
        Object.entries(m.probes).map(([name, p]) => [name, { ...p, timeoutMs: timeouts[name] ?? 0 }]),
      ),
    };
    // act
    const split = tickDurationBoundMs(sized, { invokeMarginMs: 500, maxResponseBytes: 9000 });
    const whole = tickDurationBoundMs(sized, { invokeMarginMs: 500 });
    // assess: a waits (2 s + 0.5 s) + (3 s + 0.5 s), b 10.5 s; unsplit, a waits 3.5 s
    expect(split).toBe(10_500);
    expect(tickDurationBoundMs(sized, { invokeMarginMs: 500, maxResponseBytes: 5000 })).toBe(10_500);
    expect(whole).toBe(10_500);
    const slowSplit = {
      ...sized,
      probes: { ...sized.probes, p4: { ...(sized.probes.p4 ?? m.probes.p4!), timeoutMs: 1000 } },
    };
    expect(tickDurationBoundMs(slowSplit, { invokeMarginMs: 500, maxResponseBytes: 9000 })).toBe(6000);
    expect(tickDurationBoundMs(slowSplit, { invokeMarginMs: 500 })).toBe(3500);
  });

  it('forwards secret credentials per database, and fails only that database’s probes when the secret cannot be read', async () => {
    // arrange
    const calls: unknown[] = [];
    const invoker = createInProcessInvoker({ a: answering(calls), b: answering(calls) });
    const m = manifest([fn('a', ['p1']), fn('b', ['p2'])], {
      secrets: { 'db-a': 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:a', 'db-b': 'arn:b' },
    });
    // act
    const outcome = await fanOut(
      m,
      { probes: ['p1', 'p2'] },
      {
        invoker,
        sink: createCollectingSink(),
        credentialsFor: async (database) => {
          if (database === 'db-b') throw new Error('AccessDeniedException');
          return { username: 'reader', password: 's3cret' };
        },
      },
    );
    // assess
    expect(calls).toEqual([
      { probes: ['p1'], credentials: { 'db-a': { username: 'reader', password: 's3cret' } } },
    ]);
    expect(outcome.reports[1]?.error).toEqual({
      code: 'CONNECTION_FAILED',
      message: "could not read the secret of database 'db-b': AccessDeniedException",
    });
  });

  it('turns a failing sink into a PUBLISH_FAILED outcome', async () => {
    const sink: MetricsSink = {
      publish: async () => {
        throw new Error('ThrottlingException');
      },
    };
    const outcome = await fanOut(
      manifest([fn('a', ['p1'])]),
      { probes: ['p1'] },
      { invoker: createInProcessInvoker({ a: answering() }), sink },
    );
    expect(outcome.publish).toEqual({
      published: 0,
      failed: 2,
      errors: [
        { code: 'PUBLISH_FAILED', message: 'publishing 2 datums failed: ThrottlingException', datums: 2 },
      ],
    });
  });

  it('adds per-probe health metrics with health: detailed and none with health: none', async () => {
    const invoker = createInProcessInvoker({ a: answering() });
    const detailed = await fanOut(
      manifest([fn('a', ['p1'])], { health: 'detailed' }),
      { probes: ['p1'] },
      { invoker, sink: createCollectingSink() },
    );
    const none = await fanOut(
      manifest([fn('a', ['p1'])], { health: 'none' }),
      { probes: ['p1'] },
      { invoker, sink: createCollectingSink() },
    );
    expect(detailed.metrics.map((d) => [d.MetricName, d.Dimensions, d.Unit, d.Value])).toEqual([
      ['p1', [], 'Count', 1],
      ['ProbesFailed', [], 'Count', 0],
      ['ProbeSuccess', [{ Name: 'Probe', Value: 'p1' }], 'Count', 1],
      ['ProbeDuration', [{ Name: 'Probe', Value: 'p1' }], 'Milliseconds', 1],
      ['ProbeRows', [{ Name: 'Probe', Value: 'p1' }], 'Count', 1],
    ]);
    expect(none.metrics.map((d) => d.MetricName)).toEqual(['p1']);
  });
});

describe('fanOut on a fleet', () => {
  /** Fleet `f` on database x (function a) and y (function b), and probe p on one database (function b). */
  function fleetManifest(health: FanoutManifest['health'] = 'summary'): FanoutManifest {
    const route = (probe: string, database: string, functionId: string) => ({
      probe,
      database,
      functionId,
      timeoutMs: 1000,
      maxResponseBytes: 4096,
    });
    return {
      namespace: 'Acme/Test',
      health,
      functions: [fn('a', ['f@x']), fn('b', ['f@y', 'p'])],
      probes: { 'f@x': route('f', 'x', 'a'), 'f@y': route('f', 'y', 'b'), p: route('p', 'db-b', 'b') },
      secrets: {},
    };
  }

  /** A query function answering each requested run, a fleet member under its probe's name and database. */
  function answeringRuns(calls: unknown[] = []): InProcessFunction {
    return async (payload) => {
      calls.push(payload);
      const runs = (payload as QueryRequest).probes.map((key) => key.split('@'));
      return {
        reports: runs.map(([probe = '', database = 'db-b']) => ({
          probe,
          database,
          ok: true,
          rows: 1,
          durationMs: 1,
        })),
        metrics: runs.map(([probe = '', database]) => ({
          ...datum(probe, 1),
          Dimensions: database ? [{ Name: 'Database', Value: database }] : [],
        })),
        metricsPerReport: runs.map(() => 1),
      };
    };
  }

  it("sends each function its databases' share of a fleet named by its bare name, and reports each database apart", async () => {
    // arrange
    const calls: unknown[] = [];
    const invoker = createInProcessInvoker({ a: answeringRuns(calls), b: answeringRuns(calls) });

    // act
    const outcome = await fanOut(
      fleetManifest('detailed'),
      { probes: ['f', 'p'] },
      { invoker, sink: createCollectingSink() },
    );

    // assess
    expect(calls).toEqual([{ probes: ['f@x'] }, { probes: ['f@y', 'p'] }]);
    expect(outcome.reports.map((r) => [r.probe, r.database, r.ok])).toEqual([
      ['f', 'x', true],
      ['f', 'y', true],
      ['p', 'db-b', true],
    ]);
    const success = outcome.metrics.filter((d) => d.MetricName === 'ProbeSuccess').map((d) => d.Dimensions);
    expect(success).toEqual([
      [
        { Name: 'Database', Value: 'x' },
        { Name: 'Probe', Value: 'f' },
      ],
      [
        { Name: 'Database', Value: 'y' },
        { Name: 'Probe', Value: 'f' },
      ],
      [{ Name: 'Probe', Value: 'p' }],
    ]);
  });

  it('fails only the fleet member whose datum publishing lost, with ProbeSuccess 0 for it alone', async () => {
    // arrange: a sink that loses the datums of database y
    const invoker = createInProcessInvoker({ a: answeringRuns(), b: answeringRuns() });
    const corrections: MetricDatum[] = [];
    const sink: MetricsSink = {
      publish: async (data) => {
        const indexes = data.flatMap((d, index) =>
          d.Dimensions.some((x) => x.Value === 'y') && d.MetricName === 'f' ? [index] : [],
        );
        if (indexes.length === 0) corrections.push(...data);
        return {
          published: data.length - indexes.length,
          failed: indexes.length,
          errors:
            indexes.length === 0
              ? []
              : [{ code: 'INVALID_VALUE', message: 'refused', datums: indexes.length, indexes }],
        };
      },
    };

    // act
    const outcome = await fanOut(
      fleetManifest('detailed'),
      { probes: ['f@x', 'f@y', 'p'] },
      { invoker, sink },
    );

    // assess
    expect(outcome.reports.map((r) => [r.probe, r.database, r.ok, r.error?.code])).toEqual([
      ['f', 'x', true, undefined],
      ['f', 'y', false, 'INVALID_VALUE'],
      ['p', 'db-b', true, undefined],
    ]);
    expect(outcome.reports[1]?.error?.message).toBe(
      "probe 'f' (database 'y'): 1 of its 1 datums were not published: refused",
    );
    expect(
      corrections.filter((d) => d.MetricName === 'ProbeSuccess').map((d) => [d.Dimensions, d.Value]),
    ).toEqual([
      [
        [
          { Name: 'Database', Value: 'y' },
          { Name: 'Probe', Value: 'f' },
        ],
        0,
      ],
    ]);
  });
});
