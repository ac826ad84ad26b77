// moto (an AWS emulator) as a child process on a free local port, for tests that need the AWS
// services themselves (EC2, RDS, Secrets Manager, SNS, IAM) rather than a small stand-in.
import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import aws4 from 'aws4';
import { onPath } from './command-on-path.js';
import { skipUnlessCi } from './databases.js';

export interface MotoServer {
  /** `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL` or a client's `endpoint` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Whether `moto_server` is on the PATH; when not, `skipUnlessCi`. */
export function motoAvailable(suite: string): boolean {
  const found = onPath('moto_server');
  if (!found) skipUnlessCi(suite, 'moto_server is not on the PATH');
  return found;
}

/**
 * Starts `moto_server` on a free port and waits until it accepts connections. With `iam: true`
 * it checks every request against its IAM users' policies (after the few unchecked ones
 * `createMotoAdmin` spends making the first user).
 */
export async function startMotoServer(options: { iam?: boolean } = {}): Promise<MotoServer> {
  const port = await freePort();
  const env = {
    ...process.env,
    ...(options.iam ? { INITIAL_NO_AUTH_ACTION_COUNT: String(ADMIN_ACTIONS) } : {}),
  };
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { env, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, child, 30_000);
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}

// the requests createMotoAdmin makes before moto starts checking: CreateUser, PutUserPolicy, CreateAccessKey
const ADMIN_ACTIONS = 3;

/** The user `name` allowed `actions` (IAM action patterns) on every resource, and its access key. */
export async function createMotoUser(
  endpoint: string,
  signer: AccessKey,
  name: string,
  actions: readonly string[],
): Promise<AccessKey> {
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
  await iamCall(endpoint, signer, { Action: 'CreateUser', UserName: name });
  await iamCall(endpoint, signer, {
    Action: 'PutUserPolicy',
    UserName: name,
    PolicyName: `${name}-policy`,
    PolicyDocument: JSON.stringify(policy),
  });
  const created = await iamCall(endpoint, signer, { Action: 'CreateAccessKey', UserName: name });
  const accessKeyId = /<AccessKeyId>([^<]+)</.exec(created)?.[1];
  const secretAccessKey = /<SecretAccessKey>([^<]+)</.exec(created)?.[1];
  if (!accessKeyId || !secretAccessKey) throw new Error(`moto created no access key: ${created}`);
  return { accessKeyId, secretAccessKey };
}

/** On a server started with `iam: true`: a user allowed everything, made with the unchecked requests. */
export function createMotoAdmin(endpoint: string): Promise<AccessKey> {
  return createMotoUser(endpoint, { accessKeyId: 'testing', secretAccessKey: 'testing' }, 'admin', ['*']);
}

/** One IAM Query API call, signed with `signer` (IAM has no client among this package's dependencies). */
async function iamCall(endpoint: string, signer: AccessKey, params: Record<string, string>): Promise<string> {
  // encoded as moto re-encodes the form to check the signature (Python's quote_plus: `*` too)
  const body = new URLSearchParams({ ...params, Version: '2010-05-08' }).toString().replaceAll('*', '%2A');
  const url = new URL(endpoint);
  const signed = aws4.sign(
    {
      host: url.host,
      path: '/',
      method: 'POST',
      service: 'iam',
      region: 'us-east-1',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    signer,
  );
  const response = await fetch(new URL('/', endpoint), {
    method: 'POST',
    headers: signed.headers as Record<string, string>,
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`IAM ${params.Action} failed: ${response.status} ${text}`);
  return text;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with status ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not listen on port ${port} within ${timeoutMs} ms`);
}
