/**
 * Test helper: a TCP proxy in front of a broker that can cut a connection just before a
 * chosen response reaches the client (the request was served, the answer is lost), so
 * a client retries a request the broker already applied. Frames are told apart by the
 * 4-byte size prefix; request api keys are remembered by correlation id.
 */
import { createServer, Socket, type Server } from 'node:net';
import { once } from 'node:events';

export interface DropProxy {
  port: number;
  /** Set the broker's port (the proxy connects on each accepted connection). */
  target: { port: number };
  /** Cut the connection instead of forwarding the next response to a request with this api key. */
  dropNextResponse(apiKey: number): void;
  dropped: number;
  close(): Promise<void>;
}

function frames(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = pending.readInt32BE(0);
      onFrame(pending.subarray(0, 4 + size));
      pending = pending.subarray(4 + size);
    }
  };
}

export async function dropProxy(): Promise<DropProxy> {
  const sockets = new Set<Socket>();
  let dropKey: number | null = null;
  const proxy: DropProxy = {
    port: 0,
    target: { port: 0 },
    dropped: 0,
    dropNextResponse(apiKey) {
      dropKey = apiKey;
    },
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client);
    sockets.add(upstream);
    const apiKeyByCorrelation = new Map<number, number>();
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut);
    upstream.on('error', cut);
    client.on('close', cut);
    upstream.on('close', cut);
    upstream.connect(proxy.target.port, '127.0.0.1');
    client.on(
      'data',
      frames((frame) => {
        apiKeyByCorrelation.set(frame.readInt32BE(8), frame.readInt16BE(4));
        upstream.write(frame);
      }),
    );
    upstream.on(
      'data',
      frames((frame) => {
        const apiKey = apiKeyByCorrelation.get(frame.readInt32BE(4));
        if (dropKey !== null && apiKey === dropKey) {
          dropKey = null;
          proxy.dropped++;
          cut();
          return;
        }
        client.write(frame);
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  proxy.port = typeof address === 'object' && address ? address.port : 0;
  return proxy;
}
