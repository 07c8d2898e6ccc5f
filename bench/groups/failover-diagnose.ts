/**
 * Diagnoses bench/groups/cluster.ts's failover part: the same kill -9 of the coordinator's broker under
 * two kafkajs consumers, then once a second for 60 s what each consumer has consumed and committed, the
 * group's committed offsets and the errors seen. `npx tsx bench/groups/failover-diagnose.ts`.
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { ProcessCluster } from '../../test/helpers/process-cluster.js';
import { FAILOVER_SETTINGS, coordinatorOf, killAndWait, startThree, until } from '../../test/helpers/group-failover.js';

const group = 'diag';
const topic = 'diag';
const cluster = new ProcessCluster(FAILOVER_SETTINGS, process.env.DIAG_LOG ?? 'warn');
const events: string[] = [];
const t0 = { at: Date.now() };
const log = (s: string): void => {
  const line = `${((Date.now() - t0.at) / 1000).toFixed(1)}s ${s}`;
  events.push(line);
  console.error(line);
};
try {
  await startThree(cluster);
  const kafkaOn = (nodes = cluster.nodes, id = 'diag', withLog = false): Kafka =>
    new Kafka({
      clientId: id,
      brokers: nodes.map((n) => `127.0.0.1:${n.port}`),
      logLevel: withLog ? logLevel.WARN : logLevel.NOTHING,
      logCreator: () => (e) => log(`[${id}] ${e.log.message} ${JSON.stringify(e.log).slice(0, 200)}`),
      retry: { retries: 40, initialRetryTime: 100, maxRetryTime: 1000 },
    });
  const admin = kafkaOn().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 3 }] });
  const consumers: Consumer[] = [];
  const consumed: string[][] = [[], []];
  for (let i = 0; i < 2; i++) {
    const consumer = kafkaOn(cluster.nodes, `member-${i}`, true).consumer({
      groupId: group,
      heartbeatInterval: 100,
      sessionTimeout: 10_000,
      // DIAG_RETRIES: the consumer's retries (bench/groups/cluster.ts used 100; kafkajs's default is 5)
      retry: { retries: Number(process.env.DIAG_RETRIES ?? 5), initialRetryTime: 50, maxRetryTime: 500 },
    });
    consumers.push(consumer);
    consumer.on(consumer.events.COMMIT_OFFSETS, (e) =>
      log(`member-${i} committed ${JSON.stringify(e.payload.topics)}`),
    );
    consumer.on(consumer.events.GROUP_JOIN, (e) =>
      log(`member-${i} joined gen ${e.payload.groupId} ${JSON.stringify(e.payload.memberAssignment)}`),
    );
    consumer.on(consumer.events.CRASH, (e) =>
      log(`member-${i} CRASH ${e.payload.error.message} restart=${e.payload.restart}`),
    );
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommitThreshold: 1,
      eachMessage: async ({ partition, message }) => {
        consumed[i]!.push(`${partition}@${message.offset}`);
        log(`member-${i} consumed ${partition}@${message.offset}`);
      },
    });
  }
  await until('Stable', 60_000, async () => {
    const d = await admin.describeGroups([group]).catch(() => null);
    return d?.groups[0]?.state === 'Stable' && d.groups[0].members.length === 2;
  });
  const victimId = await cluster.waitFor('coordinator', 30_000, () => coordinatorOf(cluster.nodes[0]!, group));
  const victim = cluster.nodes.find((n) => n.id === victimId)!;
  const survivors = cluster.nodes.filter((n) => n !== victim);
  const leaders = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.map(
    (p) => `${p.partitionId}:${p.leader}`,
  );
  const controller = (await cluster.agreedLeader(cluster.nodes))?.leaderId;
  log(`victim ${victimId} (controller ${controller}); partition leaders ${leaders.join(' ')}`);
  const producer = kafkaOn(survivors, 'producer').producer();
  await producer.connect();
  const survivorAdmin = kafkaOn(survivors, 'sadmin').admin();
  await survivorAdmin.connect();
  await killAndWait(cluster, victim);
  t0.at = Date.now();
  log('killed');
  await producer.send({ topic, acks: -1, messages: [0, 1].map((partition) => ({ partition, value: 'x' })) });
  log('produced');
  for (let s = 0; s < 60; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    const offsets = await survivorAdmin.fetchOffsets({ groupId: group, topics: [topic] }).then(
      (o) => JSON.stringify(o[0]?.partitions.map((p) => `${p.partition}:${p.offset}`)),
      (e: Error) => `fetchOffsets error ${e.message}`,
    );
    const d = await survivorAdmin.describeGroups([group]).then(
      (x) => `${x.groups[0]?.state} ${x.groups[0]?.members.length}`,
      (e: Error) => `describe error ${e.message}`,
    );
    const coord = await coordinatorOf(survivors[0]!, group);
    log(`committed ${offsets}; group ${d}; coordinator ${coord}; consumed ${consumed.map((c) => c.length).join('/')}`);
    if (offsets.includes('0:1') && offsets.includes('1:1')) break;
  }
  await producer.disconnect();
  for (const c of consumers) await c.disconnect().catch(() => undefined);
  await survivorAdmin.disconnect();
} finally {
  await cluster.stop();
}
process.exit(0);
