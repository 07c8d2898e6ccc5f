/**
 * readIntoUserBuffers on real sockets: an accepted plain-TCP socket reads into the FrameReader's
 * buffers (a large frame straight into its own buffer, not through 64 KiB chunks), bytes the socket
 * buffered before the switch come first and in order, and pause/resume and end still work.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import t from 'tap';
import { FrameReader } from '../common/frame-reader.js';
import { readIntoUserBuffers } from './user-buffer-reads.js';

function frameOf(body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

function patterned(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

async function listen(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onSocket);
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

/** Resolves once `check` holds, polling every 5 ms for at most 10 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

t.test('a large frame is read straight into its own buffer; earlier buffered bytes come first', async (t) => {
  t.setTimeout(30_000);
  const frames: Buffer[] = [];
  let dataEvents = 0;
  let bytesIntoFrames = 0;
  let bytesIntoScratch = 0;
  let ended = false;
  let accepted: Socket | null = null;
  const { server, port } = await listen((socket) => (accepted = socket));
  t.teardown(() => server.close());
  const client = connect({ host: '127.0.0.1', port });
  t.teardown(() => client.destroy());
  await new Promise<void>((r) => client.once('connect', () => r()));

  const small = [patterned(10, 1), patterned(300, 2)];
  client.write(Buffer.concat(small.map(frameOf)));
  // The server socket reads these before the switch (the connection rate gate may hold a socket so).
  await until('bytes buffered by the accepted socket', () => (accepted?.readableLength ?? 0) >= 318);
  const socket = accepted!;

  const reader = new FrameReader({ onFrame: (f) => frames.push(f), onBadSize: () => t.fail('bad size') }, 8 << 20);
  let scratch: ArrayBufferLike | null = null;
  let last: Buffer | null = null;
  const switched = readIntoUserBuffers(socket, {
    nextBuffer: () => {
      last = reader.nextBuffer();
      scratch ??= last.buffer;
      return last;
    },
    onRead: (bytes) => {
      if (last!.buffer === scratch) bytesIntoScratch += bytes;
      else bytesIntoFrames += bytes;
      reader.onRead(bytes);
    },
    consume: (data, at, end) => reader.consume(data, at, end),
  });
  t.equal(switched, true, 'Node 20 lets an accepted socket read into user buffers');
  t.equal(frames.length, 2, 'the bytes buffered before the switch were framed at once');
  socket.on('data', () => dataEvents++);

  const large = patterned(1_000_000, 3);
  const last1 = patterned(50, 4);
  client.write(Buffer.concat([frameOf(large), frameOf(last1)]));
  await until('four frames', () => frames.length === 4);
  t.same(
    frames.map((f) => f.length),
    [10, 300, 1_000_000, 50],
  );
  t.ok(frames[0]!.equals(small[0]!) && frames[1]!.equals(small[1]!), 'the small frames intact, in order');
  t.ok(frames[2]!.equals(large), 'the large frame intact');
  t.ok(frames[3]!.equals(last1), 'the frame after it intact');
  t.ok(bytesIntoFrames > 900_000, `most of the large frame went straight into it (${bytesIntoFrames} bytes)`);
  t.ok(bytesIntoScratch < 200_000, `little went through the scratch buffer (${bytesIntoScratch} bytes)`);
  t.equal(dataEvents, 0, 'no data event after the switch');

  // pause stops reads; resume restarts them
  socket.pause();
  client.write(frameOf(patterned(20, 5)));
  await new Promise((r) => setTimeout(r, 100));
  t.equal(frames.length, 4, 'nothing read while paused');
  socket.resume();
  await until('the frame sent while paused', () => frames.length === 5);

  socket.on('end', () => (ended = true));
  client.end();
  await until('end', () => ended);
  t.pass('end of stream is seen');
});
