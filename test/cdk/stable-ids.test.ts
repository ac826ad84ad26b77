import { describe, expect, it } from 'vitest';
import { synthProbes } from './synth-probes.js';
import { reversed, wideConfig } from './wide-config.js';

function logicalIds(config: Parameters<typeof synthProbes>[0]): string[] {
  return Object.keys(synthProbes(config).template.toJSON().Resources as object).sort();
}

describe('construct ids', () => {
  it('stay the same when every map of the config is reordered', () => {
    const config = wideConfig();
    const flipped = reversed(config);
    expect(Object.keys(flipped.probes)).not.toEqual(Object.keys(config.probes));
    expect(logicalIds(flipped)).toEqual(logicalIds(config));
  });

  it('change only for what was renamed', () => {
    const config = wideConfig();
    const { 'open-orders': renamed, ...others } = config.probes;
    const changed = {
      ...config,
      probes: {
        ...others,
        'pending-orders': { ...(renamed as NonNullable<typeof renamed>), name: 'pending-orders' },
      },
    };
    const before = logicalIds(config);
    const after = logicalIds(changed);
    const removed = before.filter((id) => !after.includes(id));
    const added = after.filter((id) => !before.includes(id));
    // the probe's own alarm is replaced; no function, role, schedule or log group moves
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatch(/^ProbesAlarmsProbeFailingopenorders/);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^ProbesAlarmsProbeFailingpendingorders/);
  });
});
