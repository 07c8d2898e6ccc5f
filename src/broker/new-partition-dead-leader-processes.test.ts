/**
 * A topic created in the seconds after a broker died, before its session expired (the controller still
 * has it unfenced, so it may be placed first and lead): the new partition's ISR holds every active
 * replica (Kafka's rule), so when the dead broker is fenced a live replica leads and acks=all is served.
 * With a leader-alone ISR the partition stayed leaderless until the dead broker came back.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster } from '../../test/helpers/process-cluster.js';

t.setTimeout(300_000);

t.test('a partition created with a dead broker first gets a live leader once it is fenced', async (t) => {
  const cluster = new ProcessCluster({ ...FAST_QUORUM_SETTINGS, 'broker.session.timeout.ms': '4000' });
  t.teardown(() => cluster.stop());
  const quorum = await cluster.startRegistered(3);
  // The victim is the active controller: its successor has no connection of the victim's to see close,
  // so it keeps the victim unfenced until the session times out (a broker of a live controller is
  // fenced as soon as its registration connection drops).
  const victim = cluster.nodes.find((n) => n.id === quorum.leaderId)!;
  const live = cluster.nodes.filter((n) => n !== victim);
  const kafka = new Kafka({
    clientId: 'new-partition-dead-leader',
    brokers: live.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  cluster.kill(victim);
  await cluster.waitFor('a new active controller', 30000, () => cluster.agreedLeader(live, victim.id));
  const other = live[0]!.id;
  await admin.createTopics({
    topics: [{ topic: 'late', replicaAssignment: [{ partition: 0, replicas: [victim.id, other] }] }],
  });
  const created = await cluster.waitFor('the new topic', 10000, async () => {
    const p = (await cluster.metadata(live[0]!, ['late']))?.topics[0]?.partitions[0];
    return p?.errorCode === 0 && p;
  });
  // The dead broker may already be fenced by now on a slow machine; then the live replica led from the start.
  if (created.leaderId === victim.id)
    t.same(
      [...created.isrNodes].sort(),
      [victim.id, other].sort(),
      'created with the dead broker leading: both in sync',
    );
  else t.same([created.leaderId, created.isrNodes], [other, [other]], 'created after the fencing: the live one leads');
  const moved = await cluster.waitFor('a live leader after the fencing', 60000, async () => {
    const p = (await cluster.metadata(live[0]!, ['late']))?.topics[0]?.partitions[0];
    return p && p.leaderId === other && p;
  });
  t.same(moved.isrNodes, [other], 'the dead broker left the ISR; the live replica leads');
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const [ack] = await producer.send({ topic: 'late', acks: -1, messages: [{ value: 'served' }] });
  t.equal(ack?.errorCode, 0, 'acks=all is served by the live replica');
});
