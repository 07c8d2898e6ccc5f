/**
 * The tail cache (storage/tail-cache.ts) through PartitionLog: every read a cached log answers
 * equals the read of a twin log without a cache, after appends, truncation, replicated appends,
 * compaction and eviction; reads of the tail come from memory; the broker-wide bound holds; the
 * memory of dropped appends is reused, but never while a view read from it is still out.
 */
import t, { type Test } from 'tap';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './config.js';
import { PartitionLog, type LogDirState } from './log.js';
import { MemoryFileSystem } from './memory-fs.js';
import { ReadBufferPool } from './read-buffers.js';
import { TailCacheBudget } from './tail-cache.js';
import { ManualClock, batchOfSize, buildBatch, seededRandom } from './test-support.js';

function openLog(
  budget?: TailCacheBudget,
  config: Partial<LogConfig> = {},
): { log: PartitionLog; fs: MemoryFileSystem } {
  const fs = new MemoryFileSystem();
  const dirState: LogDirState = { path: '/data', offline: false };
  const log = PartitionLog.open({
    fs,
    dir: '/data/t-0',
    topic: 't',
    partition: 0,
    config: { ...DEFAULT_LOG_CONFIG, ...config },
    clock: new ManualClock(),
    dirState,
    ...(budget ? { tailCacheBudget: budget } : {}),
  });
  return { log, fs };
}

/** Appends the same batches (fresh copies, since appends patch them in place) to both logs. */
function appendBoth(logs: PartitionLog[], batches: Buffer[], leaderEpoch = 1): void {
  for (const log of logs) log.append(Buffer.concat(batches.map((b) => Buffer.from(b))), { leaderEpoch });
}

/** Every offset of the twin logs read with a few budgets and bounds: the answers must be equal. */
function sameReads(t: Test, cached: PartitionLog, plain: PartitionLog, label: string): void {
  let mismatches = 0;
  for (let offset = plain.startOffset; offset < plain.endOffset; offset++) {
    for (const maxBytes of [1, 100, 700, 3000, 1 << 20]) {
      for (const maxOffset of [plain.endOffset, offset + 1, offset + 3]) {
        for (const minOneBatch of [true, false]) {
          const a = cached.read(offset, maxBytes, { maxOffset, minOneBatch }).records;
          const b = plain.read(offset, maxBytes, { maxOffset, minOneBatch }).records;
          if (!a.equals(b)) mismatches++;
        }
      }
    }
  }
  t.equal(mismatches, 0, `${label}: every read equals the uncached log's`);
}

function randomBatches(random: () => number, count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) out.push(batchOfSize(100 + Math.floor(random() * 900), 1 + Math.floor(random() * 4)));
  return out;
}

