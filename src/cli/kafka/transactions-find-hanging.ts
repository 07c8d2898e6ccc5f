/**
 * `kafka-transactions.sh find-hanging` (Kafka 3.9's FindHangingTransactionsCommand):
 * `[--broker-id N] [--max-transaction-timeout MINUTES] [--topic T [--partition P]]`, at least one
 * of --topic and --broker-id. The partitions searched are the one named, the topic's (those with a
 * replica on the broker when --broker-id is given too), or every topic's (internal ones included)
 * with a replica on the broker; their producers come from DescribeProducers (on that broker, else
 * each partition's leader). An open transaction last written more than the timeout ago (15 minutes
 * by default) is hanging unless its producer id belongs to a transactional id whose coordinator
 * still lists the partition in the transaction (ListTransactions filtered by producer id, then
 * DescribeTransactions). Printed as Kafka's table: Topic, Partition, ProducerId, ProducerEpoch,
 * CoordinatorEpoch, StartOffset, LastTimestamp, Duration(min); failures as Kafka's lines.
 * Leaves out: Kafka's batches of 500 topics or partitions per request (one DescribeProducers per
 * partition here).
 */
import type { Cluster } from '../../client/cluster.js';
import { KafkaClientError } from '../../client/errors.js';
import {
  describeProducers,
  describeTransaction,
  listTransactions,
  type ProducerState,
  type TransactionDescription,
} from '../../client/transactions-admin.js';
import { failure, table } from './transactions-output.js';

const HEADERS = [
  'Topic',
  'Partition',
  'ProducerId',
  'ProducerEpoch',
  'CoordinatorEpoch',
  'StartOffset',
  'LastTimestamp',
  'Duration(min)',
];

const TRANSACTIONAL_ID_NOT_FOUND = 105;
const UNKNOWN_TOPIC_OR_PARTITION = 3;

interface OpenTransaction {
  topic: string;
  partition: number;
  state: ProducerState;
}

/** Java's Optional<Integer>.toString, as Kafka's message prints the broker id. */
const optional = (brokerId: number | null): string => (brokerId === null ? 'Optional.empty' : `Optional[${brokerId}]`);

async function partitionsToSearch(
  cluster: Cluster,
  topic: string | null,
  partition: number | null,
  brokerId: number | null,
): Promise<Array<{ topic: string; partition: number }>> {
  if (topic !== null && partition !== null) return [{ topic, partition }];
  let topics: string[];
  if (topic !== null) topics = [topic];
  else {
    const all = await cluster.metadata(null).catch((err: unknown) => {
      throw failure('Failed to list topics', err);
    });
    topics = all.topics.map((t) => t.name ?? '').filter((name) => name !== '');
  }
  const described = await cluster.metadata(topics).catch((err: unknown) => {
    throw failure(`Failed to describe ${topics.length} topics`, err);
  });
  const out: Array<{ topic: string; partition: number }> = [];
  for (const name of topics) {
    const info = described.topics.find((t) => t.name === name);
    if (!info || info.errorCode !== 0)
      throw failure(
        `Failed to describe ${topics.length} topics`,
        new KafkaClientError(info?.errorCode || UNKNOWN_TOPIC_OR_PARTITION, `describeTopics ${name}`),
      );
    for (const p of [...info.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex))
      if (brokerId === null || p.replicaNodes.includes(brokerId))
        out.push({ topic: name, partition: p.partitionIndex });
  }
  return out;
}

async function openTransactions(
  cluster: Cluster,
  partitions: ReadonlyArray<{ topic: string; partition: number }>,
  brokerId: number | null,
  maxTimeoutMs: number,
): Promise<OpenTransaction[]> {
  const found: OpenTransaction[] = [];
  for (const { topic, partition } of partitions) {
    const states = await describeProducers(cluster, topic, partition, brokerId).catch((err: unknown) => {
      throw failure(
        `Failed to describe producers for ${partitions.length} partitions on broker ${optional(brokerId)}`,
        err,
      );
    });
    const now = Date.now();
    for (const state of states)
      if (state.currentTxnStartOffset >= 0n && now - Number(state.lastTimestamp) > maxTimeoutMs)
        found.push({ topic, partition, state });
  }
  return found;
}

/** The open transactions their coordinator does not expect to finish on that partition. */
async function hanging(cluster: Cluster, candidates: readonly OpenTransaction[]): Promise<OpenTransaction[]> {
  const producerIds = [...new Set(candidates.map((c) => c.state.producerId))];
  const listed = await listTransactions(cluster, -1n, producerIds).catch((err: unknown) => {
    throw failure(`Failed to list transactions for ${producerIds.length} producers`, err);
  });
  const transactionalIds = new Map<bigint, string>();
  for (const l of listed) if (producerIds.includes(l.producerId)) transactionalIds.set(l.producerId, l.transactionalId);
  const ids = [...new Set(transactionalIds.values())];
  const descriptions = new Map<string, TransactionDescription | null>();
  for (const id of ids) {
    const description = await describeTransaction(cluster, id).catch((err: unknown) => {
      if (err instanceof KafkaClientError && err.code === TRANSACTIONAL_ID_NOT_FOUND) return null;
      throw failure(`Failed to describe ${ids.length} transactions`, err);
    });
    descriptions.set(id, description);
  }
  return candidates.filter((c) => {
    const id = transactionalIds.get(c.state.producerId);
    const description = id === undefined ? null : (descriptions.get(id) ?? null);
    return !description?.partitions.some((tp) => tp.topic === c.topic && tp.partition === c.partition);
  });
}

export async function findHangingTransactions(cluster: Cluster, values: ReadonlyMap<string, string>): Promise<string> {
  const v = (name: string): string | undefined => values.get(name);
  const brokerId = v('broker-id') === undefined ? null : Number(v('broker-id'));
  const topic = v('topic') ?? null;
  if (topic === null && brokerId === null)
    throw failure('The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search');
  const partition = v('partition') === undefined ? null : Number(v('partition'));
  if (partition !== null && topic === null) throw failure('The --partition argument requires --topic to be provided');
  const maxTimeoutMs = Number(v('max-transaction-timeout') ?? '15') * 60_000;
  const partitions = await partitionsToSearch(cluster, topic, partition, brokerId);
  const candidates = await openTransactions(cluster, partitions, brokerId, maxTimeoutMs);
  const found = candidates.length === 0 ? [] : await hanging(cluster, candidates);
  const now = Date.now();
  return table(
    HEADERS,
    found.map(({ topic: name, partition: index, state }) => [
      name,
      String(index),
      String(state.producerId),
      String(state.producerEpoch),
      String(state.coordinatorEpoch),
      String(state.currentTxnStartOffset),
      String(state.lastTimestamp),
      String(Math.floor((now - Number(state.lastTimestamp)) / 60_000)),
    ]),
  );
}
