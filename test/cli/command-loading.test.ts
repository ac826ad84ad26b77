import { describe, expect, it } from 'vitest';
import { traceChasm, traceNode } from '../support/module-trace.js';

/** what a command that needs none of them must never load: each takes from 0.1 s to 1 s */
const HEAVY = [
  'aws-cdk-lib',
  'constructs',
  '@aws-sdk/client-cloudwatch',
  '@aws-sdk/client-lambda',
  '@aws-sdk/client-secrets-manager',
  'pg',
  'pg-cursor',
  'mysql2',
  '@electric-sql/pglite',
  'esbuild',
];

const QUICKSTART = 'examples/quickstart/probes.yaml';

function heavyIn(packages: ReadonlySet<string>): string[] {
  return HEAVY.filter((name) => packages.has(name));
}

describe('what each command loads', () => {
  it.each([
    '--help',
    `validate ${QUICKSTART}`,
    `plan ${QUICKSTART}`,
    'synth --help',
    'invoke --help',
    'run --help',
  ])('chasm %s loads no CDK, AWS SDK, driver, PGlite or esbuild', async (command) => {
    const { status, packages } = await traceChasm(...command.split(' '));

    expect(status).toBe(0);
    expect(heavyIn(packages)).toEqual([]);
  });

  it('chasm run of the quickstart loads PGlite, the one engine its database uses, and nothing else heavy', async () => {
    const { status, stdout, packages } = await traceChasm('run', QUICKSTART);

    expect(status).toBe(0);
    expect(stdout).toContain('ActiveSessions');
    expect(heavyIn(packages)).toEqual(['@electric-sql/pglite']);
  });

  it("import('chasm'), the library, loads none of them either", async () => {
    const { status, packages } = await traceNode([
      '--input-type=module',
      '-e',
      "await import('./dist/index.js')",
    ]);

    expect(status).toBe(0);
    expect(heavyIn(packages)).toEqual([]);
  });
});
