/**
 * `chasm doctor FILE [--json] [--region REGION] [--profile NAME]`: asks the AWS account what would
 * make the first deploy or the first probe of FILE fail, and reports each finding at the config
 * key it is about, as `FILE:LINE:COL: message`.
 */
import { readConfigPositions } from '../../config/config-positions.js';
import { type Finding, judgeConfig } from '../doctor/doctor-findings.js';
import { type AwsAccess, AwsAccessError, gatherFacts } from '../doctor/gather-facts.js';
import { type CliIo, type Command, EXIT } from './cli-io.js';
import { readConfigOrReport } from './command-input.js';

const USAGE = `Usage: chasm doctor FILE [--json] [--region REGION] [--profile NAME]

Checks FILE against the AWS account, before the first deploy: each VPC and its subnets and
security groups exist and belong together; each database's host is the endpoint of an RDS DB
instance or cluster, on its port, whose security groups admit the query function (from the
VPC's securityGroupIds, else from its subnets' addresses, as the security group the stack
creates exists only after deploy) and whose subnets lie within the VPC's cidrBlocks, with IAM
authentication on for auth: iam and the resourceId given; each secret exists and holds JSON
with a string "password" (its value is never printed); the alarm topic exists in the stack's
region. Prints each failed check to stderr as
FILE:LINE:COL: message, at the key it is about, and a summary to stdout. A check that could not
be made (a permission missing, a field AWS did not report) fails and says why.

Credentials and region come from the SDK's usual sources (AWS_PROFILE, AWS_REGION, the config
files, ...); AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_<SERVICE> overrides the endpoints.

  --json            print { "region", "checks": [{ "check", "ok", "file", "line", "col", "message" }] },
                    passed checks included
  --region REGION   the stack's region (default: the SDK's)
  --profile NAME    the credentials profile (default: the SDK's)

Exit status: 0 every check passed, 1 unusable input (invalid FILE, bad options, no region or
credentials), 2 a check failed or could not be made.`;

interface DoctorArgs extends AwsAccess {
  readonly file: string;
  readonly json: boolean;
}

/** One finding as `--json` prints it. */
interface CheckEntry {
  readonly check: string;
  readonly ok: boolean;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

export const doctorCommand: Command = {
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv);
    if (typeof args === 'string') {
      io.stderr.write(`chasm doctor: ${args}\n\n${USAGE}\n`);
      return EXIT.badInput;
    }
    const config = readConfigOrReport('doctor', args.file, io);
    if (!config) return EXIT.badInput;

    let facts: Awaited<ReturnType<typeof gatherFacts>>;
    try {
      facts = await gatherFacts(config, args);
    } catch (error) {
      if (!(error instanceof AwsAccessError)) throw error;
      io.stderr.write(`chasm doctor: ${error.message}\n`);
      return EXIT.badInput;
    }
    const checks = positioned(judgeConfig(config, facts), args.file);
    const failed = checks.filter((check) => !check.ok);
    if (args.json) {
      io.stdout.write(`${JSON.stringify({ region: facts.region, checks }, null, 2)}\n`);
    } else {
      for (const check of failed)
        io.stderr.write(`${check.file}:${check.line}:${check.col}: ${check.message}\n`);
      const outcome =
        failed.length === 0
          ? `${count(checks.length, 'check')} passed`
          : `${failed.length} of ${count(checks.length, 'check')} failed`;
      io.stdout.write(`${args.file}: ${outcome} in ${facts.region}\n`);
    }
    return failed.length === 0 ? EXIT.ok : EXIT.checksFailed;
  },
};

/** The findings at their keys' positions, in the file's order. */
function positioned(findings: readonly Finding[], file: string): CheckEntry[] {
  const positions = readConfigPositions(file);
  const entries = findings.map(({ check, ok, path, message }) => {
    const { line, column } = positions.locate(path);
    return { check, ok, file, line, col: column, message };
  });
  return entries.sort((a, b) => a.line - b.line || a.col - b.col);
}

function parseArgs(argv: readonly string[]): DoctorArgs | string {
  const files: string[] = [];
  let json = false;
  const access: { region?: string; profile?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const at = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const [flag, inline] = at > 0 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, undefined];
    if (flag === '--json' && inline === undefined) json = true;
    else if (flag === '--region' || flag === '--profile') {
      const value = inline ?? argv[++i];
      if (!value || value.startsWith('-')) return `${flag} needs a value`;
      access[flag === '--region' ? 'region' : 'profile'] = value;
    } else if (arg.startsWith('-') && arg !== '-') return `unknown option '${arg}'`;
    else files.push(arg);
  }
  if (files.length !== 1)
    return files.length === 0 ? 'missing FILE' : `one FILE only, got ${files.join(', ')}`;
  return { file: files[0] ?? '', json, ...access };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
