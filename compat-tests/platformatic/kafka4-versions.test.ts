/**
 * Kafka 4.1 request versions sent by a real client's own encoders: @platformatic/kafka 2.x
 * ships ListTransactions v2 (KIP-1152 TransactionalIdPattern) and AlterPartitionReassignments
 * v1 (KIP-860 AllowReplicationFactorChange); its Connection sends them to Gregor and its
 * parsers read the answers.
 */
import './node20-shim.js';
import t from 'tap';
import { Connection, alterPartitionReassignmentsV1, listTransactionsV2 } from '@platformatic/kafka';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { InitProducerIdApi } from '../../protocol/generated/messages/22-init-producer-id.js';

interface ResponseErrorLike {
  response?: { errorCode?: number; responses?: Array<{ partitions: Array<{ errorCode: number }> }> };
}

t.test('@platformatic/kafka: ListTransactions v2 and AlterPartitionReassignments v1', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'moves');
  const raw = await rawClient(running.port);
  t.teardown(() => raw.close());
  for (const id of ['shop-a', 'shop-b', 'other']) {
    await raw.call(InitProducerIdApi, 4, {
      transactionalId: id,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    });
  }

  const connection = new Connection('kafka4-versions');
  t.teardown(() => connection.close());
  await connection.connect('127.0.0.1', running.port);

  const listed = await listTransactionsV2.api.async(connection, [], [], -1n, 'shop-.*');
  t.same(listed.transactionStates.map((s) => s.transactionalId).sort(), ['shop-a', 'shop-b']);
  t.same(
    listed.transactionStates.map((s) => s.transactionState),
    ['Empty', 'Empty'],
  );

  // An invalid pattern answers INVALID_REGULAR_EXPRESSION (128; src/handlers/kafka4-versions.test.ts
  // checks it with raw frames): this client version has no entry for code 128 and fails with a
  // TypeError while building its error, so it is not asserted through it here.

  const node = running.broker.config.nodeId();
  const refused = await alterPartitionReassignmentsV1.api
    .async(connection, 10_000, false, [
      { name: 'moves', partitions: [{ partitionIndex: 0, replicas: [node, node + 1] }] },
    ])
    .then(
      () => null,
      (err: unknown) => err as ResponseErrorLike,
    );
  t.equal(
    refused?.response?.responses?.[0]?.partitions[0]?.errorCode,
    38,
    'INVALID_REPLICATION_FACTOR: the replica count may not change',
  );
  const kept = await alterPartitionReassignmentsV1.api.async(connection, 10_000, false, [
    { name: 'moves', partitions: [{ partitionIndex: 0, replicas: [node] }] },
  ]);
  t.equal(kept.allowReplicationFactorChange, false);
  t.equal(kept.responses[0]?.partitions[0]?.errorCode, 0);
});
