/**
 * One client connection: splits the byte stream into frames on the 4-byte size,
 * refusing frames over `socket.request.max.bytes` before allocating; dispatches each
 * frame; writes responses in request order even when handlers finish out of order;
 * pauses reading while `queued.max.requests` are in flight; closes when idle. Pipelined requests run
 * at once, except JoinGroup and SyncGroup, which run alone as on Kafka (request-order.ts). A response that
 * carries a quota throttle is sent at once, then the connection reads no further request for
 * that long (KIP-219: the channel is muted after the response).
 * Turns: once a connection has read `readTurnBytes` of requests (512 KiB by default) since it last
 * stopped, it stops reading until the event loop has served the other sockets that are ready (Kafka's
 * broker mutes a connection from reading a request until answering it, so no connection holds the others
 * up). Without it a producer with pipelined 1 MB requests keeps the event loop in its read loop (libuv
 * reads a socket up to 32 times a turn, each Produce handled as it is read) while a consumer's Fetch
 * waits unread: 5-40 ms per fetch at 550 MB/s (docs/benchmarks.md, "End-to-end latency, session 22").
 */
import type { Socket } from 'node:net';
import { FrameReader } from '../common/frame-reader.js';
import type { Logger } from '../common/logger.js';
import { NodeScheduler, type Scheduler, type Timer } from '../common/scheduler.js';
import type { ConnectionInfo, DispatchResult, Dispatcher } from './dispatcher.js';
import type { SaslAuthenticator } from './sasl/authenticator.js';
import { isProduceFrame, requestFramePool } from './frame-pool.js';
import { readIntoUserBuffers } from './user-buffer-reads.js';
import { fetchReadBuffers } from '../../storage/read-buffers.js';
import { RequestOrder } from './request-order.js';

export interface ConnectionLimits {
  maxRequestBytes: number;
  maxInFlight: number;
  idleMs: number;
  /** Request bytes read before the connection lets the other sockets have their turn (DEFAULT_READ_TURN_BYTES). */
  readTurnBytes?: number;
}

/**
 * Request bytes a connection reads before it yields the event loop: one large Produce request (1 MB
 * batches) a turn, small requests many to a turn (the count carries over turns: a trickle of small
 * requests yields once per 512 KiB, an immediate's cost).
 */
export const DEFAULT_READ_TURN_BYTES = 512 * 1024;

/** Settled responses up to this size are copied into one buffer for a single socket write. */
const COALESCE_MAX_BYTES = 64 * 1024;

/** A dispatched request: its response once settled, and the promise until then. */
interface PendingResponse {
  promise: Promise<DispatchResult>;
  result: DispatchResult | null;
}

export class Connection {
  /**
   * Splits the stream into frames. On plain TCP the socket reads straight into it (user-buffer-reads.ts):
   * a large frame is received into a buffer of its size; TLS sockets' decrypted chunks are copied once
   * into the frame they belong to.
   */
  private readonly reader: FrameReader;
  /** Whole frames read while a quota throttle mutes the connection (the socket is paused), in order. */
  private held: Buffer[] = [];
  private inFlight = 0;
  /** Responses in request order; each resolves to what to send. */
  private queue: PendingResponse[] = [];
  /** When each request may start: JoinGroup and SyncGroup run alone (request-order.ts). */
  private readonly order = new RequestOrder();
  private draining = false;
  /** Settled response bytes not yet written (see drain). */
  private gathered: Buffer[] = [];
  private gatheredBytes = 0;
  private closed = false;
  /** While a quota throttle runs: no request is read until it fires. */
  private muteTimer: Timer | null = null;
  private mutedUntil = 0;
  /** Request bytes read since the connection last yielded its turn. */
  private readThisTurn = 0;
  /** While the connection has yielded its turn: the immediate that lets it read again. */
  private turnTimer: Timer | null = null;

  constructor(
    private readonly socket: Socket,
    readonly info: ConnectionInfo,
    private readonly dispatcher: Dispatcher,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    private readonly onClose: (c: Connection) => void,
    /** On SASL listeners: gates every frame until the client has authenticated. */
    private readonly authenticator: SaslAuthenticator | null = null,
    private readonly scheduler: Scheduler = new NodeScheduler(),
  ) {
    socket.setNoDelay(true);
    if (limits.idleMs > 0) socket.setTimeout(limits.idleMs, () => this.close('idle'));
    this.reader = new FrameReader(
      { onFrame: (frame) => this.onFrame(frame), onBadSize: (size) => this.onBadSize(size) },
      () => this.maxFrameBytes(),
      0,
      (size) => requestFramePool.take(size),
    );
    if (isTlsSocket(socket) || !readIntoUserBuffers(socket, this.reader))
      socket.on('data', (data: Buffer) => this.reader.consume(data, 0, data.length));
    socket.on('error', (err) => this.log.debug({ err, conn: info.connectionId }, 'socket error'));
    socket.on('close', () => {
      this.closed = true;
      this.muteTimer?.cancel();
      this.turnTimer?.cancel();
      this.onClose(this);
    });
  }

