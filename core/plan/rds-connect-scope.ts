/**
 * How far a query function's `rds-db:connect` permission reaches for one database: exactly that
 * database's user when its RDS resource id is known, else that user on any database of the account
 * and region (a wildcard resource id). Only `auth: iam` databases get the permission.
 */
import type { DatabaseConfig } from '../model.js';

export interface RdsConnectScope {
  readonly database: string;
  readonly user: string;
  /** the end of the `arn:<partition>:rds-db:<region>:<account>:` ARN: `dbuser:<resource id or *>/<user>` */
  readonly resource: string;
  /** false: the resource id is a wildcard, the grant reaches this user on every database */
  readonly exact: boolean;
}

/** The grant an `auth: iam` database needs; undefined for password authentication. */
export function rdsConnectScope(database: DatabaseConfig): RdsConnectScope | undefined {
  if (database.auth.type !== 'iam' || database.dataApi !== undefined) return undefined;
  const id = database.resourceId ?? '*';
  return {
    database: database.name,
    user: database.user,
    resource: `dbuser:${id}/${database.user}`,
    exact: database.resourceId !== undefined,
  };
}
