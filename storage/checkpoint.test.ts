import t from 'tap';
import {
  LEADER_EPOCH_CHECKPOINT,
  readCheckpointFile,
  readOffsetCheckpoint,
  writeOffsetCheckpoint,
} from './checkpoint.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { MemoryFileSystem } from './memory-fs.js';

t.test('offset checkpoints use Kafka text format and round-trip', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/d');
  writeOffsetCheckpoint(fs, '/d', 'recovery-point-offset-checkpoint', [
    { topic: 'a-b', partition: 3, offset: 42 },
    { topic: 'c', partition: 0, offset: 0 },
  ]);
  const raw = Buffer.alloc(100);
  const n = fs.open('/d/recovery-point-offset-checkpoint').read(raw, 0, 100, 0);
  t.equal(raw.subarray(0, n).toString(), '0\n2\na-b 3 42\nc 0 0\n');
  t.same(
    [...readOffsetCheckpoint(fs, '/d', 'recovery-point-offset-checkpoint')],
    [
      ['a-b-3', 42],
      ['c-0', 0],
    ],
  );
  t.same(readOffsetCheckpoint(fs, '/d', 'missing').size, 0);
});

t.test('malformed checkpoints read as missing', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/d');
  for (const text of ['1\n0\n', '0\n2\na 0 1\n', '0\n1\na 0\n', '0\nx\n']) {
    const file = fs.open('/d/c', true);
    file.truncate(0);
    file.write(Buffer.from(text), 0);
    t.equal(readCheckpointFile(fs, '/d', 'c', 3), null, JSON.stringify(text));
  }
  const file = fs.open('/d/c', true);
  file.truncate(0);
  file.write(Buffer.from('0\n1\na x 1\n'), 0);
  t.equal(readOffsetCheckpoint(fs, '/d', 'c').size, 0);
});

t.test('leader epoch cache: assign, end offsets, truncation both ends, persistence', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/p');
  const cache = new LeaderEpochCache(fs, '/p');
  cache.assign(1, 0);
  cache.assign(1, 5);
  cache.assign(3, 10);
  cache.assign(2, 12);
  t.same(cache.all(), [
    { epoch: 1, startOffset: 0 },
    { epoch: 3, startOffset: 10 },
  ]);
  t.same(cache.endOffsetFor(1, 20), { epoch: 1, startOffset: 10 });
  t.same(cache.endOffsetFor(2, 20), { epoch: 1, startOffset: 10 });
  t.same(cache.endOffsetFor(3, 20), { epoch: 3, startOffset: 20 });
  t.same(cache.endOffsetFor(0, 20), { epoch: -1, startOffset: -1 });
  t.same(readCheckpointFile(fs, '/p', LEADER_EPOCH_CHECKPOINT, 2), [
    ['1', '0'],
    ['3', '10'],
  ]);
  cache.assign(4, 15);
  cache.truncateFromEnd(15);
  t.same(new LeaderEpochCache(fs, '/p').all(), [
    { epoch: 1, startOffset: 0 },
    { epoch: 3, startOffset: 10 },
  ]);
  cache.truncateFromStart(12);
  t.same(cache.all(), [{ epoch: 3, startOffset: 12 }]);
});
