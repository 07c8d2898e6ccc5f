/**
 * Batched offset commits in the group service: commits arriving in one I/O turn share
 * one append to `__consumer_offsets`, each is answered after it, a later read sees all
 * of them, and a failed append answers every commit in it COORDINATOR_NOT_AVAILABLE
 * without changing the committed offsets.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { Reader } from '../../protocol/primitives/index.js';
import { readResponseHeader } from '../../protocol/frame.js';
import { decodeRecordBatches } from '../../protocol/records/index.js';
import { OffsetCommitApi } from '../../protocol/generated/messages/08-offset-commit.js';
import { OffsetFetchApi } from '../../protocol/generated/messages/09-offset-fetch.js';
import { CONSUMER_OFFSETS_TOPIC } from '../broker/internal-topics.js';
import { GroupCoordinatorService } from './service.js';
import type { CommitRequest } from './offsets.js';

const commitFor = (groupId: string, offset: bigint): CommitRequest => ({
  groupId,
  generationId: -1,
  memberId: '',
  groupInstanceId: null,
  retentionTimeMs: -1,
  topics: [
    {
      name: 'topic',
      partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }],
    },
  ],
  apiVersion: 8,
});

t.test('pipelined commits share record batches; a fetch behind them sees every one', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'topic', { partitions: 1 });
  running.broker.groups.ensureOffsetsTopic();
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const commits = 50;
  const frames = Array.from({ length: commits }, (_, i) =>
    c.frame(
      OffsetCommitApi,
      8,
      {
        groupId: `g${i}`,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [
          {
            name: 'topic',
            topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: BigInt(i + 1),
                committedLeaderEpoch: -1,
                commitTimestamp: -1n,
                committedMetadata: '',
              },
            ],
          },
        ],
      },
      i + 1,
    ),
  ).flat();
  const fetch = c.frame(
    OffsetFetchApi,
    7,
    {
      groupId: `g${commits - 1}`,
      topics: [{ name: 'topic', partitionIndexes: [0] }],
      groups: [],
      requireStable: false,
    },
    commits + 1,
  );
  c.send([...frames, ...fetch]);
  for (let i = 0; i < commits; i++) {
    const r = new Reader(await c.next());
    t.equal(readResponseHeader(r, OffsetCommitApi.apiKey, 8).correlationId, i + 1, 'answers in request order');
    t.equal(OffsetCommitApi.decodeResponse(r, 8).topics[0]!.partitions[0]!.errorCode, 0);
  }
  const r = new Reader(await c.next());
  readResponseHeader(r, OffsetFetchApi.apiKey, 7);
  t.equal(
    OffsetFetchApi.decodeResponse(r, 7).topics[0]!.partitions[0]!.committedOffset,
    BigInt(commits),
    'the fetch sees the last commit',
  );

  const log = running.broker.replicas.get(CONSUMER_OFFSETS_TOPIC, 0)!.log;
  t.equal(log.logEndOffset, commits, 'one record per commit');
  const batches = [...decodeRecordBatches(log.read(0, 1 << 20), { allowPartialTrailing: true })];
  t.ok(batches.length < commits, `${commits} commits in ${batches.length} batches`);
});

t.test('a failed batched append answers COORDINATOR_NOT_AVAILABLE and commits nothing', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'topic', { partitions: 1 });
  const { broker } = running;
  broker.groups.ensureOffsetsTopic();
  const failing = {
    get: () => ({
      leaderEpoch: 0,
      log: {
        append() {
          throw new Error('disk gone');
        },
      },
    }),
  };
  const service = new GroupCoordinatorService({
    config: broker.config,
    controller: broker.controller,
    replicas: failing as never,
    clock: broker.clock,
    log: { warn: () => undefined } as never,
  });
  t.teardown(() => service.stop());
  const answers = await Promise.all([service.commit(commitFor('a', 5n)), service.commit(commitFor('b', 6n))]);
  t.same(
    answers.map((a) => a[0]!.partitions[0]!.errorCode),
    [15, 15],
    'COORDINATOR_NOT_AVAILABLE for both',
  );
  t.equal(service.coordinator.store.committed('a', 'topic', 0), undefined);
  t.equal(service.coordinator.store.committed('b', 'topic', 0), undefined);
  const invalid = await service.commit(commitFor('x'.repeat(32768), 1n));
  t.equal(invalid[0]!.partitions[0]!.errorCode, 24, 'validation errors answer at once (INVALID_GROUP_ID)');
});
