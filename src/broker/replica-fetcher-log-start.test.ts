/**
 * The follower fetcher and the leader's log start offset, with a scripted leader: records append
 * and the follower takes the leader's log start up to its own high watermark (deleting below it);
 * a follower behind the leader's log start (OFFSET_OUT_OF_RANGE with the log start) restarts its log
 * there, empty, and fetches on from it; OFFSET_OUT_OF_RANGE above the local log end only pauses.
 */
import t from 'tap';
import {
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  type FetchRequest,
  type FetchResponse,
} from '../../protocol/generated/messages/01-fetch.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { batchOf } from '../../test/helpers/data-path.js';
import { createLogger } from '../common/logger.js';
import type { PartitionState } from '../metadata/image.js';
import { MemoryPartitionLog } from './memory-log.js';
import { Partition } from './partition.js';
import { ReplicaFetcherManager } from './replica-fetcher.js';

const state: PartitionState = {
  partition: 0,
  leader: 1,
  leaderEpoch: 0,
  partitionEpoch: 0,
  replicas: [1, 2],
  isr: [1],
};

/** A leader log with `count` one-record batches, starting at offset 0. */
function leaderLog(count: number): MemoryPartitionLog {
  const log = new MemoryPartitionLog();
  for (let i = 0; i < count; i++) log.append(batchOf([`r${i}`]), { leaderEpoch: 0 });
  return log;
}

function answer(over: Partial<ReturnType<typeof defaultFetchResponsePartitionData>>, topic = 't'): FetchResponse {
  return {
    ...defaultFetchResponse(),
    responses: [
      { topic, topicId: 'id', partitions: [{ ...defaultFetchResponsePartitionData(), partitionIndex: 0, ...over }] },
    ],
  };
}

/** A fetcher whose leader answers from `script` in turn (then never again); returns the requests it saw. */
function follower(script: Array<(request: FetchRequest) => FetchResponse>) {
  const requests: FetchRequest[] = [];
  const timers: Array<() => void> = [];
  const partition = new Partition('t', 'id', 0, state, new MemoryPartitionLog(), 2);
  const manager = new ReplicaFetcherManager({
    brokerId: 2,
    brokerEpoch: () => 12n,
    transport: (_leader, request) => {
      requests.push(request);
      const next = script.shift();
      return next ? Promise.resolve(next(request)) : new Promise<FetchResponse>(() => {});
    },
    schedule: (_ms, fire) => {
      timers.push(fire);
      return () => {};
    },
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    backoffMs: 10,
    responseMaxBytes: 10 << 20,
    numFetchers: 1,
    logger: createLogger({ level: 'silent' }),
  });
  return { partition, manager, requests, timers };
}

const turns = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

t.test('the follower takes the leader log start up to its own high watermark', async (t) => {
  const leader = leaderLog(10);
  const f = follower([
    () => answer({ records: leader.read(0, 1 << 20), highWatermark: 6n, logStartOffset: 8n }),
    () => answer({ records: Buffer.alloc(0), highWatermark: 10n, logStartOffset: 8n }),
  ]);
  f.manager.update(f.partition);
  await turns();
  t.equal(f.partition.log.logEndOffset, 10, 'records appended');
  t.equal(f.partition.log.logStartOffset, 8, 'log start moved to the leader log start once the high watermark allows');
  t.equal(f.partition.highWatermark, 10);
  t.equal(f.requests.length, 3, 'fetching on');
  f.manager.close();
});

t.test('a log start above the follower high watermark waits for it', async (t) => {
  const leader = leaderLog(10);
  const f = follower([() => answer({ records: leader.read(0, 1 << 20), highWatermark: 4n, logStartOffset: 8n })]);
  f.manager.update(f.partition);
  await turns();
  t.equal(f.partition.log.logStartOffset, 4, 'only up to the high watermark');
  f.manager.close();
});

t.test('a follower behind the leader log start restarts its log there', async (t) => {
  const f = follower([
    (request) => {
      t.equal(request.topics[0]?.partitions[0]?.fetchOffset, 0n, 'fetches from 0');
      return answer({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1n, logStartOffset: 50n });
    },
    (request) => {
      t.equal(request.topics[0]?.partitions[0]?.fetchOffset, 50n, 'then from the leader log start');
      return answer({ records: Buffer.alloc(0), highWatermark: 50n, logStartOffset: 50n });
    },
  ]);
  f.manager.update(f.partition);
  await turns();
  t.same([f.partition.log.logStartOffset, f.partition.log.logEndOffset], [50, 50], 'empty, at 50');
  t.equal(f.partition.highWatermark, 50);
  t.equal(f.requests.length, 3);
  f.manager.close();
});

t.test('OFFSET_OUT_OF_RANGE with the leader log start below the follower log end pauses it', async (t) => {
  const leader = leaderLog(3);
  const f = follower([
    () => answer({ records: leader.read(0, 1 << 20), highWatermark: 3n, logStartOffset: 0n }),
    () => answer({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1n, logStartOffset: 0n }),
  ]);
  f.manager.update(f.partition);
  await turns();
  t.same([f.partition.log.logStartOffset, f.partition.log.logEndOffset], [0, 3], 'log kept');
  t.equal(f.timers.length, 1, 'paused for the backoff');
  f.manager.close();
});

t.test('a leader log start inside a batch: the empty follower log starts at the batch, then moves up', async (t) => {
  const leader = new MemoryPartitionLog();
  leader.append(batchOf(Array.from({ length: 10 }, (_, i) => `r${i}`)), { leaderEpoch: 0 });
  leader.deleteRecordsBefore(5);
  const f = follower([
    () => answer({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1n, logStartOffset: 5n }),
    (request) => {
      t.equal(request.topics[0]?.partitions[0]?.fetchOffset, 5n, 'fetches from the leader log start');
      return answer({ records: leader.read(5, 1 << 20), highWatermark: 10n, logStartOffset: 5n });
    },
  ]);
  f.manager.update(f.partition);
  await turns();
  t.same([f.partition.log.logStartOffset, f.partition.log.logEndOffset], [5, 10], 'the whole batch taken, log start 5');
  t.equal(f.partition.highWatermark, 10);
  f.manager.close();
});
