import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { DescribeClusterApi } from '../../protocol/generated/messages/60-describe-cluster.js';
import { DescribeLogDirsApi } from '../../protocol/generated/messages/35-describe-log-dirs.js';
import { DescribeTopicPartitionsApi } from '../../protocol/generated/messages/75-describe-topic-partitions.js';
import { CLUSTER_OPERATIONS, OPERATIONS_NOT_REQUESTED } from './authorized-operations.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';

t.test('DescribeCluster, DescribeLogDirs and DescribeTopicPartitions', async (t) => {
  const { port, broker } = await brokerFor(t);
  const c = await rawClient(port);
  t.teardown(() => c.close());
  const topic = (name: string, numPartitions: number) => ({
    ...defaultCreateTopicsRequestCreatableTopic(),
    name,
    numPartitions,
    replicationFactor: 1,
  });
  await c.call(CreateTopicsApi, 7, {
    topics: [topic('alpha', 3), topic('beta', 2), topic('gamma', 1)],
    timeoutMs: 1000,
    validateOnly: false,
  });

  t.test('DescribeCluster', async (t) => {
    const v0 = await c.call(DescribeClusterApi, 0, {
      includeClusterAuthorizedOperations: true,
      endpointType: 1,
      includeFencedBrokers: false,
    });
    t.equal(v0.errorCode, 0);
    t.equal(v0.clusterId, broker.clusterId);
    t.equal(v0.controllerId, 1);
    t.same(v0.brokers, [{ brokerId: 1, host: '127.0.0.1', port, rack: null, isFenced: false }]);
    t.equal(v0.clusterAuthorizedOperations, CLUSTER_OPERATIONS, 'authorized operations when asked');
    const v1 = await c.call(DescribeClusterApi, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 1,
      includeFencedBrokers: false,
    });
    t.equal(v1.endpointType, 1);
    t.equal(v1.clusterAuthorizedOperations, OPERATIONS_NOT_REQUESTED);
    t.equal(
      (
        await c.call(DescribeClusterApi, 1, {
          includeClusterAuthorizedOperations: false,
          endpointType: 2,
          includeFencedBrokers: false,
        })
      ).errorCode,
      114,
      'MISMATCHED_ENDPOINT_TYPE',
    );
    t.equal(
      (
        await c.call(DescribeClusterApi, 1, {
          includeClusterAuthorizedOperations: false,
          endpointType: 7,
          includeFencedBrokers: false,
        })
      ).errorCode,
      115,
      'UNSUPPORTED_ENDPOINT_TYPE',
    );
    // v2 (Kafka 4.0, KIP-1073): fenced brokers on request, flagged
    broker.controller.commit([
      {
        type: 'RegisterBrokerRecord',
        data: {
          ...defaultRegisterBrokerRecord(),
          brokerId: 7,
          fenced: true,
          endPoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 1, securityProtocol: 0 }],
          logDirs: [],
        },
      },
    ]);
    const live = await c.call(DescribeClusterApi, 2, {
      includeClusterAuthorizedOperations: false,
      endpointType: 1,
      includeFencedBrokers: false,
    });
    t.same(
      live.brokers.map((b) => [b.brokerId, b.isFenced]),
      [[1, false]],
      'v2 without IncludeFencedBrokers: live brokers only',
    );
    const all = await c.call(DescribeClusterApi, 2, {
      includeClusterAuthorizedOperations: false,
      endpointType: 1,
      includeFencedBrokers: true,
    });
    t.same(
      all.brokers.map((b) => [b.brokerId, b.isFenced]),
      [
        [1, false],
        [7, true],
      ],
      'v2 with IncludeFencedBrokers: the fenced one too',
    );
    t.equal(all.controllerId, 1);
    const v1Live = await c.call(DescribeClusterApi, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 1,
      includeFencedBrokers: false,
    });
    t.same(
      v1Live.brokers.map((b) => b.brokerId),
      [1],
      'v1 (no such field): live brokers only',
    );
  });

  t.test('DescribeLogDirs', async (t) => {
    const p = broker.replicas.get('alpha', 1)!;
    t.equal(p.log.size(), 0, 'an empty log has size 0');
    // A bare 61-byte v2 batch header (batch length 49, magic 2) is enough for the memory log.
    const batch = Buffer.alloc(61);
    batch.writeInt32BE(49, 8);
    batch.writeInt8(2, 16);
    p.log.append(batch, { leaderEpoch: 0 });
    for (let v = 0; v <= 4; v++) {
      const res = await c.call(DescribeLogDirsApi, v, { topics: null });
      t.equal(res.results.length, 1, `v${v}: one log dir`);
      const dir = res.results[0]!;
      t.equal(dir.errorCode, 0);
      t.equal(dir.topics[0]!.partitions[1]!.partitionSize, 61n, 'partition size in bytes');
      t.same(
        dir.topics.map((x) => [x.name, x.partitions.map((q) => q.partitionIndex)]),
        [
          ['alpha', [0, 1, 2]],
          ['beta', [0, 1]],
          ['gamma', [0]],
        ],
      );
      if (v >= 4) {
        t.ok(dir.totalBytes > 0n, 'total bytes');
        t.ok(dir.usableBytes > 0n && dir.usableBytes <= dir.totalBytes, 'usable bytes');
      }
    }
    const some = await c.call(DescribeLogDirsApi, 4, {
      topics: [
        { topic: 'beta', partitions: [1] },
        { topic: 'nope', partitions: [0] },
      ],
    });
    t.same(
      some.results[0]!.topics.map((x) => [x.name, x.partitions.map((q) => q.partitionIndex)]),
      [['beta', [1]]],
      'only what was asked for',
    );
  });

  t.test('DescribeTopicPartitions with cursor pagination', async (t) => {
    const page1 = await c.call(DescribeTopicPartitionsApi, 0, { topics: [], responsePartitionLimit: 4, cursor: null });
    t.same(
      page1.topics.map((x) => [x.name, x.partitions.map((q) => q.partitionIndex)]),
      [
        ['alpha', [0, 1, 2]],
        ['beta', [0]],
      ],
    );
    t.same(page1.nextCursor, { topicName: 'beta', partitionIndex: 1 });
    t.same(page1.topics[0]!.partitions[0]!.eligibleLeaderReplicas, []);
    const page2 = await c.call(DescribeTopicPartitionsApi, 0, {
      topics: [],
      responsePartitionLimit: 4,
      cursor: page1.nextCursor,
    });
    t.same(
      page2.topics.map((x) => [x.name, x.partitions.map((q) => q.partitionIndex)]),
      [
        ['beta', [1]],
        ['gamma', [0]],
      ],
    );
    t.equal(page2.nextCursor, null, 'last page');
    const exact = await c.call(DescribeTopicPartitionsApi, 0, { topics: [], responsePartitionLimit: 3, cursor: null });
    t.same(exact.nextCursor, { topicName: 'beta', partitionIndex: 0 }, 'cursor at the start of the next topic');

    const named = await c.call(DescribeTopicPartitionsApi, 0, {
      topics: [{ name: 'gamma' }, { name: 'missing' }, { name: 'bad/name' }],
      responsePartitionLimit: 100,
      cursor: null,
    });
    t.same(
      named.topics.map((x) => [x.name, x.errorCode]),
      [
        ['bad/name', 17],
        ['gamma', 0],
        ['missing', 3],
      ],
    );
    t.not(named.topics[1]!.topicId, ZERO_UUID);
    const bad = await c.call(DescribeTopicPartitionsApi, 0, {
      topics: [{ name: 'gamma' }],
      responsePartitionLimit: 100,
      cursor: { topicName: 'alpha', partitionIndex: 0 },
    });
    t.equal(bad.topics[0]!.errorCode, 42, 'cursor topic not in the list is INVALID_REQUEST');
  });
});

