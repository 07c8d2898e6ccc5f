/**
 * The inter-broker Transport port: how one node opens a connection to another node's listener,
 * sends size-prefixed Kafka request frames on it, receives whole response frames back (in the
 * order sent, as over TCP) and learns that the connection closed (refused, reset, shut down).
 * The Raft peer client, broker registration and heartbeats, forwarding, AlterPartition and the
 * follower fetchers all reach other nodes through it (controller/peer-client.ts).
 * SocketTransport is the real one: plain TCP, or TLS (node:tls) with the options it was given,
 * then an optional authentication step (SASL, built by src/node/node-transports.ts) run on the open
 * connection before any queued frame is sent: the owner hears onOpen only once it succeeded, and a
 * failure closes the connection with its reason. The simulation's SimTransport
 * (src/sim/sim-transport.ts) carries frames in memory with seeded delay, loss, partitions and crashes.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { nodeTls } from './node-tls.js';
import { responseFramePool } from './frame-pool.js';
import { FrameReader } from './frame-reader.js';

export interface TransportAddress {
  readonly host: string;
  readonly port: number;
}

/** What a connection tells its owner. No callback runs after the owner called close(). */
export interface ConnectionEvents {
  /** The connection is open; frames sent before this were queued and go now. */
  onOpen(): void;
  /** One response frame, without its 4-byte size prefix. */
  onFrame(frame: Buffer): void;
  /** The connection failed or closed (refused, reset, a frame too large, the peer went away). */
  onClose(reason: string): void;
}

export interface TransportConnection {
  /** Sends one size-prefixed frame (queued until the connection is open). */
  send(frame: readonly Buffer[]): void;
  /** Closes it; no event follows. */
  close(): void;
}

export interface Transport {
  /**
   * Opens a connection to `address`. Response frames larger than `maxFrameBytes` close it before
   * anything is allocated for them.
   */
  connect(address: TransportAddress, events: ConnectionEvents, maxFrameBytes: number): TransportConnection;
}

/** One request/response exchange on a connection that is being authenticated (one at a time). */
export interface HandshakeLink {
  /** host:port, for messages. */
  readonly address: string;
  /** Sends one size-prefixed request frame; resolves with the next response frame (without its size). */
  exchange(frame: readonly Buffer[]): Promise<Buffer>;
}

export interface SocketTransportOptions {
  /** Connect with TLS (SSL and SASL_SSL listeners) with these options; plain TCP without. */
  readonly tls?: ConnectionOptions;
  /** Runs on each new connection before anything else is sent (SASL); a rejection closes it with its message. */
  readonly authenticate?: (link: HandshakeLink) => Promise<void>;
}

/** TCP (or TLS) with Kafka's 4-byte size framing, and an optional authentication step. */
export class SocketTransport implements Transport {
  constructor(private readonly options: SocketTransportOptions = {}) {}

  connect(address: TransportAddress, events: ConnectionEvents, maxFrameBytes: number): TransportConnection {
    return new SocketConnection(address, events, maxFrameBytes, this.options);
  }
}

class SocketConnection implements TransportConnection {
  private readonly socket: Socket;
  private open = false;
  /** While authenticating: who waits for the next response frame. */
  private handshakeWaiter: ((frame: Buffer | Error) => void) | null = null;
  private closed = false;
  private queue: Array<readonly Buffer[]> = [];
  /**
   * Response frames are read straight into buffers sized from their prefix (Node's onread) on
   * plain TCP; TLS sockets hand over decrypted chunks, copied once into the frame they belong to.
   */
  private readonly reader: FrameReader;

