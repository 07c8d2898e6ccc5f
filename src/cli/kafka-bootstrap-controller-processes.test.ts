/**
 * --bootstrap-controller (KIP-919, Kafka 3.7+) of kafka-metadata-quorum, kafka-cluster and kafka-features against a
 * split-mode cluster (three process.roles=controller nodes, one broker, from Kafka-style properties
 * files): the tools learn the controllers with DescribeCluster (endpoint type CONTROLLER) on a
 * controller listener and ask the active one, as Kafka's admin client with bootstrap.controllers does.
 * And the mistakes of pointing one kind of flag at the other kind of listener, with Kafka's answers:
 * --bootstrap-controller at a broker gets MismatchedEndpointTypeException, --bootstrap-server at a
 * controller UnsupportedVersionException "The node does not support METADATA" (both as the tools'
 * ExecutionException; kafka-topics as its "Error while executing topic command" line). Before, Gregor's
 * tools refused --bootstrap-controller, and a controller behind --bootstrap-server gave "the broker
 * does not serve this API".
 */
import { readFileSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';
import { startKraftCluster } from '../../test/helpers/kraft-properties.js';

const CLUSTER_ID = 'Bc7kQe1uTHmJ3wq0pZr5Xg';
const FAST = {
  'controller.quorum.election.timeout.ms': '500',
  'controller.quorum.fetch.timeout.ms': '1000',
  'broker.heartbeat.interval.ms': '200',
};

function controllerAddress(file: string): string {
  const match = /CONTROLLER:\/\/(127\.0\.0\.1:\d+)/.exec(readFileSync(file, 'utf8'));
  if (!match) throw new Error(`no CONTROLLER listener in ${file}`);
  return match[1]!;
}

t.test('kafka-metadata-quorum and kafka-cluster with --bootstrap-controller', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(180_000);
  const cluster = await startKraftCluster(t, {
    layout: 'split', brokers: 1, clusterId: CLUSTER_ID, extra: FAST, name: 'bootstrap-controller',
  }); // prettier-ignore
  const controllers = cluster.files.slice(0, 3).map(controllerAddress);
  const broker = cluster.bootstrap[0]!;
  const fast = ['--command-config', `${cluster.root}/fast.properties`];
  writeFileSync(`${cluster.root}/fast.properties`, 'default.api.timeout.ms=10000\n');

  // The broker observes the quorum once it has fetched from the leader: ask until it is listed (bounded).
  let status = await kafkaTool('kafka-metadata-quorum', [
    '--bootstrap-controller',
    controllers[1]!,
    'describe',
    '--status',
  ]);
  for (let i = 0; i < 50 && !/CurrentObservers:\s+\[\{"id": 4/.test(status.stdout); i++) {
    await new Promise((r) => setTimeout(r, 200));
    status = await kafkaTool('kafka-metadata-quorum', [
      '--bootstrap-controller',
      controllers[1]!,
      'describe',
      '--status',
    ]);
  }
  t.equal(status.code, 0, status.stderr);
  t.match(status.stdout, new RegExp(`^ClusterId:\\s+${CLUSTER_ID}\\nLeaderId:\\s+[123]\\n`));
  t.match(status.stdout, /CurrentVoters:\s+\[\{"id": 1, .*\{"id": 2, .*\{"id": 3, /);
  t.match(status.stdout, /CurrentObservers:\s+\[\{"id": 4, "directoryId": null\}\]/);

  const replication = await kafkaTool('kafka-metadata-quorum', [
    '--bootstrap-controller',
    controllers.join(','),
    'describe',
    '--replication',
  ]);
  t.equal(replication.code, 0, replication.stderr);
  const statuses = replication.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t')[6]!.trim())
    .sort();
  t.same(statuses, ['Follower', 'Follower', 'Leader', 'Observer']);

  const id = await kafkaTool('kafka-cluster', ['cluster-id', '--bootstrap-controller', controllers[2]!]);
  t.equal(id.code, 0, id.stderr);
  t.equal(id.stdout, `Cluster ID: ${CLUSTER_ID}\n`);

  const features = await kafkaTool('kafka-features', ['--bootstrap-controller', controllers[0]!, 'describe']);
  t.equal(features.code, 0, features.stderr);
  t.match(
    features.stdout,
    /^Feature: metadata\.version\tSupportedMinVersion: 3\.0-IV1\t.*FinalizedVersionLevel: 3\.9-IV0\t/m,
  );

  // --bootstrap-controller given a broker's listener: DescribeCluster's MISMATCHED_ENDPOINT_TYPE, at once.
  const mismatch =
    'org.apache.kafka.common.errors.MismatchedEndpointTypeException: The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER';
  const atBroker = await kafkaTool('kafka-metadata-quorum', [
    ...fast,
    '--bootstrap-controller',
    broker,
    'describe',
    '--status',
  ]);
  t.equal(atBroker.code, 1);
  t.equal(atBroker.stdout, '');
  t.equal(atBroker.stderr, `${mismatch}\njava.util.concurrent.ExecutionException: ${mismatch}\n`);

  // --bootstrap-server given a controller's listener: it serves no Metadata.
  const unsupported = 'org.apache.kafka.common.errors.UnsupportedVersionException: The node does not support METADATA';
  const idAtController = await kafkaTool('kafka-cluster', ['cluster-id', '--bootstrap-server', controllers[0]!]);
  t.equal(idAtController.code, 1);
  t.equal(idAtController.stderr, `${unsupported}\njava.util.concurrent.ExecutionException: ${unsupported}\n`);
  const topics = await kafkaTool('kafka-topics', ['--list', '--bootstrap-server', controllers[0]!]);
  t.equal(topics.code, 1);
  t.equal(topics.stdout, 'Error while executing topic command : The node does not support METADATA\n');

  const both = await kafkaTool('kafka-cluster', [
    'cluster-id',
    '--bootstrap-server',
    broker,
    '--bootstrap-controller',
    controllers[0]!,
  ]);
  t.equal(both.code, 1);
  t.match(both.stderr, /argument --bootstrap-controller: not allowed with argument --bootstrap-server/);
});
