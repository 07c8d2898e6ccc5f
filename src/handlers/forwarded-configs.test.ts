/**
 * AlterConfigs of a broker resource on a three-node cluster with kafkajs: the admin client sends
 * each broker's resource to that broker, which forwards it (an Envelope) to the active controller.
 * The controller accepts the name of the broker that forwarded it (found by the kafkajs suite's
 * "alter broker configs" test: the controller used to compare it with its own node id and answered
 * INVALID_REQUEST), and the target broker then describes the new value as a per-broker config.
 * A follower sent a mixed request answers logger levels and broker resources naming another node
 * itself (as Kafka's ConfigAdminManager.preprocess) and forwards only the rest, answers in order.
 */
import t from 'tap';
import { Kafka, logLevel, type ConfigResourceTypes as ConfigTypes } from 'kafkajs';

import { eventually, threeNodeCluster } from '../../test/helpers/in-process-cluster.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { IncrementalAlterConfigsApi } from '../../protocol/generated/messages/44-incremental-alter-configs.js';
import { AlterConfigsApi } from '../../protocol/generated/messages/33-alter-configs.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';

const BROKER = 4 as ConfigTypes;
const TOPIC = 2;
const BROKER_LOGGER = 8;
const SET = 0;

t.test('kafkajs alterConfigs on every broker of three, forwarded to the controller', async (t) => {
  const nodes = await threeNodeCluster(t);
  const kafka = new Kafka({
    clientId: 'forwarded-configs',
    brokers: nodes.map((n) => n.bootstrap),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const controllerId = nodes.find((n) => n.broker.controller.isActive())?.broker.nodeId;
  for (const node of nodes) {
    const nodeId = String(node.broker.nodeId);
    const value = String(1_000_000 + node.broker.nodeId);
    const answer = await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: BROKER, name: nodeId, configEntries: [{ name: 'message.max.bytes', value }] }],
    });
    const where = nodeId === String(controllerId) ? 'the controller' : 'forwarded';
    t.same(
      (answer.resources as Array<{ resourceName: string; errorCode: number }>).map((r) => [
        r.resourceName,
        r.errorCode,
      ]),
      [[nodeId, 0]],
      `broker ${nodeId} (${where}) accepts its own resource`,
    );
    await eventually(
      `broker ${nodeId} has applied message.max.bytes=${value}`,
      10000,
      () => node.broker.controller.image.brokerConfigs.get(nodeId)?.get('message.max.bytes') === value,
    );
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: BROKER, name: nodeId, configNames: ['message.max.bytes'] }],
    });
    const entry = described.resources[0]?.configEntries.find((e) => e.configName === 'message.max.bytes');
    t.equal(entry?.configValue, value, `broker ${nodeId} describes message.max.bytes=${value}`);
  }
});

t.test('a forwarding broker answers its own part of (Incremental)AlterConfigs and forwards the rest', async (t) => {
  const nodes = await threeNodeCluster(t);
  const kafka = new Kafka({
    clientId: 'split-configs',
    brokers: nodes.map((n) => n.bootstrap),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'split-configs', numPartitions: 1, replicationFactor: 1 }] });
  const follower = nodes.find((n) => !n.broker.controller.isActive())!;
  const controller = nodes.find((n) => n.broker.controller.isActive())!;
  const other = nodes.find((n) => n !== follower && n !== controller)!;
  const id = String(follower.broker.nodeId);
  const client = await rawClient(follower.port);
  t.teardown(() => client.close());

  const answer = await client.call(IncrementalAlterConfigsApi, 1, {
    resources: [
      {
        resourceType: TOPIC,
        resourceName: 'split-configs',
        configs: [{ name: 'retention.ms', configOperation: SET, value: '123456' }],
      },
      {
        resourceType: BROKER_LOGGER,
        resourceName: id,
        configs: [{ name: 'kafka.raft', configOperation: SET, value: 'DEBUG' }],
      },
      {
        resourceType: BROKER,
        resourceName: String(other.broker.nodeId),
        configs: [{ name: 'message.max.bytes', configOperation: SET, value: '2000000' }],
      },
      {
        resourceType: BROKER,
        resourceName: id,
        configs: [{ name: 'message.max.bytes', configOperation: SET, value: '3000000' }],
      },
    ],
    validateOnly: false,
  });
  t.same(
    answer.responses.map((r) => [r.resourceType, r.resourceName, r.errorCode]),
    [
      [TOPIC, 'split-configs', 0],
      [BROKER_LOGGER, id, 0],
      [BROKER, String(other.broker.nodeId), ErrorCode.INVALID_REQUEST],
      [BROKER, id, 0],
    ],
    'answers in request order: topic and own broker resource forwarded, logger here, mis-addressed refused here',
  );
  t.match(answer.responses[2]!.errorMessage, /Unexpected broker id, expected \d, but received/);
  t.equal(follower.broker.loggers?.effective('kafka.raft'), 'DEBUG', "the follower's own logger changed");
  t.not(controller.broker.loggers?.effective('kafka.raft'), 'DEBUG', "the controller's logger did not");
  await eventually('the forwarded topic and broker configs applied', 10000, () => {
    const image = follower.broker.controller.image;
    return (
      image.topicsByName.get('split-configs')?.configs.get('retention.ms') === '123456' &&
      image.brokerConfigs.get(id)?.get('message.max.bytes') === '3000000'
    );
  });
  t.equal(
    follower.broker.controller.image.brokerConfigs.get(String(other.broker.nodeId))?.get('message.max.bytes'),
    undefined,
    'the mis-addressed broker resource changed nothing',
  );

  const legacy = await client.call(AlterConfigsApi, 2, {
    resources: [
      {
        resourceType: BROKER,
        resourceName: String(other.broker.nodeId),
        configs: [{ name: 'message.max.bytes', value: '2000000' }],
      },
      { resourceType: TOPIC, resourceName: 'split-configs', configs: [{ name: 'retention.ms', value: '654321' }] },
    ],
    validateOnly: true,
  });
  t.same(
    legacy.responses.map((r) => r.errorCode),
    [ErrorCode.INVALID_REQUEST, 0],
    'legacy AlterConfigs: the mis-addressed broker refused here, the topic validated by the controller',
  );
});
