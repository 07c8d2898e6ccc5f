/**
 * Connection turns (connection.ts): a connection that has read `readTurnBytes` of requests stops reading
 * until the event loop has served the other ready sockets (an immediate: the scheduler's `soon`), so a
 * producer's pipelined 1 MB requests cannot keep a consumer's Fetch unread for dozens of appends
 * (docs/benchmarks.md, "End-to-end latency, session 22": up to 16 appends ahead of a fetch before).
 * The socket is a stand-in that delivers what the "kernel" holds for it the way libuv's read loop does:
 * read after read, for as long as the socket is not paused.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import t from 'tap';
import { ManualScheduler } from '../common/scheduler.js';
import { createLogger } from '../common/logger.js';
import { ANONYMOUS } from './principal.js';
import { Connection, DEFAULT_READ_TURN_BYTES } from './connection.js';
import type { DispatchResult, Dispatcher } from './dispatcher.js';

/** A socket whose reads hand over queued chunks one by one while it is not paused, as libuv's read loop does. */
class LoopbackSocket extends EventEmitter {
  private readonly kernel: Buffer[] = [];
  private paused = false;
  readonly written: Buffer[] = [];
  destroyed = false;

  /** Chunks arrive from the peer; read at once unless paused (one loop turn reads everything there). */
  arrive(...chunks: Buffer[]): void {
    this.kernel.push(...chunks);
    this.readLoop();
  }

  /** Chunks not read yet. */
  get unread(): number {
    return this.kernel.length;
  }

  private readLoop(): void {
    while (!this.paused && this.kernel.length > 0) this.emit('data', this.kernel.shift()!);
  }

  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    this.readLoop();
    return this;
  }
  isPaused(): boolean {
    return this.paused;
  }
  write(chunk: Buffer, done?: () => void): boolean {
    this.written.push(chunk);
    done?.();
    return true;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  cork(): void {}
  uncork(): void {}
  end(): this {
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
}

/** A size-prefixed request frame of `bytes` bytes after the prefix, with `apiKey` (18: ApiVersions) in its header. */
function frame(bytes: number, correlationId: number): Buffer {
  const f = Buffer.alloc(4 + bytes);
  f.writeInt32BE(bytes, 0);
  f.writeInt16BE(18, 4);
  f.writeInt32BE(correlationId, 8);
  return f;
}

interface Harness {
  socket: LoopbackSocket;
  scheduler: ManualScheduler;
  /** Correlation ids of the requests dispatched, in order. */
  dispatched: number[];
}

function harness(limits: { readTurnBytes?: number; maxInFlight?: number } = {}): Harness {
  const socket = new LoopbackSocket();
  const scheduler = new ManualScheduler();
  const dispatched: number[] = [];
  const dispatcher = {
    dispatch: (request: Buffer): Promise<DispatchResult> => {
      dispatched.push(request.readInt32BE(4));
      return Promise.resolve({ kind: 'none' });
    },
  } as unknown as Dispatcher;
  const info = {
    connectionId: 1,
    listenerName: 'PLAINTEXT',
    securityProtocol: 'PLAINTEXT',
    clientHost: '127.0.0.1',
    clientPort: 1,
    principal: ANONYMOUS,
  };
  new Connection(
    socket as unknown as Socket,
    info,
    dispatcher,
    { maxRequestBytes: 10 * 1024 * 1024, maxInFlight: limits.maxInFlight ?? 500, idleMs: 0, ...limits },
    createLogger({ level: 'silent' }),
    () => undefined,
    null,
    scheduler,
  );
  return { socket, scheduler, dispatched };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

t.test('a connection reads one large request a turn, then lets the other sockets have theirs', async (t) => {
  const { socket, scheduler, dispatched } = harness();
  const size = DEFAULT_READ_TURN_BYTES + 40 * 1024; // a Produce of a 1 ms batch at 550 MB/s
  socket.arrive(frame(size, 1), frame(size, 2), frame(size, 3));
  t.same(dispatched, [1], 'one request read, then the socket paused');
  t.equal(socket.unread, 2, 'the others wait in the socket');
  t.equal(scheduler.pending(), 1, 'an immediate resumes it after the poll phase');
  scheduler.runNext();
  t.same(dispatched, [1, 2], 'the next turn reads the next one');
  scheduler.runNext();
  t.same(dispatched, [1, 2, 3]);
  scheduler.runNext();
  t.notOk(socket.isPaused(), 'reading again once nothing is left');
  await settle();
});

t.test('small requests run many to a turn: the budget counts bytes', async (t) => {
  const { socket, scheduler, dispatched } = harness({ readTurnBytes: 10_000 });
  const frames = Array.from({ length: 12 }, (_, i) => frame(996, i)); // 1,000 bytes each with the prefix
  socket.arrive(...frames);
  t.same(dispatched, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'ten requests fill the turn');
  scheduler.runNext();
  t.same(dispatched.length, 12, 'the rest next turn');
  await settle();
});

t.test('a yielded turn does not resume a connection paused for its requests in flight', async (t) => {
  const socket = new LoopbackSocket();
  const scheduler = new ManualScheduler();
  const dispatched: number[] = [];
  const answers: Array<() => void> = [];
  const dispatcher = {
    dispatch: (request: Buffer): Promise<DispatchResult> => {
      dispatched.push(request.readInt32BE(4));
      return new Promise((resolve) => answers.push(() => resolve({ kind: 'none' })));
    },
  } as unknown as Dispatcher;
  const info = {
    connectionId: 1,
    listenerName: 'PLAINTEXT',
    securityProtocol: 'PLAINTEXT',
    clientHost: '127.0.0.1',
    clientPort: 1,
    principal: ANONYMOUS,
  };
  new Connection(
    socket as unknown as Socket,
    info,
    dispatcher,
    { maxRequestBytes: 1024 * 1024, maxInFlight: 1, idleMs: 0, readTurnBytes: 100 },
    createLogger({ level: 'silent' }),
    () => undefined,
    null,
    scheduler,
  );
  socket.arrive(frame(200, 1), frame(200, 2));
  t.same(dispatched, [1]);
  scheduler.runNext();
  t.ok(socket.isPaused(), 'still paused: queued.max.requests (1) is in flight');
  t.same(dispatched, [1]);
  answers[0]!();
  await settle();
  t.same(dispatched, [1, 2], 'the answer lets the next request in');
  answers[1]!();
  await settle();
});
