/**
 * A loopback-only HTTP server on an ephemeral port, the base of each local AWS endpoint.
 * Requests are read whole (bounded) and gunzipped when the client compressed them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface LocalServer {
  /** `http://127.0.0.1:<port>`: pass as the SDK client's `endpoint` */
  readonly endpoint: string;
  /** stops listening and drops open connections (a slow handler's client may still be waiting) */
  close(): Promise<void>;
}

/** A request as the service sees it: the body as sent on the wire and decompressed. */
export interface LocalRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  /** bytes on the wire (compressed when `gzip`) */
  readonly wireBytes: number;
  readonly gzip: boolean;
  readonly body: Buffer;
}

export interface LocalReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

export class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError';
}

/** Starts a server that answers each request with `handle`; bodies above `maxBodyBytes` are refused. */
export async function startLocalServer(
  handle: (request: LocalRequest) => Promise<LocalReply>,
  options: { readonly maxBodyBytes: number },
): Promise<LocalServer> {
  const server = createServer((req, res) => {
    void serve(req, res, handle, options.maxBodyBytes);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  handle: (request: LocalRequest) => Promise<LocalReply>,
  maxBodyBytes: number,
): Promise<void> {
  let reply: LocalReply;
  try {
    const wire = await readBody(req, maxBodyBytes);
    const gzip = req.headers['content-encoding'] === 'gzip';
    const body = gzip ? gunzipSync(wire, { maxOutputLength: maxBodyBytes * 4 }) : wire;
    reply = await handle({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      wireBytes: wire.length,
      gzip,
      body,
    });
  } catch (error) {
    reply =
      error instanceof RequestTooLargeError
        ? {
            status: 413,
            headers: { 'content-type': 'application/json' },
            body: '{"message":"request too large"}',
          }
        : { status: 500, body: String(error) };
  }
  if (res.destroyed) return;
  res.writeHead(reply.status, { 'content-length': String(Buffer.byteLength(reply.body)), ...reply.headers });
  res.end(reply.body);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // keep reading (and discarding) so the client gets the 413 rather than a reset
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () =>
      size > maxBytes ? reject(new RequestTooLargeError()) : resolve(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

/** Resolves after `ms` without keeping the process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