  /** Closes the socket; logged once, at `level` (info for protocol errors, debug for routine closes). */
  close(reason: string, level: 'info' | 'debug' = 'debug'): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.stop();
    this.held = [];
    this.log[level]({ conn: this.info.connectionId, reason }, 'closing connection');
    this.socket.destroy();
  }

  /** The largest request frame allowed now (smaller on a SASL connection until it has authenticated). */
  private maxFrameBytes(): number {
    return this.authenticator
      ? this.authenticator.maxFrameBytes(this.limits.maxRequestBytes)
      : this.limits.maxRequestBytes;
  }

  /** Kafka's Selector WARN for NetworkReceive's InvalidReceiveException (a TLS client on a plaintext port, say). */
  private onBadSize(size: number): void {
    const reason = size < 0 ? `size = ${size}` : `size = ${size} larger than ${this.maxFrameBytes()}`;
    this.log.warn(
      {
        conn: this.info.connectionId,
        err: `org.apache.kafka.common.network.InvalidReceiveException: Invalid receive (${reason})`,
      },
      `Unexpected error from /${this.info.clientHost}; closing connection`,
    );
    this.close('frame size');
  }

  /** A whole request frame: dispatched now, or held while a quota throttle mutes the connection. */
  private onFrame(frame: Buffer): void {
    if (this.closed) return;
    if (this.muteTimer !== null) this.held.push(frame);
    else this.submit(frame);
    this.readThisTurn += frame.length + 4;
    if (this.readThisTurn >= (this.limits.readTurnBytes ?? DEFAULT_READ_TURN_BYTES)) this.yieldTurn();
  }

  /**
   * Stops reading until the event loop has served the other ready sockets: the socket is paused now
   * (libuv's read loop for it ends) and resumed by an immediate, which runs after this turn's poll phase.
   */
  private yieldTurn(): void {
    this.readThisTurn = 0;
    if (this.turnTimer !== null || this.closed) return;
    this.socket.pause();
    this.turnTimer = this.scheduler.soon(() => {
      this.turnTimer = null;
      this.resumeIfAllowed();
    });
  }

  /** Reads again unless something else holds the socket paused: requests in flight, a quota mute, a yielded turn. */
  private resumeIfAllowed(): void {
    if (this.closed || this.muteTimer !== null || this.turnTimer !== null) return;
    if (this.inFlight < this.limits.maxInFlight && this.socket.isPaused()) this.socket.resume();
  }

  private submit(frame: Buffer): void {
    this.inFlight++;
    if (this.inFlight >= this.limits.maxInFlight) this.socket.pause();
    const earlier = (): Promise<DispatchResult>[] => this.queue.map((p) => p.promise);
    const promise = this.order.start(frame, earlier, () =>
      this.authenticator ? this.authenticator.submit(frame) : this.dispatcher.dispatch(frame, this.info),
    );
    const pending: PendingResponse = { promise, result: null };
    // A Produce frame's buffer is reused once answered: its records are in the log by then (frame-pool.ts).
    const recycle = isProduceFrame(frame);
    pending.promise.then(
      (result) => {
        pending.result = result;
        if (recycle) requestFramePool.give(frame);
      },
      () => undefined,
    );
    this.queue.push(pending);
    if (!this.draining) void this.drain();
  }

  /**
   * Sends finished responses strictly in request order. Every response already settled
   * is gathered and goes out in one socket write (copied into one buffer while small,
   * written under one cork when large), so pipelined answers share a write.
   */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const head = this.queue[0]!;
        if (head.result === null) this.sendGathered();
        const result = head.result ?? (await head.promise);
        this.queue.shift();
        this.inFlight--;
        this.resumeIfAllowed();
        if (result.kind === 'close') {
          this.sendGathered();
          this.close(result.reason, 'info');
          return;
        }
        if (result.throttleMs !== undefined) this.mute(result.throttleMs);
        if (result.kind === 'respond') {
          for (const chunk of result.frame) {
            this.gathered.push(chunk);
            this.gatheredBytes += chunk.length;
          }
          if (result.thenClose !== undefined) {
            this.log.info(
              { conn: this.info.connectionId, client: this.info.clientHost, reason: result.thenClose },
              'closing connection after the response',
            );
            this.sendGathered();
            this.socket.end(() => this.socket.destroy());
            this.closed = true;
            return;
          }
        }
      }
    } finally {
      if (!this.socket.destroyed) this.sendGathered();
      this.gathered = [];
      this.gatheredBytes = 0;
      this.draining = false;
    }
  }

  /** Stops reading requests for `ms` (a quota throttle); a longer throttle already running is kept. */
  private mute(ms: number): void {
    if (ms <= 0 || this.closed) return;
    const until = this.scheduler.now() + ms;
    if (until <= this.mutedUntil) return;
    this.mutedUntil = until;
    this.socket.pause();
    this.muteTimer?.cancel();
    this.muteTimer = this.scheduler.after(ms, () => this.unmute());
  }

  private unmute(): void {
    this.muteTimer = null;
    if (this.closed) return;
    this.resumeIfAllowed();
    while (this.held.length > 0 && !this.closed && this.muteTimer === null) this.submit(this.held.shift()!);
  }

  /**
   * Writes the gathered response bytes: one buffer when small, else the chunks under one cork (no copy
   * of large record data). Fetched records read into lent buffers (storage/read-buffers.ts) are given
   * back once the last write's callback says the socket has taken every byte (writes complete in order).
   */
  private sendGathered(): void {
    const chunks = this.gathered;
    if (chunks.length === 0) return;
    const lent = chunks.filter((chunk) => fetchReadBuffers.isLent(chunk));
    const done = lent.length === 0 ? undefined : (): void => fetchReadBuffers.giveBack(lent);
    if (chunks.length === 1) this.socket.write(chunks[0]!, done);
    else if (this.gatheredBytes <= COALESCE_MAX_BYTES)
      this.socket.write(Buffer.concat(chunks, this.gatheredBytes), done);
    else {
      this.socket.cork();
      for (let i = 0; i < chunks.length; i++) this.socket.write(chunks[i]!, i === chunks.length - 1 ? done : undefined);
      this.socket.uncork();
    }
    this.gathered = [];
    this.gatheredBytes = 0;
  }
}

/** A TLS socket (node:tls sets `encrypted` on each), told apart without loading node:tls. */
function isTlsSocket(socket: Socket): boolean {
  return (socket as Socket & { encrypted?: boolean }).encrypted === true;
}
