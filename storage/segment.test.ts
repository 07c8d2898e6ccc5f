import t from 'tap';
import { AppendScan } from './append-scan.js';
import { loadSegments } from './log-loader.js';
import { MemoryFileSystem } from './memory-fs.js';
import { LogSegment } from './segment.js';
import type { FileHandle } from './fs.js';
import { batchOfSize, buildBatch, splitBatches } from './test-support.js';

function fill(segment: LogSegment, count: number, firstOffset: number, records = 2): Buffer[] {
  const written: Buffer[] = [];
  let offset = firstOffset;
  for (let i = 0; i < count; i++) {
    const batch = buildBatch(
      Array.from({ length: records }, (_, r) => ({ value: `v${i}-${r}`, timestamp: 1000 + i })),
      { baseOffset: offset },
    );
    const scan = new AppendScan();
    scan.run(batch, {
      logEnd: offset,
      replication: true,
      leaderEpoch: 0,
      logAppendTime: false,
      now: 0,
      crcVerified: false,
      segmentBytes: Infinity,
      latestEpoch: -1,
    });
    segment.append(batch, scan, 0);
    written.push(batch);
    offset += records;
  }
  return written;
}

t.test('segment append, locate, read, timestamp search and truncate', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/p');
  const segment = LogSegment.create(fs, '/p', 100, 50, 0);
  const written = fill(segment, 10, 100);
  t.equal(segment.nextOffset, 120);
  t.ok(segment.offsetIndex.count > 5, 'indexed every index.interval.bytes');
  t.equal(segment.locate(105)!.baseOffset, 104);
  t.same(segment.read(105, 1, Infinity, true), written[2]);
  t.equal(segment.read(120, 1000, Infinity, true), null);
  t.same(
    splitBatches(segment.read(100, 10_000, 106, true)!).map((b) => b.baseOffset),
    [100, 102, 104],
  );
  t.equal(segment.findByTimestamp(1004, 100)!.baseOffset, 108);
  t.equal(segment.findByTimestamp(1004, 112)!.baseOffset, 112);
  t.equal(segment.maxTimestamp, 1009);
  t.equal(
    segment.truncateTo(111),
    written.slice(5).reduce((s, b) => s + b.length, 0),
  );
  t.equal(segment.nextOffset, 110);
  t.equal(segment.maxTimestamp, 1004);
  t.same(segment.read(108, 10_000, Infinity, true), written[4]);
});

t.test('recovery keeps valid batches, cuts a corrupt tail and rebuilds indexes', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/p');
  const segment = LogSegment.create(fs, '/p', 0, 100, 0);
  const written = fill(segment, 8, 0);
  segment.flushAll();
  segment.close();
  const sizeBefore = written.reduce((s, b) => s + b.length, 0);
  const cut = written.slice(0, 5).reduce((s, b) => s + b.length, 0);
  fs.corrupt('/p/00000000000000000000.log', cut + 30, Buffer.from([0xde, 0xad]));
  fs.unlink('/p/00000000000000000000.index');
  const result = loadSegments(fs, '/p', {
    indexIntervalBytes: 100,
    now: 0,
    recoveryPoint: 0,
    cleanShutdown: false,
    initialOffset: 0,
  });
  t.equal(result.truncatedBytes, sizeBefore - cut);
  const recovered = result.segments[0]!;
  t.equal(recovered.nextOffset, 10);
  t.ok(fs.exists('/p/00000000000000000000.index'), 'index rebuilt');
  t.same(recovered.read(8, 1000, Infinity, true), written[4]);
});

t.test('recovery leaves empty index files alone when the rebuilt indexes are empty, rewrites stale ones', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/p');
  const segment = LogSegment.create(fs, '/p', 0, 1 << 20, 0); // one small batch: no index entry
  const written = fill(segment, 1, 0);
  segment.flush();
  segment.close();
  fs.open('/p/00000000000000000000.index', true).close();
  fs.open('/p/00000000000000000000.timeindex', true).close();
  const opened: string[] = [];
  const open = fs.open.bind(fs);
  fs.open = (path: string, create?: boolean) => {
    opened.push(path);
    return open(path, create);
  };
  const options = { indexIntervalBytes: 1 << 20, now: 0, recoveryPoint: 0, cleanShutdown: false, initialOffset: 0 };
  const result = loadSegments(fs, '/p', options);
  t.equal(result.recoveredSegments, 1);
  t.same(
    opened.filter((p) => p.endsWith('index')),
    [],
    'no index file opened: both were empty and stay empty',
  );
  t.equal(result.segments[0]!.nextOffset, 2);
  t.same(result.segments[0]!.read(0, 1000, Infinity, true), written[0]);
  result.segments[0]!.close();
  // A stale entry left in the offset index (the log it pointed into is gone): rewritten empty.
  const stale = Buffer.alloc(8);
  stale.writeInt32BE(1, 0);
  stale.writeInt32BE(5000, 4);
  const handle = open('/p/00000000000000000000.index');
  handle.write(stale, 0);
  handle.close();
  opened.length = 0;
  const again = loadSegments(fs, '/p', options);
  t.same(
    opened.filter((p) => p.endsWith('index')),
    ['/p/00000000000000000000.index'],
    'only the stale file rewritten',
  );
  t.equal(fs.readFile('/p/00000000000000000000.index')?.length, 0, 'the stale entry is gone');
  t.equal(again.segments[0]!.nextOffset, 2);
});

