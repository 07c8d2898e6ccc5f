/**
 * Write-behind of segment appends on a worker thread, so that the copy of a large append into the
 * page cache (the kernel's `pwrite` copy, which on this project's benchmark machine costs as much as
 * the rest of a produce together: docs/benchmarks.md) runs on the other core while the event loop
 * reads and checks the next request.
 *
 * Who may hand a buffer to it: only memory in a SharedArrayBuffer (the worker writes from the very
 * bytes, no copy), and only a caller that leaves those bytes untouched until `settled()` has
 * resolved. In Gregor that is the Produce path alone: its request frames come from a pool of shared
 * buffers (src/server/frame-pool.ts), and the Produce handler awaits `settled()` before it answers,
 * so an answer still means "in the page cache", as with a synchronous write, and the frame goes back
 * to its pool only then. Every other buffer is written synchronously, as before.
 *
 * What keeps the file's content and order as with synchronous writes (storage/fs.ts NodeFileHandle):
 * - one worker, one FIFO: writes land in the order they were submitted;
 * - a handle with writes in flight waits for them (`waitFor`, Atomics.wait on the event loop, for at
 *   most one in-flight append's copy) before any other operation: a synchronous write, a truncation, a
 *   sync, a close, a size, or a read of a range that reaches the pending writes. So no synchronous
 *   write ever lands ahead of an earlier pending one (no hole a crash could leave), and nothing reads
 *   bytes that are not there yet;
 * - a failed write fails every later write of the same descriptor (no data after a hole); the handle
 *   throws the error at its next operation, which takes the log dir offline as a synchronous failure
 *   does, and `settled()` reports it so the Produce answer for it is KAFKA_STORAGE_ERROR, not NONE.
 * A kill -9 loses writes still in flight, which no client was told about.
 *
 * The worker starts only once a process has submitted WORKER_AFTER_BYTES through this path (until
 * then those writes are synchronous): an idle or test broker never pays its ~5 MiB and start-up.
 * It hands off only while such copies are dear (HANDOFF_NS_PER_BYTE, measured on the appends
 * themselves, in place or in the worker): when they are cheap, the hand-off costs more than it saves.
 * The mode (`GREGOR_WRITE_BEHIND`, read by the broker at start): `off` (the default: see
 * docs/benchmarks.md, "Write-behind", for why), `auto` (hand off while copies are dear), `always`
 * (every large append, whatever its copies cost: tests, comparisons).
 */
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import type { Worker } from 'node:worker_threads';

type WorkerThreads = typeof import('node:worker_threads');

/** Bytes submitted before the worker is started (they are written synchronously meanwhile). */
const WORKER_AFTER_BYTES = 64 * 1024 * 1024;
/**
 * Above this cost of the page-cache copy (ns per byte, ~2.9 GB/s) a large append goes to the worker;
 * below it the hand-off (a message each way, a wake-up of each thread) costs more than it saves. On
 * the project machine a copy into page-cache pages the guest has used before runs at ~7 GB/s (0.14),
 * into pages new to it (free page reporting hands freed memory back to the host) at 1.3-1.7 GB/s
 * (0.6-0.8): docs/benchmarks.md, "Write-behind".
 */
const HANDOFF_NS_PER_BYTE = 0.35;
/** Writes smaller than this do not count towards the copy cost (fixed costs dominate them). */
const MEASURED_BYTES = 64 * 1024;
/** Slots of the shared status ring: at most this many writes in flight. */
const RING = 1024;
/** How long the event loop waits for one write before calling the worker stalled. */
const STALL_MS = 60_000;

/** The worker's whole program: write each submitted range, record its outcome, tell the main thread. */
const WORKER_SOURCE = `
const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads');
const fs = require('node:fs');
const control = new Int32Array(workerData.control);
const status = new Int32Array(workerData.status);
const micros = new Int32Array(workerData.micros);
const failedFds = new Map();
// Every write queued by now is made before the main thread is told (one message for the lot).
parentPort.on('message', (first) => {
  let seq = write(first);
  for (let next = receiveMessageOnPort(parentPort); next !== undefined; next = receiveMessageOnPort(parentPort)) {
    seq = write(next.message);
  }
  parentPort.postMessage(seq);
});
function write(w) {
  let errno = failedFds.get(w.fd) ?? 0;
  const start = performance.now();
  if (errno === 0) {
    try {
      const view = new Uint8Array(w.buffer, w.offset, w.length);
      let done = 0;
      while (done < w.length) done += fs.writeSync(w.fd, view, done, w.length - done, w.position + done);
    } catch (error) {
      errno = typeof error.errno === 'number' && error.errno < 0 ? -error.errno : 5;
      failedFds.set(w.fd, errno);
    }
  }
  status[w.seq % ${RING}] = errno;
  micros[w.seq % ${RING}] = Math.round((performance.now() - start) * 1000);
  Atomics.store(control, 0, w.seq);
  Atomics.notify(control, 0);
  return w.seq;
}
`;

