/**
 * BrokerHeartbeat checks the sender as Kafka 3.9's QuorumController.processBrokerHeartbeat and
 * ClusterControlManager.checkBrokerEpoch do: STALE_BROKER_EPOCH for a broker with no registration
 * and for any epoch but its registration's, -1 included (Gregor's controller used to let -1
 * through, and to answer BROKER_ID_NOT_REGISTERED). A raw client on a single node's CONTROLLER
 * listener; the node's own heartbeats go on and it stays unfenced.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  BrokerHeartbeatApi,
  defaultBrokerHeartbeatRequest,
} from '../../protocol/generated/messages/63-broker-heartbeat.js';
import { startBroker } from '../index.js';
import { rawClient } from '../../test/helpers/raw-client.js';

t.test('a heartbeat at another epoch than the registration is STALE_BROKER_EPOCH', async (t) => {
  const running = await startBroker({
    config: {
      listeners: 'PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    },
  });
  t.teardown(() => running.stop());
  const client = await rawClient(running.broker.bound.find((l) => l.name === 'CONTROLLER')!.port);
  t.teardown(() => client.close());
  const registered = running.broker.quorum.brokerEpoch();
  const beat = async (brokerId: number, brokerEpoch: bigint) => {
    const r = await client.call(BrokerHeartbeatApi, 1, { ...defaultBrokerHeartbeatRequest(), brokerId, brokerEpoch });
    return [r.errorCode, r.isFenced];
  };
  t.same(await beat(7, 70n), [ErrorCode.STALE_BROKER_EPOCH, true], 'no registration');
  t.same(await beat(1, -1n), [ErrorCode.STALE_BROKER_EPOCH, true], '-1 is no wildcard');
  t.same(await beat(1, registered - 1n), [ErrorCode.STALE_BROKER_EPOCH, true], 'an older epoch');
  client.close();
  await client.closed;
  t.equal(running.broker.controller.image.brokers.get(1)?.fenced, false, 'the node itself stays unfenced');
});
