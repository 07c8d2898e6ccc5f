/**
 * Test helper: a TCP proxy on 127.0.0.1 in front of one port, that a fault test can cut and heal to
 * make a network partition between processes.
 * - cut(): every connection through it freezes (neither side's bytes are read or passed on, nothing
 *   is closed: to both ends the peer just went silent, as when packets are dropped), and so does
 *   every connection made while it is cut;
 * - heal(): the connections that lived through the cut are closed (as TCP connections whose
 *   retransmissions timed out would be) and new ones flow again.
 * Leaves out: delay, loss of part of a stream, one-way partitions.
 */
import { createServer, Socket, type Server } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket;
}

export class TcpProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<Pair>();
  private isCut = false;
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(port = 0): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this.port;
  }

  private accept(client: Socket): void {
    const upstream = new Socket();
    const pair = { client, upstream };
    this.pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    upstream.connect(this.targetPort, '127.0.0.1');
    if (this.isCut) {
      // Frozen from the start: nothing read, nothing passed on (pipe would resume the streams).
      client.pause();
      upstream.pause();
      return;
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  get connections(): number {
    return this.pairs.size;
  }

  cut(): void {
    this.isCut = true;
    for (const { client, upstream } of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  heal(): void {
    this.isCut = false;
    for (const { client, upstream } of [...this.pairs]) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.heal();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
