/**
 * The frame reader (src/common/frame-reader.ts) in both of its modes: reads into its scratch buffer
 * (split anywhere, several frames per read, bad sizes) and, through SocketTransport, reads straight
 * into a frame's own buffer over a real socket (large frames, pipelined small ones, order kept).
 */
import { createServer, type Server } from 'node:net';
import t from 'tap';
import { FrameReader } from './frame-reader.js';
import { SocketTransport } from './transport.js';

function framed(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

function payloadOf(length: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Feeds `stream` to a reader in pieces of the given sizes (cycled), through the scratch path. */
function feed(stream: Buffer, pieces: number[], max = 1 << 20, min = 0) {
  const frames: Buffer[] = [];
  const badSizes: number[] = [];
  const reader = new FrameReader({ onFrame: (f) => frames.push(f), onBadSize: (s) => badSizes.push(s) }, max, min);
  let at = 0;
  for (let i = 0; at < stream.length; i++) {
    const n = Math.min(pieces[i % pieces.length]!, stream.length - at);
    reader.consume(stream, at, at + n);
    at += n;
  }
  return { frames, badSizes };
}

t.test('frames split at every size, and several in one read, come out whole and in order', async (t) => {
  const payloads = [payloadOf(10, 1), payloadOf(0, 2), payloadOf(3000, 3), payloadOf(1, 4), payloadOf(70_000, 5)];
  const stream = Buffer.concat(payloads.map(framed));
  for (const pieces of [[1], [2, 3], [4], [5, 7, 11], [4096], [stream.length]]) {
    const { frames, badSizes } = feed(stream, pieces);
    t.same(badSizes, [], `pieces ${pieces.join(',')}`);
    t.equal(frames.length, payloads.length, `pieces ${pieces.join(',')}`);
    t.ok(
      frames.every((f, i) => f.equals(payloads[i]!)),
      `pieces ${pieces.join(',')}: every frame equals what was sent`,
    );
  }
});

t.test('a size out of bounds stops the reader before allocating, and nothing follows', async (t) => {
  const tooBig = feed(
    Buffer.concat([framed(payloadOf(8, 1)), framed(payloadOf(2000, 2)), framed(payloadOf(8, 3))]),
    [9],
    1000,
  );
  t.equal(tooBig.frames.length, 1);
  t.same(tooBig.badSizes, [2000]);
  const tooSmall = feed(framed(payloadOf(2, 1)), [64], 1000, 4);
  t.same(tooSmall.frames, []);
  t.same(tooSmall.badSizes, [2]);
});

t.test('over a socket: large and small response frames, pipelined, arrive whole and in order', async (t) => {
  const payloads = [
    payloadOf(1_048_576, 1),
    payloadOf(12, 2),
    payloadOf(20, 3),
    payloadOf(300_000, 4),
    payloadOf(5, 5),
  ];
  const server: Server = createServer((socket) => {
    // Everything in one go: the reads split it wherever the kernel does.
    socket.write(Buffer.concat(payloads.map(framed)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  const frames: Buffer[] = [];
  const done = new Promise<string>((resolve) => {
    const connection = new SocketTransport().connect(
      { host: '127.0.0.1', port },
      {
        onOpen: () => undefined,
        onFrame: (frame) => {
          frames.push(frame);
          if (frames.length === payloads.length) {
            connection.close();
            resolve('all frames');
          }
        },
        onClose: (reason) => resolve(reason),
      },
      2 << 20,
    );
  });
  t.equal(await done, 'all frames');
  t.ok(
    frames.every((f, i) => f.equals(payloads[i]!)),
    'every frame equals what was sent',
  );
});

t.test('over a socket: a response frame over the limit closes the connection', async (t) => {
  const server: Server = createServer((socket) => socket.write(framed(payloadOf(5000, 1))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  const reason = await new Promise<string>((resolve) => {
    new SocketTransport().connect(
      { host: '127.0.0.1', port },
      { onOpen: () => undefined, onFrame: () => resolve('got a frame'), onClose: resolve },
      1000,
    );
  });
  t.equal(reason, 'response frame of 5000 bytes');
});
