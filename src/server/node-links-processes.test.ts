/**
 * Node-to-node connections over SASL_SSL, with real processes: three combined nodes whose
 * controller listener (Raft, registration, heartbeats, forwarding) and inter-broker listener
 * (replica fetches) are SASL_SSL with PLAIN, the brokers logging in as User:broker, which is the
 * authorizer's only super user (the PLAINTEXT client listener's User:ANONYMOUS has DESCRIBE and
 * CREATE on the cluster, not CLUSTER_ACTION, so a replica fetch only passes as User:broker).
 * acks=all writes to a topic with min.insync.replicas=3 succeed (every follower fetches over
 * TLS+SASL), the controller leader is killed and another takes over, writes go on, and the killed
 * node comes back. (node-links-password-processes.test.ts: a wrong inter-broker password.)
 */
import t from 'tap';
import {
  grantClients,
  internalPortsFor,
  kafkaOn,
  makeTestCerts,
  opensslAvailable,
  produceAll,
  secureCluster,
  type TestCerts,
} from '../../test/helpers/secure-cluster.js';

const haveOpenssl = opensslAvailable();
const certs: TestCerts | null = haveOpenssl ? makeTestCerts() : null;
t.teardown(() => certs?.cleanup());

t.test(
  'three nodes replicate and fail over with SASL_SSL controller and inter-broker listeners',
  { skip: haveOpenssl ? false : 'openssl is not installed' },
  async (t) => {
    t.setTimeout(240_000);
    const { cluster, internalPorts } = secureCluster(certs!, () => 'broker-secret');
    t.teardown(() => cluster.stop());
    const first = await cluster.startRegistered(3, internalPortsFor(internalPorts));
    const kafka = kafkaOn(cluster.nodes);
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    await grantClients(admin);
    await admin.createTopics({
      topics: [
        {
          topic: 'secure',
          numPartitions: 1,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '3' }],
        },
      ],
      waitForLeaders: true,
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    t.teardown(() => producer.disconnect());
    // The ISR reaches 3 only once both followers fetch over SASL_SSL as User:broker.
    await cluster.waitFor('acks=all with three in-sync replicas', 60000, async () =>
      produceAll(producer, 'secure', 'one').then(
        () => true,
        () => false,
      ),
    );
    t.pass('acks=all with min.insync.replicas=3 succeeded');

    const leader = cluster.nodes.find((n) => n.id === first.leaderId)!;
    cluster.kill(leader);
    const survivors = cluster.nodes.filter((n) => n !== leader);
    const next = await cluster.waitFor('a new controller leader', 60000, () =>
      cluster.agreedLeader(survivors, leader.id),
    );
    t.not(next.leaderId, leader.id, `node ${next.leaderId} leads the quorum after node ${leader.id} was killed`);
    await admin.createTopics({
      topics: [{ topic: 'after-failover', numPartitions: 1, replicationFactor: 2 }],
      waitForLeaders: true,
    });
    const survivorKafka = kafkaOn(survivors);
    const survivorProducer = survivorKafka.producer({ allowAutoTopicCreation: false });
    await survivorProducer.connect();
    t.teardown(() => survivorProducer.disconnect());
    await cluster.waitFor('acks=all after the failover', 60000, async () =>
      produceAll(survivorProducer, 'after-failover', 'two').then(
        () => true,
        () => false,
      ),
    );
    t.pass('a topic created and written with acks=all after the controller failover');

    cluster.spawn(leader);
    await cluster.waitFor('the killed node back in sync', 90000, async () =>
      produceAll(producer, 'secure', 'three').then(
        () => true,
        () => false,
      ),
    );
    t.pass('the restarted node rejoined: acks=all with three in-sync replicas again');
  },
);
