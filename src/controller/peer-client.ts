/**
 * A Kafka-protocol client to the other controllers (the voters of `controller.quorum.voters`): one TCP
 * connection per peer, opened on first use and reopened after a failure (no more often than
 * `reconnectBackoffMs`), requests framed with encodeFrame/writeRequestHeader and matched to their
 * responses by correlation id. `request()` resolves with the decoded response or rejects (connection
 * lost, peer unreachable, response timeout, undecodable frame); the Raft core simply resends later.
 * Responses larger than `maxResponseBytes` close the connection before anything is allocated.
 * Leaves out: TLS/SASL on the controller listener, ApiVersions negotiation (the versions sent are
 * fixed: all our nodes speak them).
 */
import { Socket } from 'node:net';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { encodeFrame, readResponseHeader, writeRequestHeader } from '../../protocol/frame.js';
import { Reader } from '../../protocol/primitives/index.js';
import type { Clock } from '../common/clock.js';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export class PeerRequestError extends Error {
  constructor(
    message: string,
    readonly peer: number,
    /** `unreachable`: the connection was refused, reset or closed (or is backing off after that); `timeout`: no answer in time. */
    readonly kind: 'unreachable' | 'timeout' | 'unknown-peer' = 'unreachable',
  ) {
    super(message);
    this.name = 'PeerRequestError';
  }
}

interface Pending {
  readonly settle: (error: Error | null, body: Reader | null) => void;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly deadline: number;
}

class PeerConnection {
  private socket: Socket | null = null;
  private connected = false;
  private queue: Buffer[][] = [];
  private pending = new Map<number, Pending>();
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private lastAttemptMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly id: number,
    private readonly address: PeerAddress,
    private readonly options: Required<PeerClientOptions>,
  ) {}

  send(correlationId: number, frame: Buffer[], pending: Pending): void {
    const now = this.options.clock.now();
    if (!this.socket) {
      if (now < this.lastAttemptMs + this.options.reconnectBackoffMs) {
        pending.settle(new PeerRequestError(`node ${this.id} is unreachable (backing off)`, this.id), null);
        return;
      }
      this.open(now);
    }
    this.pending.set(correlationId, pending);
    if (this.connected) this.write(frame);
    else this.queue.push(frame);
  }

  private open(now: number): void {
    this.lastAttemptMs = now;
    const socket = new Socket();
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.connected = true;
      for (const frame of this.queue.splice(0)) this.write(frame);
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.fail('connection error'));
    socket.on('close', () => this.fail('connection closed'));
    socket.connect(this.address.port, this.address.host);
  }

  private write(frame: Buffer[]): void {
    for (const chunk of frame) this.socket?.write(chunk);
  }

  private onData(chunk: Buffer): void {
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    for (;;) {
      if (this.bufferedBytes < 4) return;
      const head = this.buffered.length === 1 ? (this.buffered[0] as Buffer) : Buffer.concat(this.buffered);
      this.buffered = [head];
      const size = head.readInt32BE(0);
      if (size < 4 || size > this.options.maxResponseBytes) {
        this.fail(`response frame of ${size} bytes`);
        return;
      }
      if (head.length < 4 + size) return;
      const frame = head.subarray(4, 4 + size);
      const rest = head.subarray(4 + size);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
      this.onFrame(frame);
    }
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
    const socket = this.socket;
    this.socket = null;
    this.connected = false;
    this.queue = [];
    this.buffered = [];
    this.bufferedBytes = 0;
    if (socket) {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
    }
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.settle(new PeerRequestError(`node ${this.id}: ${reason}`, this.id), null);
  }
}

export interface PeerClientOptions {
  readonly clock: Clock;
  readonly clientId?: string;
  readonly requestTimeoutMs?: number;
  readonly reconnectBackoffMs?: number;
  readonly maxResponseBytes?: number;
}

export class PeerClient {
  private readonly connections = new Map<number, PeerConnection>();
  private readonly options: Required<PeerClientOptions>;
  private correlationId = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(peers: ReadonlyMap<number, PeerAddress>, options: PeerClientOptions) {
    this.options = {
      clientId: 'raft-client',
      requestTimeoutMs: 2000,
      reconnectBackoffMs: 50,
      maxResponseBytes: 64 * 1024 * 1024,
      ...options,
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
    this.timer = setInterval(() => {
      const now = this.options.clock.now();
      let waiting = 0;
      for (const c of this.connections.values()) waiting += c.expire(now);
      if (waiting === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    }, 100);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const c of this.connections.values()) c.fail('client closed');
  }
}
