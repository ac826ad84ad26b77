// cfn-lint (the CloudFormation linter, on the machine image) over synthesized templates, and the
// warnings Chasm's templates are known to draw, each with the reason it stays.
import { onPath } from './command-on-path.js';
import { skipUnlessCi } from './databases.js';
import { runCommand } from './run-command.js';

/** The warnings a template may draw, by rule id, and why each is accepted rather than fixed. */
export const ACKNOWLEDGED_WARNINGS: Readonly<Record<string, string>> = {
  W3005:
    "aws-cdk-lib's lambda.Function makes every function DependsOn its role, which the GetAtt of its Role property already implies: redundant, harmless, and written by the CDK, not Chasm",
};

/** One finding, as cfn-lint's JSON output gives it. */
export interface LintFinding {
  readonly file: string;
  readonly level: 'Error' | 'Warning' | 'Informational';
  readonly rule: string;
  readonly message: string;
  /** where in the template, e.g. `Resources/ProbesFanout.../DependsOn/0` */
  readonly path: string;
}

/** Whether `cfn-lint` is on the PATH; when not, `skipUnlessCi`. */
export function cfnLintAvailable(suite: string): boolean {
  const found = onPath('cfn-lint');
  if (!found) skipUnlessCi(suite, 'cfn-lint is not on the PATH');
  return found;
}

interface RawFinding {
  readonly Filename: string;
  readonly Level: LintFinding['level'];
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path: readonly (string | number)[] };
}

/** Lints `templates` for `region`; every error and warning found (informational ones are not asked for). */
export async function lintTemplates(templates: readonly string[], region: string): Promise<LintFinding[]> {
  const run = await runCommand('cfn-lint', ['--format', 'json', '--regions', region, '--', ...templates], {
    cwd: process.cwd(),
    env: process.env,
    timeoutMs: 120_000,
  });
  // the exit status is a bit mask of the levels found; only the output says what they are
  let raw: RawFinding[];
  try {
    raw = JSON.parse(run.stdout) as RawFinding[];
  } catch {
    throw new Error(`cfn-lint exited with status ${run.status} and no findings: ${run.stderr}${run.stdout}`);
  }
  return raw.map((finding) => ({
    file: finding.Filename,
    level: finding.Level,
    rule: finding.Rule.Id,
    message: finding.Message,
    path: finding.Location.Path.join('/'),
  }));
}

/** The findings a template must not have: every error, and each warning not acknowledged. */
export function unacknowledged(findings: readonly LintFinding[]): LintFinding[] {
  return findings.filter(
    (finding) => finding.level === 'Error' || !Object.hasOwn(ACKNOWLEDGED_WARNINGS, finding.rule),
  );
}
