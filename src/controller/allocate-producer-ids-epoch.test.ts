/**
 * AllocateProducerIds on the controller listener checks the sender as Kafka 3.9's
 * ProducerIdControlManager does (ClusterControlManager.checkBrokerEpoch): STALE_BROKER_EPOCH unless
 * the broker is registered at exactly the request's epoch, -1 and unknown brokers included; the
 * refusal carries ProducerIdStart 0 and ProducerIdLen 0, as Kafka's error response. A raw client
 * on a single node's CONTROLLER listener.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { AllocateProducerIdsApi } from '../../protocol/generated/messages/67-allocate-producer-ids.js';
import { startBroker } from '../index.js';
import { rawClient } from '../../test/helpers/raw-client.js';

t.test('a block only for a broker at its registered epoch', async (t) => {
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
  const ask = (brokerId: number, brokerEpoch: bigint) =>
    client.call(AllocateProducerIdsApi, 0, { brokerId, brokerEpoch });

  const unknown = await ask(7, 70n);
  t.same(
    [unknown.errorCode, unknown.producerIdStart, unknown.producerIdLen],
    [ErrorCode.STALE_BROKER_EPOCH, 0n, 0],
    'a broker with no registration: STALE_BROKER_EPOCH, as Kafka (not BROKER_ID_NOT_REGISTERED)',
  );
  t.equal((await ask(1, -1n)).errorCode, ErrorCode.STALE_BROKER_EPOCH, '-1 is no wildcard');
  t.equal((await ask(1, registered + 1n)).errorCode, ErrorCode.STALE_BROKER_EPOCH, 'another epoch');
  const block = await ask(1, registered);
  t.same([block.errorCode, block.producerIdLen], [ErrorCode.NONE, 1000], 'the registered epoch gets a block');
});
