/**
 * The clean-shutdown listing (storage/clean-listing.ts): a clean close writes it, the next start
 * opens every folder it names without listing the folder, statting its segments or reading its
 * partition.metadata (the topic id comes from the listing), and deletes it with the marker; folders it does not name are listed as
 * before, and it is not used after an unclean stop or when unreadable.
 */
import t from 'tap';
import { BoundedFileSystem } from './bounded-fs.js';
import { CLEAN_LISTING_FILE, readCleanListing } from './clean-listing.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './config.js';
import { CLEAN_SHUTDOWN_MARKER, LogManager } from './log-manager.js';
import { MemoryFileSystem } from './memory-fs.js';
import { ManualClock, batchOfSize } from './test-support.js';

const config: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: 2000 };
const ID = 'q6Gz6mfuQ1y2kK0e_3nDRw';

/** A memory file system that records the folders listed and the files read or statted. */
function spied(): { mem: MemoryFileSystem; fs: BoundedFileSystem; calls: string[] } {
  const mem = new MemoryFileSystem();
  const calls: string[] = [];
  const readdir = mem.readdir.bind(mem);
  mem.readdir = (path: string): string[] => {
    calls.push(`readdir ${path}`);
    return readdir(path);
  };
  const readFile = mem.readFile.bind(mem);
  mem.readFile = (path: string): Buffer | null => {
    calls.push(`readFile ${path}`);
    return readFile(path);
  };
  const fileSize = mem.fileSize.bind(mem);
  mem.fileSize = (path: string): number => {
    calls.push(`fileSize ${path}`);
    return fileSize(path);
  };
  return { mem, fs: new BoundedFileSystem(mem, 64), calls };
}

function fill(manager: LogManager): void {
  const a = manager.getOrCreate('orders', 0, ID);
  for (let i = 0; i < 10; i++) a.append(batchOfSize(500), { leaderEpoch: 3 });
  manager.getOrCreate('legacy', 0).append(batchOfSize(100), { leaderEpoch: 0 });
  manager.getOrCreate('empty', 0, ID);
}

t.test('a clean restart opens the folders from the listing, with the same logs', async (t) => {
  const { mem, fs, calls } = spied();
  const clock = new ManualClock();
  const open = (): LogManager => LogManager.open({ fs, logDirs: ['/d'], clock, defaultConfig: config });
  const first = open();
  fill(first);
  const segments = first.get('orders', 0)!.segmentCount;
  t.ok(segments > 1, 'orders-0 rolled');
  first.close();
  const listing = readCleanListing(mem, '/d')!;
  t.same([...listing.keys()].sort(), ['empty-0', 'legacy-0', 'orders-0']);
  t.equal(listing.get('orders-0')!.topicId, ID);
  t.equal(listing.get('legacy-0')!.topicId, null);
  t.equal(listing.get('orders-0')!.bases.length, segments);
  t.equal(listing.get('orders-0')!.bases[0], 0);

  calls.length = 0;
  const again = open();
  t.same(
    calls.filter((c) => /^(readdir|fileSize|readFile) \/d\/[^/]+-\d+/.test(c)),
    [],
    'no folder listed, no segment statted, no partition.metadata read',
  );
  t.notOk(mem.exists(`/d/${CLEAN_LISTING_FILE}`), 'the listing is deleted at start');
  t.notOk(mem.exists(`/d/${CLEAN_SHUTDOWN_MARKER}`));
  const orders = again.get('orders', 0)!;
  t.same([orders.endOffset, orders.segmentCount], [10, segments]);
  t.equal(again.topicIdOf('orders', 0), ID);
  t.equal(again.topicIdOf('legacy', 0), undefined);
  t.equal(again.get('legacy', 0)!.endOffset, 1);
  t.equal(again.get('empty', 0)!.endOffset, 0);
  const read = orders.read(0, 100_000);
  t.ok(read && read.records.length > 0, 'segments read through the deferred handles');
  t.equal(orders.append(batchOfSize(500), { leaderEpoch: 4 }).baseOffset, 10);
  again.close();
  t.equal(open().get('orders', 0)!.endOffset, 11, 'and again after the next clean stop');
});

t.test('a folder the listing does not name is listed; an unclean stop or a bad listing is not trusted', async (t) => {
  const { mem, fs, calls } = spied();
  const clock = new ManualClock();
  const open = (): LogManager => LogManager.open({ fs, logDirs: ['/d'], clock, defaultConfig: config });
  const first = open();
  fill(first);
  first.close();
  // A folder copied in by hand while the broker was stopped.
  const other = new MemoryFileSystem();
  const donor = LogManager.open({ fs: other, logDirs: ['/d'], clock, defaultConfig: config });
  donor.getOrCreate('copied', 0).append(batchOfSize(100), { leaderEpoch: 0 });
  donor.close();
  mem.mkdir('/d/copied-0');
  for (const name of other.readdir('/d/copied-0')) {
    const h = mem.open(`/d/copied-0/${name}`, true);
    h.write(other.readFile(`/d/copied-0/${name}`)!, 0);
    h.close();
  }
  calls.length = 0;
  const second = open();
  t.same(
    calls.filter((c) => c.startsWith('readdir /d/')),
    ['readdir /d/copied-0'],
    'only the folder the listing does not name',
  );
  t.equal(second.get('copied', 0)!.endOffset, 1);
  // No close: an unclean stop leaves neither marker nor listing to trust.
  second.get('orders', 0)!.append(batchOfSize(100), { leaderEpoch: 3 });
  calls.length = 0;
  const third = open();
  t.ok(calls.includes('readdir /d/orders-0'), 'after an unclean stop every folder is listed');
  t.equal(third.get('orders', 0)!.endOffset, 11);
  third.close();
  const h = mem.open(`/d/${CLEAN_LISTING_FILE}`);
  h.truncate(10);
  h.close();
  calls.length = 0;
  const fourth = open();
  t.ok(calls.includes('readdir /d/orders-0'), 'a cut listing is ignored');
  t.notOk(mem.exists(`/d/${CLEAN_LISTING_FILE}`), 'and deleted');
  t.equal(fourth.get('orders', 0)!.endOffset, 11);
});
