/**
 * Topic ids on disk: partition.metadata is written at creation and checked when a log is
 * opened for a topic id; deletion renames the folder to `<topic>-<p>.<uuid>-delete` and
 * removes it after file.delete.delay.ms; a topic created again under the same name keeps
 * its data across restarts, and `__cluster_metadata-0` is never taken for a partition.
 */
import t from 'tap';
import { readOffsetCheckpoint } from './checkpoint.js';
import { CLEAN_LISTING_FILE } from './clean-listing.js';
import { DEFAULT_LOG_CONFIG } from './config.js';
import { InconsistentTopicIdError } from './errors.js';
import { deleteDirName } from './log-deletion.js';
import { LogManager } from './log-manager.js';
import { MemoryFileSystem } from './memory-fs.js';
import { PARTITION_METADATA_FILE, readPartitionMetadata } from './partition-metadata.js';
import { ManualClock, batchOfSize } from './test-support.js';

const OLD_ID = 'AAAAAAAAAAAAAAAAAAAAAg';
const NEW_ID = 'q6Gz6mfuQ1y2kK0e_3nDRw';

function setup(): { fs: MemoryFileSystem; clock: ManualClock; open: () => LogManager } {
  const fs = new MemoryFileSystem();
  const clock = new ManualClock();
  return {
    fs,
    clock,
    open: () =>
      LogManager.open({ fs, logDirs: ['/d'], clock, defaultConfig: DEFAULT_LOG_CONFIG, fileDeleteDelayMs: 1000 }),
  };
}

t.test('partition.metadata is written in Kafka format when a log is created for a topic id', async (t) => {
  const { fs, open } = setup();
  const manager = open();
  manager.getOrCreate('orders', 0, NEW_ID);
  t.equal(fs.readFile(`/d/orders-0/${PARTITION_METADATA_FILE}`)!.toString(), `version: 0\ntopic_id: ${NEW_ID}\n`);
  t.equal(manager.topicIdOf('orders', 0), NEW_ID);
  manager.close();
  const again = open();
  t.equal(again.topicIdOf('orders', 0), NEW_ID, 'read back at load');
  t.ok(again.getOrCreate('orders', 0, NEW_ID));
  const error = t.throws(() => again.getOrCreate('orders', 0, OLD_ID)) as InconsistentTopicIdError;
  t.equal(error.errorCode, 103, 'another topic id is INCONSISTENT_TOPIC_ID');
  t.match(
    error.message,
    /orders-0 belongs to topic id q6Gz6mfuQ1y2kK0e_3nDRw, the metadata has AAAAAAAAAAAAAAAAAAAAAg/,
  );
  t.throws(
    () => again.delete('orders', 0, OLD_ID),
    InconsistentTopicIdError,
    'a deletion for another id does not touch it',
  );
  t.ok(fs.exists('/d/orders-0/00000000000000000000.log'));
});

t.test('a folder without partition.metadata adopts the id; an unreadable one is refused', async (t) => {
  const { fs, open } = setup();
  const manager = open();
  manager.getOrCreate('legacy', 0);
  manager.getOrCreate('broken', 0);
  manager.close();
  fs.open(`/d/broken-0/${PARTITION_METADATA_FILE}`, true).write(Buffer.from('version: 7\ntopic_id: x\n'), 0);
  // A hand edit after a clean stop is seen once the clean-shutdown listing is gone (storage/clean-listing.ts).
  fs.unlink(`/d/${CLEAN_LISTING_FILE}`);
  const again = open();
  again.getOrCreate('legacy', 0, NEW_ID);
  t.same(readPartitionMetadata(fs, '/d/legacy-0'), { kind: 'topic-id', topicId: NEW_ID });
  const error = t.throws(() => again.getOrCreate('broken', 0, NEW_ID)) as InconsistentTopicIdError;
  t.match(error.message, /unreadable partition\.metadata \(unknown version 7\)/);
});

