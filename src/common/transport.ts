/**
 * The inter-broker Transport port: how one node opens a connection to another node's listener,
 * sends size-prefixed Kafka request frames on it, receives whole response frames back (in the
 * order sent, as over TCP) and learns that the connection closed (refused, reset, shut down).
 * The Raft peer client, broker registration and heartbeats, forwarding, AlterPartition and the
 * follower fetchers all reach other nodes through it (controller/peer-client.ts).
 * SocketTransport is the real one (node:net, plain TCP); the simulation's SimTransport
 * (src/sim/sim-transport.ts) carries frames in memory with seeded delay, loss, partitions and crashes.
 * Leaves out: TLS/SASL on inter-broker connections (PLAINTEXT only, as before).
 */
import { connect, type Socket } from 'node:net';
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

/** Plain TCP with Kafka's 4-byte size framing. */
export class SocketTransport implements Transport {
  connect(address: TransportAddress, events: ConnectionEvents, maxFrameBytes: number): TransportConnection {
    return new SocketConnection(address, events, maxFrameBytes);
  }
}

class SocketConnection implements TransportConnection {
  private readonly socket: Socket;
  private open = false;
  private closed = false;
  private queue: Array<readonly Buffer[]> = [];
  /** Response frames are read straight into buffers sized from their prefix (Node's onread). */
  private readonly reader: FrameReader;

  constructor(
    address: TransportAddress,
    private readonly events: ConnectionEvents,
    maxFrameBytes: number,
  ) {
    this.reader = new FrameReader(
      {
        onFrame: (frame) => {
          if (!this.closed) this.events.onFrame(frame);
        },
        onBadSize: (size) => this.fail(`response frame of ${size} bytes`),
      },
      maxFrameBytes,
      4,
    );
    const socket = (this.socket = connect({
      port: address.port,
      host: address.host,
      onread: {
        buffer: () => this.reader.nextBuffer(),
        callback: (bytes) => {
          this.reader.onRead(bytes);
          return true;
        },
      },
    }));
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.open = true;
      for (const frame of this.queue.splice(0)) this.write(frame);
      if (!this.closed) this.events.onOpen();
    });
    socket.on('error', () => this.fail('connection error'));
    socket.on('close', () => this.fail('connection closed'));
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
