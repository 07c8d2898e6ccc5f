/**
 * One three-node cluster (RF 3, min.insync.replicas=2) over many rounds, to see how each process's CPU
 * per replicated MB settles (session 17: V8's tier-up, docs/benchmarks.md):
 *   npx tsx bench/broker/replication-steady.ts [mb=512] [rounds=3]
 * A 256 MB warm-up, then per round `mb` MB from bench/broker/loadgen.ts with acks=-1 and, per node, its
 * user and system CPU-ms, read and write system calls and context switches per MB produced.
 * Env: ROOT=<another source tree> runs that tree's broker; SAME_TOPIC=1 keeps one topic for every round
 * (its data stays, so the page cache keeps taking fresh memory) instead of a new topic per round, deleted
 * after it; BENCH_NODE_ARGS passes node options to the brokers (V8 flags, --perf-basic-prof); PERF=1 runs
 * `perf record -e cpu-clock -g` on the three brokers during the last round (into /tmp/replication-steady.perf).
 */
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ProcessCluster } from '../../test/helpers/process-cluster.js';
import { loadgenProduce } from './loadgen-client.js';
import { processCounters, startPerf } from './procs.js';

const MBS = Number(process.argv[2] ?? 512);
const ROUNDS = Number(process.argv[3] ?? 3);
const root = process.env.ROOT;
const settings = {
  'replica.fetch.wait.max.ms': '500',
  'auto.leader.rebalance.enable': 'false',
  'log.segment.bytes': String(1 << 30),
  'log.segment.delete.delay.ms': '0',
};
const cluster = root
  ? new ProcessCluster(settings, 'warn', join(root, 'test/helpers/node-process.ts'))
  : new ProcessCluster(settings);

async function admin<T>(f: (a: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const a = new Kafka({
    clientId: 'drive',
    brokers: cluster.nodes.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
  }).admin();
  await a.connect();
  try {
    return await f(a);
  } finally {
    await a.disconnect();
  }
}

async function topic(name: string): Promise<void> {
  await admin((a) =>
    a.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: name,
          numPartitions: 3,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
    }),
  );
  await cluster.waitFor('isr', 60_000, async () => {
    const t = (await cluster.metadata(cluster.nodes[0]!, [name]))?.topics[0];
    return t && t.partitions.length === 3 && t.partitions.every((p) => p.isrNodes.length === 3) && t;
  });
}

try {
  process.env.NODE_ARGS_EXTRA = process.env.BENCH_NODE_ARGS ?? '';
  await cluster.startRegistered(3);
  const pids = cluster.nodes.map((n) => n.process!.pid!);
  await topic('warmup');
  await loadgenProduce(cluster.nodes[0]!.port, 'warmup', { mb: 256, recordBytes: 1023, acks: '-1' });
  await admin((a) => a.deleteTopics({ topics: ['warmup'] }));
  for (let r = 0; r < ROUNDS; r++) {
    const same = process.env.SAME_TOPIC === '1';
    const name = same ? 'same' : `r${r}`;
    if (!same || r === 0) await topic(name);
    const before = pids.map(processCounters);
    const perf =
      process.env.PERF === '1' && r === ROUNDS - 1 ? await startPerf(pids, '/tmp/replication-steady.perf') : null;
    const res = await loadgenProduce(cluster.nodes[0]!.port, name, { mb: MBS, recordBytes: 1023, acks: '-1' });
    await perf?.stop();
    const after = pids.map(processCounters);
    const per = (i: number, k: keyof (typeof after)[number]) =>
      (((after[i]![k] - before[i]![k]) * (k === 'user' || k === 'system' ? 1000 : 1)) / MBS).toFixed(2);
    console.log(
      `round ${r}: ${(res.bytes / 1e6 / res.seconds).toFixed(0)} MB/s, loadgen cpu ${((res.cpuUser + res.cpuSystem) / (MBS / 1000)).toFixed(2)} s/GB; per MB per node (user ms, sys ms, reads, writes, switches): ` +
        pids
          .map(
            (_, i) =>
              `[${per(i, 'user')} ${per(i, 'system')} ${per(i, 'reads')} ${per(i, 'writes')} ${per(i, 'switches')}]`,
          )
          .join(' '),
    );
    if (!same) await admin((a) => a.deleteTopics({ topics: [name] }));
  }
} finally {
  await cluster.stop();
}