  constructor(
    address: TransportAddress,
    private readonly events: ConnectionEvents,
    maxFrameBytes: number,
    private readonly options: SocketTransportOptions,
  ) {
    this.reader = new FrameReader(
      {
        onFrame: (frame) => this.onFrame(frame),
        onBadSize: (size) => this.fail(`response frame of ${size} bytes`),
      },
      maxFrameBytes,
      4,
      // Large frames in recycled buffers: the replica fetcher gives its Fetch responses back.
      (size) => responseFramePool.take(size),
    );
    const tls = options.tls;
    const where = `${address.host}:${address.port}`;
    let socket: Socket;
    if (tls) {
      socket = nodeTls().connect({
        ...tls,
        host: address.host,
        port: address.port,
        // SNI takes host names only
        ...(isIP(address.host) === 0 ? { servername: address.host } : {}),
      });
      socket.on('data', (chunk: Buffer) => this.reader.consume(chunk, 0, chunk.length));
      socket.on('secureConnect', () => this.connected(where));
    } else {
      socket = netConnect({
        port: address.port,
        host: address.host,
        onread: {
          buffer: () => this.reader.nextBuffer(),
          callback: (bytes) => {
            this.reader.onRead(bytes);
            return true;
          },
        },
      });
      socket.on('connect', () => this.connected(where));
    }
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('error', (err: Error) => this.fail(`connection error: ${err.message}`));
    socket.on('close', () => this.fail('connection closed'));
  }

  /** The socket (and TLS) is up: authenticate first when asked to, then send what was queued. */
  private connected(address: string): void {
    const authenticate = this.options.authenticate;
    if (!authenticate) {
      this.ready();
      return;
    }
    const link: HandshakeLink = {
      address,
      exchange: (frame) =>
        new Promise<Buffer>((resolveFrame, reject) => {
          if (this.closed) {
            reject(new Error('connection closed'));
            return;
          }
          this.handshakeWaiter = (answer) => (answer instanceof Error ? reject(answer) : resolveFrame(answer));
          this.write(frame);
        }),
    };
    authenticate(link).then(
      () => this.ready(),
      (err: unknown) => this.fail(`authentication failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  private ready(): void {
    if (this.closed) return;
    this.open = true;
    for (const frame of this.queue.splice(0)) this.write(frame);
    if (!this.closed) this.events.onOpen();
  }

  private onFrame(frame: Buffer): void {
    if (this.closed) return;
    const waiter = this.handshakeWaiter;
    this.handshakeWaiter = null;
    if (waiter) waiter(frame);
    else if (this.open) this.events.onFrame(frame);
  }

  send(frame: readonly Buffer[]): void {
    if (this.closed) return;
    if (this.open) this.write(frame);
    else this.queue.push(frame);
  }

  /** One frame's chunks under one cork: one socket write, not one per chunk. */
  private write(frame: readonly Buffer[]): void {
    if (frame.length === 1) {
      this.socket.write(frame[0]!);
      return;
    }
    this.socket.cork();
    for (const chunk of frame) this.socket.write(chunk);
    this.socket.uncork();
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.shutdown();
    this.events.onClose(reason);
  }

  close(): void {
    if (this.closed) return;
    this.shutdown();
  }

  private shutdown(): void {
    this.closed = true;
    const waiter = this.handshakeWaiter;
    this.handshakeWaiter = null;
    waiter?.(new Error('connection closed'));
    this.queue = [];
    this.reader.stop();
    this.socket.removeAllListeners();
    this.socket.on('error', () => {});
    this.socket.destroy();
  }
}

/** What a listener's server side answers to one request frame (the dispatcher's result). */
export type ServedFrame =
  { kind: 'respond'; frame: Buffer[]; thenClose?: string } | { kind: 'none' } | { kind: 'close'; reason: string };

/** The client end of a connection, as the server side sees it. */
export interface RemoteClient {
  readonly connectionId: number;
  readonly host: string;
  readonly port: number;
}

/** Serves one request frame (without its size prefix) that arrived on a connection from `client`. */
export type FrameServer = (frame: Buffer, client: RemoteClient) => Promise<ServedFrame>;

/**
 * A transport that also hosts listeners in the process (the simulation): a node's listener serves
 * frames without a socket. Real brokers listen on sockets instead (src/broker/broker.ts).
 */
export interface ListenerHost {
  /** Binds `host:port` to `serve` (PLAINTEXT only); returns the port bound. */
  listen(host: string, port: number, serve: FrameServer): number;
}