t.test('reads of a cached log equal an uncached twin after appends, truncation and replication', async (t) => {
  const random = seededRandom(14);
  const budget = new TailCacheBudget();
  const { log: cached } = openLog(budget);
  const { log: plain } = openLog();
  for (let i = 0; i < 12; i++) appendBoth([cached, plain], randomBatches(random, 1 + Math.floor(random() * 3)));
  sameReads(t, cached, plain, 'after appends');

  const tail = cached.read(cached.endOffset - 1, 1 << 20).records;
  const again = cached.read(cached.endOffset - 1, 1 << 20).records;
  t.ok(
    tail.length > 0 && tail.buffer === again.buffer && tail.byteOffset === again.byteOffset,
    'a tail read is a view of the cached copy, not a fresh file read',
  );

  const keep = Math.floor(cached.endOffset / 2);
  const before = Buffer.from(tail);
  cached.truncateTo(keep);
  plain.truncateTo(keep);
  t.ok(tail.equals(before), 'a view handed out earlier is never written again');
  sameReads(t, cached, plain, 'after truncation');
  appendBoth([cached, plain], randomBatches(random, 3), 2);
  sameReads(t, cached, plain, 'after appends at a new epoch');

  const replicated = buildBatch([{ value: 'r1' }, { value: 'r2' }], {
    baseOffset: cached.endOffset,
    partitionLeaderEpoch: 3,
  });
  cached.append(Buffer.from(replicated), { leaderEpoch: 3, origin: 'replication' });
  plain.append(Buffer.from(replicated), { leaderEpoch: 3, origin: 'replication' });
  t.equal(budget.usedBytes, 0, 'a replicated append clears the cache');
  sameReads(t, cached, plain, 'after a replicated append');
  appendBoth([cached, plain], randomBatches(random, 2), 4);
  sameReads(t, cached, plain, 'leader again');

  const uncachedBatch = batchOfSize(400);
  cached.append(Buffer.from(uncachedBatch), { leaderEpoch: 4, cacheTail: false });
  plain.append(Buffer.from(uncachedBatch), { leaderEpoch: 4 });
  t.equal(budget.usedBytes, 0, 'an append with cacheTail false is not kept (and clears what was)');
  sameReads(t, cached, plain, 'after an uncached append');
  appendBoth([cached, plain], randomBatches(random, 2), 4);
  t.ok(budget.usedBytes > 0, 'the next cached append starts the cache again');
  sameReads(t, cached, plain, 'cached again');

  cached.truncateFullyAndStartAt(500);
  plain.truncateFullyAndStartAt(500);
  appendBoth([cached, plain], randomBatches(random, 4), 5);
  sameReads(t, cached, plain, 'after restarting at 500');
});

t.test('the budget bounds every cache together, dropping the oldest appends first', async (t) => {
  const random = seededRandom(7);
  const budget = new TailCacheBudget(8_000);
  const logs = [openLog(budget), openLog(budget)].map((o) => o.log);
  const plains = [openLog(), openLog()].map((o) => o.log);
  let peak = 0;
  for (let i = 0; i < 40; i++) {
    const which = i % 2;
    appendBoth([logs[which]!, plains[which]!], randomBatches(random, 2));
    peak = Math.max(peak, budget.usedBytes);
  }
  t.ok(peak <= 8_000, `never above the bound (peak ${peak})`);
  t.ok(budget.usedBytes > 4_000, 'the recent appends stay cached');
  sameReads(t, logs[0]!, plains[0]!, 'first log');
  sameReads(t, logs[1]!, plains[1]!, 'second log');
  const big = batchOfSize(3_000);
  appendBoth([logs[0]!, plains[0]!], [big]);
  t.ok(budget.usedBytes <= 8_000, 'an append over a quarter of the bound is not cached');
  sameReads(t, logs[0]!, plains[0]!, 'after the large append');
  logs[1]!.close();
  t.ok(budget.usedBytes < 8_000, 'closing a log gives its bytes back');
});

t.test('compaction clears the cache: reads return the compacted log', async (t) => {
  const config = { segmentBytes: 2_000, cleanupPolicyCompact: true, cleanupPolicyDelete: false };
  const budget = new TailCacheBudget();
  const cached = openLog(budget, config).log;
  const plain = openLog(undefined, config).log;
  for (let i = 0; i < 30; i++) appendBoth([cached, plain], [buildBatch([{ key: `k${i % 3}`, value: `value-${i}` }])]);
  sameReads(t, cached, plain, 'before compaction');
  t.ok(cached.compact() > 0, 'compaction removed records');
  plain.compact();
  sameReads(t, cached, plain, 'after compaction');
});

