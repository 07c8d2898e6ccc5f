/**
 * A follower whose log is longer than its new leader's (after an unclean election) truncates and
 * rejoins the ISR, as on Kafka: the leader checks a follower's last fetched epoch before holding its
 * fetch offset to the log end (Partition.readRecords), so the follower gets a diverging epoch, not
 * OFFSET_OUT_OF_RANGE (Gregor answered OFFSET_OUT_OF_RANGE for ever and the replica never came back).
 * Split mode from Kafka-style server.properties: three controllers, brokers 4 and 5; a partition on
 * 4,5; broker 5 killed, ten more records on 4 alone, broker 4 killed, 5 restarted, then
 * `kafka-leader-election --election-type UNCLEAN` makes 5 lead (the ten records only 4 had are lost,
 * as Kafka loses them), and 4 restarted must follow: back in the ISR with 5's log. kafkajs produces and
 * reads back.
 */
import t from 'tap';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { consumeValues } from '../../test/helpers/kafka-round-trip.js';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';
import { startKraftCluster } from '../../test/helpers/kraft-properties.js';
import { pollUntil } from '../../test/helpers/poll.js';

const CLUSTER_ID = 'q2Vb3tY8TS6cJm1dXx0wZg';
const FAST = {
  'controller.quorum.election.timeout.ms': '500',
  'controller.quorum.fetch.timeout.ms': '1000',
  'broker.heartbeat.interval.ms': '200',
  'broker.session.timeout.ms': '3000',
  'replica.lag.time.max.ms': '3000',
  'auto.leader.rebalance.enable': 'false',
};

const state = async (admin: Admin): Promise<{ leader: number; isr: string }> => {
  const p = (await admin.fetchTopicMetadata({ topics: ['rejoin'] })).topics[0]!.partitions[0]!;
  return { leader: p.leader, isr: [...p.isr].sort().join(',') };
};

const send = (producer: Producer, from: number, count: number): Promise<unknown> =>
  producer.send({
    topic: 'rejoin',
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({ value: `r${from + i}` })),
  });

t.test('after an unclean election the longer replica truncates and rejoins the ISR', { skip: CLI_SKIP }, async (t) => {
  const cluster = await startKraftCluster(t, {
    layout: 'split', brokers: 2, clusterId: CLUSTER_ID, extra: FAST, name: 'unclean-rejoin',
  }); // prettier-ignore
  const { nodes, brokerPorts } = cluster;

  const kafka = new Kafka({
    brokers: cluster.bootstrap,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [{ topic: 'rejoin', replicaAssignment: [{ partition: 0, replicas: [4, 5] }] }],
    waitForLeaders: true,
  });
  const producer = kafka.producer();
  await producer.connect();
  await send(producer, 0, 10);

  await nodes[4]!.stop('SIGKILL');
  await pollUntil('5 out of the ISR', 30_000, async () => ((await state(admin)).isr === '4' ? true : null));
  await send(producer, 10, 10);
  await producer.disconnect();
  await nodes[3]!.stop('SIGKILL');
  await cluster.restart(4);
  await pollUntil('no leader', 30_000, async () => ((await state(admin)).leader === -1 ? true : null));

  const elected = await kafkaTool('kafka-leader-election', [
    '--bootstrap-server', `127.0.0.1:${brokerPorts[1]}`, '--election-type', 'UNCLEAN', '--topic', 'rejoin', '--partition', '0',
  ]); // prettier-ignore
  t.equal(elected.stdout, 'Successfully completed leader election (UNCLEAN) for partitions rejoin-0\n', elected.stderr);
  t.same(await state(admin), { leader: 5, isr: '5' });

  await cluster.restart(3);
  const back = await pollUntil('4 back in the ISR', 30_000, async () => {
    const s = await state(admin);
    return s.isr === '4,5' ? s : null;
  }).catch((err: Error) => err);
  t.same(back, { leader: 5, isr: '4,5' }, 'the longer replica truncated to the leader and rejoined the ISR');

  const after = kafka.producer();
  await after.connect();
  await send(after, 100, 5);
  await after.disconnect();
  const seen = await consumeValues(kafka, 'rejoin', 'unclean-rejoin-check', 15, 60_000);
  const expected = [
    ...Array.from({ length: 10 }, (_, i) => `r${i}`),
    ...Array.from({ length: 5 }, (_, i) => `r${100 + i}`),
  ];
  t.same(seen, expected, "the new leader's ten records, then the five produced after the election");
});
