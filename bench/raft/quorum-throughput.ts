/**
 * Benchmark of the metadata quorum itself: three voter processes on 127.0.0.1 speaking the Kafka Raft
 * protocol over their controller listeners (TCP, fsync), Kafka's default controller.quorum.* timeouts.
 * - commit throughput: the leader's load generator (voter-process.ts) submits metadata records through
 *   the controller's append path as fast as they are accepted; committed = the leader's high watermark
 *   (a majority's durable copies), per second, after a one-second warm-up;
 * - failover (run first, on a short log): kill -9 the leader (idle), then poll the survivors every 5 ms until one of them leads a
 *   newer epoch and has committed its whole log (its LeaderChange record included).
 * Run: npx tsx bench/raft/quorum-throughput.ts [seconds=5] [failovers=3] [records=noop|config]
 */
import { execSync } from 'node:child_process';
import { ProcessCluster, type ClusterNode, type QuorumView } from '../../test/helpers/process-cluster.js';

const seconds = Number(process.argv[2] ?? 5);
const failovers = Number(process.argv[3] ?? 3);
const kind = process.argv[4] ?? 'noop';
const chunks = (process.env.CHUNKS ?? '1,10,100,1000')
  .split(',')
  .filter((c) => c !== '')
  .map(Number);

const load = (): string =>
  execSync('uptime')
    .toString()
    .trim()
    .replace(/.*load average: /, '');

async function leaderOf(
  cluster: ProcessCluster,
  live: ClusterNode[],
  notId = -1,
): Promise<{ view: QuorumView; node: ClusterNode }> {
  const view = await cluster.waitFor('a leader', 30000, () => cluster.agreedLeader(live, notId));
  return { view, node: cluster.nodes.find((n) => n.id === view.leaderId)! };
}

const cluster = new ProcessCluster({ 'num.partitions': '1' }, 'warn', 'bench/raft/voter-process.ts');
try {
  console.log(`load average before: ${load()}`);
  await cluster.start(3);
  // Failovers first, while the log is short (a restarted voter then catches up at once).
  for (let round = 0; round < failovers; round++) {
    const live = cluster.nodes.filter((n) => n.process !== null);
    const { view: old, node: leader } = await leaderOf(cluster, live);
    const killed = Date.now();
    cluster.kill(leader);
    const survivors = live.filter((n) => n !== leader);
    const view = await cluster.waitFor(
      'new leader commit',
      30000,
      async () => {
        for (const n of survivors) {
          const v = await cluster.describeQuorum(n);
          if (v && v.leaderEpoch > old.leaderEpoch && v.leaderId !== leader.id && v.highWatermark === v.leaderEndOffset)
            return v;
        }
        return null;
      },
      5,
    );
    const ms = Date.now() - killed;
    console.log(
      `failover ${round + 1}: leader ${leader.id} (epoch ${old.leaderEpoch}) killed; leader ${view.leaderId} (epoch ${view.leaderEpoch}) committed after ${ms} ms (load ${load()})`,
    );
    cluster.spawn(leader);
    await leaderOf(cluster, cluster.nodes);
    await cluster.waitFor('all caught up', 30000, async () => {
      const v = await cluster.agreedLeader(cluster.nodes);
      return v && v.highWatermark === v.leaderEndOffset;
    });
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const chunk of chunks) {
    const { node } = await leaderOf(cluster, cluster.nodes);
    cluster.send(node, `feed ${seconds} ${chunk} 20000 ${kind}`);
    const result = JSON.parse(await cluster.nextLine(node)) as { committed: number; ms: number; perSecond: number };
    console.log(
      `${kind} records, ${chunk} per submit: ${result.committed} committed in ${result.ms} ms = ${result.perSecond} records/s (load ${load()})`,
    );
  }
  if (process.env.NODE_ARGS_PROFILE) {
    for (const n of cluster.nodes) cluster.send(n, 'exit');
    await new Promise((r) => setTimeout(r, 2000));
  }
} finally {
  await cluster.stop();
}
