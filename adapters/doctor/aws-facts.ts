/**
 * What `chasm doctor` learns of an AWS account before it judges a config: plain data, gathered by
 * `gather-facts.ts` and read by `doctor-findings.ts`, so every decision is testable without AWS.
 * A field AWS left out stays `undefined`: the findings call it unknown, never a pass.
 */
import type { IngressRule } from './security-group-rules.js';

/** What AWS answered, or why it could not be asked (a missing permission, an error). */
export type Fact<T> =
  | { readonly known: true; readonly value: T }
  | { readonly known: false; readonly reason: string };

export interface SubnetFacts {
  readonly id: string;
  readonly vpcId?: string;
  readonly cidrBlock?: string;
}

export interface SecurityGroupFacts {
  readonly id: string;
  readonly vpcId?: string;
  readonly ingress: readonly IngressRule[];
}

/** An RDS DB instance or cluster. */
export interface RdsDatabase {
  readonly kind: 'instance' | 'cluster';
  /** DBInstanceIdentifier or DBClusterIdentifier */
  readonly id: string;
  /** host names it answers on: an instance's address, a cluster's writer and reader endpoints */
  readonly endpoints: readonly string[];
  readonly port?: number;
  readonly iamAuth?: boolean;
  /** DbiResourceId or DbClusterResourceId */
  readonly resourceId?: string;
  readonly securityGroupIds?: readonly string[];
  readonly subnetIds?: readonly string[];
  readonly publiclyAccessible?: boolean;
  /** the cluster an instance belongs to */
  readonly clusterId?: string;
  /** a cluster's ARN */
  readonly arn?: string;
  /** whether a cluster's RDS Data API (its HTTP endpoint) is on */
  readonly dataApi?: boolean;
}

/** A secret, as DescribeSecret and GetSecretValue found it; its value is never kept. */
export type SecretFacts =
  | { readonly found: false }
  | {
      readonly found: true;
      readonly scheduledForDeletion: boolean;
      /** what is wrong with its value's shape (`undefined`: none), or why it could not be read */
      readonly valueProblem: Fact<string | undefined>;
    };

export interface AwsFacts {
  /** the region every call went to: the stack's */
  readonly region: string;
  /** the config's VPC ids that exist */
  readonly vpcIds: Fact<ReadonlySet<string>>;
  /** the subnets that exist among the config's and its databases', by id */
  readonly subnets: Fact<ReadonlyMap<string, SubnetFacts>>;
  /** the security groups that exist among the config's and its databases', by id */
  readonly securityGroups: Fact<ReadonlyMap<string, SecurityGroupFacts>>;
  readonly instances: Fact<readonly RdsDatabase[]>;
  readonly clusters: Fact<readonly RdsDatabase[]>;
  /** by secret ARN */
  readonly secrets: ReadonlyMap<string, Fact<SecretFacts>>;
  /** whether each SNS topic exists, by ARN */
  readonly topics: ReadonlyMap<string, Fact<boolean>>;
}

export interface RdsMatch {
  /** the instance or cluster whose endpoint the host is */
  readonly database: RdsDatabase;
  /**
   * what holds the IAM auth setting and the resource id `rds-db:connect` names: the cluster of an
   * Aurora instance, else the database itself
   */
  readonly authority: RdsDatabase;
}

/** The RDS database answering on `host` (DNS names compare without case or a final dot). */
export function matchEndpoint(
  host: string,
  instances: readonly RdsDatabase[],
  clusters: readonly RdsDatabase[],
): RdsMatch | undefined {
  const wanted = hostKey(host);
  const answers = (database: RdsDatabase) =>
    database.endpoints.some((endpoint) => hostKey(endpoint) === wanted);
  const cluster = clusters.find(answers);
  if (cluster) return { database: cluster, authority: cluster };
  const instance = instances.find(answers);
  if (!instance) return undefined;
  const owner = instance.clusterId ? clusters.find((c) => c.id === instance.clusterId) : undefined;
  return { database: instance, authority: owner ?? instance };
}

function hostKey(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}
