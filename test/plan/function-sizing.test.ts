import { describe, expect, it } from 'vitest';
import { fanoutSize, querySize } from '../../core/plan/function-sizing.js';
import { buildPlan } from '../../core/plan/plan.js';
import { config, database, probe, vpc } from '../support/config-factory.js';

function sizes(probes: Parameters<typeof config>[0]['probes'], maxConnections = 2) {
  const cfg = config({
    vpcs: [vpc('app')],
    databases: [database({ name: 'a', vpc: 'app', maxConnections }), database({ name: 'b', vpc: 'app' })],
    probes,
  });
  const fn = buildPlan(cfg).functions[0];
  if (!fn) throw new Error('no function planned');
  return querySize(cfg, fn);
}

describe('function sizing', () => {
  it('gives a query function its longest probe timeout plus a margin', () => {
    expect(sizes([probe({ name: 'p', database: 'a', timeoutMs: 30_000 })]).timeoutSeconds).toBe(40);
  });

  it('counts the rounds a database needs when its probes outnumber its connections', () => {
    const five = ['p1', 'p2', 'p3', 'p4', 'p5'].map((name) =>
      probe({ name, database: 'a', timeoutMs: 10_000 }),
    );
    // five probes on two connections: three rounds of 10 s
    expect(sizes(five).timeoutSeconds).toBe(40);
    expect(sizes(five, 5).timeoutSeconds).toBe(20);
  });

  it('never exceeds what leaves the fan-out room under the 900 s limit', () => {
    const slow = ['p1', 'p2', 'p3'].map((name) => probe({ name, database: 'a', timeoutMs: 900_000 }));
    const query = sizes(slow, 1);
    expect(query.timeoutSeconds).toBe(880);
    expect(fanoutSize([query]).timeoutSeconds).toBe(900);
  });

  it('lets the fan-out outlive its slowest query function', () => {
    const fanout = fanoutSize([
      { timeoutSeconds: 20, memoryMb: 256 },
      { timeoutSeconds: 75, memoryMb: 256 },
    ]);
    expect(fanout.timeoutSeconds).toBeGreaterThan(75);
  });

  it('lets the fan-out outlive the longest wait of a tick whose split batches run one after another', () => {
    const fanout = fanoutSize([{ timeoutSeconds: 40, memoryMb: 256 }], 95_000);
    expect(fanout.timeoutSeconds).toBe(115);
  });

  it('grows memory with the rows a function may hold at once, in steps of 64 MB', () => {
    expect(sizes([probe({ name: 'p', database: 'a' })]).memoryMb).toBe(320);
    const big = sizes([probe({ name: 'p', database: 'a', maxRows: 200_000 })]);
    expect(big.memoryMb % 64).toBe(0);
    expect(big.memoryMb).toBeGreaterThan(512);
  });
});
