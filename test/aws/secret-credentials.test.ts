import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSecretCredentials,
  type SecretReader,
  secretsManagerReader,
} from '../../adapters/credentials/secret-credentials.js';
import type { ProbeReport } from '../../core/metric-data.js';
import { useDummyCredentials } from '../support/local-aws/dummy-credentials.js';
import {
  type LocalSecretsManager,
  startLocalSecretsManager,
} from '../support/local-aws/local-secrets-manager.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf';

function failure(database: string, message: string): ProbeReport {
  return {
    probe: 'p',
    database,
    ok: false,
    rows: 0,
    durationMs: 1,
    error: { code: 'CONNECTION_FAILED', message },
  };
}

describe('secret credentials over the local Secrets Manager endpoint', () => {
  let sm: LocalSecretsManager;
  let reader: SecretReader;
  beforeAll(async () => {
    useDummyCredentials();
    sm = await startLocalSecretsManager();
    reader = secretsManagerReader({ endpoint: sm.endpoint, region: 'eu-west-1' });
  });
  afterAll(async () => {
    reader.destroy();
    await sm.close();
  });

  it('reads username and password once while warm, shared by concurrent callers', async () => {
    sm.put(ARN, JSON.stringify({ username: 'app', password: 'p1', engine: 'postgres' }));
    const secrets = createSecretCredentials({ reader });

    const results = await Promise.all([secrets.credentialsFor('db', ARN), secrets.credentialsFor('db', ARN)]);
    const later = await secrets.credentialsFor('db', ARN);

    expect(results).toEqual([
      { username: 'app', password: 'p1' },
      { username: 'app', password: 'p1' },
    ]);
    expect(later).toEqual({ username: 'app', password: 'p1' });
    expect(sm.reads.get(ARN)).toBe(1);
  });

  it('reads again after an authentication failure, not after other failures', async () => {
    const arn = `${ARN}-rot`;
    sm.put(arn, JSON.stringify({ username: 'app', password: 'old' }));
    const secrets = createSecretCredentials({ reader });
    await secrets.credentialsFor('db', arn);
    sm.put(arn, JSON.stringify({ username: 'app', password: 'new' }));

    secrets.refreshAfter([failure('db', "probe 'p' (database 'db'): connect ECONNREFUSED 10.0.0.1:5432")]);
    const unchanged = await secrets.credentialsFor('db', arn);
    secrets.refreshAfter([
      failure('db', "probe 'p' (database 'db'): password authentication failed for user \"app\""),
    ]);
    const rotated = await secrets.credentialsFor('db', arn);

    expect(unchanged.password).toBe('old');
    expect(rotated.password).toBe('new');
    expect(sm.reads.get(arn)).toBe(2);
  });

  it('rejects a missing or malformed secret without revealing its value, and retries the read later', async () => {
    const secrets = createSecretCredentials({ reader });
    sm.put(`${ARN}-bad`, 'hunter2-not-json');

    await expect(secrets.credentialsFor('db', `${ARN}-missing`)).rejects.toThrow(/ResourceNotFoundException/);
    const malformed = secrets.credentialsFor('db', `${ARN}-bad`);
    await expect(malformed).rejects.toThrow(/is not JSON/);
    await expect(malformed).rejects.not.toThrow(/hunter2/);
    sm.put(`${ARN}-missing`, JSON.stringify({ password: 'late' }));
    await expect(secrets.credentialsFor('db', `${ARN}-missing`)).resolves.toEqual({ password: 'late' });
  });
});
