/**
 * Benchmark of a real 3-voter quorum (three processes, TCP, fsync) on one machine:
 * - commit throughput: topics auto-created on the leader through Metadata requests (in flight
 *   concurrently), counted as committed metadata records (high watermark growth) per second;
 * - failover: kill -9 the leader, time until a new leader has committed a new topic.
 * Run: npx tsx bench/raft/quorum-processes.ts [topics=2000] [concurrency=64]
 */
import { ProcessCluster } from '../../test/helpers/process-cluster.js';

const topics = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 64);
const cluster = new ProcessCluster({
  'controller.quorum.election.timeout.ms': '500',
  'controller.quorum.fetch.timeout.ms': '1000',
  'controller.quorum.election.backoff.max.ms': '300',
  'num.partitions': '1',
});
try {
  await cluster.start(3);
  const first = await cluster.waitFor('a leader', 30000, () => cluster.agreedLeader(cluster.nodes));
  const leader = cluster.nodes.find((n) => n.id === first.leaderId)!;
  const before = (await cluster.describeQuorum(leader))!.highWatermark;
  const started = Date.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < topics) {
      const name = `bench-${next++}`;
      await cluster.waitFor(
        name,
        10000,
        async () => (await cluster.metadata(leader, [name], true))?.topics[0]?.errorCode === 0,
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = Date.now() - started;
  const after = (await cluster.describeQuorum(leader))!.highWatermark;
  console.log(
    `${topics} topics, ${after - before} records committed in ${ms} ms: ${Math.round(((after - before) * 1000) / ms)} records/s`,
  );

  const killed = Date.now();
  cluster.kill(leader);
  const survivors = cluster.nodes.filter((n) => n !== leader);
  const second = await cluster.waitFor('new leader', 30000, () => cluster.agreedLeader(survivors, leader.id));
  const elected = Date.now() - killed;
  const newLeader = cluster.nodes.find((n) => n.id === second.leaderId)!;
  await cluster.waitFor(
    'commit',
    10000,
    async () => (await cluster.metadata(newLeader, ['after-failover'], true))?.topics[0]?.errorCode === 0,
  );
  console.log(`failover: new leader agreed after ${elected} ms, first commit after ${Date.now() - killed} ms`);
} finally {
  await cluster.stop();
}
