/**
 * Splits a byte stream into Kafka's size-prefixed frames, for sockets read with Node's `onread`
 * (net.connect: the caller supplies the buffer each read goes into). Once a frame's 4-byte size is
 * known, a buffer of exactly that size is allocated and the following reads go straight into the rest
 * of it, so a large frame (a follower's 1 MB fetch response) is written once, by the kernel, and handed
 * over without being joined from 64 KiB chunks. Between frames, reads go into a reusable scratch
 * buffer, and the (small) frames found there are copied out of it.
 * A size below `minFrameBytes` or above `maxFrameBytes` stops the reader before anything is allocated;
 * `maxFrameBytes` may be a function, asked at each size prefix (a SASL connection allows only small
 * frames until it has authenticated).
 * Used by the inter-broker transport (net.connect's onread) and by the client connections of the
 * listeners (server/connection.ts, through server/user-buffer-reads.ts on plain TCP).
 */

const SCRATCH_BYTES = 64 * 1024;

export interface FrameReaderEvents {
  /** One whole frame, without its size prefix; the reader never touches it again. */
  onFrame(frame: Buffer): void;
  /** A size prefix out of bounds; the reader has stopped. */
  onBadSize(size: number): void;
}

export class FrameReader {
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  private readonly header = Buffer.allocUnsafe(4);
  private headerBytes = 0;
  /** The frame being filled, and how much of it is. */
  private frame: Buffer | null = null;
  private filled = 0;
  /** Whether the buffer last handed out is the rest of `frame` (else the scratch buffer). */
  private readingIntoFrame = false;
  private stopped = false;

  constructor(
    private readonly events: FrameReaderEvents,
    private readonly maxFrameBytes: number | (() => number),
    private readonly minFrameBytes = 0,
    /** Where a frame's buffer comes from (server/frame-pool.ts recycles large Produce frames). */
    private readonly allocate: (size: number) => Buffer = (size) => Buffer.allocUnsafe(size),
  ) {}

  /** The buffer the next socket read goes into (onread's `buffer` function). */
  nextBuffer(): Buffer {
    const frame = this.frame;
    this.readingIntoFrame = frame !== null && this.filled < frame.length;
    return this.readingIntoFrame ? frame!.subarray(this.filled) : this.scratch;
  }

  /** `bytes` arrived in the buffer `nextBuffer` handed out last (onread's `callback`). */
  onRead(bytes: number): void {
    if (this.stopped || bytes <= 0) return;
    if (this.readingIntoFrame) {
      this.filled += bytes;
      if (this.filled === this.frame!.length) this.emit();
      return;
    }
    this.consume(this.scratch, 0, bytes);
  }

  /** No frame is delivered after this. */
  stop(): void {
    this.stopped = true;
    this.frame = null;
  }

  /** Takes bytes [at, end) of `data` (reads that went elsewhere than straight into a frame; tests). */
  consume(data: Buffer, at: number, end: number): void {
    while (at < end && !this.stopped) {
      if (this.frame === null) {
        const headerPart = Math.min(4 - this.headerBytes, end - at);
        data.copy(this.header, this.headerBytes, at, at + headerPart);
        this.headerBytes += headerPart;
        at += headerPart;
        if (this.headerBytes < 4) return;
        this.headerBytes = 0;
        const size = this.header.readInt32BE(0);
        const max = typeof this.maxFrameBytes === 'number' ? this.maxFrameBytes : this.maxFrameBytes();
        if (size < this.minFrameBytes || size > max) {
          this.stop();
          this.events.onBadSize(size);
          return;
        }
        this.frame = this.allocate(size);
        this.filled = 0;
        if (size === 0) {
          this.emit();
          continue;
        }
      }
      const frame: Buffer = this.frame;
      const part = Math.min(frame.length - this.filled, end - at);
      data.copy(frame, this.filled, at, at + part);
      this.filled += part;
      at += part;
      if (this.filled === frame.length) this.emit();
    }
  }

  private emit(): void {
    const frame = this.frame!;
    this.frame = null;
    this.filled = 0;
    this.events.onFrame(frame);
  }
}
