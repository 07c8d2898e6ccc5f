/**
 * A node that has lost every path to a leader (three voters in this process; the two others stop, so no
 * majority, no election won) answers admin requests with Kafka's retriable codes once its forwarding wait
 * (request.timeout.ms) ends, without closing the connection: CreateTopics, DeleteTopics, CreatePartitions
 * and IncrementalAlterConfigs get NOT_CONTROLLER, InitProducerId COORDINATOR_LOAD_IN_PROGRESS,
 * auto-creation UNKNOWN_TOPIC_OR_PARTITION. (A node that never saw a leader does not serve clients at all:
 * its client listeners open only once it is caught up and unfenced, as Kafka's broker.)
 */
import t from 'tap';
import { startBroker, type RunningBroker } from '../index.js';
import { freePort } from '../../test/helpers/process-cluster.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { pollUntil } from '../../test/helpers/poll.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import {
  IncrementalAlterConfigsApi,
  defaultIncrementalAlterConfigsRequest,
} from '../../protocol/generated/messages/44-incremental-alter-configs.js';
import { InitProducerIdApi } from '../../protocol/generated/messages/22-init-producer-id.js';
import { DeleteTopicsApi } from '../../protocol/generated/messages/20-delete-topics.js';
import { CreatePartitionsApi } from '../../protocol/generated/messages/37-create-partitions.js';
import { MetadataApi } from '../../protocol/generated/messages/03-metadata.js';

/** Whether the node answers Metadata on its client listener (it does once caught up and unfenced). */
async function serves(port: number): Promise<boolean> {
  try {
    const c = await rawClient(port);
    try {
      const md = await c.call(MetadataApi, 9, {
        topics: [],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
      return md.brokers.length === 3;
    } finally {
      c.close();
    }
  } catch {
    return false;
  }
}

t.test('without a leader, admin requests get retriable errors', async (t) => {
  const ports = [await freePort(), await freePort(), await freePort()];
  const running = new Set<RunningBroker>();
  t.teardown(async () => {
    for (const b of running) await b.stop();
  });
  const nodes: RunningBroker[] = [];
  for (let i = 0; i < 3; i++) {
    const node = await startBroker({
      config: {
        'node.id': i + 1,
        listeners: `PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:${ports[i]}`,
        'controller.quorum.voters': ports.map((p, j) => `${j + 1}@127.0.0.1:${p}`).join(','),
        'cluster.id': 'no-leader-test-cluster',
        'request.timeout.ms': 150,
        'controller.quorum.election.timeout.ms': 300,
        'controller.quorum.fetch.timeout.ms': 600,
        'controller.quorum.request.timeout.ms': 200,
        'broker.heartbeat.interval.ms': 100,
      },
    });
    running.add(node);
    nodes.push(node);
  }
  await pollUntil('three nodes serving clients', 60000, async () => {
    const answers = await Promise.all(nodes.map((n) => serves(n.port)));
    return answers.every(Boolean);
  });
  const leaderId = nodes[0]!.broker.quorum.node.leaderId();
  const node = nodes.find((n) => n.broker.quorum.node.leaderId() === leaderId && n.broker.nodeId !== leaderId)!;
  for (const other of nodes.filter((n) => n !== node)) {
    running.delete(other);
    await other.stop();
  }
  await pollUntil('the survivor has no leader', 30000, () =>
    Promise.resolve(node.broker.quorum.node.leaderId() === -1),
  );
  t.equal(node.broker.quorum.node.leaderId(), -1, 'no leader');
  const c = await rawClient(node.port);
  t.teardown(() => c.close());

  const create = await c.call(CreateTopicsApi, 7, {
    ...defaultCreateTopicsRequest(),
    timeoutMs: 1000,
    topics: [
      {
        ...defaultCreateTopicsRequestCreatableTopic(),
        name: 'no-leader',
        numPartitions: 1,
        replicationFactor: 1,
        assignments: [],
      },
    ],
  });
  t.equal(
    create.topics[0]?.errorCode,
    ErrorCode.NOT_CONTROLLER,
    'CreateTopics: NOT_CONTROLLER, before any validation against a stale image',
  );
  const del = await c.call(DeleteTopicsApi, 6, {
    topicNames: [],
    topics: [{ name: 'whatever', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
    timeoutMs: 1000,
  });
  t.equal(del.responses[0]?.errorCode, ErrorCode.NOT_CONTROLLER, 'DeleteTopics: NOT_CONTROLLER');
  const grow = await c.call(CreatePartitionsApi, 3, {
    topics: [{ name: 'whatever', count: 3, assignments: null }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  t.equal(grow.results[0]?.errorCode, ErrorCode.NOT_CONTROLLER, 'CreatePartitions: NOT_CONTROLLER');
  const alter = await c.call(IncrementalAlterConfigsApi, 1, {
    ...defaultIncrementalAlterConfigsRequest(),
    resources: [
      { resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '1000' }] },
    ],
  });
  t.equal(alter.responses[0]?.errorCode, ErrorCode.NOT_CONTROLLER, 'IncrementalAlterConfigs: NOT_CONTROLLER');
  const pid = await c.call(InitProducerIdApi, 4, {
    transactionalId: null,
    transactionTimeoutMs: 60000,
    producerId: -1n,
    producerEpoch: -1,
  });
  t.equal(pid.errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, 'InitProducerId: COORDINATOR_LOAD_IN_PROGRESS');
  const md = await c.call(MetadataApi, 9, {
    topics: [{ name: 'auto-no-leader', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  t.equal(
    md.topics[0]?.errorCode,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    'auto-creation: UNKNOWN_TOPIC_OR_PARTITION (retriable), as KRaft Kafka',
  );
  // KRaft brokers name a live broker as the controller (clients send admin requests there to be forwarded).
  t.equal(md.controllerId, node.broker.nodeId, 'Metadata names a broker to send admin requests to');
});
