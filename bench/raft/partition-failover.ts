/**
 * Partition failover of three real combined nodes with default timeouts (broker.session.timeout.ms
 * 9 s, broker.heartbeat.interval.ms 2 s, the quorum's defaults): a topic with three replicas and
 * min.insync.replicas=2, a kafkajs producer writing acks=-1 one record at a time to a partition
 * whose leader is not the active controller; kill -9 of that leader, then the time until the
 * first acknowledged write that was sent after the kill. Repeated on a fresh cluster each run;
 * prints every run and the median.
 * `stop` pauses the leader with SIGSTOP instead: its sockets stay open, so the controller fences it
 * only after broker.session.timeout.ms (goal: that + 1 s); it is resumed (SIGCONT) after the ack.
 * The figure is the cluster's: polling a survivor's Metadata until it names a new leader, then one
 * acks=-1 write by a producer bootstrapped on the survivors (kafkajs keeps retrying a paused
 * leader's silent socket, which measured the client, 302 s in one run, not the cluster).
 * Run: npx tsx bench/raft/partition-failover.ts [runs=5] [kill|stop]
 */
import { Kafka, logLevel } from 'kafkajs';
import { ProcessCluster } from '../../test/helpers/process-cluster.js';
import { loadavg } from 'node:os';

const runs = Number(process.argv[2] ?? 5);
const mode = process.argv[3] === 'stop' ? 'stop' : 'kill';
const TOPIC = 'failover';

interface Run {
  ms: number;
  victimWasController: boolean;
}

async function once(): Promise<Run> {
  const cluster = new ProcessCluster({});
  try {
    await cluster.start(3);
    const all = cluster.nodes;
    await cluster.waitFor(
      'three brokers',
      30000,
      async () => (await cluster.metadata(all[0]!, []))?.brokers.length === 3,
    );
    const kafka = new Kafka({
      clientId: 'failover-bench',
      brokers: all.map((n) => `127.0.0.1:${n.port}`),
      logLevel: logLevel.NOTHING,
      retry: { retries: 100, initialRetryTime: 20, maxRetryTime: 100 },
      // A paused leader never answers: with kafkajs' default 30 s request timeout the client, not the
      // cluster, sets the figure (302 s in one run). 1 s lets the client move on once the leader changes.
      ...(mode === 'stop' ? { requestTimeout: 1000 } : {}),
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: TOPIC,
          numPartitions: 3,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
    });
    await admin.disconnect();
    const partitions = await cluster.waitFor('the ISR of three', 60000, async () => {
      const t = (await cluster.metadata(all[0]!, [TOPIC]))?.topics[0];
      return t && t.partitions.length === 3 && t.partitions.every((p) => p.isrNodes.length === 3) && t.partitions;
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    for (let i = 0; i < 20; i++)
      await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `warm-${i}`, partition: i % 3 }] });
    const quorum = await cluster.waitFor('a leader', 30000, () => cluster.agreedLeader(all));
    const target = partitions.find((p) => p.leaderId !== quorum.leaderId) ?? partitions[0]!;
    const victim = all.find((n) => n.id === target.leaderId)!;
    if (mode === 'kill') cluster.kill(victim);
    else victim.process?.kill('SIGSTOP');
    const killedAt = Date.now();
    if (mode === 'kill') {
      await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'after', partition: target.partitionIndex }] });
    } else {
      // The cluster's figure, not kafkajs' retry policy on a silent socket: a survivor names a new
      // leader, then a producer that only knows the survivors writes to it.
      const survivors = all.filter((n) => n !== victim);
      await cluster.waitFor(
        'a new leader named by a survivor',
        120000,
        async () => {
          const t = (await cluster.metadata(survivors[0]!, [TOPIC]))?.topics[0];
          const p = t?.partitions.find((x) => x.partitionIndex === target.partitionIndex);
          return p !== undefined && p.leaderId >= 0 && p.leaderId !== victim.id;
        },
        20,
      );
      const fresh = new Kafka({
        clientId: 'failover-bench-survivors',
        brokers: survivors.map((n) => `127.0.0.1:${n.port}`),
        logLevel: logLevel.NOTHING,
        retry: { retries: 100, initialRetryTime: 20, maxRetryTime: 100 },
      }).producer({ allowAutoTopicCreation: false });
      await fresh.connect();
      await fresh.send({ topic: TOPIC, acks: -1, messages: [{ value: 'after', partition: target.partitionIndex }] });
      await fresh.disconnect();
    }
    const ms = Date.now() - killedAt;
    victim.process?.kill('SIGCONT');
    await producer.disconnect();
    return { ms, victimWasController: victim.id === quorum.leaderId };
  } finally {
    await cluster.stop();
  }
}

const results: number[] = [];
for (let r = 0; r < runs; r++) {
  const run = await once();
  results.push(run.ms);
  const note = run.victimWasController ? ' (the victim was also the active controller)' : '';
  const what = mode === 'kill' ? 'kill -9' : 'SIGSTOP';
  console.log(`run ${r + 1}: ${what} -> first acks=-1 ack ${run.ms} ms${note} (load ${loadavg()[0]!.toFixed(1)})`);
}
const sorted = [...results].sort((a, b) => a - b);
console.log(`median ${sorted[Math.floor(sorted.length / 2)]} ms over ${runs} runs (${results.join(' / ')})`);
