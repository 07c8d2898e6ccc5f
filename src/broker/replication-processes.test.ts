/**
 * Replication across three real processes (combined broker+controller nodes): a topic with three
 * replicas and min.insync.replicas=2, kafkajs producing a stream with acks=-1, and the partition
 * leader killed with SIGKILL midway. The controller fences it after broker.session.timeout.ms and a
 * follower from the ISR leads; the stream goes on; every acknowledged record is read back from the
 * survivors, in order, once (only the batch in flight at the kill may appear twice: kafkajs resends
 * it without idempotence). The killed node restarts, catches up and the ISR is three again.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import type { ClusterNode } from '../../test/helpers/process-cluster.js';
import { RESTART_DEADLINE_MS, startReplicatedTopic } from '../../test/helpers/replicated-topic.js';

const TOPIC = 'stream';
const BATCHES = 60;
const PER_BATCH = 10;
const KILL_AFTER = 20;

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('kill -9 of a partition leader during an acks=-1 stream loses no acknowledged record', async (t) => {
  const {
    cluster,
    brokers: all,
    kafka,
    partitions,
  } = await startReplicatedTopic(t, {
    clientId: 'replication-processes',
    topic: TOPIC,
    partitions: 1,
    client: { retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } },
  });
  const partitionOn = async (node: ClusterNode) => (await partitions(node))?.[0];
  const initial = await cluster.waitFor('the ISR of three', 20000, async () => {
    const p = await partitionOn(all[0]!);
    return p && p.isrNodes.length === 3 && p;
  });
  t.pass(`leader ${initial.leaderId}, ISR ${initial.isrNodes.join(',')}`);

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const acked: string[] = [];
  let inFlightAtKill: string[] = [];
  const victim = all.find((n) => n.id === initial.leaderId)!;
  const killedAt = { ms: 0 };
  let firstAckAfterKillMs = -1;
  for (let b = 0; b < BATCHES; b++) {
    const messages = Array.from({ length: PER_BATCH }, (_, i) => ({ value: `r-${b * PER_BATCH + i}` }));
    const sending = producer.send({ topic: TOPIC, acks: -1, messages });
    if (b === KILL_AFTER) {
      cluster.kill(victim);
      killedAt.ms = Date.now();
      inFlightAtKill = messages.map((m) => m.value);
    }
    await sending;
    if (b >= KILL_AFTER && firstAckAfterKillMs < 0) firstAckAfterKillMs = Date.now() - killedAt.ms;
    acked.push(...messages.map((m) => m.value));
  }
  t.equal(
    acked.length,
    BATCHES * PER_BATCH,
    `all ${acked.length} records acknowledged across the kill (first ack ${firstAckAfterKillMs} ms after it)`,
  );

  const survivors = all.filter((n) => n !== victim);
  const after = await partitionOn(survivors[0]!);
  t.not(after?.leaderId, victim.id, `a new leader (${after?.leaderId}) from the ISR`);

  const readers = new Kafka({
    clientId: 'replication-read',
    brokers: survivors.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
  });
  const consumer = readers.consumer({ groupId: 'replication-processes-check' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const read: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void read.push(message.value?.toString() ?? '') });
  const deadline = Date.now() + 30000;
  while (new Set(read).size < acked.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await consumer.stop();
  const mayRepeat = new Set(inFlightAtKill);
  const firstSeen: string[] = [];
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const v of read) {
    if (seen.has(v)) repeated.push(v);
    else firstSeen.push(v);
    seen.add(v);
  }
  t.same(firstSeen, acked, 'every acknowledged record readable from the survivors, in order');
  t.same(
    repeated.filter((v) => !mayRepeat.has(v)),
    [],
    `no record twice but the batch in flight at the kill (${repeated.length} repeated)`,
  );

  cluster.spawn(victim);
  const healed = await cluster.waitFor('the killed node back in the ISR', RESTART_DEADLINE_MS, async () => {
    const p = await partitionOn(survivors[0]!);
    return p && p.isrNodes.length === 3 && p;
  });
  t.same([...healed.isrNodes].sort(), [1, 2, 3], 'the ISR is three again after the restart');
});
