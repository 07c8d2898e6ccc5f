import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { batchOf, produce } from '../../test/helpers/data-path.js';
import {
  ListOffsetsApi,
  type ListOffsetsResponseListOffsetsPartitionResponse,
} from '../../protocol/generated/messages/02-list-offsets.js';
import type { RawClient } from '../../test/helpers/raw-client.js';

async function listOffset(
  c: RawClient,
  version: number,
  topic: string,
  timestamp: bigint,
  extra: { isolationLevel?: number; currentLeaderEpoch?: number; maxNumOffsets?: number; timeoutMs?: number } = {},
): Promise<ListOffsetsResponseListOffsetsPartitionResponse> {
  const response = await c.call(ListOffsetsApi, version, {
    replicaId: -1,
    isolationLevel: extra.isolationLevel ?? 0,
    timeoutMs: extra.timeoutMs ?? 0,
    topics: [
      {
        name: topic,
        partitions: [
          {
            partitionIndex: 0,
            currentLeaderEpoch: extra.currentLeaderEpoch ?? -1,
            timestamp,
            maxNumOffsets: extra.maxNumOffsets ?? 1,
          },
        ],
      },
    ],
  });
  return response.topics[0]!.partitions[0]!;
}

t.test('ListOffsets 0-10: earliest, latest, by timestamp, max timestamp', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'lo');
  const c = await rawClient(running.port);
  // Timestamps 1_700_000_000_000 + i per record (see batchOf); three batches of two.
  for (let i = 0; i < 3; i++) {
    await produce(c, 9, 'lo', 0, batchOf([`a${i}`, `b${i}`]));
  }
  for (let v = 1; v <= 10; v++) {
    const latest = await listOffset(c, v, 'lo', -1n);
    t.equal(latest.offset, 6n, `v${v} latest`);
    t.equal(latest.timestamp, -1n, `v${v} latest timestamp -1`);
    t.equal(latest.leaderEpoch, v >= 4 ? 0 : -1, `v${v} leader epoch`);
    t.equal((await listOffset(c, v, 'lo', -2n)).offset, 0n, `v${v} earliest`);
    const byTime = await listOffset(c, v, 'lo', 1_700_000_000_001n);
    t.equal(byTime.offset, 1n, `v${v} by timestamp: the first record at or after it, as Kafka's segment lookup`);
  }
  const none = await listOffset(c, 5, 'lo', 1_900_000_000_000n);
  t.equal(none.offset, -1n, 'no offset after the newest timestamp');
  t.equal(none.timestamp, -1n);
  const max = await listOffset(c, 7, 'lo', -3n);
  t.equal(max.timestamp, 1_700_000_000_001n, 'max timestamp');
  t.ok(max.offset >= 0n && max.offset < 6n, 'offset of the max timestamp');
  t.equal((await listOffset(c, 8, 'lo', -4n)).offset, 0n, 'earliest local');
  t.equal((await listOffset(c, 9, 'lo', -5n)).offset, -1n, 'latest tiered: nothing tiered');
  t.equal(
    (await listOffset(c, 10, 'lo', -1n, { timeoutMs: 30_000 })).offset,
    6n,
    'v10 (Kafka 4.0) with its remote-storage timeout: answered at once',
  );
  t.same((await listOffset(c, 0, 'lo', -1n)).oldStyleOffsets, [6n], 'v0 old style latest');
  t.same((await listOffset(c, 0, 'lo', -2n)).oldStyleOffsets, [0n], 'v0 old style earliest');
  t.equal((await listOffset(c, 4, 'lo', -1n, { isolationLevel: 1 })).offset, 6n, 'read_committed latest is the LSO');
  t.equal((await listOffset(c, 4, 'nope', -1n)).errorCode, 3, 'unknown topic');
  t.equal((await listOffset(c, 4, 'lo', -1n, { currentLeaderEpoch: 3 })).errorCode, 75, 'UNKNOWN_LEADER_EPOCH');
  c.close();
});

t.test('ListOffsets v1+: a partition named twice is INVALID_REQUEST at each place, as Kafka answers', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'dup', { partitions: 2 });
  const c = await rawClient(running.port);
  await produce(c, 9, 'dup', 0, batchOf(['a', 'b', 'c']));
  const partition = (partitionIndex: number, timestamp: bigint) => ({
    partitionIndex,
    currentLeaderEpoch: -1,
    timestamp,
    maxNumOffsets: 1,
  });
  for (const version of [1, 4, 7]) {
    const response = await c.call(ListOffsetsApi, version, {
      replicaId: -1,
      isolationLevel: 0,
      timeoutMs: 0,
      topics: [
        { name: 'dup', partitions: [partition(0, -2n), partition(1, -1n)] },
        { name: 'dup', partitions: [partition(0, -1n)] },
      ],
    });
    const answers = response.topics.flatMap((topic) =>
      topic.partitions.map((p) => [topic.name, p.partitionIndex, p.errorCode, p.offset]),
    );
    t.same(
      answers,
      [
        ['dup', 0, 42, -1n],
        ['dup', 1, 0, 0n],
        ['dup', 0, 42, -1n],
      ],
      `v${version}: the duplicated partition refused wherever it is named, the other answered`,
    );
  }
  c.close();
});
