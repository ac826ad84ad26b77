/**
 * RDS IAM authentication tokens, signed locally (no network): a SigV4 pre-signed
 * `connect` request for the database's host, port and user, valid 15 minutes, as
 * `@aws-sdk/rds-signer` produces, with `aws4` (a few KB) instead of the SDK's signer.
 */
import aws4 from 'aws4';

/** What a token is for: the database endpoint and the database user. */
export interface RdsTokenTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

const TOKEN_LIFETIME_SECONDS = 900;

/**
 * Signs a token with the function's credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`) for `AWS_REGION`, unless given.
 */
export function rdsAuthToken(
  target: RdsTokenTarget,
  env: Readonly<Record<string, string | undefined>> = process.env,
  now: Date = new Date(),
): string {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('AWS_REGION is not set: cannot sign an RDS IAM auth token');
  const hostPort = `${target.host}:${target.port}`;
  // the signing time goes in the query: headers would join the signed headers, which RDS does not expect
  const date = now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const query = `Action=connect&DBUser=${encodeURIComponent(target.user)}&X-Amz-Date=${date}&X-Amz-Expires=${TOKEN_LIFETIME_SECONDS}`;
  const signed = aws4.sign(
    {
      host: hostPort,
      path: `/?${query}`,
      service: 'rds-db',
      region,
      method: 'GET',
      signQuery: true,
    },
    {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    },
  );
  return `${hostPort}${signed.path}`;
}
