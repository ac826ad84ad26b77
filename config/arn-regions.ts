/**
 * Every ARN of a `probes.yaml` names the region the stack deploys to: the fan-out function reads
 * secrets through its own region's Secrets Manager, KMS grants name that region's endpoint, and an
 * alarm notifies topics of its own region only. An ARN is a value of a key ending in `Arn`
 * anywhere but under `dimensions` (whose values are data); an ARN without a region (a global
 * service's, such as IAM's) is never refused. Without a region for the stack the ARNs must still
 * agree with each other, since one stack deploys to one region.
 */
import type { PendingIssue } from './pending-issue.js';
import { pointerOf } from './pending-issue.js';

type Add = (path: readonly string[], at: PendingIssue['at'], message: string) => void;

/** the region field of `arn:partition:service:region:account:resource`; '' for a global service */
export function arnRegion(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' ? parts[3] : undefined;
}

interface FoundArn {
  readonly path: readonly string[];
  readonly key: string;
  readonly arn: string;
  readonly region: string;
}

/** The regional ARNs of a document, in document order; values the schema refused are left out. */
function regionalArns(value: unknown, path: readonly string[], reported: ReadonlySet<string>): FoundArn[] {
  if (typeof value !== 'object' || value === null) return [];
  const found: FoundArn[] = [];
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    if (key === 'dimensions') continue;
    if (typeof child === 'string') {
      const region = key.endsWith('Arn') ? arnRegion(child) : undefined;
      if (region && !reported.has(pointerOf(childPath)))
        found.push({ path: childPath, key, arn: child, region });
    } else found.push(...regionalArns(child, childPath, reported));
  }
  return found;
}

/**
 * Issues for ARNs outside the stack's region: the file's `region`, else `askedRegion` (a command's
 * `--region`), else the region of the file's first regional ARN. A file `region` that differs from
 * `askedRegion` is an issue of its own.
 */
export function checkArnRegions(
  root: Readonly<Record<string, unknown>>,
  askedRegion: string | undefined,
  reported: ReadonlySet<string>,
  add: Add,
): void {
  const fileRegion = typeof root.region === 'string' ? root.region : undefined;
  // a region the schema refused would only echo as one issue per ARN
  if (fileRegion !== undefined && reported.has(pointerOf(['region']))) return;
  if (fileRegion !== undefined && askedRegion !== undefined && fileRegion !== askedRegion) {
    add(
      ['region'],
      'value',
      `region '${fileRegion}' differs from the region asked for, ${askedRegion}; ask for ${fileRegion} or change the file's region`,
    );
    return;
  }
  const arns = regionalArns(root, [], reported);
  const stackRegion = fileRegion ?? askedRegion;
  if (stackRegion !== undefined) {
    const source = fileRegion !== undefined ? "the file's 'region'" : 'the region asked for';
    for (const found of arns) {
      if (found.region === stackRegion) continue;
      add(
        found.path,
        'value',
        `${found.key} '${found.arn}' is in region ${found.region}, but the stack deploys to ${stackRegion} (${source}); name a resource of ${stackRegion}`,
      );
    }
    return;
  }
  const first = arns[0];
  for (const found of arns.slice(1)) {
    if (!first || found.region === first.region) continue;
    add(
      found.path,
      'value',
      `${found.key} '${found.arn}' is in region ${found.region}, but ${first.path.join('.')} is in ${first.region}; one stack deploys to one region: name resources of one region, and set 'region' to it`,
    );
  }
}
