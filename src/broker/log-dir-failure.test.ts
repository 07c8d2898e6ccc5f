/**
 * Log dir failure as Kafka handles it, on a broker whose two log dirs live on an in-memory
 * file system that can fail writes below one dir (a full disk): the failure is logged with
 * the dir and the cause, that dir's partitions go offline (Produce gets KAFKA_STORAGE_ERROR,
 * Metadata shows leader -1 and this node among the offline replicas, DescribeLogDirs marks
 * the dir), the other dir keeps serving, and when no dir is left the broker stops itself.
 * Also: a partition whose log cannot be created leaves the topic whole in the metadata.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import pino from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { CreatePartitionsApi } from '../../protocol/generated/messages/37-create-partitions.js';
import { DescribeLogDirsApi } from '../../protocol/generated/messages/35-describe-log-dirs.js';
import { MetadataApi } from '../../protocol/generated/messages/03-metadata.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { MemoryFileSystem } from '../../storage/memory-fs.js';
import { BrokerConfig } from '../common/config.js';
import { SystemClock } from '../common/clock.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { batchOf, produce } from '../../test/helpers/data-path.js';
import { Broker } from '../node/broker.js';
import { DiskLogFactory } from './disk-log.js';
import { MemoryPartitionLog } from './memory-log.js';
import type { PartitionLog, PartitionLogFactory } from './partition-log.js';

interface LogLine {
  level: number;
  msg: string;
  dir?: string;
  [key: string]: unknown;
}

function capturingLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

async function startOn(t: Test, logFactory: (config: BrokerConfig, dirs: string[]) => PartitionLogFactory) {
  const root = mkdtempSync(join(tmpdir(), 'gregor-dir-failure-'));
  const dirs = [join(root, 'a'), join(root, 'b')];
  const config = new BrokerConfig({
    'node.id': 1,
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'log.dirs': dirs.join(','),
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.num.partitions': 1,
  });
  const { logger, lines } = capturingLogger();
  const broker = new Broker({ config, log: logger, logFactory: logFactory(config, dirs), ephemeralMetadata: true });
  await broker.start();
  let stopped = false;
  broker.onFatalStop(() => (stopped = true));
  t.teardown(async () => {
    if (!stopped) await broker.stop();
    rmSync(root, { recursive: true, force: true });
  });
  return { broker, dirs, lines, port: broker.bound[0]!.port, fatallyStopped: () => stopped };
}

async function metadataOf(port: number, topic: string) {
  const client = await rawClient(port);
  try {
    const response = await client.call(MetadataApi, 12, {
      topics: [{ topicId: ZERO_UUID, name: topic }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    return response.topics[0]!;
  } finally {
    client.close();
  }
}

t.test(
  'a full disk under one of two log dirs: logged, its partitions offline, the other dir serves; the last one stops the broker',
  async (t) => {
    const fs = new MemoryFileSystem();
    const { broker, dirs, lines, port, fatallyStopped } = await startOn(
      t,
      (config, dirs) => new DiskLogFactory(config, new SystemClock(), dirs, { fs }),
    );
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 50 },
    });
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: 'spread', numPartitions: 4 }] });
    const dirOf = (p: number): string | undefined => broker.replicas.get('spread', p)?.log.logDir?.();
    const onA = [0, 1, 2, 3].filter((p) => dirOf(p) === dirs[0]);
    const onB = [0, 1, 2, 3].filter((p) => dirOf(p) === dirs[1]);
    t.equal(onA.length, 2, 'two partitions in each dir');
    t.equal(onB.length, 2);

    const producer = kafka.producer({ retry: { retries: 1, initialRetryTime: 50 } });
    await producer.connect();
    t.teardown(() => producer.disconnect());
    await producer.send({
      topic: 'spread',
      acks: -1,
      messages: [0, 1, 2, 3].map((p) => ({ partition: p, value: `before ${p}` })),
    });

    fs.failWrites('ENOSPC', 0, dirs[0]);
    const client = await rawClient(port);
    t.teardown(() => client.close());
    const failed = await produce(client, 9, 'spread', onA[0]!, batchOf(['lost']));
    t.equal(failed.errorCode, ErrorCode.KAFKA_STORAGE_ERROR, 'the write that hit the full disk: KAFKA_STORAGE_ERROR');
    const again = await produce(client, 9, 'spread', onA[1]!, batchOf(['lost too']));
    t.equal(
      again.errorCode,
      ErrorCode.KAFKA_STORAGE_ERROR,
      'every partition of the failed dir answers KAFKA_STORAGE_ERROR',
    );

    const logged = lines.find((l) => l.level === 50 && l.dir === dirs[0]);
    t.ok(logged, 'the failure is logged at error level with the dir');
    t.match(logged?.msg, /ENOSPC/, 'and the cause');

    // Metadata as Kafka shows a partition whose only replica's dir is offline.
    const md = await metadataOf(port, 'spread');
    for (const p of md.partitions) {
      if (onA.includes(p.partitionIndex)) {
        t.equal(p.errorCode, ErrorCode.LEADER_NOT_AVAILABLE, `partition ${p.partitionIndex}: LEADER_NOT_AVAILABLE`);
        t.equal(p.leaderId, -1, 'no leader');
        t.same(p.offlineReplicas, [1], 'this node is an offline replica');
      } else {
        t.equal(p.errorCode, 0);
        t.equal(p.leaderId, 1, `partition ${p.partitionIndex} in the healthy dir keeps its leader`);
        t.same(p.offlineReplicas, []);
      }
    }
    // kafkajs refuses the offline partitions at once (as with Kafka), it does not wait for a timeout.
    await t.rejects(
      admin.fetchTopicMetadata({ topics: ['spread'] }),
      /no leader for this topic-partition/,
      'kafkajs: LEADER_NOT_AVAILABLE',
    );

    const logDirs = await client.call(DescribeLogDirsApi, 4, { topics: null });
    const byDir = new Map(logDirs.results.map((r) => [r.logDir, r]));
    t.equal(byDir.get(dirs[0]!)?.errorCode, ErrorCode.KAFKA_STORAGE_ERROR, 'DescribeLogDirs: the failed dir');
    t.equal(byDir.get(dirs[1]!)?.errorCode, 0, 'DescribeLogDirs: the healthy dir');

    // The healthy dir keeps serving: the partitions there, and new topics (created in it), with kafkajs end to end.
    for (const p of onB)
      t.equal(
        (await produce(client, 9, 'spread', p, batchOf(['after']))).errorCode,
        0,
        `partition ${p} in the healthy dir takes writes`,
      );
    // kafkajs fails a whole Metadata response over one partition error (so its admin, which asks for every
    // topic, does too, as against Kafka with an offline partition): the topic is created over the wire, and
    // new kafkajs clients that only know 'healthy' produce and consume.
    const createdHealthy = await client.call(CreateTopicsApi, 7, {
      topics: [
        { ...defaultCreateTopicsRequestCreatableTopic(), name: 'healthy', numPartitions: 2, replicationFactor: 1 },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    t.equal(createdHealthy.topics[0]!.errorCode, 0);
    t.equal(broker.replicas.get('healthy', 0)?.log.logDir?.(), dirs[1], 'a new topic goes to the online dir');
    const another = kafka.producer();
    await another.connect();
    t.teardown(() => another.disconnect());
    await another.send({
      topic: 'healthy',
      acks: -1,
      messages: [
        { partition: 0, value: 'a' },
        { partition: 1, value: 'b' },
      ],
    });
    const consumer = kafka.consumer({ groupId: 'after-failure' });
    await consumer.connect();
    t.teardown(() => consumer.disconnect());
    await consumer.subscribe({ topic: 'healthy', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value?.toString() ?? '');
          if (seen.length === 2) resolve();
        },
      });
    });
    t.same(seen.sort(), ['a', 'b'], 'kafkajs consumes from the healthy dir');
    await consumer.stop();
    t.notOk(fatallyStopped(), 'one dir is still online: the broker serves');

    // The last dir fails: the broker stops itself with a clear message.
    const stoppedItself = new Promise<string>((resolve) => broker.onFatalStop(resolve));
    fs.failWrites('ENOSPC', 0, dirs[1]);
    const last = await produce(client, 9, 'spread', onB[0]!, batchOf(['lost']));
    t.equal(last.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    const reason = await stoppedItself;
    t.match(reason, /all log dirs have failed/);
    t.ok(
      lines.some((l) => l.level === 60 && /all log dirs have failed/.test(l.msg)),
      'logged at fatal level',
    );
  },
);

/** Opens memory logs, but the n-th open fails as a broken disk would. */
class FailingNthOpen implements PartitionLogFactory {
  opens = 0;
  constructor(public failAt: number) {}
  open(): PartitionLog {
    this.opens++;
    if (this.opens === this.failAt) throw Object.assign(new Error('EIO: i/o error, open'), { code: 'EIO' });
    return new MemoryPartitionLog();
  }
  close(): void {}
}

