import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../core/model.js';
import { config, database, probe, vpc } from '../support/config-factory.js';
import { synthProbes, validationViolations } from './synth-probes.js';
import { wideConfig } from './wide-config.js';

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

function acknowledgements(root: IConstruct): { path: string; ack: Acknowledgement }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // each entry maps the acknowledged finding to its reason
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          ack: { id, reason },
        })),
      ),
  );
}

const CONFIGS: Record<string, Config> = {
  'two VPCs, public database, secret, detailed health, alarms': wideConfig(),
  'publish: emf': config({
    publish: 'emf',
    vpcs: [vpc('app')],
    databases: [database({ name: 'sessions', vpc: 'app', resourceId: 'db-ABCDEFGHIJKLMNOP' })],
    probes: [probe({ name: 'a', database: 'sessions' })],
  }),
};

describe('cdk-nag AwsSolutionsChecks', () => {
  for (const [name, cfg] of Object.entries(CONFIGS)) {
    it(`finds nothing unacknowledged in the stack of ${name}`, () => {
      // synthesis throws on any unacknowledged finding
      const { outdir } = synthProbes(cfg, { nag: true });
      expect(validationViolations(outdir)).toEqual([]);
    });
  }

  it('acknowledges only specific findings, each with a reason that names what it concerns', () => {
    const { stack } = synthProbes(wideConfig());
    const found = acknowledgements(stack);
    expect(found.length).toBeGreaterThan(0);
    for (const { ack } of found) {
      // one finding, never a whole rule
      expect(ack.id).toMatch(/AwsSolutions-IAM5\[Resource::.+\]$/);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
    const reasons = found.map(({ ack }) => ack.reason).join('\n');
    expect(reasons).toContain('cloudwatch:namespace');
    expect(reasons).toContain('network interfaces');
    expect(reasons).toContain("database 'orders' sets no resourceId");
    // the exactly scoped database needs no acknowledgement
    expect(reasons).not.toContain("database 'sessions'");
  });
});
