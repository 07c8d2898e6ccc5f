/**
 * The replicated bytes are the leader's bytes, with the data path's recycled memory in use: three
 * real processes, two partitions with three replicas, kafkajs writing acks=-1 many large distinct
 * messages with several requests in flight. The leader serves its followers from the tail cache
 * (storage/tail-cache.ts) and each follower reads its Fetch responses into pooled frames that go
 * back once appended (src/common/frame-pool.ts); a buffer handed out again too early would show up
 * as a follower log that differs from its leader's. Checked: once the followers hold as much as the
 * leader, every replica's .log files are byte-for-byte the leader's, and a consumer reads every
 * acknowledged message back intact.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { ClusterNode } from '../../test/helpers/process-cluster.js';
import { startReplicatedTopic } from '../../test/helpers/replicated-topic.js';
import { settledWithin } from '../../test/helpers/poll.js';

const TOPIC = 'copies';
const PARTITIONS = 2;

t.setTimeout(300_000);

/** A partition's .log segments on a node, concatenated in name (base offset) order. */
function logBytes(node: ClusterNode, partition: number): Buffer {
  const dir = join(node.dir, `${TOPIC}-${partition}`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  return Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
}

const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

t.test('follower logs are byte-for-byte the leader log under a large acks=-1 load', async (t) => {
  t.setTimeout(240_000);
  const { cluster, brokers, kafka, fullIsr } = await startReplicatedTopic(t, {
    settings: { 'auto.leader.rebalance.enable': 'false' },
    clientId: 'replica-copies-processes',
    topic: TOPIC,
    partitions: PARTITIONS,
  });
  await cluster.waitFor('ISRs of three', 60_000, () => fullIsr(brokers[0]!));

  const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 5 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const sent = new Map<string, string>();
  // 24 sends of 10 messages of 48 KiB per partition: ~11 MB, each request ~480 KB (a pooled frame).
  for (let round = 0; round < 12; round++) {
    await Promise.all(
      Array.from({ length: PARTITIONS * 2 }, (_, i) => {
        const partition = i % PARTITIONS;
        const messages = Array.from({ length: 10 }, (_, m) => {
          const key = `${round}-${i}-${m}`;
          const value = randomBytes(48 * 1024);
          sent.set(key, digest(value));
          return { key, value, partition };
        });
        return producer.send({ topic: TOPIC, acks: -1, messages });
      }),
    );
  }

  const partitions = (await fullIsr(brokers[0]!)) || [];
  t.equal(partitions.length, PARTITIONS, 'every partition still has an ISR of three');
  for (const p of partitions) {
    const leader = brokers.find((n) => n.id === p.leaderId)!;
    const followers = brokers.filter((n) => n.id !== p.leaderId);
    const leaderLog = logBytes(leader, p.partitionIndex);
    await cluster.waitFor(`followers of ${p.partitionIndex} hold the leader's bytes`, 60_000, async () =>
      followers.every((f) => logBytes(f, p.partitionIndex).length >= leaderLog.length),
    );
    for (const f of followers) {
      t.equal(
        digest(logBytes(f, p.partitionIndex)),
        digest(leaderLog),
        `partition ${p.partitionIndex}: node ${f.id}'s log is the leader's (${leaderLog.length} bytes)`,
      );
    }
  }

  const consumer = kafka.consumer({ groupId: 'copies-check', maxBytesPerPartition: 4 << 20 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let intact = 0;
  let damaged = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString() ?? '';
        if (sent.get(key) === digest(message.value ?? Buffer.alloc(0))) intact++;
        else damaged++;
        if (intact + damaged >= sent.size) resolve();
      },
    });
  });
  await settledWithin(done, 90_000);
  t.equal(damaged, 0, 'no message damaged');
  t.equal(intact, sent.size, `every acknowledged message read back (${sent.size})`);
});
