/**
 * Test helper: a TCP proxy on 127.0.0.1 in front of one broker port that reads the Kafka frames it
 * passes on, to see what a client does with Produce requests:
 * - `maxProduceInFlight`: the most Produce requests of one connection sent and not yet answered at
 *   once (a pipelining producer has several; one waiting for each answer has 1);
 * - `loseProduceAnswer(n)`: the n-th Produce request (from 1, over all connections) reaches the
 *   broker, which writes it, but its answer is dropped and the client's connection is closed, as
 *   when a connection breaks after the append: the client has to retry a batch the broker wrote.
 * The broker must advertise the proxy's port (advertised.listeners) so every client connection
 * comes through it. Leaves out: TLS, requests split in ways other than Kafka's length prefix.
 */
import { createServer, Socket, type Server } from 'node:net';

const PRODUCE_API_KEY = 0;

/** Cuts a byte stream into Kafka frames (4-byte big-endian length prefix), one callback a frame. */
class FrameSplitter {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (frame: Buffer) => void) {}

  push(data: Buffer): void {
    this.buffered = this.buffered.length === 0 ? data : Buffer.concat([this.buffered, data]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(0, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      this.onFrame(frame);
    }
  }
}

export class ProduceProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private producesSeen = 0;
  private loseAnswerOf = 0;
  /** How many Produce answers were dropped (their connection closed). */
  answersLost = 0;
  maxProduceInFlight = 0;
  produceRequests = 0;

  constructor(private readonly targetPort: number) {}

  /** Drop the answer of the n-th Produce request from now on (counting from 1) and close its connection. */
  loseProduceAnswer(n: number): void {
    this.loseAnswerOf = this.producesSeen + n;
  }

  async start(port: number): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  }

  private accept(client: Socket): void {
    const upstream = new Socket();
    this.sockets.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    /** Produce requests of this connection not answered yet: correlation id → whether to lose the answer. */
    const produces = new Map<number, boolean>();
    const requests = new FrameSplitter((frame) => {
      if (frame.length >= 12 && frame.readInt16BE(4) === PRODUCE_API_KEY) {
        this.producesSeen++;
        this.produceRequests++;
        // acks=0 requests get no answer and stay counted: use acks 1 or all.
        produces.set(frame.readInt32BE(8), this.producesSeen === this.loseAnswerOf);
        this.maxProduceInFlight = Math.max(this.maxProduceInFlight, produces.size);
      }
      upstream.write(frame);
    });
    const answers = new FrameSplitter((frame) => {
      const correlationId = frame.readInt32BE(4);
      const lose = produces.get(correlationId);
      produces.delete(correlationId);
      if (lose === true) {
        this.answersLost++;
        drop();
        return;
      }
      client.write(frame);
    });
    client.on('data', (d: Buffer) => requests.push(d));
    upstream.on('data', (d: Buffer) => answers.push(d));
    upstream.connect(this.targetPort, '127.0.0.1');
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