t.test('CreateTopics whose 10th log of 40 cannot be created: the topic is whole, that partition offline', async (t) => {
  const factory = new FailingNthOpen(0);
  const { broker, port, lines } = await startOn(t, () => factory);
  factory.failAt = factory.opens + 10;
  const client = await rawClient(port);
  t.teardown(() => client.close());
  const created = await client.call(CreateTopicsApi, 7, {
    topics: [{ ...defaultCreateTopicsRequestCreatableTopic(), name: 'forty', numPartitions: 40, replicationFactor: 1 }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  t.equal(created.topics[0]!.errorCode, 0, 'CreateTopics succeeds: the topic exists');
  t.equal(
    broker.controller.image.topicsByName.get('forty')?.partitions.size,
    40,
    'all 40 partitions are in the metadata',
  );
  const md = await metadataOf(port, 'forty');
  t.equal(md.partitions.length, 40, 'Metadata shows 40 partitions');
  const offline = md.partitions.filter((p) => p.leaderId === -1);
  t.equal(offline.length, 1, 'one is offline');
  t.equal(offline[0]!.errorCode, ErrorCode.LEADER_NOT_AVAILABLE);
  t.same(offline[0]!.offlineReplicas, [1]);
  t.ok(
    lines.some((l) => l.level === 50 && /forty-\d+ is offline/.test(l.msg)),
    'the failed log is logged',
  );
  const refused = await produce(client, 9, 'forty', offline[0]!.partitionIndex, batchOf(['x']));
  t.equal(refused.errorCode, ErrorCode.KAFKA_STORAGE_ERROR, 'the offline partition answers KAFKA_STORAGE_ERROR');
  let served = 0;
  for (const p of md.partitions)
    if (p.leaderId === 1 && (await produce(client, 9, 'forty', p.partitionIndex, batchOf(['x']))).errorCode === 0)
      served++;
  t.equal(served, 39, 'the other 39 take writes');
});

t.test('CreatePartitions whose 3rd new log of 10 cannot be created: all 10 are added, that one offline', async (t) => {
  const factory = new FailingNthOpen(0);
  const { broker, port } = await startOn(t, () => factory);
  const client = await rawClient(port);
  t.teardown(() => client.close());
  await client.call(CreateTopicsApi, 7, {
    topics: [
      { ...defaultCreateTopicsRequestCreatableTopic(), name: 'growing', numPartitions: 2, replicationFactor: 1 },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  factory.failAt = factory.opens + 3;
  const grown = await client.call(CreatePartitionsApi, 3, {
    topics: [{ name: 'growing', count: 12, assignments: null }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  t.equal(grown.results[0]!.errorCode, 0);
  t.equal(broker.controller.image.topicsByName.get('growing')?.partitions.size, 12, 'the metadata holds all 12');
  const md = await metadataOf(port, 'growing');
  t.equal(md.partitions.length, 12);
  t.same(
    md.partitions.filter((p) => p.leaderId === -1).map((p) => p.partitionIndex),
    [4],
    'the 3rd new partition (index 4) is offline, the others lead',
  );
});