t.test('after a clean shutdown nothing is scanned; a bad index is still rebuilt on use', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/p');
  const segment = LogSegment.create(fs, '/p', 0, 100, 0);
  const written = fill(segment, 8, 0);
  segment.flushAll();
  segment.close();
  const garbage = Buffer.alloc(8);
  garbage.writeInt32BE(3, 0);
  garbage.writeInt32BE(5, 4);
  fs.corrupt('/p/00000000000000000000.index', 0, garbage);
  const result = loadSegments(fs, '/p', {
    indexIntervalBytes: 100,
    now: 0,
    recoveryPoint: 0,
    cleanShutdown: true,
    initialOffset: 0,
  });
  t.equal(result.recoveredSegments, 0);
  const loaded = result.segments[0]!;
  t.equal(loaded.nextOffset, 16);
  t.same(loaded.read(14, 1, Infinity, true), written[7]);
});

t.test('loader finishes interrupted compaction swaps and removes leftovers', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/p');
  const segment = LogSegment.create(fs, '/p', 0, 100, 0);
  fill(segment, 3, 0);
  segment.flushAll();
  segment.close();
  const swap = fs.open('/p/00000000000000000000.log.swap', true);
  const replacement = batchOfSize(200);
  swap.write(replacement, 0);
  swap.sync();
  fs.open('/p/00000000000000000050.log.cleaned', true).close();
  fs.open('/p/00000000000000000077.index', true).close();
  const result = loadSegments(fs, '/p', {
    indexIntervalBytes: 100,
    now: 0,
    recoveryPoint: 100,
    cleanShutdown: true,
    initialOffset: 0,
  });
  t.same(fs.readdir('/p'), [
    '00000000000000000000.index',
    '00000000000000000000.log',
    '00000000000000000000.timeindex',
  ]);
  t.equal(result.segments[0]!.size, replacement.length);
});

/** A memory file system that counts the bytes read from its files. */
class CountingFileSystem extends MemoryFileSystem {
  bytesRead = 0;
  reads = 0;

