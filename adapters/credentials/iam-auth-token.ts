/**
 * RDS IAM authentication tokens, signed locally (no network): a SigV4 presigned URL for the
 * `rds-db:connect` action, `host:port/?Action=connect&DBUser=…&X-Amz-…`, valid 15 minutes, signed
 * with the function's own credentials. `aws4` does the query signing: it produces the same token
 * as `@aws-sdk/rds-signer` for a fraction of its bundle size and import time.
 */
import aws4 from 'aws4';

/** How long RDS accepts a token, in seconds (its maximum). */
export const IAM_TOKEN_LIFETIME_SECONDS = 900;
/** A cached token is replaced this long before it expires, so a slow handshake never presents a stale one. */
export const IAM_TOKEN_REFRESH_MARGIN_MS = 2 * 60 * 1000;

export interface IamTokenTarget {
  readonly host: string;
  readonly port: number;
  /** the database user (`DBUser`) the token authenticates */
  readonly user: string;
}

export interface IamTokenOptions {
  /** where credentials and the region come from; default `process.env` (as Lambda sets it) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** epoch milliseconds; default `Date.now` */
  readonly now?: () => number;
}

/** Signs one token at `nowMs`. Throws when the credentials or the region are missing. */
export function signIamAuthToken(target: IamTokenTarget, env: IamTokenOptions['env'], nowMs: number): string {
  const source = env ?? process.env;
  const accessKeyId = source.AWS_ACCESS_KEY_ID;
  const secretAccessKey = source.AWS_SECRET_ACCESS_KEY;
  const region = source.AWS_REGION ?? source.AWS_DEFAULT_REGION;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('cannot sign an RDS IAM token: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
  }
  if (!region) throw new Error('cannot sign an RDS IAM token: AWS_REGION is not set');
  const query = new URLSearchParams({
    Action: 'connect',
    DBUser: target.user,
    'X-Amz-Date': amzDate(nowMs),
    'X-Amz-Expires': String(IAM_TOKEN_LIFETIME_SECONDS),
  });
  const signed = aws4.sign(
    {
      host: target.host,
      port: target.port,
      path: `/?${query.toString()}`,
      method: 'GET',
      service: 'rds-db',
      region,
      signQuery: true,
    },
    {
      accessKeyId,
      secretAccessKey,
      ...(source.AWS_SESSION_TOKEN ? { sessionToken: source.AWS_SESSION_TOKEN } : {}),
    },
  );
  return `${target.host}:${target.port}${signed.path ?? ''}`;
}

/**
 * A password provider for a `server` target with `auth: iam`: it returns a cached token and signs
 * a new one when the cached one is within {@link IAM_TOKEN_REFRESH_MARGIN_MS} of expiring.
 *
 * @example
 * const password = iamAuthTokenProvider({ host, port: 5432, user: 'metrics_reader' });
 * engine.openPool({ kind: 'server', host, port: 5432, database, user, password, tls: true, maxConnections: 2 });
 */
export function iamAuthTokenProvider(target: IamTokenTarget, options: IamTokenOptions = {}): () => string {
  const now = options.now ?? Date.now;
  let cached: { token: string; refreshAt: number } | undefined;
  return () => {
    const at = now();
    if (!cached || at >= cached.refreshAt) {
      const token = signIamAuthToken(target, options.env, at);
      cached = { token, refreshAt: at + IAM_TOKEN_LIFETIME_SECONDS * 1000 - IAM_TOKEN_REFRESH_MARGIN_MS };
    }
    return cached.token;
  };
}

/** `YYYYMMDDTHHMMSSZ`, SigV4's timestamp format */
function amzDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[:-]|\.\d{3}/g, '');
}
