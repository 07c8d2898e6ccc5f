import t from 'tap';
import { BrokerConfig, ConfigError } from '../common/config.js';
import { ManualClock } from '../common/clock.js';
import { MemoryFileSystem } from '../../storage/memory-fs.js';
import { buildBatch } from '../../storage/test-support.js';
import { DiskLogFactory } from './disk-log.js';
import { MEMORY_ROOT, usesMemoryStorage } from './memory-storage.js';
import { Broker } from '../node/broker.js';
import { createLogger } from '../common/logger.js';

const silent = createLogger({ level: 'silent', pretty: false });

function memoryFactory(
  maxTotalBytes: number,
  clock: ManualClock,
  extra: Record<string, string> = {},
): { factory: DiskLogFactory; fs: MemoryFileSystem } {
  const config = new BrokerConfig({ 'log.dirs': 'memory:', 'log.segment.bytes': 1024, ...extra });
  const fs = new MemoryFileSystem({ keepDurableCopies: false });
  const factory = new DiskLogFactory(config, clock, [MEMORY_ROOT], { fs, maxTotalBytes });
  return { factory, fs };
}

const record = (i: number): Buffer => buildBatch([{ key: `k${i}`, value: 'v'.repeat(200) }]);

t.test('log.dirs=memory: is recognised; mixed with disk dirs or with metadata.log.dir it is refused', async (t) => {
  t.equal(usesMemoryStorage(new BrokerConfig({ 'log.dirs': 'memory:' })), true);
  t.equal(usesMemoryStorage(new BrokerConfig({ 'log.dirs': '/var/lib/kafka' })), false);
  t.throws(() => usesMemoryStorage(new BrokerConfig({ 'log.dirs': 'memory:,/var/lib/kafka' })), {
    name: 'ConfigError',
    message: /mixes memory: with disk dirs/,
  });
  t.throws(() => usesMemoryStorage(new BrokerConfig({ 'log.dirs': 'memory:', 'metadata.log.dir': '/meta' })), {
    message: /metadata\.log\.dir=\/meta cannot be used with log\.dirs=memory:/,
  });
  t.throws(
    () => new Broker({ config: new BrokerConfig({ 'log.dirs': '/tmp/x', 'memory.max.bytes': 1000 }), log: silent }),
    new ConfigError('memory.max.bytes applies only to log.dirs=memory: (in-memory mode), but log.dirs is /tmp/x'),
  );
});

t.test('memory.max.bytes drops the oldest segments across partitions, keeping the newest data', async (t) => {
  const clock = new ManualClock(1_000);
  const { factory, fs } = memoryFactory(4096, clock);
  t.teardown(() => factory.close());
  const a = factory.open('a', 0, new Map());
  const b = factory.open('b', 0, new Map());
  const batchBytes = record(0).length;
  for (let i = 0; i < 40; i++) {
    clock.advance(10);
    (i % 2 === 0 ? a : b).append(record(i), { leaderEpoch: 0 });
  }
  const total = a.size() + b.size();
  t.ok(total <= 4096 + factory.cap!.checkEveryBytes + 1024 + batchBytes, `total ${total} stays near the cap (4096)`);
  t.ok(
    a.logStartOffset > 0 && b.logStartOffset > 0,
    `both partitions lost their oldest records (a from ${a.logStartOffset}, b from ${b.logStartOffset})`,
  );
  t.equal(a.logEndOffset, 20, 'the log end is untouched');
  t.equal(b.logEndOffset, 20);
  const newest = a.read(19, 1 << 20);
  t.ok(newest.length > 0, 'the newest record is still readable');
  t.throws(() => a.read(0, 1 << 20), { name: 'OffsetOutOfRangeError' }, 'the oldest is gone');
  t.ok(fs.storedBytes() < 3 * 4096, `the in-memory files hold ${fs.storedBytes()} bytes`);
  factory.cap!.enforce();
  t.ok(a.size() + b.size() <= 4096, 'an explicit check brings it under the cap');
});

t.test('a log with a single (active) segment is rolled and dropped when it is the oldest', async (t) => {
  const clock = new ManualClock(1_000);
  const { factory } = memoryFactory(2048, clock, { 'log.segment.bytes': String(1024 * 1024) });
  t.teardown(() => factory.close());
  const old = factory.open('old', 0, new Map());
  for (let i = 0; i < 8; i++) old.append(record(i), { leaderEpoch: 0 });
  clock.advance(1000);
  const fresh = factory.open('fresh', 0, new Map());
  fresh.append(record(99), { leaderEpoch: 0 });
  factory.cap!.enforce();
  t.equal(old.logStartOffset, 8, 'the old partition was emptied: its start moved to its end');
  t.equal(old.size(), 0);
  t.equal(fresh.logStartOffset, 0, 'the newer partition is kept');
});

t.test('compacted logs are not trimmed by the cap', async (t) => {
  const clock = new ManualClock(1_000);
  const { factory } = memoryFactory(1024, clock);
  t.teardown(() => factory.close());
  const compacted = factory.open('__consumer_offsets', 0, new Map([['cleanup.policy', 'compact']]));
  for (let i = 0; i < 10; i++) compacted.append(record(i), { leaderEpoch: 0 });
  factory.cap!.enforce();
  t.equal(compacted.logStartOffset, 0);
  t.equal(compacted.logEndOffset, 10);
});