interface InFlight {
  seq: number;
  bytes: number;
  onDone: (error: Error | null) => void;
}

function errnoError(errno: number): Error {
  const name = Object.entries(osConstants.errno).find(([, value]) => value === errno)?.[0] ?? `errno ${errno}`;
  return Object.assign(new Error(`${name}: write-behind of a segment append failed`), { code: name, errno: -errno });
}

export type WriteBehindMode = 'off' | 'auto' | 'always';

/** The mode when GREGOR_WRITE_BEHIND is not set. */
export const DEFAULT_WRITE_BEHIND_MODE: WriteBehindMode = 'off';

/** GREGOR_WRITE_BEHIND's value as a mode; throws, naming the variable, for any other value. */
export function writeBehindModeFrom(value: string | undefined): WriteBehindMode {
  if (value === undefined || value === '') return DEFAULT_WRITE_BEHIND_MODE;
  if (value === 'off' || value === 'auto' || value === 'always') return value;
  throw new Error(`GREGOR_WRITE_BEHIND must be off, auto or always, not "${value}"`);
}

/** Whether `data` is memory the worker can write from as it is. */
export function isSharedMemory(data: Uint8Array): boolean {
  return data.buffer instanceof SharedArrayBuffer;
}

export class WriteBehind {
  private worker: Worker | null = null;
  private readonly control = new Int32Array(new SharedArrayBuffer(4));
  private readonly status = new Int32Array(new SharedArrayBuffer(4 * RING));
  /** How long each write's copy took in the worker, in microseconds (by seq, as `status`). */
  private readonly micros = new Int32Array(new SharedArrayBuffer(4 * RING));
  /** Recent cost of a large append's copy into the page cache, ns per byte (moving average; 0: none yet). */
  private copyNsPerByte = 0;
  private issued = 0;
  private bytesBeforeWorker = 0;
  private readonly inFlight: InFlight[] = [];
  private readonly waiters: Array<{ seq: number; resolve: (failed: boolean) => void }> = [];
  /** Seq of the latest write that failed (0: none), for `settled()`'s answer. */
  private lastFailedSeq = 0;
  /** Writes made through the worker, and the waits of the event loop for them (tests, benchmarks). */
  submitted = 0;
  waits = 0;
  /** Told once the worker starts (the broker logs it). */
  onStart: (() => void) | null = null;

  private mode: WriteBehindMode;
  private readonly workerAfterBytes: number;
  private readonly autoNsPerByte: number;

  /**
   * `workerAfterBytes`: bytes submitted before the worker starts (tests start it at once with 0);
   * `handoffNsPerByte`: the copy cost above which a write goes to the worker (tests: 0, always).
   */
  constructor(options: { mode?: WriteBehindMode; workerAfterBytes?: number; handoffNsPerByte?: number } = {}) {
    this.mode = options.mode ?? DEFAULT_WRITE_BEHIND_MODE;
    this.workerAfterBytes = options.workerAfterBytes ?? WORKER_AFTER_BYTES;
    this.autoNsPerByte = options.handoffNsPerByte ?? HANDOFF_NS_PER_BYTE;
  }

  /** Whether it may take writes (mode not off): the Produce frame pool then hands out shared memory. */
  get active(): boolean {
    return this.mode !== 'off';
  }

  /** Sets the mode (the broker's start, from GREGOR_WRITE_BEHIND); writes in flight finish as they are. */
  setMode(mode: WriteBehindMode): void {
    this.mode = mode;
  }

  private get handoffNsPerByte(): number {
    return this.mode === 'always' ? 0 : this.autoNsPerByte;
  }

  /** A large append's copy took `ns` for `bytes` (in place or in the worker): the moving average. */
  noteCopy(bytes: number, ns: number): void {
    if (bytes < MEASURED_BYTES) return;
    const sample = ns / bytes;
    this.copyNsPerByte = this.copyNsPerByte === 0 ? sample : 0.8 * this.copyNsPerByte + 0.2 * sample;
  }

  /** Whether large appends go to the worker now (their copy is dear enough to pay for the hand-off). */
  get handingOff(): boolean {
    return this.copyNsPerByte >= this.handoffNsPerByte;
  }

