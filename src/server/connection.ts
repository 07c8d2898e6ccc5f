/**
 * One client connection: splits the byte stream into frames on the 4-byte size,
 * refusing frames over `socket.request.max.bytes` before allocating; dispatches each
 * frame; writes responses in request order even when handlers finish out of order;
 * pauses reading while `queued.max.requests` are in flight; closes when idle. A response that
 * carries a quota throttle is sent at once, then the connection reads no further request for
 * that long (KIP-219: the channel is muted after the response).
 */
import type { Socket } from 'node:net';
import type { Logger } from '../common/logger.js';
import { NodeScheduler, type Scheduler, type Timer } from '../common/scheduler.js';
import type { ConnectionInfo, DispatchResult, Dispatcher } from './dispatcher.js';
import type { SaslAuthenticator } from './sasl/authenticator.js';

export interface ConnectionLimits {
  maxRequestBytes: number;
  maxInFlight: number;
  idleMs: number;
}

/** Settled responses up to this size are copied into one buffer for a single socket write. */
const COALESCE_MAX_BYTES = 64 * 1024;

/** A dispatched request: its response once settled, and the promise until then. */
interface PendingResponse {
  promise: Promise<DispatchResult>;
  result: DispatchResult | null;
}

export class Connection {
  private chunks: Buffer[] = [];
  /** Bytes of `chunks[0]` already taken (read position in the first chunk, so taking a frame does not re-slice it). */
  private headOffset = 0;
  private buffered = 0;
  private inFlight = 0;
  /** Responses in request order; each resolves to what to send. */
  private queue: PendingResponse[] = [];
  private draining = false;
  /** Settled response bytes not yet written (see drain). */
  private gathered: Buffer[] = [];
  private gatheredBytes = 0;
  private closed = false;
  /** While a quota throttle runs: no request is read until it fires. */
  private muteTimer: Timer | null = null;
  private mutedUntil = 0;

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
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (err) => this.log.debug({ err, conn: info.connectionId }, 'socket error'));
    socket.on('close', () => {
      this.closed = true;
      this.muteTimer?.cancel();
      this.onClose(this);
    });
  }

  /** Closes the socket; logged once, at `level` (info for protocol errors, debug for routine closes). */
  close(reason: string, level: 'info' | 'debug' = 'debug'): void {
    if (this.closed) return;
    this.closed = true;
    this.log[level]({ conn: this.info.connectionId, reason }, 'closing connection');
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    this.chunks.push(data);
    this.buffered += data.length;
    this.extractFrames();
  }

  private peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length - this.headOffset >= 4) return first.readInt32BE(this.headOffset);
    this.gatherHead();
    return this.chunks[0]!.readInt32BE(0);
  }

  /** Joins every buffered chunk into one, starting at the read position. */
  private gatherHead(): void {
    const first = this.chunks[0]!;
    this.chunks[0] = first.subarray(this.headOffset);
    this.headOffset = 0;
    this.chunks = [Buffer.concat(this.chunks, this.buffered)];
  }

  /** Drops `size` bytes (size prefixes) without making a view of them. */
  private skip(size: number): void {
    if (this.chunks[0]!.length - this.headOffset < size) this.gatherHead();
    this.advance(size);
  }

  private take(size: number): Buffer {
    if (size === 0) return Buffer.alloc(0);
    if (this.chunks[0]!.length - this.headOffset < size) this.gatherHead();
    const out = this.chunks[0]!.subarray(this.headOffset, this.headOffset + size);
    this.advance(size);
    return out;
  }

  private advance(size: number): void {
    this.headOffset += size;
    this.buffered -= size;
    if (this.headOffset === this.chunks[0]!.length) {
      this.chunks.shift();
      this.headOffset = 0;
    }
  }

  private extractFrames(): void {
    while (!this.closed && this.muteTimer === null && this.buffered >= 4) {
      const size = this.peekSize();
      const limit = this.authenticator
        ? this.authenticator.maxFrameBytes(this.limits.maxRequestBytes)
        : this.limits.maxRequestBytes;
      if (size < 0 || size > limit) {
        this.log.warn(
          { conn: this.info.connectionId, size, client: this.info.clientHost },
          'frame size out of bounds; closing',
        );
        this.close('frame size');
        return;
      }
      if (this.buffered < 4 + size) return;
      this.skip(4);
      const frame = this.take(size);
      this.submit(frame);
    }
  }

  private submit(frame: Buffer): void {
    this.inFlight++;
    if (this.inFlight >= this.limits.maxInFlight) this.socket.pause();
    const promise = this.authenticator ? this.authenticator.submit(frame) : this.dispatcher.dispatch(frame, this.info);
    const pending: PendingResponse = { promise, result: null };
    pending.promise.then(
      (result) => (pending.result = result),
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
        if (this.inFlight < this.limits.maxInFlight && this.socket.isPaused() && this.muteTimer === null)
          this.socket.resume();
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
    if (this.inFlight < this.limits.maxInFlight) this.socket.resume();
    this.extractFrames();
  }

  /** Writes the gathered response bytes: one buffer when small, else the chunks under one cork (no copy of large record data). */
  private sendGathered(): void {
    const chunks = this.gathered;
    if (chunks.length === 0) return;
    if (chunks.length === 1) this.socket.write(chunks[0]!);
    else if (this.gatheredBytes <= COALESCE_MAX_BYTES) this.socket.write(Buffer.concat(chunks, this.gatheredBytes));
    else {
      this.socket.cork();
      for (const chunk of chunks) this.socket.write(chunk);
      this.socket.uncork();
    }
    this.gathered = [];
    this.gatheredBytes = 0;
  }
}
