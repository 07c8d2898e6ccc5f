/**
 * Issue #14 across three real processes (combined broker+controller nodes; RF 3,
 * min.insync.replicas=2) under acks=-1 streams from kafkajs (idempotent, one producer per
 * partition): a node that is not the active controller is killed with SIGKILL, restarted, and
 * killed again as soon as the metadata lists it unfenced, while it catches up and the leaders
 * propose it for their ISRs (their AlterPartitions meet its fencing). From the moment the survivors' metadata no
 * longer lists it (fenced), Metadata through a survivor, sampled every 50 ms, never shows it in
 * an ISR: the active controller checks each AlterPartition against its latest state, fencings in
 * flight included, as Kafka's does (INELIGIBLE_REPLICA, INVALID_UPDATE_VERSION). The streams go
 * on with the two survivors, and every acknowledged record is read back exactly once, in order.
 * The exact interleavings are shown in src/controller/alter-partition-race.test.ts and
 * src/sim/replication-sim.test.ts; here the whole path runs on real processes and a real client.
 */
import t from 'tap';
import { AckStreams, checkExactlyOnce, readTopic } from '../../test/helpers/ack-streams.js';
import type { ClusterNode } from '../../test/helpers/process-cluster.js';
import { RESTART_DEADLINE_MS, startReplicatedTopic } from '../../test/helpers/replicated-topic.js';

const TOPIC = 'fenced-follower';
const PARTITIONS = 3;

t.setTimeout(400_000);

t.test('a killed broker is never back in an ISR once fenced; every acks=-1 record is read back', async (t) => {
  const { cluster, quorum, brokers, kafka, partitions, fullIsr } = await startReplicatedTopic(t, {
    settings: { 'auto.leader.rebalance.enable': 'false' },
    clientId: 'fenced-follower',
    topic: TOPIC,
    partitions: PARTITIONS,
    client: { requestTimeout: 3000, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1000 } },
  });
  await cluster.waitFor('the ISR of three', 60_000, () => fullIsr(brokers[0]!));
  const victim = brokers.find((n) => n.id !== quorum.leaderId)!;
  const witness = brokers.find((n) => n.id === quorum.leaderId)!;
  t.pass(`node ${victim.id} is killed; node ${witness.id} (the active controller) is asked for Metadata`);

  const streams = new AckStreams(kafka, TOPIC, PARTITIONS);
  await streams.start();
  t.teardown(() => streams.stop(2000));
  t.ok(await streams.moreAcks(20, 30_000), `acknowledged before the kill: ${streams.describe()}`);

  /** Samples Metadata until `until` resolves: ISRs naming `dead` while the metadata no longer lists it. */
  const watch = async (dead: ClusterNode, until: Promise<unknown>) => {
    let done = false;
    void until.finally(() => (done = true));
    const seen = { samples: 0, fencedSamples: 0, violations: [] as string[] };
    while (!done) {
      const md = await cluster.metadata(witness, [TOPIC]);
      if (md) {
        seen.samples++;
        const fenced = !md.brokers.some((b) => b.nodeId === dead.id);
        if (fenced) seen.fencedSamples++;
        for (const p of md.topics[0]?.partitions ?? [])
          if (fenced && p.isrNodes.includes(dead.id))
            seen.violations.push(`partition ${p.partitionIndex}: ISR ${p.isrNodes.join(',')} (node ${dead.id} fenced)`);
      }
      await new Promise((r) => setTimeout(r, 50)); // the sampling period, not a wait for a condition
    }
    return seen;
  };

  // First kill: in the middle of the streams.
  cluster.kill(victim);
  const settled = cluster.waitFor(`node ${victim.id} out of every ISR`, 30_000, async () => {
    const ps = await partitions(witness);
    return ps !== null && ps.every((p) => !p.isrNodes.includes(victim.id) && p.leaderId >= 0);
  });
  const afterFirst = streams.moreAcks(30, 60_000);
  const first = await watch(victim, Promise.all([settled, afterFirst]));
  t.ok(await afterFirst, `the survivors acknowledge: ${streams.describe()}`);
  t.ok(first.fencedSamples > 0, `${first.fencedSamples} of ${first.samples} samples after the fencing`);
  t.same(first.violations, [], 'no ISR names the dead broker once it is fenced');

  // Back, then killed again as soon as the metadata lists it unfenced: it is catching up, and the
  // leaders' AlterPartitions that add it are on their way or about to be.
  cluster.spawn(victim);
  const rejoined = await cluster.waitFor(`node ${victim.id} unfenced again`, RESTART_DEADLINE_MS, async () => {
    const md = await cluster.metadata(witness, [TOPIC]);
    if (!md?.brokers.some((b) => b.nodeId === victim.id)) return null;
    return { inIsrs: (md.topics[0]?.partitions ?? []).filter((p) => p.isrNodes.includes(victim.id)).length };
  });
  cluster.kill(victim);
  t.pass(`killed again once unfenced, in ${rejoined.inIsrs} of ${PARTITIONS} ISRs then`);
  const settledAgain = cluster.waitFor(`node ${victim.id} out of every ISR again`, 30_000, async () => {
    const ps = await partitions(witness);
    return ps !== null && ps.every((p) => !p.isrNodes.includes(victim.id) && p.leaderId >= 0);
  });
  const afterSecond = streams.moreAcks(30, 60_000);
  const second = await watch(victim, Promise.all([settledAgain, afterSecond]));
  t.ok(await afterSecond, `the survivors acknowledge again: ${streams.describe()}`);
  t.ok(second.fencedSamples > 0, `${second.fencedSamples} of ${second.samples} samples after the second fencing`);
  t.same(second.violations, [], 'the second time neither');

  await streams.stop();
  const read = await readTopic(kafka, TOPIC, PARTITIONS);
  checkExactlyOnce(t, read, streams.streams);
  t.pass(`acknowledged: ${streams.streams.map((s) => s.acked.length).join(', ')} records per partition`);
});