  override open(path: string, create = false): FileHandle {
    const handle = super.open(path, create);
    return {
      path: handle.path,
      size: () => handle.size(),
      read: (buffer, offset, length, position) => {
        const read = handle.read(buffer, offset, length, position);
        this.bytesRead += read;
        this.reads++;
        return read;
      },
      write: (data, position) => handle.write(data, position),
      truncate: (size) => handle.truncate(size),
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  }
}

t.test('a catch-up read copies the batches it returns and their headers, not the batch before them', async (t) => {
  const fs = new CountingFileSystem();
  fs.mkdir('/p');
  // index.interval.bytes 4096 and 200 KB batches of 10 records: an index entry per batch, naming the batch's
  // last offset, so a read at a batch's base offset finds the entry of the batch before it.
  const segment = LogSegment.create(fs, '/p', 0, 4096, 0);
  const batches: Buffer[] = [];
  for (let i = 0; i < 8; i++) {
    const batch = batchOfSize(200_000, 10);
    batch.writeBigInt64BE(BigInt(i * 10), 0);
    const scan = new AppendScan();
    scan.run(batch, {
      logEnd: i * 10,
      replication: true,
      leaderEpoch: 0,
      logAppendTime: false,
      now: 0,
      crcVerified: false,
      segmentBytes: Infinity,
      latestEpoch: -1,
    });
    segment.append(batch, scan, 0);
    batches.push(batch);
  }
  t.equal(segment.offsetIndex.lookup(30).offset, 29, 'the entry at or below offset 30 is the batch before it');
  for (const [offset, maxBytes, expected] of [
    [30, 450_000, [3, 4]],
    [35, 450_000, [3, 4]],
    [30, 100_000, [3]],
    [0, 650_000, [0, 1, 2]],
    [70, 1_000_000, [7]],
  ] as const) {
    fs.bytesRead = 0;
    const data = segment.read(offset, maxBytes, Infinity, true)!;
    t.same(data, Buffer.concat(expected.map((i) => batches[i]!)), `read(${offset}, ${maxBytes})`);
    const probes = 2 * 8 * 1024;
    t.ok(
      fs.bytesRead <= Math.max(maxBytes, data.length) + probes,
      `read(${offset}, ${maxBytes}) copied ${fs.bytesRead} bytes for ${data.length}`,
    );
  }
  // A small read is served from the header probe: one read call.
  const small = LogSegment.create(fs, '/p', 1000, 4096, 0);
  const written = fill(small, 10, 1000);
  fs.reads = 0;
  t.same(
    small.read(1004, 200, Infinity, true),
    Buffer.concat(written.slice(2, 2 + Math.floor(200 / written[2]!.length))),
  );
  t.equal(fs.reads, 1);
});

t.test('a read of large batches copies no partial batch only to cut it off', async (t) => {
  const fs = new CountingFileSystem();
  fs.mkdir('/p');
  // 557 KB batches, as a 1 ms batch of 1 KiB records at 540k msg/s: one fits a 1 MiB fetch, two do not.
  const segment = LogSegment.create(fs, '/p', 0, 4096, 0);
  const batches: Buffer[] = [];
  for (let i = 0; i < 5; i++) {
    const batch = batchOfSize(i === 3 ? 300_000 : 557_259, 10);
    batch.writeBigInt64BE(BigInt(i * 10), 0);
    const scan = new AppendScan();
    scan.run(batch, {
      logEnd: i * 10,
      replication: true,
      leaderEpoch: 0,
      logAppendTime: false,
      now: 0,
      crcVerified: false,
      segmentBytes: Infinity,
      latestEpoch: -1,
    });
    segment.append(batch, scan, 0);
    batches.push(batch);
  }
  const headerReads = 8 * 12;
  for (const [offset, maxBytes, maxOffset, expected] of [
    [0, 1_048_576, Infinity, [0]],
    [20, 1_048_576, Infinity, [2, 3]],
    [10, 1_048_576, Infinity, [1]],
    [20, 900_000, Infinity, [2, 3]],
    [20, 900_000, 30, [2]],
    [30, 1_048_576, Infinity, [3, 4]],
    [40, 1_048_576, Infinity, [4]],
    [0, 10_000_000, Infinity, [0, 1, 2, 3, 4]],
  ] as const) {
    fs.bytesRead = 0;
    const data = segment.read(offset, maxBytes, maxOffset, true)!;
    t.same(data, Buffer.concat(expected.map((i) => batches[i]!)), `read(${offset}, ${maxBytes}, ${maxOffset})`);
    t.ok(
      fs.bytesRead <= data.length + 2 * 8 * 1024 + headerReads,
      `read(${offset}, ${maxBytes}, ${maxOffset}) copied ${fs.bytesRead} bytes for ${data.length}`,
    );
  }
});

t.test('a new segment file is not truncated when it is empty; a leftover of the same name is', async (t) => {
  // ext4 arms its "replace via truncate" heuristic (auto_da_alloc) on a truncate to 0: the file's next close then
  // writes back all its dirty pages in the closing thread, 180-215 ms for 512 MiB here (docs/benchmarks.md,
  // session 21), which a partition's deletion paid on the event loop for a segment that was about to be removed.
  const fs = new MemoryFileSystem();
  fs.mkdir('/p');
  const truncated: string[] = [];
  const open = fs.open.bind(fs);
  fs.open = (path: string, create?: boolean): FileHandle => {
    const handle = open(path, create);
    const truncate = handle.truncate.bind(handle);
    handle.truncate = (size: number): void => {
      truncated.push(`${path} ${size}`);
      truncate(size);
    };
    return handle;
  };
  const fresh = LogSegment.create(fs, '/p', 0, 50, 0);
  fill(fresh, 3, 0);
  t.same(truncated, [], 'nothing truncated for a file that was just created');
  const leftover = open('/p/00000000000000000100.log', true);
  leftover.write(Buffer.from('stale bytes'), 0);
  leftover.close();
  const again = LogSegment.create(fs, '/p', 100, 50, 0);
  t.same(truncated, ['/p/00000000000000000100.log 0'], 'a leftover file is emptied');
  t.equal(again.size, 0);
  t.equal(fs.fileSize('/p/00000000000000000100.log'), 0);
});
