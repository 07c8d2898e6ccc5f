/**
 * Several follower fetch loops with fetch sessions, across three real processes: num.replica.fetchers=3,
 * six partitions with three replicas and min.insync.replicas=2, kafkajs writing acks=-1 to every
 * partition (each acknowledgement needs a follower's incremental fetch to move the high watermark).
 * A follower killed with SIGKILL restarts, catches up on all six partitions and the ISRs are three
 * again; num.replica.fetchers changed to 1 at run time (IncrementalAlterConfigs, cluster default)
 * keeps replication going. Every acknowledged record is read back once, in order per partition (kcat).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { RESTART_DEADLINE_MS, startReplicatedTopic } from '../../test/helpers/replicated-topic.js';
import { IncrementalAlterConfigsApi } from '../../protocol/generated/messages/44-incremental-alter-configs.js';

const run = promisify(execFile);
const TOPIC = 'spread';
const PARTITIONS = 6;

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('three fetch loops per leader with sessions replicate, recover a restarted follower, and resize', async (t) => {
  t.setTimeout(400_000);
  const {
    cluster,
    brokers: all,
    kafka,
  } = await startReplicatedTopic(t, {
    settings: { 'num.replica.fetchers': '3', 'auto.leader.rebalance.enable': 'false' },
    clientId: 'replica-fetchers-processes',
    topic: TOPIC,
    partitions: PARTITIONS,
    client: { retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } },
  });
  let lastSeen = '';
  const fullIsr = (label: string, from = all[0]!) =>
    cluster
      .waitFor(label, RESTART_DEADLINE_MS, async () => {
        const topic = (await cluster.metadata(from, [TOPIC]))?.topics[0];
        lastSeen = (topic?.partitions ?? []).map((p) => `${p.partitionIndex}:${p.leaderId}/[${p.isrNodes}]`).join(' ');
        return (
          topic &&
          topic.partitions.length === PARTITIONS &&
          topic.partitions.every((p) => p.isrNodes.length === 3) &&
          topic
        );
      })
      .catch((error: unknown) => {
        throw new Error(`${String(error)}; last seen partition:leader/[isr]: ${lastSeen}`);
      });
  const initial = await fullIsr('six ISRs of three');

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const acked = new Map<number, string[]>();
  // One send per partition (in parallel): a kafkajs send spanning several brokers can resolve without
  // resending to a new leader that already answered for other partitions (tulios/kafkajs#1303).
  const write = async (round: string, count: number) => {
    for (let i = 0; i < count; i++) {
      await Promise.all(
        Array.from({ length: PARTITIONS }, async (_, p) => {
          const value = `${round}-${i}-${p}`;
          await producer.send({ topic: TOPIC, acks: -1, messages: [{ partition: p, value }] });
          acked.set(p, [...(acked.get(p) ?? []), value]);
        }),
      );
    }
  };
  await write('a', 15);
  t.pass('15 acks=-1 rounds over six partitions with three fetch loops per leader');

  // A node that follows some partitions (and leads others) is killed and restarted.
  const victim = all.find((n) => n.id !== initial.partitions[0]!.leaderId)!;
  cluster.kill(victim);
  await write('b', 10);
  cluster.spawn(victim);
  const healed = await fullIsr(
    'the restarted node back in every ISR',
    all.find((n) => n !== victim)!,
  );
  t.ok(healed, `node ${victim.id} caught up on ${PARTITIONS} partitions and rejoined every ISR`);

  // The cluster default (kafkajs' alterConfigs refuses an empty broker name): IncrementalAlterConfigs SET.
  const altered = await cluster.call(all[0]!, IncrementalAlterConfigsApi, 1, {
    validateOnly: false,
    resources: [
      {
        resourceType: 4,
        resourceName: '',
        configs: [{ name: 'num.replica.fetchers', configOperation: 0, value: '1' }],
      },
    ],
  });
  t.equal(altered.responses[0]?.errorCode, 0, 'num.replica.fetchers=1 as the cluster default');
  await write('c', 10);
  await fullIsr(
    'every ISR still three after the resize',
    all.find((n) => n !== victim)!,
  );
  t.pass('acks=-1 writes carry on after num.replica.fetchers went to 1 at run time');

  // Read back with kcat (librdkafka, no consumer group: quick on a loaded machine), partition by partition.
  const read = new Map<number, string[]>();
  for (let p = 0; p < PARTITIONS; p++) {
    const { stdout } = await run('kcat', [
      ...['-C', '-b', all.map((n) => `127.0.0.1:${n.port}`).join(','), '-t', TOPIC, '-p', String(p)],
      ...['-o', 'beginning', '-e', '-q', '-f', '%s\\n'],
    ]);
    read.set(
      p,
      stdout.split('\n').filter((line) => line !== ''),
    );
  }
  for (let p = 0; p < PARTITIONS; p++)
    t.same(read.get(p), acked.get(p), `partition ${p}: every acked record once, in order`);
});
