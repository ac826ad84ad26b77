import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  IAM_TOKEN_LIFETIME_SECONDS,
  IAM_TOKEN_REFRESH_MARGIN_MS,
  iamAuthTokenProvider,
  signIamAuthToken,
} from '../../adapters/credentials/iam-auth-token.js';

const target = {
  host: 'sessions.cluster-cxyz.eu-west-1.rds.amazonaws.com',
  port: 5432,
  user: 'metrics reader+1',
};
const env = {
  AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEKEY',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjE/session+token==',
  AWS_REGION: 'eu-west-1',
};
const fixedNow = Date.UTC(2024, 4, 17, 9, 30, 15);

/** RFC 3986 encoding, as SigV4 canonical query strings require */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function parseToken(token: string): { hostPort: string; params: Map<string, string> } {
  const [hostPort = '', query = ''] = token.split('/?');
  const params = new Map<string, string>();
  for (const pair of query.split('&')) {
    const [key = '', value = ''] = pair.split('=');
    params.set(decodeURIComponent(key), decodeURIComponent(value));
  }
  return { hostPort, params };
}

/** SigV4 presigned-URL signature recomputed from the specification, independently of aws4 */
function expectedSignature(
  hostPort: string,
  params: Map<string, string>,
  secret: string,
  region: string,
): string {
  const amzDate = params.get('X-Amz-Date') ?? '';
  const day = amzDate.slice(0, 8);
  const canonicalQuery = [...params]
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const emptyPayloadHash = createHash('sha256').update('').digest('hex');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${hostPort}\n`, 'host', emptyPayloadHash].join(
    '\n',
  );
  const scope = `${day}/${region}/rds-db/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), 'rds-db'), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}

describe('signIamAuthToken', () => {
  it('produces the rds-signer token structure for the host, port, user and region', () => {
    // act
    const token = signIamAuthToken(target, env, fixedNow);

    // assess
    const { hostPort, params } = parseToken(token);
    expect(hostPort).toBe(`${target.host}:5432`);
    expect(params.get('Action')).toBe('connect');
    expect(params.get('DBUser')).toBe('metrics reader+1');
    expect(params.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(params.get('X-Amz-Credential')).toBe('ASIAEXAMPLEKEY/20240517/eu-west-1/rds-db/aws4_request');
    expect(params.get('X-Amz-Date')).toBe('20240517T093015Z');
    expect(params.get('X-Amz-Expires')).toBe(String(IAM_TOKEN_LIFETIME_SECONDS));
    expect(params.get('X-Amz-Expires')).toBe('900');
    expect(params.get('X-Amz-SignedHeaders')).toBe('host');
    expect(params.get('X-Amz-Security-Token')).toBe(env.AWS_SESSION_TOKEN);
    expect(params.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(token).not.toContain(env.AWS_SECRET_ACCESS_KEY);
  });

  it('signs exactly what SigV4 prescribes (signature recomputed independently with node:crypto)', () => {
    // act
    const token = signIamAuthToken(target, env, fixedNow);

    // assess
    const { hostPort, params } = parseToken(token);
    expect(params.get('X-Amz-Signature')).toBe(
      expectedSignature(hostPort, params, env.AWS_SECRET_ACCESS_KEY, env.AWS_REGION),
    );
  });

  it('is deterministic for fixed credentials and clock, and changes with the clock', () => {
    // act
    const first = signIamAuthToken(target, env, fixedNow);
    const again = signIamAuthToken(target, env, fixedNow);
    const later = signIamAuthToken(target, env, fixedNow + 1000);

    // assess
    expect(again).toBe(first);
    expect(later).not.toBe(first);
  });

  it('omits the security token for long-term credentials', () => {
    // arrange
    const { AWS_SESSION_TOKEN: _omitted, ...longTerm } = env;

    // act
    const { hostPort, params } = parseToken(signIamAuthToken(target, longTerm, fixedNow));

    // assess
    expect(params.has('X-Amz-Security-Token')).toBe(false);
    expect(params.get('X-Amz-Signature')).toBe(
      expectedSignature(hostPort, params, env.AWS_SECRET_ACCESS_KEY, 'eu-west-1'),
    );
  });

  it('refuses to sign without credentials or region, naming what is missing', () => {
    expect(() => signIamAuthToken(target, { AWS_REGION: 'eu-west-1' }, fixedNow)).toThrow(
      /AWS_ACCESS_KEY_ID/,
    );
    expect(() => signIamAuthToken(target, { ...env, AWS_REGION: undefined }, fixedNow)).toThrow(/AWS_REGION/);
  });
});

describe('iamAuthTokenProvider', () => {
  it('reuses the token until shortly before it expires, then signs a new one', () => {
    // arrange
    let now = fixedNow;
    const password = iamAuthTokenProvider(target, { env, now: () => now });
    const refreshAfterMs = IAM_TOKEN_LIFETIME_SECONDS * 1000 - IAM_TOKEN_REFRESH_MARGIN_MS;

    // act
    const first = password();
    now = fixedNow + refreshAfterMs - 1;
    const stillCached = password();
    now = fixedNow + refreshAfterMs;
    const refreshed = password();

    // assess
    expect(stillCached).toBe(first);
    expect(refreshed).not.toBe(first);
    expect(refreshed).toBe(signIamAuthToken(target, env, fixedNow + refreshAfterMs));
    expect(parseToken(refreshed).params.get('X-Amz-Date')).toBe('20240517T094315Z');
  });

  it('signs a fresh token at first use, from the clock it is given', () => {
    // arrange
    const password = iamAuthTokenProvider(target, { env, now: () => fixedNow });

    // act / assess
    expect(password()).toBe(signIamAuthToken(target, env, fixedNow));
  });
});
