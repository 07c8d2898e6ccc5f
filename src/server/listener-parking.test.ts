/**
 * A client that connects to a broker's client listener before the broker has caught up with the
 * metadata log and been unfenced is held, not reset: its request is answered on the same
 * connection once the listeners open (as a Kafka broker's accept backlog holds connections until
 * it enables request processing). librdkafka counts resets as "all brokers down". In this process,
 * on real sockets: a broker-only node whose one controller is not started yet, then the controller.
 * The held Metadata request's answer lists the broker itself: the listeners open only once the node's
 * own image has applied its unfencing, not merely when the controller's heartbeat answer says so.
 */
import t from 'tap';
import { startBroker, type RunningBroker } from '../index.js';
import { freePort } from '../../test/helpers/process-cluster.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { MetadataApi } from '../../protocol/generated/messages/03-metadata.js';

t.test('a client connecting before the broker is unfenced is answered once it is', async (t) => {
  const controllerPort = await freePort();
  const brokerPort = await freePort();
  const running: RunningBroker[] = [];
  t.teardown(async () => {
    for (const r of running.reverse()) await r.stop();
  });
  const common = {
    'cluster.id': 'parking-test-cluster',
    'broker.heartbeat.interval.ms': 100,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
  };
  const broker = await startBroker({
    storage: 'memory',
    config: { ...common, 'node.id': 2, 'process.roles': 'broker', listeners: `PLAINTEXT://127.0.0.1:${brokerPort}` },
  });
  running.push(broker);
  t.notOk(broker.broker.servingClients, 'no controller yet: the client listener is not serving');

  const client = await rawClient(brokerPort);
  t.teardown(() => client.close());
  let closedEarly = false;
  void client.closed.then(() => (closedEarly = true));
  const answer = client.call(ApiVersionsApi, 3, {
    clientSoftwareName: 'parking-test',
    clientSoftwareVersion: '1',
  });
  const metadata = client.call(MetadataApi, 12, {
    topics: null,
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  const deadline = Date.now() + 10_000;
  while (broker.broker.heldClientSockets === 0 && !closedEarly && Date.now() < deadline) {
    await new Promise((r) => setImmediate(r));
  }
  t.equal(broker.broker.heldClientSockets, 1, 'the connection is held');
  t.notOk(closedEarly, 'not closed');

  running.unshift(
    await startBroker({
      storage: 'memory',
      config: {
        ...common,
        'node.id': 1,
        'process.roles': 'controller',
        listeners: `CONTROLLER://127.0.0.1:${controllerPort}`,
      },
    }),
  );
  const response = await answer;
  t.equal(response.errorCode, 0, 'the held request is answered once the broker is unfenced');
  t.ok(broker.broker.servingClients);
  t.ok(response.apiKeys.length > 10, 'with the broker API versions');
  const brokers = (await metadata).brokers.map((b) => b.nodeId);
  t.same(brokers, [2], 'the held Metadata request is answered listing the broker itself (unfenced in its image)');
  t.equal(broker.broker.heldClientSockets, 0);
});
