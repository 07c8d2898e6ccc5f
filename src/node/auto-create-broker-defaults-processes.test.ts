/**
 * Auto-creation takes num.partitions and default.replication.factor from the broker that serves the
 * Metadata request, as Kafka's AutoTopicCreationManager does (it sends them in its CreateTopics).
 * Split mode, as Kafka's config/kraft/broker.properties and controller.properties lay it out: the
 * brokers set default.replication.factor=3 and num.partitions=3, the controllers do not. kcat
 * produces to a topic that does not exist; kafka-topics --describe shows 3 partitions of 3
 * replicas. Gregor's brokers forwarded -1/-1, so the topic took the controllers' defaults (1 and 1):
 * one replica where the user asked for three.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { hasCommand, run } from '../../test/helpers/external.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';
import { startKraftCluster } from '../../test/helpers/kraft-properties.js';

const CLUSTER_ID = 'QXV0b0NyZWF0ZURlZmF1bA';

t.test(
  "an auto-created topic gets the broker's num.partitions and default.replication.factor",
  { skip: CLI_SKIP || (!hasCommand('kcat') && 'kcat is not installed') },
  async (t) => {
    const cluster = await startKraftCluster(t, {
      layout: 'split',
      brokers: 3,
      clusterId: CLUSTER_ID,
      brokerExtra: { 'default.replication.factor': '3', 'num.partitions': '3' },
      name: 'auto-create-defaults',
    });
    const bootstrap = cluster.bootstrap.join(',');
    const produced = await run(
      'kcat',
      ['-b', bootstrap, '-P', '-t', 'auto-made', '-X', 'acks=all', '-X', 'message.timeout.ms=30000'],
      { input: 'a\nb\nc\n', timeoutMs: 60_000 },
    );
    t.equal(produced.code, 0, `kcat produced to the auto-created topic: ${produced.stderr}`);

    const described = await kafkaTool('kafka-topics', [
      '--bootstrap-server',
      bootstrap,
      '--describe',
      '--topic',
      'auto-made',
    ]);
    t.equal(described.code, 0, described.stderr);
    t.match(described.stdout, /PartitionCount: 3\tReplicationFactor: 3\t/);
    const replicas = described.stdout.match(/Replicas: [\d,]+/g) ?? [];
    t.equal(replicas.length, 3, described.stdout);
    for (const line of replicas) t.equal(line.split(',').length, 3, `${line}: three replicas`);
  },
);
