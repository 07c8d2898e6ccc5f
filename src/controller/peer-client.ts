/**
 * A Kafka-protocol client to other nodes (the voters of `controller.quorum.voters`, or brokers): one
 * connection per peer through the Transport port (TCP sockets by default, in memory in src/sim/), opened on first use and reopened after a failure (no more often than
 * `reconnectBackoffMs`), requests framed with encodeFrame/writeRequestHeader and matched to their
 * responses by correlation id. `request()` resolves with the decoded response or rejects (connection
 * lost, peer unreachable, response timeout, undecodable frame); the Raft core simply resends later.
 * Responses larger than `maxResponseBytes` close the connection before anything is allocated.
 * TLS and SASL are the transport's business (src/node/node-transports.ts: a request waits until its
 * connection has authenticated). Leaves out: ApiVersions negotiation (the versions sent are fixed:
 * all our nodes speak them).
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { encodeFrame, readResponseHeader, writeRequestHeader } from '../../protocol/frame.js';
import { Reader } from '../../protocol/primitives/index.js';
import type { Clock } from '../common/clock.js';
import { schedulerFor, type Timer } from '../common/scheduler.js';
import {
  SocketTransport,
  type Transport,
  type TransportAddress,
  type TransportConnection,
} from '../common/transport.js';
import { PeerRequestError } from './errors.js';
export { PeerRequestError };

export type PeerAddress = TransportAddress;

interface Pending {
  readonly settle: (error: Error | null, body: Reader | null) => void;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly deadline: number;
}

class PeerConnection {
  private connection: TransportConnection | null = null;
  private pending = new Map<number, Pending>();
  private lastAttemptMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly id: number,
    private readonly address: PeerAddress,
    private readonly options: Required<PeerClientOptions>,
  ) {}

  send(correlationId: number, frame: Buffer[], pending: Pending): void {
    const now = this.options.clock.now();
    if (!this.connection) {
      if (now < this.lastAttemptMs + this.options.reconnectBackoffMs) {
        pending.settle(new PeerRequestError(`node ${this.id} is unreachable (backing off)`, this.id), null);
        return;
      }
      this.open(now);
    }
    this.pending.set(correlationId, pending);
    this.connection?.send(frame);
  }

  private open(now: number): void {
    this.lastAttemptMs = now;
    const connection = this.options.transport.connect(
      this.address,
      {
        onOpen: () => {},
        onFrame: (frame) => this.onFrame(frame),
        onClose: (reason) => {
          if (this.connection === connection) this.fail(reason);
        },
      },
      this.options.maxResponseBytes,
    );
    this.connection = connection;
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const pending = this.pending.get(correlationId);
    if (!pending) return; // timed out already
    this.pending.delete(correlationId);
    try {
      const r = new Reader(frame);
      readResponseHeader(r, pending.apiKey, pending.apiVersion);
      pending.settle(null, r);
    } catch (err) {
      pending.settle(err instanceof Error ? err : new Error(String(err)), null);
    }
  }

  /** Rejects requests whose deadline passed; returns how many are still waiting. */
  expire(now: number): number {
    for (const [id, p] of this.pending) {
      if (now >= p.deadline) {
        this.pending.delete(id);
        p.settle(new PeerRequestError(`request to node ${this.id} timed out`, this.id, 'timeout'), null);
      }
    }
    return this.pending.size;
  }

  fail(reason: string): void {
    const connection = this.connection;
    this.connection = null;
    connection?.close();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.settle(new PeerRequestError(`node ${this.id}: ${reason}`, this.id), null);
  }
}

export interface PeerClientOptions {
  /** Request deadlines; its timers are the clock's own when it is a Scheduler, else Node's. */
  readonly clock: Clock;
  /** How connections are opened; defaults to TCP sockets. */
  readonly transport?: Transport;
  readonly clientId?: string;
  readonly requestTimeoutMs?: number;
  readonly reconnectBackoffMs?: number;
  readonly maxResponseBytes?: number;
}

export class PeerClient {
  private readonly connections = new Map<number, PeerConnection>();
  private readonly options: Required<PeerClientOptions>;
  private correlationId = 0;
  private timer: Timer | null = null;
  private closed = false;

  constructor(peers: ReadonlyMap<number, PeerAddress>, options: PeerClientOptions) {
    this.options = {
      clientId: 'raft-client',
      requestTimeoutMs: 2000,
      reconnectBackoffMs: 50,
      maxResponseBytes: 64 * 1024 * 1024,
      ...options,
      transport: options.transport ?? new SocketTransport(),
    };
    for (const [id, address] of peers) this.connections.set(id, new PeerConnection(id, address, this.options));
  }

  knows(peer: number): boolean {
    return this.connections.has(peer);
  }

  request<Req, Res>(
    peer: number,
    api: ApiDefinition<Req, Res>,
    apiVersion: number,
    body: Req,
    timeoutMs?: number,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const connection = this.connections.get(peer);
      if (!connection || this.closed) {
        reject(new PeerRequestError(`node ${peer} is not a known peer`, peer, 'unknown-peer'));
        return;
      }
      const correlationId = (this.correlationId = (this.correlationId + 1) | 0);
      let frame: Buffer[];
      try {
        frame = encodeFrame((w) => {
          writeRequestHeader(w, {
            requestApiKey: api.apiKey,
            requestApiVersion: apiVersion,
            correlationId,
            clientId: this.options.clientId,
          });
          api.encodeRequest(w, apiVersion, body);
        });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      const deadline = this.options.clock.now() + (timeoutMs ?? this.options.requestTimeoutMs);
      connection.send(correlationId, frame, {
        apiKey: api.apiKey,
        apiVersion,
        deadline,
        settle: (error, r) => {
          if (error || !r) {
            reject(error ?? new Error('no response'));
            return;
          }
          try {
            resolve(api.decodeResponse(r, apiVersion));
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        },
      });
      this.armTimer();
    });
  }

  private armTimer(): void {
    if (this.timer || this.closed) return;
    this.timer = schedulerFor(this.options.clock).every(100, () => {
      const now = this.options.clock.now();
      let waiting = 0;
      for (const c of this.connections.values()) waiting += c.expire(now);
      if (waiting === 0 && this.timer) {
        this.timer.cancel();
        this.timer = null;
      }
    });
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = null;
    for (const c of this.connections.values()) c.fail('client closed');
  }
}
