/**
 * The stack of a config with Data API databases: no query function for them, and a fan-out role
 * that may call the Data API on their clusters only, cdk-nag clean; the fan-out bundle loads the
 * Data API client only on a Data API probe.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ENTRY_FILE, bundleHandler, MANIFEST_FILE } from '../../adapters/cdk/handler-bundler.js';
import type { FanoutManifest } from '../../core/manifest.js';
import { QUERY_FUNCTION_NAMES_ENV } from '../../core/manifest.js';
import { config, dataApiDatabase, database, probe, vpc } from '../support/config-factory.js';
import {
  functionLogicalIds,
  resourcesOf,
  type Synthesized,
  synthProbes,
  testHandlers,
  validationViolations,
} from './synth-probes.js';

const ORDERS = 'arn:aws:rds:eu-west-1:123456789012:cluster:orders';
const ARCHIVE = 'arn:aws:rds:eu-west-1:123456789012:cluster:archive';
const IDLE = 'arn:aws:rds:eu-west-1:123456789012:cluster:idle';
const DATA_API_STATEMENT = {
  Action: ['rds-data:BeginTransaction', 'rds-data:ExecuteStatement', 'rds-data:RollbackTransaction'],
  Effect: 'Allow',
};

/** the fan-out role's statements and the fan-out function's properties */
function fanoutOf(synth: Synthesized) {
  const id = functionLogicalIds(synth.stack).get('fanout');
  const fn = id === undefined ? undefined : resourcesOf(synth.template, 'AWS::Lambda::Function')[id];
  if (!fn) throw new Error('no fan-out function');
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = resourcesOf(synth.template, 'AWS::IAM::Role')[roleId]?.Properties.Policies as {
    PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] };
  }[];
  return { statements: policies[0]?.PolicyDocument.Statement ?? [], properties: fn.Properties };
}

describe('a stack whose databases are all reached through the Data API', () => {
  const synth = synthProbes(
    config({
      databases: [
        dataApiDatabase({ name: 'orders' }),
        dataApiDatabase({ name: 'archive', engine: 'mysql' }),
        // no probes: the fan-out gets nothing on its cluster
        dataApiDatabase({ name: 'idle', dataApi: { resourceArn: IDLE } }),
      ],
      probes: [probe({ name: 'open', database: 'orders' }), probe({ name: 'rows', database: 'archive' })],
    }),
    { nag: true },
  );

  it('deploys the fan-out function alone, which may invoke no function', () => {
    // act
    const functions = resourcesOf(synth.template, 'AWS::Lambda::Function');
    const { statements, properties } = fanoutOf(synth);

    // assess
    expect(Object.keys(functions)).toHaveLength(1);
    expect(synth.stack.probes.queryFunctions.size).toBe(0);
    expect(statements.map((statement) => statement.Action)).not.toContain('lambda:InvokeFunction');
    expect((properties.Environment as { Variables: Record<string, unknown> }).Variables).toEqual({
      [QUERY_FUNCTION_NAMES_ENV]: '',
    });
    expect(properties.VpcConfig).toBeUndefined();
  });

  it('lets the fan-out call the Data API on the clusters with probes only, and read their secrets', () => {
    // act
    const { statements } = fanoutOf(synth);

    // assess
    expect(statements).toContainEqual({ ...DATA_API_STATEMENT, Resource: [ARCHIVE, ORDERS] });
    expect(JSON.stringify(statements)).not.toContain(IDLE);
    const secrets = statements.find((statement) => statement.Action === 'secretsmanager:GetSecretValue');
    expect(secrets?.Resource).toEqual(
      expect.arrayContaining(
        [
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-reader',
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:archive-reader',
        ].map((arn) => expect.stringContaining(arn)),
      ),
    );
  });

  it('ships the fan-out with the query manifest of its own probes', () => {
    // act
    const asset = synth.stack.probes.fanoutFunction?.assetDir ?? '';
    const manifest = JSON.parse(readFileSync(join(asset, MANIFEST_FILE), 'utf8')) as FanoutManifest;

    // assess
    expect(manifest.functions).toEqual([]);
    expect(manifest.dataApi?.function.probes).toEqual(['open', 'rows']);
    expect(Object.keys(manifest.dataApi?.manifest.databases ?? {})).toEqual(['orders', 'archive']);
    expect(manifest.secrets).toEqual({});
  });

  it('ships the fan-out the Data API engine and no server engine', () => {
    // act
    const asset = synth.stack.probes.fanoutFunction?.assetDir ?? '';
    const files = readdirSync(join(asset, 'chunks'));

    // assess: the chunks are named after their entry module
    expect(files.some((file) => file.startsWith('data-api-engine-'))).toBe(true);
    expect(files.filter((file) => /^(postgres|mysql|pglite)-engine-/.test(file))).toEqual([]);
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expect(validationViolations(synth.outdir)).toEqual([]);
  });
});

