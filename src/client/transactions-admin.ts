/**
 * The transaction admin calls of Kafka's admin client over Gregor's client, for
 * kafka-transactions.sh: listTransactions (ListTransactions v1 to every broker),
 * describeTransactions (FindCoordinator for the transactional id, then DescribeTransactions v0),
 * describeProducers (DescribeProducers v0 to the partition's leader or a given broker) and
 * abortTransaction (WriteTxnMarkers v1 with an ABORT marker to the partition's leader, as Kafka's
 * AbortTransactionHandler sends it).
 */
import {
  DescribeProducersApi,
  defaultDescribeProducersRequest,
} from '../../protocol/generated/messages/61-describe-producers.js';
import {
  DescribeTransactionsApi,
  defaultDescribeTransactionsRequest,
} from '../../protocol/generated/messages/65-describe-transactions.js';
import {
  ListTransactionsApi,
  defaultListTransactionsRequest,
} from '../../protocol/generated/messages/66-list-transactions.js';
import {
  WriteTxnMarkersApi,
  defaultWriteTxnMarkersRequest,
} from '../../protocol/generated/messages/27-write-txn-markers.js';
import { COORDINATOR_TRANSACTION, type Cluster } from './cluster.js';
import { check, KafkaClientError } from './errors.js';

export interface TransactionListing {
  transactionalId: string;
  coordinatorId: number;
  producerId: bigint;
  state: string;
}

/**
 * Every broker's transactions (durationFilterMs >= 0: only those running at least that long;
 * producerIds not empty: only those of these producers).
 */
export async function listTransactions(
  cluster: Cluster,
  durationFilterMs: bigint,
  producerIds: readonly bigint[] = [],
): Promise<TransactionListing[]> {
  return cluster.withRetries('ListTransactions', async () => {
    await cluster.metadata([]);
    const out: TransactionListing[] = [];
    for (const broker of cluster.knownBrokers) {
      const connection = await cluster.toNode(broker.nodeId);
      const request = defaultListTransactionsRequest();
      request.durationFilter = durationFilterMs;
      request.producerIdFilters = [...producerIds];
      const response = await connection.send(ListTransactionsApi, request, durationFilterMs >= 0n ? 1 : 0);
      check(response.errorCode, `ListTransactions on broker ${broker.nodeId}`);
      for (const s of response.transactionStates)
        out.push({
          transactionalId: s.transactionalId,
          coordinatorId: broker.nodeId,
          producerId: s.producerId,
          state: s.transactionState,
        });
    }
    return out;
  });
}

export interface TransactionDescription {
  coordinatorId: number;
  state: string;
  producerId: bigint;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** -1 when no transaction is running. */
  transactionStartTimeMs: bigint;
  partitions: Array<{ topic: string; partition: number }>;
}

export async function describeTransaction(cluster: Cluster, transactionalId: string): Promise<TransactionDescription> {
  return cluster.withRetries(`DescribeTransactions ${transactionalId}`, async () => {
    const coordinator = await cluster.coordinatorNode(transactionalId, COORDINATOR_TRANSACTION);
    const request = defaultDescribeTransactionsRequest();
    request.transactionalIds = [transactionalId];
    const response = await (await cluster.toNode(coordinator.nodeId)).send(DescribeTransactionsApi, request, 0);
    const state = response.transactionStates[0];
    if (!state) throw new KafkaClientError(-1, `DescribeTransactions ${transactionalId}`, 'empty answer');
    if (state.errorCode === 105)
      throw new KafkaClientError(
        105,
        `DescribeTransactions ${transactionalId}`,
        `DescribeTransactions request for transactionalId \`${transactionalId}\` failed because the ID could not be found`,
      );
    check(state.errorCode, `DescribeTransactions ${transactionalId}`);
    return {
      coordinatorId: coordinator.nodeId,
      state: state.transactionState,
      producerId: state.producerId,
      producerEpoch: state.producerEpoch,
      transactionTimeoutMs: state.transactionTimeoutMs,
      transactionStartTimeMs: state.transactionStartTimeMs,
      partitions: state.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
    };
  });
}

export interface ProducerState {
  producerId: bigint;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: bigint;
  coordinatorEpoch: number;
  currentTxnStartOffset: bigint;
}

/** The active producers of a partition, as its leader (or `brokerId`'s replica) knows them. */
export async function describeProducers(
  cluster: Cluster,
  topic: string,
  partition: number,
  brokerId: number | null,
): Promise<ProducerState[]> {
  return cluster.withRetries(`DescribeProducers ${topic}-${partition}`, async () => {
    const node = brokerId ?? (await cluster.leaders(topic)).get(partition);
    if (node === undefined || node < 0) throw new KafkaClientError(brokerId === null ? 5 : 3, `${topic}-${partition}`);
    const request = defaultDescribeProducersRequest();
    request.topics = [{ name: topic, partitionIndexes: [partition] }];
    const response = await (await cluster.toNode(node)).send(DescribeProducersApi, request, 0);
    const answer = response.topics[0]?.partitions[0];
    if (!answer) throw new KafkaClientError(-1, `DescribeProducers ${topic}-${partition}`, 'empty answer');
    check(answer.errorCode, `DescribeProducers ${topic}-${partition}`, answer.errorMessage);
    return answer.activeProducers.map((p) => ({ ...p }));
  });
}

/** Writes an ABORT marker for the producer's transaction on the partition (its leader). */
export async function abortTransaction(
  cluster: Cluster,
  spec: { topic: string; partition: number; producerId: bigint; producerEpoch: number; coordinatorEpoch: number },
): Promise<void> {
  await cluster.withRetries(`WriteTxnMarkers ${spec.topic}-${spec.partition}`, async () => {
    const leader = (await cluster.leaders(spec.topic)).get(spec.partition);
    if (leader === undefined || leader < 0) throw new KafkaClientError(5, `${spec.topic}-${spec.partition}`);
    const request = defaultWriteTxnMarkersRequest();
    request.markers = [
      {
        producerId: spec.producerId,
        producerEpoch: spec.producerEpoch,
        transactionResult: false,
        topics: [{ name: spec.topic, partitionIndexes: [spec.partition] }],
        coordinatorEpoch: spec.coordinatorEpoch,
      },
    ];
    const response = await (await cluster.toNode(leader)).send(WriteTxnMarkersApi, request, 1);
    const result = response.markers[0]?.topics[0]?.partitions[0];
    if (!result) throw new KafkaClientError(-1, 'WriteTxnMarkers', 'empty answer');
    check(result.errorCode, `WriteTxnMarkers ${spec.topic}-${spec.partition}`);
  });
}
