/**
 * A node that cannot reach any leader (one voter of three started alone: no majority, no election
 * won) answers admin requests with Kafka's retriable codes once its forwarding wait
 * (request.timeout.ms) ends, without closing the connection: CreateTopics, DeleteTopics, CreatePartitions
 * and IncrementalAlterConfigs get NOT_CONTROLLER, InitProducerId COORDINATOR_LOAD_IN_PROGRESS,
 * auto-creation UNKNOWN_TOPIC_OR_PARTITION.
 */
import t from 'tap';
import { startBroker } from '../index.js';
import { freePort } from '../../test/helpers/process-cluster.js';
import { rawClient } from '../../test/helpers/raw-client.js';
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

t.test('without a leader, admin requests get retriable errors', async (t) => {
  const ports = [await freePort(), await freePort(), await freePort()];
  const node = await startBroker({
    config: {
      'node.id': 1,
      listeners: `PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:${ports[0]}`,
      'controller.quorum.voters': ports.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(','),
      'cluster.id': 'no-leader-test-cluster',
      'request.timeout.ms': 150,
      'controller.quorum.request.timeout.ms': 200,
    },
  });
  t.teardown(() => node.stop());
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
  t.equal(md.controllerId, -1, 'Metadata names no controller');
});