describe('a stack with a Data API database beside a VPC', () => {
  it('gives the VPC its query function and the fan-out both the invoke and the Data API grants, cdk-nag clean', () => {
    // act
    const synth = synthProbes(
      config({
        vpcs: [vpc('app')],
        databases: [
          database({ name: 'sessions', vpc: 'app', resourceId: 'db-ABCDEF' }),
          dataApiDatabase({ name: 'orders' }),
        ],
        probes: [
          probe({ name: 'active', database: 'sessions' }),
          probe({ name: 'open', database: 'orders' }),
        ],
      }),
      { nag: true },
    );
    const { statements } = fanoutOf(synth);

    // assess
    expect([...synth.stack.probes.queryFunctions.keys()]).toEqual(['vpc-app']);
    expect(statements.map((statement) => statement.Action)).toContain('lambda:InvokeFunction');
    expect(statements).toContainEqual({ ...DATA_API_STATEMENT, Resource: ORDERS });
    expect(validationViolations(synth.outdir)).toEqual([]);
  });
});

describe('the fan-out bundle', () => {
  /** outputs reachable from `root`, by static imports only or also by `import()` */
  function reachable(metafile: Metafile, workingDir: string, root: string, dynamic: boolean): string[] {
    const outputs = metafile.outputs;
    const byPath = new Map(Object.keys(outputs).map((path) => [resolve(workingDir, path), path]));
    const seen = new Set<string>();
    const visit = (file: string): void => {
      const key = byPath.get(resolve(workingDir, file));
      if (key === undefined || seen.has(key)) return;
      seen.add(key);
      for (const imported of outputs[key]?.imports ?? []) {
        if (imported.kind === 'import-statement' || (dynamic && imported.kind === 'dynamic-import'))
          visit(imported.path);
      }
    };
    visit(root);
    return [...seen].flatMap((key) => Object.keys(outputs[key]?.inputs ?? {}));
  }

  it('loads the Data API client, the engines and the query function only by import(), on a Data API probe', () => {
    // arrange
    const bundle = bundleHandler(testHandlers().fanout);
    const entry = join(bundle.dir, BUNDLE_ENTRY_FILE);

    // act
    const coldStart = reachable(bundle.metafile, bundle.workingDir, entry, false);
    const everything = reachable(bundle.metafile, bundle.workingDir, entry, true);

    // assess
    const rdsData = (input: string) => input.includes('client-rds-data');
    expect(everything.some(rdsData)).toBe(true);
    expect(coldStart.some(rdsData)).toBe(false);
    for (const module of ['data-api-engine.ts', 'query-function.ts', 'node_modules/kysely/']) {
      expect(
        everything.some((input) => input.includes(module)),
        module,
      ).toBe(true);
      expect(
        coldStart.some((input) => input.includes(module)),
        module,
      ).toBe(false);
    }
  }, 120_000);
});
