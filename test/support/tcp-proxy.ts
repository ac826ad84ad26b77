/**
 * A TCP proxy in front of a real database server, counting the connections clients open through
 * it, for tests of what a client does to a server: how many sockets it opens, whether it leaves
 * any open, and how it copes with a server that stops answering or drops its connections.
 */
import { createServer, connect as dial, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** client connections accepted so far */
  readonly opened: number;
  /** client connections still open */
  readonly open: number;
  /** From now on the server's answers never arrive, on open connections and new ones alike. */
  stall(): void;
  /**
   * Closes the server's side of every open connection, and resets each client's side when the
   * client next writes: what a client finds after a server dropped its idle connection while
   * the client was frozen (a Lambda instance between invocations).
   */
  severOpen(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Map<Socket, { upstream: Socket; severed: boolean }>();
  let opened = 0;
  let stalled = false;
  const server: Server = createServer((client) => {
    opened++;
    const upstream = dial(target.port, target.host);
    const pair = { upstream, severed: false };
    pairs.set(client, pair);
    client.on('data', (chunk) => {
      if (pair.severed) client.resetAndDestroy();
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!stalled) client.write(chunk);
    });
    const end = (): void => {
      if (!pair.severed) client.destroy();
      upstream.destroy();
      if (!pair.severed || client.destroyed) pairs.delete(client);
    };
    client.on('close', () => {
      pairs.delete(client);
      upstream.destroy();
    });
    client.on('error', () => undefined);
    upstream.on('close', end);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    port: address.port,
    get opened() {
      return opened;
    },
    get open() {
      return pairs.size;
    },
    stall() {
      stalled = true;
    },
    severOpen() {
      for (const pair of pairs.values()) {
        pair.severed = true;
        pair.upstream.destroy();
      }
    },
    async close() {
      for (const [client, { upstream }] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
