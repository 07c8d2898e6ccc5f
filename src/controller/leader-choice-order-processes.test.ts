/**
 * Which replica leads after the leader dies, as Kafka 3.9's PartitionChangeBuilder.electAnyLeader
 * chooses: the first replica in replica order that is in the ISR and live, whatever the ISR's own
 * order. Three combined nodes from Kafka-style server.properties; a partition placed on 1,3,2 (kafkajs
 * createTopics with a replica assignment); node 3 is killed and restarted, so it rejoins at the end of
 * the ISR (1,2,3); then node 1, the leader, is killed: Kafka elects 3 (before 2 in the replicas), where
 * Gregor took the ISR's order and elected 2. The records acknowledged with acks=all are all read back.
 */
import t from 'tap';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { consumeValues } from '../../test/helpers/kafka-round-trip.js';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { startKraftCluster } from '../../test/helpers/kraft-properties.js';
import { pollUntil } from '../../test/helpers/poll.js';

const CLUSTER_ID = 'gvxU1-kOh8nsg4fadJA1xA';
const FAST = {
  'controller.quorum.election.timeout.ms': '500',
  'controller.quorum.fetch.timeout.ms': '1000',
  'broker.heartbeat.interval.ms': '200',
  'broker.session.timeout.ms': '3000',
  'replica.lag.time.max.ms': '3000',
  'auto.leader.rebalance.enable': 'false',
};

const partitionState = async (admin: Admin): Promise<{ leader: number; isr: number[]; replicas: number[] }> => {
  const p = (await admin.fetchTopicMetadata({ topics: ['ordered'] })).topics[0]!.partitions[0]!;
  return { leader: p.leader, isr: p.isr, replicas: p.replicas };
};

t.test('a dead leader is replaced by the first in-sync replica in replica order', { skip: CLI_SKIP }, async (t) => {
  const cluster = await startKraftCluster(t, {
    layout: 'combined', brokers: 3, clusterId: CLUSTER_ID, extra: FAST, name: 'leader-order',
  }); // prettier-ignore
  const { nodes, bootstrap } = cluster;

  const kafka = new Kafka({ brokers: bootstrap, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [{ topic: 'ordered', replicaAssignment: [{ partition: 0, replicas: [1, 3, 2] }] }],
    waitForLeaders: true,
  });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const sent: string[] = [];
  const send = async (count: number): Promise<void> => {
    const values = Array.from({ length: count }, (_, i) => `r${sent.length + i}`);
    await producer.send({ topic: 'ordered', acks: -1, messages: values.map((value) => ({ value })) });
    sent.push(...values);
  };
  await send(10);
  t.same(await partitionState(admin), { leader: 1, isr: [1, 3, 2], replicas: [1, 3, 2] });

  await nodes[2]!.stop('SIGKILL');
  await pollUntil('3 out of the ISR', 30_000, async () =>
    (await partitionState(admin)).isr.join() === '1,2' ? true : null,
  );
  await send(10);
  await cluster.restart(2);
  await pollUntil('3 back at the end of the ISR', 60_000, async () =>
    (await partitionState(admin)).isr.join() === '1,2,3' ? true : null,
  );

  await nodes[0]!.stop('SIGKILL');
  const after = await pollUntil('a new leader', 60_000, async () => {
    const state = await partitionState(admin);
    return state.leader !== 1 && state.leader >= 0 ? state : null;
  });
  t.equal(after.leader, 3, 'replica 3 leads: first of the replicas 1,3,2 that is in the ISR and live');
  await send(10);

  const seen = await consumeValues(kafka, 'ordered', 'leader-order-check', sent.length, 60_000);
  t.same(seen, sent, 'every acknowledged record, in order');
});