t.test('deletion renames the folder, rewrites the checkpoints and removes it after the delay', async (t) => {
  const { fs, clock, open } = setup();
  const manager = open();
  const log = manager.getOrCreate('orders', 0, OLD_ID);
  for (let i = 0; i < 3; i++) log.append(batchOfSize(200), { leaderEpoch: 0 });
  manager.checkpoint();
  t.equal(readOffsetCheckpoint(fs, '/d', 'recovery-point-offset-checkpoint').has('orders-0'), true);
  manager.delete('orders', 0, OLD_ID);
  t.notOk(fs.exists('/d/orders-0'), 'the name is free at once');
  const renamed = fs.subdirectories('/d').filter((n) => /^orders-0\.[0-9a-f]{32}-delete$/.test(n));
  t.equal(renamed.length, 1, 'renamed to <topic>-<p>.<uuid>-delete');
  t.equal(
    readOffsetCheckpoint(fs, '/d', 'recovery-point-offset-checkpoint').has('orders-0'),
    false,
    'checkpoint no longer names it',
  );
  t.equal(manager.pendingDeletions, 1);
  manager.tick(clock.now() + 999);
  t.ok(fs.exists(`/d/${renamed[0]}`), 'kept until file.delete.delay.ms has passed');
  manager.tick(clock.now() + 1000);
  t.notOk(fs.exists(`/d/${renamed[0]}`), 'removed in the background');
  t.equal(manager.pendingDeletions, 0);
});

t.test(
  'a topic created again keeps its data across a crash; leftover -delete folders are removed at start',
  async (t) => {
    const { fs, clock, open } = setup();
    const manager = open();
    const old = manager.getOrCreate('orders', 0, OLD_ID);
    for (let i = 0; i < 4; i++) old.append(batchOfSize(200), { leaderEpoch: 0 });
    old.flush();
    manager.checkpoint();
    manager.delete('orders', 0, OLD_ID);
    const fresh = manager.getOrCreate('orders', 0, NEW_ID);
    t.equal(fresh.endOffset, 0, 'the new topic never meets the old data');
    for (let i = 0; i < 5; i++) fresh.append(batchOfSize(100), { leaderEpoch: 0 });
    fresh.flush();
    // No clean shutdown: as after a power cut.
    const again = open();
    t.equal(again.pendingDeletions, 1, 'the -delete folder found at start is queued');
    t.throws(
      () => again.getOrCreate('orders', 0, OLD_ID),
      InconsistentTopicIdError,
      'replaying the old topic does not adopt the new folder',
    );
    const reopened = again.getOrCreate('orders', 0, NEW_ID);
    t.equal(reopened.endOffset, 5, 'the new topic keeps its 5 batches');
    again.tick(clock.now() + 1000);
    t.same(fs.subdirectories('/d'), ['orders-0']);
  },
);

t.test('__cluster_metadata-0 is not opened as a partition log', async (t) => {
  const { fs, open } = setup();
  fs.mkdir('/d/__cluster_metadata-0');
  fs.open('/d/__cluster_metadata-0/00000000000000000000.log', true).write(Buffer.from('raft bytes'), 0);
  const manager = open();
  t.equal(manager.get('__cluster_metadata', 0), undefined);
  manager.close();
  t.equal(fs.readFile('/d/__cluster_metadata-0/00000000000000000000.log')!.toString(), 'raft bytes', 'left untouched');
});

t.test('delete folder names follow Kafka: uuid without dashes, capped at 255 bytes', async (t) => {
  t.equal(deleteDirName('t', 3, 'ab'.repeat(16)), `t-3.${'ab'.repeat(16)}-delete`);
  const long = deleteDirName('x'.repeat(249), 0, 'cd'.repeat(16));
  t.equal(long.length, 255);
  t.ok(long.endsWith(`-0.${'cd'.repeat(16)}-delete`));
});
