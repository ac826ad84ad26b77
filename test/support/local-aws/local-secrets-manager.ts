/**
 * Secrets Manager's GetSecretValue (AWS JSON 1.1, `X-Amz-Target: secretsmanager.GetSecretValue`)
 * with values that can be rotated between reads.
 */
import { type LocalReply, type LocalRequest, type LocalServer, startLocalServer } from './local-server.js';

export interface LocalSecretsManager extends LocalServer {
  /** how many GetSecretValue calls each secret received */
  readonly reads: Map<string, number>;
  /** creates the secret or rotates it to a new value (a new version) */
  put(secretId: string, value: string): void;
}

export async function startLocalSecretsManager(): Promise<LocalSecretsManager> {
  const secrets = new Map<string, { value: string; version: number }>();
  const reads = new Map<string, number>();

  async function handle(request: LocalRequest): Promise<LocalReply> {
    if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
      return error(
        'UnknownOperationException',
        `unsupported target ${String(request.headers['x-amz-target'])}`,
      );
    }
    const input = JSON.parse(request.body.toString('utf8')) as { SecretId?: string };
    const id = input.SecretId ?? '';
    const secret = secrets.get(id);
    if (!secret)
      return error('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    reads.set(id, (reads.get(id) ?? 0) + 1);
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({
        ARN: id,
        Name: id.split(':').at(-1),
        VersionId: `v${secret.version}`,
        SecretString: secret.value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Date.now() / 1000,
      }),
    };
  }

  const server = await startLocalServer(handle, { maxBodyBytes: 64 * 1024 });
  return {
    ...server,
    reads,
    put: (id, value) => {
      secrets.set(id, { value, version: (secrets.get(id)?.version ?? 0) + 1 });
    },
  };
}

function error(code: string, message: string): LocalReply {
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ __type: code, message }),
  };
}
