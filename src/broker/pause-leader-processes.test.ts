/**
 * SIGSTOP of a partition leader for longer than broker.session.timeout.ms, then SIGCONT, across three
 * real processes (combined broker+controller nodes) under acks=-1 streams (idempotent kafkajs
 * producers, one per partition; RF 3, min.insync.replicas=2). Twice: the paused node is not the active
 * controller (the quorum keeps its leader), then it is (the survivors elect a new Raft leader, which
 * fences the silent broker; the woken node is a stale Raft leader for a moment).
 * - the controller fences the silent broker after the session timeout and a survivor leads its
 *   partition (time measured); every other partition takes an acks=-1 write at its leader while the
 *   node is paused (raw requests: a kafkajs client may be stuck retrying the paused seed broker);
 * - a Produce (acks=-1) sent to the paused node while it is stopped is read by it only when it wakes,
 *   still believing it leads: it must not be acknowledged (NOT_LEADER_OR_FOLLOWER or a timeout);
 * - the woken node becomes a follower, truncates what it appended alone, catches up and rejoins
 *   every ISR; every acknowledged record is read back exactly once, in order;
 * - made preferred leader again (ElectLeaders), it serves exactly the same log: the record it
 *   appended alone while it wrongly believed it led is gone.
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { RESTART_DEADLINE_MS, startReplicatedTopic } from '../../test/helpers/replicated-topic.js';
import { AckStreams, checkExactlyOnce, readTopic } from '../../test/helpers/ack-streams.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { batchOf, produceRequest } from '../../test/helpers/data-path.js';
import { ProduceApi } from '../../protocol/generated/messages/00-produce.js';
import { ElectLeadersApi } from '../../protocol/generated/messages/43-elect-leaders.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';

const TOPIC = 'paused';
const PARTITIONS = 3;
const SESSION_TIMEOUT_MS = 3000;
const ALONE = 'appended-by-the-paused-leader-alone';

// Two three-process scenarios of about a minute each on a loaded 2-core machine.
t.setTimeout(600_000);

t.test('a paused partition leader wakes up as a follower and acknowledges nothing it cannot commit', async (t) => {
  await pausedLeaderScenario(t, false);
});

t.test('the same when the paused leader is also the active controller', async (t) => {
  await pausedLeaderScenario(t, true);
});

async function pausedLeaderScenario(t: Test, alsoController: boolean): Promise<void> {
  t.setTimeout(280_000);
  const {
    cluster,
    quorum,
    brokers: all,
    kafka,
    partitions,
    fullIsr,
  } = await startReplicatedTopic(t, {
    settings: {
      'broker.session.timeout.ms': String(SESSION_TIMEOUT_MS),
      'replica.lag.time.max.ms': '2000',
      'auto.leader.rebalance.enable': 'false',
    },
    clientId: 'pause-leader',
    topic: TOPIC,
    partitions: PARTITIONS,
    client: { requestTimeout: 2000, retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 500 } },
  });
  const initial = await cluster.waitFor('the ISR of three', 30000, () => fullIsr(all[0]!));
  const target = initial.find(
    (p) => (p.leaderId === quorum.leaderId) === alsoController && p.leaderId === p.replicaNodes[0],
  );
  if (!target) throw new Error(`no partition led by its first replica to pause (controller ${quorum.leaderId})`);
  const victim = all.find((n) => n.id === target.leaderId)!;
  const survivors = all.filter((n) => n !== victim);
  t.pass(
    `partition ${target.partitionIndex} led by node ${victim.id}; the active controller is node ${quorum.leaderId}`,
  );

  const streams = new AckStreams(kafka, TOPIC, PARTITIONS);
  await streams.start();
  t.teardown(() => streams.stop(2000));
  t.ok(await streams.moreAcks(20, 20000), 'the streams are acknowledged before the pause');

  const raw = await rawClient(victim.port);
  t.teardown(() => raw.close());
  cluster.pause(victim);
  const pausedAt = Date.now();
  const aloneAnswer = raw.call(ProduceApi, 9, {
    ...produceRequest(TOPIC, target.partitionIndex, batchOf([ALONE]), -1),
    timeoutMs: 8000,
  });

  const moved = await cluster.waitFor('a new leader for the paused node’s partition', 20000, async () => {
    const p = (await partitions(survivors[0]!))?.[target.partitionIndex];
    return p && p.leaderId >= 0 && p.leaderId !== victim.id && p;
  });
  const newLeaderMs = Date.now() - pausedAt;
  t.ok(
    newLeaderMs >= SESSION_TIMEOUT_MS - 500,
    `new leader ${moved.leaderId} after ${newLeaderMs} ms (fenced by the session timeout)`,
  );
  t.notOk(moved.isrNodes.includes(victim.id), `the paused node left the ISR (${moved.isrNodes.join(',')})`);
  const newLeader = all.find((n) => n.id === moved.leaderId)!;
  const probes = new Set<string>();
  const probeAck = await cluster.waitFor(
    'an acks=-1 write acknowledged by the new leader',
    20000,
    async () => {
      const value = `probe-${probes.size}`;
      probes.add(value);
      const r = await cluster.call(newLeader, ProduceApi, 9, {
        ...produceRequest(TOPIC, target.partitionIndex, batchOf([value]), -1),
        timeoutMs: 3000,
      });
      const code = r.responses[0]?.partitionResponses[0]?.errorCode;
      return code === ErrorCode.NONE && value;
    },
    100,
  );
  const firstAckMs = Date.now() - pausedAt;
  // Paused with the active controller, the survivors first elect a Raft leader, which then gives the
  // silent broker a full session before fencing it.
  const bound = (alsoController ? 2 * SESSION_TIMEOUT_MS : SESSION_TIMEOUT_MS) + 3000;
  t.ok(
    firstAckMs < bound,
    `first acks=-1 acknowledgement on partition ${target.partitionIndex} ${firstAckMs} ms after the pause (bound ${bound} ms)`,
  );
  // The other partitions take acks=-1 writes while the node is paused: one raw write to each one's
  // leader as a survivor names it. (kafkajs' own streams are no measure of that here: a new kafkajs
  // client retries the seed broker it drew, and draws the paused one a third of the time, so a stream
  // may wait out several request timeouts in a row; they are reported, and must go on after the wake-up.)
  const before = streams.streams.map((s) => s.acked.length);
  const view = (await partitions(survivors[0]!)) ?? [];
  const ackedOthers: Array<{ partition: number; value: string }> = [];
  for (const p of view.filter((p) => p.partitionIndex !== target.partitionIndex)) {
    const leader = all.find((n) => n.id === p.leaderId);
    const value = `other-${p.partitionIndex}`;
    probes.add(value);
    const code = leader
      ? (
          await cluster.call(leader, ProduceApi, 9, {
            ...produceRequest(TOPIC, p.partitionIndex, batchOf([value]), -1),
            timeoutMs: 5000,
          })
        ).responses[0]?.partitionResponses[0]?.errorCode
      : undefined;
    t.equal(
      code,
      ErrorCode.NONE,
      `partition ${p.partitionIndex} (leader ${p.leaderId}, ISR ${p.isrNodes.join(',')}) takes an acks=-1 write while the node is paused`,
    );
    if (code === ErrorCode.NONE) ackedOthers.push({ partition: p.partitionIndex, value });
  }
  await streams.moreAcks(10, 10000);
  const more = streams.streams.map((s, i) => s.acked.length - before[i]!);
  t.comment(`kafkajs acknowledgements during the pause: ${more.join(', ')} more (${streams.describe()})`);
  const pausedMs = Date.now() - pausedAt;
  t.ok(pausedMs > SESSION_TIMEOUT_MS, `paused for ${pausedMs} ms`);

  cluster.resume(victim);
  const resumedAt = Date.now();
  const answer = (await aloneAnswer).responses[0]?.partitionResponses[0];
  t.ok(
    answer?.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || answer?.errorCode === ErrorCode.REQUEST_TIMED_OUT,
    `the produce read after the wake-up is not acknowledged (error ${answer?.errorCode} after ${Date.now() - resumedAt} ms)`,
  );
  t.ok(await streams.moreAcks(10, 20000), 'the streams go on after the wake-up');
  const healed = await cluster.waitFor('the woken node back in every ISR', RESTART_DEADLINE_MS, () =>
    fullIsr(survivors[0]!),
  );
  t.pass(`back in every ISR ${Date.now() - resumedAt} ms after SIGCONT`);
  t.equal(healed[target.partitionIndex]?.leaderId, moved.leaderId, 'the new leader keeps leading');
  await streams.stop();

  const reader = new Kafka({
    clientId: 'pause-leader-read',
    brokers: survivors.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
  });
  const read = await readTopic(reader, TOPIC, PARTITIONS);
  checkExactlyOnce(t, read, streams.streams, probes);
  t.equal(read[target.partitionIndex]?.filter((v) => v === probeAck).length, 1, 'the acknowledged probe is there once');
  for (const { partition, value } of ackedOthers)
    t.equal(
      read[partition]?.filter((v) => v === value).length,
      1,
      `the write acknowledged on partition ${partition} is there once`,
    );
  const kafkajsFirstAck = streams.firstAckAfter(target.partitionIndex, pausedAt);
  t.pass(`kafkajs' first acknowledgement on the partition ${kafkajsFirstAck} ms after the pause`);
  t.notOk(read[target.partitionIndex]?.includes(ALONE), 'the record the paused node appended alone is nowhere');

  const elected = await cluster.call(survivors[0]!, ElectLeadersApi, 2, {
    electionType: 0,
    topicPartitions: [{ topic: TOPIC, partitions: [target.partitionIndex] }],
    timeoutMs: 10000,
  });
  t.equal(
    elected.replicaElectionResults[0]?.partitionResult[0]?.errorCode,
    ErrorCode.NONE,
    'ElectLeaders: the woken node leads again',
  );
  await cluster.waitFor('the woken node leading', 10000, async () => {
    const p = (await partitions(victim))?.[target.partitionIndex];
    return p?.leaderId === victim.id;
  });
  const fromVictim = await readTopic(reader, TOPIC, PARTITIONS);
  t.same(
    fromVictim[target.partitionIndex],
    read[target.partitionIndex],
    'its log is the survivors’ log, record for record',
  );
}
