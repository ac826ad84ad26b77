import { describe, expect, it } from 'vitest';
import { withDeployedNames } from '../../adapters/lambda/fanout-handler.js';
import { fanoutManifest } from '../../core/plan/build-manifests.js';
import { buildPlan } from '../../core/plan/plan.js';
import { config, database, probe, vpc } from '../support/config-factory.js';

const manifest = fanoutManifest(
  buildPlan(
    config({
      vpcs: [vpc('app'), vpc('billing')],
      databases: [database({ name: 'a', vpc: 'app' }), database({ name: 'b', vpc: 'billing' })],
      probes: [probe({ name: 'pa', database: 'a' }), probe({ name: 'pb', database: 'b' })],
    }),
  ),
);

describe("the fan-out's query function names", () => {
  it("are the generated names of CHASM_QUERY_FUNCTIONS, in the order of the manifest's functions", () => {
    // act
    const deployed = withDeployedNames(manifest, {
      CHASM_QUERY_FUNCTIONS:
        'Chasm-Acme-Sessions-ProbesQueryvpcapp-AbC123,Chasm-Acme-Sessions-ProbesQueryvpcbi-XyZ789',
    });

    // assess
    expect(deployed.functions.map((fn) => [fn.id, fn.functionName])).toEqual([
      ['vpc-app', 'Chasm-Acme-Sessions-ProbesQueryvpcapp-AbC123'],
      ['vpc-billing', 'Chasm-Acme-Sessions-ProbesQueryvpcbi-XyZ789'],
    ]);
    expect(deployed.probes).toEqual(manifest.probes);
  });

  it("are the plan's names without the variable (a local run)", () => {
    expect(withDeployedNames(manifest, {})).toBe(manifest);
  });

  it('refuse a list that does not name every function, rather than invoke the wrong one', () => {
    expect(() => withDeployedNames(manifest, { CHASM_QUERY_FUNCTIONS: 'only-one' })).toThrow(
      'CHASM_QUERY_FUNCTIONS names 1 functions, the manifest 2',
    );
  });
});
