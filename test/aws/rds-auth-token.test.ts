import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rdsAuthToken } from '../../adapters/credentials/rds-auth-token.js';

const ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'session/token+value=',
};
const AT = new Date(Date.UTC(2025, 0, 1, 12, 0, 0));

// SigV4 query signing written out from the specification, independent of aws4
function expectedSignature(host: string, query: URLSearchParams): string {
  const params = [...query.entries()].filter(([k]) => k !== 'X-Amz-Signature');
  const canonicalQuery = params
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    'GET',
    '/',
    canonicalQuery,
    `host:${host}`,
    '',
    'host',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const scope = `20250101/eu-west-1/rds-db/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    '20250101T120000Z',
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${ENV.AWS_SECRET_ACCESS_KEY}`).update('20250101').digest();
  for (const part of ['eu-west-1', 'rds-db', 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('rdsAuthToken', () => {
  it('is a pre-signed connect request for host, port and user, valid 15 minutes, signed over the host only', () => {
    const token = rdsAuthToken(
      { host: 'db.example.eu-west-1.rds.amazonaws.com', port: 5432, user: 'metrics_reader' },
      ENV,
      AT,
    );

    const url = new URL(`https://${token}`);
    const query = url.searchParams;
    expect(token.startsWith('db.example.eu-west-1.rds.amazonaws.com:5432/?')).toBe(true);
    expect(query.get('Action')).toBe('connect');
    expect(query.get('DBUser')).toBe('metrics_reader');
    expect(query.get('X-Amz-Expires')).toBe('900');
    expect(query.get('X-Amz-Date')).toBe('20250101T120000Z');
    expect(query.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20250101/eu-west-1/rds-db/aws4_request');
    expect(query.get('X-Amz-SignedHeaders')).toBe('host');
    expect(query.get('X-Amz-Security-Token')).toBe(ENV.AWS_SESSION_TOKEN);
    expect(query.get('X-Amz-Signature')).toBe(
      expectedSignature('db.example.eu-west-1.rds.amazonaws.com:5432', query),
    );
  });

  it('refuses to sign without a region', () => {
    expect(() =>
      rdsAuthToken({ host: 'h', port: 1, user: 'u' }, { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }),
    ).toThrow(/AWS_REGION/);
  });
});
