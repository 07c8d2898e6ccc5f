/**
 * DescribeQuorum lists the observers, as Kafka's LeaderState does: in split mode (three
 * process.roles=controller nodes, two process.roles=broker nodes, each started from a Kafka-style
 * server.properties after kafka-storage format) `kafka-metadata-quorum describe --replication` shows
 * both brokers as Observer rows with their metadata log end offsets, and `describe --status` lists
 * them under CurrentObservers (Gregor listed no observer at all). kafkajs creates a topic and
 * produces in between, so the brokers have metadata to follow.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';
import { startKraftCluster } from '../../test/helpers/kraft-properties.js';

const CLUSTER_ID = 'q2Vb3tY8TS6cJm1dXx0wZg';
const FAST = {
  'controller.quorum.election.timeout.ms': '500',
  'controller.quorum.fetch.timeout.ms': '1000',
  'broker.heartbeat.interval.ms': '200',
  'offsets.topic.replication.factor': '2',
};

interface Row {
  nodeId: number;
  logEndOffset: number;
  status: string;
}

function replicationRows(stdout: string): Row[] {
  return stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t').map((cell) => cell.trim()))
    .map((cells) => ({ nodeId: Number(cells[0]), logEndOffset: Number(cells[2]), status: cells[6] ?? '' }));
}

t.test(
  "split mode: the brokers are the quorum's observers in kafka-metadata-quorum describe",
  { skip: CLI_SKIP },
  async (t) => {
    const { brokerPorts, bootstrap: brokers } = await startKraftCluster(t, {
      layout: 'split', brokers: 2, clusterId: CLUSTER_ID, extra: FAST, name: 'quorum-observers',
    }); // prettier-ignore

    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer();
    await producer.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: 'observed', numPartitions: 2, replicationFactor: 2 }],
        waitForLeaders: true,
      });
      await producer.send({ topic: 'observed', acks: -1, messages: [{ value: 'one' }, { value: 'two' }] });
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }

    const bootstrap = ['--bootstrap-server', `127.0.0.1:${brokerPorts[0]}`];
    // The observers' offsets follow the leader's within a fetch: ask until they have caught up (bounded).
    let rows: Row[];
    const deadline = Date.now() + 30_000;
    for (;;) {
      const replication = await kafkaTool('kafka-metadata-quorum', [...bootstrap, 'describe', '--replication']);
      t.equal(replication.code, 0, replication.stderr);
      rows = replicationRows(replication.stdout);
      const leader = rows.find((r) => r.status === 'Leader');
      const observers = rows.filter((r) => r.status === 'Observer');
      if (leader && observers.length === 2 && observers.every((o) => o.logEndOffset === leader.logEndOffset)) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const leader = rows.find((r) => r.status === 'Leader');
    t.ok(leader && leader.nodeId >= 1 && leader.nodeId <= 3, `a controller leads: ${JSON.stringify(rows)}`);
    t.same(
      rows.filter((r) => r.status === 'Observer').map((r) => [r.nodeId, r.logEndOffset]),
      [
        [4, leader?.logEndOffset],
        [5, leader?.logEndOffset],
      ],
      'both brokers are Observer rows, caught up with the leader',
    );
    t.same(
      rows
        .filter((r) => r.status !== 'Observer')
        .map((r) => r.nodeId)
        .sort(),
      [1, 2, 3],
      'the three controllers are the voters',
    );
    const status = await kafkaTool('kafka-metadata-quorum', [...bootstrap, 'describe', '--status']);
    t.match(
      status.stdout,
      /^CurrentObservers:\s+\[\{"id": 4, "directoryId": null\}, \{"id": 5, "directoryId": null\}\]$/m,
    );
  },
);