  /**
   * Hands the write of `data` (shared memory, left untouched until settled) at `position` of `fd` to
   * the worker: its sequence number, or 0 when the caller must write it itself (turned off, the worker
   * not started yet, or not shared memory). `onDone` runs once it is written or has failed.
   */
  submit(fd: number, data: Uint8Array, position: number, onDone: (error: Error | null) => void): number {
    if (this.mode === 'off' || !isSharedMemory(data)) return 0;
    if (this.worker === null) {
      this.bytesBeforeWorker += data.length;
      if (this.bytesBeforeWorker <= this.workerAfterBytes && this.workerAfterBytes > 0) return 0;
      if (!this.handingOff) return 0;
      this.start();
    } else if (!this.handingOff && this.inFlight.length === 0) {
      return 0;
    }
    if (this.issued - this.completedSeq() >= RING - 1) this.waitFor(this.issued - RING + 2);
    const seq = ++this.issued;
    this.inFlight.push({ seq, bytes: data.length, onDone });
    this.worker!.postMessage({
      seq,
      fd,
      buffer: data.buffer,
      offset: data.byteOffset,
      length: data.length,
      position,
    });
    this.submitted++;
    return seq;
  }

  /** Sequence number of the last write the worker has finished. */
  completedSeq(): number {
    return Atomics.load(this.control, 0);
  }

  /** Blocks the calling thread until write `seq` (and every earlier one) is done; runs their callbacks. */
  waitFor(seq: number): void {
    if (this.completedSeq() < seq) {
      this.waits++;
      const deadline = Date.now() + STALL_MS;
      let done = this.completedSeq();
      while (done < seq) {
        if (Atomics.wait(this.control, 0, done, 1_000) === 'timed-out' && Date.now() > deadline) {
          throw new Error(`write-behind worker did not finish write ${seq} within ${STALL_MS} ms`);
        }
        done = this.completedSeq();
      }
    }
    this.complete(this.completedSeq());
  }

  /**
   * Resolves once every write submitted so far is done: with true when any of them failed (the
   * caller then asks each log it wrote, whose handle throws the error). Null when none is in flight.
   */
  settled(): Promise<boolean> | null {
    const seq = this.issued;
    if (this.completedSeq() >= seq) {
      this.complete(this.completedSeq());
      return this.failedNear(seq) ? Promise.resolve(true) : null;
    }
    // Someone awaits the worker's answer: it keeps the process alive until then.
    if (this.waiters.length === 0) this.worker?.ref();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /** Writes in flight (tests). */
  get pending(): number {
    return this.inFlight.length;
  }

  /** Stops the worker once the writes in flight are done (tests; a broker's worker is unref'd instead). */
  async stop(): Promise<void> {
    if (this.issued > 0) this.waitFor(this.issued);
    await this.worker?.terminate();
    this.worker = null;
  }

  /** Whether a write among the RING before `seq` (inclusive) failed: may say yes for an older one. */
  private failedNear(seq: number): boolean {
    return this.lastFailedSeq > 0 && this.lastFailedSeq > seq - RING && this.lastFailedSeq <= seq;
  }

  private start(): void {
    // Loaded here, not at import: node:worker_threads costs every start time, and most never get here.
    const threads = createRequire(import.meta.url)('node:worker_threads') as WorkerThreads;
    const worker = new threads.Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { control: this.control.buffer, status: this.status.buffer, micros: this.micros.buffer },
    });
    worker.on('message', (seq: number) => this.complete(seq));
    worker.on('error', () => {
      // The worker's program catches every write error; anything else leaves waitFor to time out.
    });
    worker.unref();
    this.worker = worker;
    this.onStart?.();
  }

  /** Runs the callbacks of writes up to `seq` and resolves the waiters it satisfies. */
  private complete(seq: number): void {
    while (this.inFlight.length > 0 && this.inFlight[0]!.seq <= seq) {
      const entry = this.inFlight.shift()!;
      const errno = this.status[entry.seq % RING]!;
      this.noteCopy(entry.bytes, this.micros[entry.seq % RING]! * 1000);
      if (errno !== 0) this.lastFailedSeq = entry.seq;
      entry.onDone(errno === 0 ? null : errnoError(errno));
    }
    while (this.waiters.length > 0 && this.waiters[0]!.seq <= seq) {
      const waiter = this.waiters.shift()!;
      waiter.resolve(this.failedNear(waiter.seq));
      if (this.waiters.length === 0) this.worker?.unref();
    }
  }
}

/** The process's write-behind (one worker for every log dir and broker in the process). */
export const writeBehind = new WriteBehind();
