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

  /** the logical ids that renaming a probe of the wide config removes and adds */
  function renamed(from: string, to: string) {
    const config = wideConfig();
    const { [from]: probe, ...others } = config.probes;
    const changed = {
      ...config,
      probes: { ...others, [to]: { ...(probe as NonNullable<typeof probe>), name: to } },
    };
    const before = logicalIds(config);
    const after = logicalIds(changed);
    return {
      removed: before.filter((id) => !after.includes(id)),
      added: after.filter((id) => !before.includes(id)),
    };
  }

  it("change only for what was renamed: a probe's metric alarm", () => {
    // act
    const { removed, added } = renamed('active-sessions', 'current-sessions');

    // assess: no function, role, schedule, log group or health alarm moves
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatch(/^ProbesAlarmsAlarmactivesessionsActiveSessions/);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^ProbesAlarmsAlarmcurrentsessionsActiveSessions/);
  });

  it('stay the same when a probe without a metric alarm is renamed: its health is one alarm for all probes', () => {
    // act
    const { removed, added } = renamed('open-orders', 'pending-orders');

    // assess
    expect(removed).toEqual([]);
    expect(added).toEqual([]);
  });
});
