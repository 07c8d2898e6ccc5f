/**
 * Failover of the active controller with real processes and default timeouts (Kafka's
 * controller.quorum.* and broker.* defaults): kill -9 of the active controller, then
 *  - elected: the surviving controllers agree on a new quorum leader (DescribeQuorum polled every 5 ms);
 *  - admin: the first CreateTopics sent to a surviving broker after the kill (retried every 20 ms; the
 *    broker forwards it to the active controller) succeeds, and every surviving broker's Metadata shows
 *    the new topic with a leader: the first metadata change through the new controller, as a user sees it.
 * `combined`: three broker+controller nodes (the victim is a broker too). `split`: three controller-only
 * nodes and three broker-only nodes, which must find the new controller themselves (they are observers
 * of the quorum, not voters). A fresh cluster per run; prints every run and the medians.
 * Run: npx tsx bench/raft/controller-failover.ts [runs=5] [combined|split]
 */
import { loadavg } from 'node:os';
import { ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';

const runs = Number(process.argv[2] ?? 5);
const mode = process.argv[3] === 'split' ? 'split' : 'combined';

interface Run {
  elected: number;
  admin: number;
}

async function createTopicOnce(cluster: ProcessCluster, via: ClusterNode, name: string): Promise<boolean> {
  const r = await cluster
    .call(via, CreateTopicsApi, 7, {
      ...defaultCreateTopicsRequest(),
      timeoutMs: 30000,
      topics: [{ ...defaultCreateTopicsRequestCreatableTopic(), name, numPartitions: 1, replicationFactor: 1 }],
    })
    .catch(() => null);
  const code = r?.topics[0]?.errorCode;
  return code === ErrorCode.NONE || code === ErrorCode.TOPIC_ALREADY_EXISTS;
}

async function once(run: number): Promise<Run> {
  const cluster = new ProcessCluster({});
  try {
    if (mode === 'split') await cluster.startSplitRegistered(3, 3);
    else await cluster.startRegistered(3);
    const before = await cluster.waitFor('a leader', 60000, () => cluster.agreedLeader(cluster.controllers));
    const brokers = cluster.brokers;
    // Warm: a metadata change through the current controller from every broker.
    for (const [i, b] of brokers.entries())
      await cluster.waitFor('a warm-up topic', 30000, () => createTopicOnce(cluster, b, `warm-${run}-${i}`), 20);
    const victim = cluster.controllers.find((c) => c.id === before.leaderId)!;
    const liveControllers = cluster.controllers.filter((c) => c !== victim);
    const liveBrokers = brokers.filter((b) => b !== victim);
    cluster.kill(victim);
    const killedAt = Date.now();
    let elected = -1;
    const election = cluster
      .waitFor('a new leader', 60000, () => cluster.agreedLeader(liveControllers, victim.id), 5)
      .then(() => (elected = Date.now() - killedAt));
    const topic = `after-${run}`;
    await cluster.waitFor(
      'CreateTopics through a survivor',
      60000,
      () => createTopicOnce(cluster, liveBrokers[0]!, topic),
      20,
    );
    await cluster.waitFor(
      'the topic on every surviving broker',
      60000,
      async () => {
        const views = await Promise.all(liveBrokers.map((b) => cluster.metadata(b, [topic])));
        return views.every((v) => v?.topics[0]?.errorCode === 0 && (v.topics[0].partitions[0]?.leaderId ?? -1) >= 0);
      },
      5,
    );
    const admin = Date.now() - killedAt;
    await election;
    return { elected, admin };
  } finally {
    await cluster.stop();
  }
}

const results: Run[] = [];
for (let r = 0; r < runs; r++) {
  const run = await once(r);
  results.push(run);
  console.log(
    `run ${r + 1} (${mode}): kill -9 of the active controller -> new leader ${run.elected} ms, first metadata change seen by every broker ${run.admin} ms (load ${loadavg()[0]!.toFixed(1)})`,
  );
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `${mode}: median new leader ${median(results.map((r) => r.elected))} ms, median metadata change ${median(results.map((r) => r.admin))} ms over ${runs} runs (admin: ${results.map((r) => r.admin).join(' / ')})`,
);