t.test('DescribeLogDirs reports each partition under the log dir that holds it', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gregor-dirs-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dirs = [join(root, 'a'), join(root, 'b')];
  const { port } = await brokerFor(t, { config: { 'log.dirs': dirs.join(',') } });
  const c = await rawClient(port);
  t.teardown(() => c.close());
  const created = await c.call(CreateTopicsApi, 7, {
    topics: [{ ...defaultCreateTopicsRequestCreatableTopic(), name: 'spread', numPartitions: 4, replicationFactor: 1 }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  t.equal(created.topics[0]!.errorCode, 0);
  const res = await c.call(DescribeLogDirsApi, 4, { topics: null });
  t.same(res.results.map((r) => r.logDir).sort(), dirs.sort(), 'one result per dir');
  const seen: number[] = [];
  for (const result of res.results) {
    for (const topic of result.topics.filter((x) => x.name === 'spread')) {
      for (const p of topic.partitions) {
        seen.push(p.partitionIndex);
        t.ok(
          existsSync(join(result.logDir, `spread-${p.partitionIndex}`)),
          `spread-${p.partitionIndex} lives in ${result.logDir}`,
        );
      }
    }
  }
  t.same(seen.sort(), [0, 1, 2, 3], 'every partition reported once');
  t.ok(
    res.results.every((r) => r.topics.some((x) => x.name === 'spread')),
    'new logs go to the dir holding the fewest',
  );
});
