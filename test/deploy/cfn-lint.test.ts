// cfn-lint over every example's template: no error, and no warning but the acknowledged ones.
// (The `chasm init` project's template is linted where that project is built: rehearsal.test.ts.)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACKNOWLEDGED_WARNINGS,
  cfnLintAvailable,
  type LintFinding,
  lintTemplates,
  unacknowledged,
} from '../support/cfn-lint.js';
import { type ExampleInAssembly, synthesizeExamples } from '../support/example-assembly.js';
import { exampleFiles, exampleName } from '../support/example-files.js';

const available = cfnLintAvailable('cfn-lint of the examples');

describe.skipIf(!available)('cfn-lint of every example', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'chasm-cfn-lint-'));
  let examples: ExampleInAssembly[] = [];
  let findings: LintFinding[] = [];
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  beforeAll(async () => {
    examples = synthesizeExamples(outdir);
    // one cfn-lint process per region: each template is linted for the region it deploys to
    const regions = [...new Set(examples.map((example) => example.region))];
    const perRegion = await Promise.all(
      regions.map((region) =>
        lintTemplates(
          examples.filter((example) => example.region === region).map((example) => example.stack.template),
          region,
        ),
      ),
    );
    findings = perRegion.flat();
  }, 120_000);

  it.each(exampleFiles().map(exampleName))('%s: no error, and every warning acknowledged', (name) => {
    const example = examples.find((candidate) => candidate.example === name);
    if (!example) throw new Error(`${name} was not synthesized`);

    const own = findings.filter((finding) => finding.file === example.stack.template);

    expect(unacknowledged(own)).toEqual([]);
  });

  it('finds the error in a template with one, so a clean result is not a silent linter', async () => {
    const quickstart = examples.find((example) => example.example === 'examples/quickstart/probes.yaml');
    if (!quickstart) throw new Error('the quickstart was not synthesized');
    const template = JSON.parse(readFileSync(quickstart.stack.template, 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type === 'AWS::Lambda::Function') resource.Properties.Runtime = 'nodejs4.3';
    }
    const broken = join(outdir, 'broken.template.json');
    writeFileSync(broken, JSON.stringify(template, null, 1));

    const found = await lintTemplates([broken], quickstart.region);

    expect(unacknowledged(found).map((finding) => [finding.level, finding.path])).toContainEqual([
      'Error',
      expect.stringMatching(/^Resources\/ProbesFanout\w+\/Properties\/Runtime$/),
    ]);
  });

  it('acknowledges only warnings some example still draws', () => {
    const drawn = new Set(findings.map((finding) => finding.rule));

    expect(Object.keys(ACKNOWLEDGED_WARNINGS).filter((rule) => !drawn.has(rule))).toEqual([]);
  });
});
