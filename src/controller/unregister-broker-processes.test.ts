/**
 * UnregisterBroker (64), as Kafka 3.9 serves it: three combined nodes from Kafka-style
 * server.properties; node 3 is killed (kill -9), and `kafka-cluster unregister --id 3` (any broker
 * forwards it to the active controller) prints "Broker 3 is no longer registered.": kafkajs no longer
 * sees broker 3, and it has left every ISR. An id with no registration gets
 * BrokerIdNotRegisteredException, exit 1. Node 3 started again registers anew and rejoins the ISR.
 * Gregor refused the tool ("not supported") and had no UnregisterBroker API.
 */
import t from 'tap';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';
import { startKraftCluster } from '../../test/helpers/kraft-properties.js';
import { pollUntil } from '../../test/helpers/poll.js';

const CLUSTER_ID = 'VW5yZWdpc3RlckJyb2tlcg';
const FAST = {
  'controller.quorum.election.timeout.ms': '500',
  'controller.quorum.fetch.timeout.ms': '1000',
  'broker.heartbeat.interval.ms': '200',
  'replica.lag.time.max.ms': '3000',
};

const brokerIds = async (admin: Admin): Promise<number[]> =>
  (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort();

const isrs = async (admin: Admin): Promise<number[][]> =>
  (await admin.fetchTopicMetadata({ topics: ['kept'] })).topics[0]!.partitions.sort(
    (a, b) => a.partitionId - b.partitionId,
  ).map((p) => [...p.isr].sort());

t.test(
  'kafka-cluster unregister removes a dead broker; it registers again when restarted',
  { skip: CLI_SKIP },
  async (t) => {
    const cluster = await startKraftCluster(t, {
      layout: 'combined', brokers: 3, clusterId: CLUSTER_ID, extra: FAST, name: 'unregister',
    }); // prettier-ignore
    const { nodes, brokerPorts } = cluster;

    const admin = new Kafka({
      brokers: brokerPorts.slice(0, 2).map((p) => `127.0.0.1:${p}`),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    await admin.createTopics({
      topics: [{ topic: 'kept', numPartitions: 3, replicationFactor: 3 }],
      waitForLeaders: true,
    });
    t.same(await brokerIds(admin), [1, 2, 3]);

    await nodes[2]!.stop('SIGKILL');
    const bootstrap = ['--bootstrap-server', `127.0.0.1:${brokerPorts[0]}`];
    const unregistered = await kafkaTool('kafka-cluster', ['unregister', ...bootstrap, '--id', '3']);
    t.equal(unregistered.code, 0, unregistered.stderr);
    t.equal(unregistered.stdout, 'Broker 3 is no longer registered.\n');
    await pollUntil('broker 3 gone from DescribeCluster', 30_000, async () =>
      (await brokerIds(admin)).join() === '1,2' ? true : null,
    );
    t.same(
      await isrs(admin),
      [
        [1, 2],
        [1, 2],
        [1, 2],
      ],
      'broker 3 left every ISR',
    );

    for (const id of ['3', '42']) {
      const again = await kafkaTool('kafka-cluster', ['unregister', ...bootstrap, '--id', id]);
      t.equal(again.code, 1, `broker ${id} has no registration (any more): exit 1`);
      t.match(
        again.stderr,
        'org.apache.kafka.common.errors.BrokerIdNotRegisteredException: The given broker ID was not registered.',
      );
    }

    await cluster.restart(2, 120_000);
    await pollUntil('broker 3 registered again', 30_000, async () =>
      (await brokerIds(admin)).join() === '1,2,3' ? true : null,
    );
    await pollUntil('broker 3 back in every ISR', 60_000, async () =>
      (await isrs(admin)).every((isr) => isr.join() === '1,2,3') ? true : null,
    );
    t.pass('the restarted broker registered again and rejoined every ISR');
  },
);
