/**
 * Under min ISR the leader's high watermark waits (Kafka 3.9's Partition.maybeIncrementLeaderHW
 * returns early when isUnderMinIsr), on real processes: one controller and three brokers in split
 * mode, a topic of replication factor 3 with min.insync.replicas=2. Five acks=-1 records go in
 * with the full ISR; both followers are killed (SIGKILL) until the ISR is the leader alone; five
 * acks=1 records from kafkajs are acknowledged by the leader, yet kcat (librdkafka, no group) reads
 * only the first five to the end of the partition and ListOffsets' latest stays 5; the leader
 * restarts alone and its high watermark starts from its checkpoint (still 5). One follower
 * comes back: once the ISR is two again the five acks=1 records become readable, and kcat reads
 * all ten exactly once, in order. Before, the leader alone moved the high watermark at each append,
 * so kcat read the acks=1 records at once.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { hasCommand, run } from '../../test/helpers/external.js';
import { RESTART_DEADLINE_MS, startReplicatedTopic } from '../../test/helpers/replicated-topic.js';

const TOPIC = 'under-min-isr';

t.setTimeout(300_000);

t.test(
  'acks=1 records to a leader alone in sync are readable only once the ISR is back at min.insync.replicas',
  { skip: !hasCommand('kcat') && 'kcat is not installed' },
  async (t) => {
    const { cluster, brokers, partitions, fullIsr } = await startReplicatedTopic(t, {
      clientId: 'under-min-isr',
      topic: TOPIC,
      partitions: 1,
      start: (c) => c.startSplitRegistered(1, 3),
    });
    const initial = await cluster.waitFor('the ISR of three', 60_000, async () => {
      const ps = await fullIsr(brokers[0]!);
      return ps && ps[0];
    });
    const leader = brokers.find((n) => n.id === initial.leaderId)!;
    const followers = brokers.filter((n) => n !== leader);
    // Clients talk to the leader alone: the followers are killed below.
    const kafka = new Kafka({
      clientId: 'under-min-isr',
      brokers: [`127.0.0.1:${leader.port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    t.teardown(() => producer.disconnect());
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    const latest = async () => Number((await admin.fetchTopicOffsets(TOPIC))[0]?.high ?? -1);
    const kcatRead = async () => {
      const r = await run(
        'kcat',
        ['-C', '-b', `127.0.0.1:${leader.port}`, '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n'],
        { timeoutMs: 60_000 },
      );
      t.equal(r.code, 0, `kcat read to the end of the partition ${r.stderr}`);
      return r.stdout.split('\n').filter((line) => line !== '');
    };

    const before = Array.from({ length: 5 }, (_, i) => `full-${i}`);
    await producer.send({ topic: TOPIC, acks: -1, messages: before.map((value) => ({ value })) });
    t.same(await kcatRead(), before, 'acks=-1 records with the full ISR are readable');

    for (const f of followers) cluster.kill(f);
    await cluster.waitFor('the ISR of the leader alone', 30_000, async () => {
      const p = (await partitions(leader))?.[0];
      return p?.leaderId === leader.id && p.isrNodes.length === 1;
    });
    const strict = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await strict.connect();
    t.teardown(() => strict.disconnect());
    const refusal = await strict.send({ topic: TOPIC, acks: -1, messages: [{ value: 'never' }] }).then(
      () => null,
      (error: unknown) => error,
    );
    t.match(refusal, { cause: { type: 'NOT_ENOUGH_REPLICAS' } }, 'acks=-1 under min ISR: NOT_ENOUGH_REPLICAS');
    const under = Array.from({ length: 5 }, (_, i) => `alone-${i}`);
    const acked = await producer.send({ topic: TOPIC, acks: 1, messages: under.map((value) => ({ value })) });
    t.equal(acked[0]?.errorCode, 0, 'the leader acknowledges acks=1 under min ISR');
    t.same(await kcatRead(), before, 'kcat reads to the end: the acks=1 records are not readable under min ISR');
    t.equal(await latest(), 5, 'ListOffsets latest (the high watermark) stays at 5');

    // The leader restarts alone: its high watermark starts from its checkpoint (5), not 0, and
    // stays there while the partition is still under min ISR.
    t.equal(await cluster.terminate(leader), 0, 'the leader stops cleanly');
    cluster.spawn(leader);
    await cluster.waitFor('the leader back, alone in sync', RESTART_DEADLINE_MS, async () => {
      const p = (await partitions(leader))?.[0];
      return p?.leaderId === leader.id && p.isrNodes.length === 1;
    });
    await cluster.waitFor(
      'ListOffsets answered after the restart',
      30_000,
      async () => (await latest().catch(() => -1)) >= 0,
    );
    t.equal(await latest(), 5, 'after the restart the high watermark is the checkpointed 5');
    t.same(await kcatRead(), before, 'the acks=-1 records are still readable, the acks=1 ones still not');

    cluster.spawn(followers[0]!);
    await cluster.waitFor('the ISR back at two', RESTART_DEADLINE_MS, async () => {
      const p = (await partitions(leader))?.[0];
      return p !== undefined && p.isrNodes.length >= 2;
    });
    await cluster.waitFor('the high watermark at 10', 30_000, async () => (await latest()) === 10);
    t.same(await kcatRead(), [...before, ...under], 'every acknowledged record read back once, in order');
  },
);
