/**
 * Epoch history (src/broker/leader-epochs.ts): a storage-backed log answers from its leader-epoch cache
 * without reading a byte of the log (a follower's divergence check runs on every fetch), with the same
 * answers as the header scan of a log without a cache, through appends in several epochs and a truncation.
 */
import t from 'tap';
import { BrokerConfig } from '../common/config.js';
import { ManualClock } from '../common/clock.js';
import { MemoryFileSystem } from '../../storage/memory-fs.js';
import { batchOf } from '../../test/helpers/data-path.js';
import type { PartitionState } from '../metadata/image.js';
import { DiskLogFactory } from './disk-log.js';
import { endOffsetForEpoch, epochHistory } from './leader-epochs.js';
import { MemoryPartitionLog } from './memory-log.js';
import { MEMORY_ROOT } from './memory-storage.js';
import { Partition } from './partition.js';

const state = (leaderEpoch: number): PartitionState => ({
  partition: 0,
  leader: 1,
  leaderEpoch,
  partitionEpoch: leaderEpoch,
  replicas: [1],
  isr: [1],
});

t.test('a storage log answers from its epoch cache, as the header scan does, and never reads the log', async (t) => {
  const clock = new ManualClock(1_700_000_000_000);
  const config = new BrokerConfig({ 'log.dirs': 'memory:' });
  const factory = new DiskLogFactory(config, clock, [MEMORY_ROOT], {
    fs: new MemoryFileSystem({ keepDurableCopies: false }),
  });
  t.teardown(() => factory.close());
  const disk = new Partition('t', 'id', 0, state(0), factory.open('t', 0, new Map(), 'AAAAAAAAAAAAAAAAAAAAAA'), 1);
  const scanned = new Partition('t', 'id', 0, state(0), new MemoryPartitionLog(), 1);
  let reads = 0;
  const log = disk.log as { read: (...args: never[]) => Buffer };
  const read = log.read.bind(log);
  log.read = (...args: never[]) => {
    reads++;
    return read(...args);
  };
  // Epoch 0: offsets 0-2; epoch 3: 3-4; epoch 5: 5-8.
  for (const [epoch, batches] of [
    [0, 3],
    [3, 2],
    [5, 4],
  ] as const) {
    for (const p of [disk, scanned]) {
      p.state = state(epoch);
      for (let i = 0; i < batches; i++) p.appendAsLeader(batchOf([`e${epoch}-${i}`]));
    }
  }
  const expected = [
    { epoch: 0, startOffset: 0 },
    { epoch: 3, startOffset: 3 },
    { epoch: 5, startOffset: 5 },
  ];
  t.same(epochHistory(scanned), expected, 'the header scan');
  t.same(epochHistory(disk), expected, 'the cache');
  for (const requested of [0, 1, 2, 3, 4, 5, 6, -1]) {
    t.same(endOffsetForEpoch(disk, requested), endOffsetForEpoch(scanned, requested), `epoch ${requested}`);
  }
  t.same(endOffsetForEpoch(disk, 4), { epoch: 3, endOffset: 5 });
  // A follower truncated into epoch 3 forgets epoch 5.
  disk.truncateTo(4);
  scanned.truncateTo(4);
  t.same(epochHistory(disk), expected.slice(0, 2));
  t.same(epochHistory(scanned), expected.slice(0, 2));
  const history = epochHistory(disk);
  history.push({ epoch: 9, startOffset: 9 });
  t.same(epochHistory(disk), expected.slice(0, 2), 'callers get a copy, not the cache');
  t.equal(reads, 0, 'no read of the storage log');
});
