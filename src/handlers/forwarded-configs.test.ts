/**
 * AlterConfigs of a broker resource on a three-node cluster with kafkajs: the admin client sends
 * each broker's resource to that broker, which forwards it (an Envelope) to the active controller.
 * The controller accepts the name of the broker that forwarded it (found by the kafkajs suite's
 * "alter broker configs" test: the controller used to compare it with its own node id and answered
 * INVALID_REQUEST), and the target broker then describes the new value as a per-broker config.
 */
import t from 'tap';
import { Kafka, logLevel, type ConfigResourceTypes as ConfigTypes } from 'kafkajs';

const BROKER = 4 as ConfigTypes;
import { eventually, threeNodeCluster } from '../../test/helpers/in-process-cluster.js';

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
