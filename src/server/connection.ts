/**
 * One client connection: splits the byte stream into frames on the 4-byte size,
 * refusing frames over `socket.request.max.bytes` before allocating; dispatches each
 * frame; writes responses in request order even when handlers finish out of order;
 * pauses reading while `queued.max.requests` are in flight; closes when idle.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../common/logger.js';
import type { ConnectionInfo, DispatchResult, Dispatcher } from './dispatcher.js';

export interface ConnectionLimits {
  maxRequestBytes: number;
  maxInFlight: number;
  idleMs: number;
}

/** A dispatched request: its response once settled, and the promise until then. */
interface PendingResponse {
  promise: Promise<DispatchResult>;
  result: DispatchResult | null;
}

export class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private inFlight = 0;
  /** Responses in request order; each resolves to what to send. */
  private queue: PendingResponse[] = [];
  private draining = false;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    readonly info: ConnectionInfo,
    private readonly dispatcher: Dispatcher,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    private readonly onClose: (c: Connection) => void,
  ) {
    socket.setNoDelay(true);
    if (limits.idleMs > 0) socket.setTimeout(limits.idleMs, () => this.close('idle'));
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (err) => this.log.debug({ err, conn: info.connectionId }, 'socket error'));
    socket.on('close', () => {
      this.closed = true;
      this.onClose(this);
    });
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.log.debug({ conn: this.info.connectionId, reason }, 'closing connection');
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    this.chunks.push(data);
    this.buffered += data.length;
    this.extractFrames();
  }

  private peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(4, this.buffered));
    return head.readInt32BE(0);
  }

  private take(size: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= size) {
      out = first.subarray(0, size);
      if (first.length === size) this.chunks.shift();
      else this.chunks[0] = first.subarray(size);
    } else {
      const all = Buffer.concat(this.chunks, this.buffered);
      out = all.subarray(0, size);
      this.chunks = all.length > size ? [all.subarray(size)] : [];
    }
    this.buffered -= size;
    return out;
  }

  private extractFrames(): void {
    while (!this.closed && this.buffered >= 4) {
      const size = this.peekSize();
      if (size < 0 || size > this.limits.maxRequestBytes) {
        this.log.warn({ conn: this.info.connectionId, size, client: this.info.clientHost }, 'frame size out of bounds; closing');
        this.close('frame size');
        return;
      }
      if (this.buffered < 4 + size) return;
      this.take(4);
      const frame = this.take(size);
      this.submit(frame);
    }
  }

  private submit(frame: Buffer): void {
    this.inFlight++;
    if (this.inFlight >= this.limits.maxInFlight) this.socket.pause();
    const pending: PendingResponse = { promise: this.dispatcher.dispatch(frame, this.info), result: null };
    pending.promise.then(
      (result) => (pending.result = result),
      () => undefined,
    );
    this.queue.push(pending);
    void this.drain();
  }

  /**
   * Sends finished responses strictly in request order. Every response already settled
   * goes out under one cork, so pipelined answers share a socket write.
   */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    let corked = false;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const head = this.queue[0]!;
        if (head.result === null && corked) {
          this.socket.uncork();
          corked = false;
        }
        const result = head.result ?? (await head.promise);
        this.queue.shift();
        this.inFlight--;
        if (this.inFlight < this.limits.maxInFlight && this.socket.isPaused()) this.socket.resume();
        if (result.kind === 'close') {
          this.log.info({ conn: this.info.connectionId, reason: result.reason }, 'closing connection');
          this.close(result.reason);
          return;
        }
        if (result.kind === 'respond') {
          if (!corked) {
            this.socket.cork();
            corked = true;
          }
          for (const chunk of result.frame) this.socket.write(chunk);
        }
      }
    } finally {
      if (corked && !this.socket.destroyed) this.socket.uncork();
      this.draining = false;
    }
  }
}
