/**
 * A broker with a wrong inter-broker password, with real processes (SASL_SSL controller and
 * inter-broker listeners, see test/helpers/secure-cluster.ts): node 3 registers (its controller
 * login is right) but cannot fetch; it logs why at error level, and acks=all to a partition it
 * must be in sync for gets NOT_ENOUGH_REPLICAS as the ISR cannot grow to 3.
 */
import t from 'tap';
import {
  grantClients,
  internalPortsFor,
  kafkaOn,
  makeTestCerts,
  opensslAvailable,
  secureCluster,
  type TestCerts,
} from '../../test/helpers/secure-cluster.js';

const haveOpenssl = opensslAvailable();
const certs: TestCerts | null = haveOpenssl ? makeTestCerts() : null;
t.teardown(() => certs?.cleanup());

t.test(
  'a broker with a wrong inter-broker password cannot join the ISR',
  { skip: haveOpenssl ? false : 'openssl is not installed' },
  async (t) => {
    t.setTimeout(180_000);
    const { cluster, internalPorts } = secureCluster(certs!, (node) =>
      node.id === 3 ? 'not-the-password' : 'broker-secret',
    );
    cluster.captureStdout = true;
    // Node 3 starts in the new partition's ISR (it is an active broker, as Kafka's controller counts it)
    // and leaves it once it has not caught up for replica.lag.time.max.ms, shortened here from 30 s.
    const perNode = cluster.perNode;
    cluster.perNode = (node) => ({ ...perNode(node), 'replica.lag.time.max.ms': '4000' });
    t.teardown(() => cluster.stop());
    await cluster.startRegistered(3, internalPortsFor(internalPorts));
    const kafka = kafkaOn(cluster.nodes.slice(0, 2));
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    await grantClients(admin);
    // Node 3 leads nothing, so its fetches are the only ones that must authenticate with its password.
    await admin.createTopics({
      topics: [
        {
          topic: 'needs-three',
          replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }],
          configEntries: [{ name: 'min.insync.replicas', value: '3' }],
        },
      ],
      waitForLeaders: true,
    });
    const node3 = cluster.nodes[2]!;
    const line = await cluster.waitFor('node 3 logs its refused inter-broker login', 60000, async () =>
      node3.lines.find((l) => l.includes('could not authenticate') && l.includes('inter-broker')),
    );
    t.match(line, /SASL_AUTHENTICATION_FAILED/, `node 3 says why: ${line.slice(0, 300)}`);
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    t.teardown(() => producer.disconnect());
    const send = () =>
      producer.send({ topic: 'needs-three', acks: -1, timeout: 2000, messages: [{ value: 'x' }] }).then(
        () => null,
        (err: unknown) => err as { type?: string; message?: string; cause?: { type?: string } },
      );
    const early = await send();
    t.ok(early !== null, `acks=all is never acknowledged while node 3 cannot fetch (${early?.message ?? 'acked'})`);
    const partition = async () =>
      (await cluster.metadata(cluster.nodes[0]!, ['needs-three']))?.topics[0]?.partitions[0] ?? null;
    await cluster.waitFor('node 3 out of the ISR', 60000, async () => {
      const p = await partition();
      return p !== null && p.isrNodes.length === 2 && !p.isrNodes.includes(3);
    });
    const error = await send();
    // kafkajs wraps the broker's error; its message is kafkajs' text for NOT_ENOUGH_REPLICAS (19).
    t.match(
      `${error?.type ?? ''} ${error?.cause?.type ?? ''} ${error?.message ?? ''}`,
      /NOT_ENOUGH_REPLICAS|fewer in-sync replicas than required/,
      'acks=all is refused: the ISR lacks node 3',
    );
  },
);