t.test("a dropped append's memory is reused, but not while a view read from it is out", async (t) => {
  const lender = new ReadBufferPool();
  const budget = new TailCacheBudget(1_000_000, lender);
  const { log } = openLog(budget, { segmentBytes: 1 << 30 });
  let notFromCache = 0;
  const appendOne = (): Buffer => {
    const offset = log.endOffset;
    log.append(batchOfSize(200_003), { leaderEpoch: 1 });
    const view = log.read(offset, 1 << 20).records;
    if (!lender.isLent(view)) notFromCache++;
    return view;
  };
  // Kept out (a socket still writing it) while 40 appends cycle through a budget of five.
  const held = appendOne();
  const before = Buffer.from(held);
  const stores = new Set<ArrayBufferLike>();
  for (let i = 0; i < 40; i++) {
    const view = appendOne();
    stores.add(view.buffer);
    lender.giveBack([view]);
  }
  t.notOk(stores.has(held.buffer), 'the memory of a view still out is never reused');
  t.ok(held.equals(before), 'the held view still reads what was appended');
  t.ok(stores.size <= 8, `the others' memory is reused: ${stores.size} buffers for 40 appends`);
  lender.giveBack([held]);
  const reused = new Set<ArrayBufferLike>();
  for (let i = 0; i < 20; i++) {
    const view = appendOne();
    reused.add(view.buffer);
    lender.giveBack([view]);
  }
  t.ok(reused.has(held.buffer), 'once given back, its memory is used again');
  t.equal(notFromCache, 0, 'every read of the tail was a lent view of the cache');
  t.equal(log.read(0, 1 << 20).records.length > 0, true, 'the first append still reads from the file');
});

t.test("a Produce frame's records are kept, not copied, and the frame is reused only once both are done", async (t) => {
  const frames = new ReadBufferPool(64 * 1024 * 1024, true);
  const lender = new ReadBufferPool();
  const budget = new TailCacheBudget(1_000_000, lender);
  const { log } = openLog(budget, { segmentBytes: 1 << 30 });
  /** A "request frame" from the sharable pool: a 64-byte header, then the batch, as a Produce carries it. */
  const produce = (): { frame: Buffer; records: Buffer; copy: Buffer } => {
    const batch = batchOfSize(200_003);
    const frame = frames.take(64 + batch.length);
    batch.copy(frame, 64);
    const records = frame.subarray(64);
    log.append(records, { leaderEpoch: 1 });
    return { frame, records, copy: Buffer.from(records) };
  };
  const first = produce();
  const view = log.read(0, 1 << 20).records;
  t.equal(view.buffer, first.frame.buffer, 'the tail read is a view of the frame itself');
  t.ok(view.equals(first.copy), 'it reads what the log holds');
  frames.giveBack([first.frame]);
  t.equal(frames.keptBytes, 0, 'answered, the frame is still held by the cache: not reused');
  // Cycle through the budget (five appends) while the view is out: the frame stays untouched.
  const stores = new Set<ArrayBufferLike>();
  for (let i = 0; i < 20; i++) {
    const next = produce();
    stores.add(next.frame.buffer);
    frames.giveBack([next.frame]);
  }
  t.notOk(stores.has(first.frame.buffer), 'a frame with a view out is never lent again');
  t.ok(view.equals(first.copy), 'the view still reads what was appended');
  t.ok(stores.size <= 10, `dropped frames are reused: ${stores.size} buffers for 20 produces`);
  lender.giveBack([view]);
  const later = new Set<ArrayBufferLike>();
  for (let i = 0; i < 10; i++) {
    const next = produce();
    later.add(next.frame.buffer);
    frames.giveBack([next.frame]);
  }
  t.ok(later.has(first.frame.buffer), 'once the view came back and the append was dropped, the frame is reused');

  // A view filling less than half of its frame is copied (an entry holds at most twice its bytes).
  const batch = batchOfSize(100_003);
  const big = frames.take(300_000);
  batch.copy(big, 0);
  const offset = log.endOffset;
  log.append(big.subarray(0, batch.length), { leaderEpoch: 1 });
  t.not(log.read(offset, 1 << 20).records.buffer, big.buffer, 'a small part of a large frame is copied');
  frames.giveBack([big]);
  t.equal(frames.isLent(big), false, 'and the frame goes back at once');
});
