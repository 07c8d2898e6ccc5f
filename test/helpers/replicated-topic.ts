/**
 * The preamble the replication fault tests share: a cluster of real processes (three combined nodes
 * unless told otherwise), stopped when the test ends; a kafkajs client on its brokers; one topic
 * with replication factor 3 and min.insync.replicas=2; `__consumer_offsets` created while every broker is
 * live (offsets.topic.replication.factor 3, as Kafka); and Metadata views of that topic through any
 * node (its partitions, and whether every one has a leader and an ISR of three).
 */
import type { Test } from 'tap';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import type { MetadataResponse } from '../../protocol/generated/messages/03-metadata.js';
import { FAST_QUORUM_SETTINGS, ProcessCluster, type ClusterNode, type QuorumView } from './process-cluster.js';

/** Short sessions and fetch waits: a dead broker is fenced, and a follower catches up, within seconds. */
export const REPLICATION_FAULT_SETTINGS: Readonly<Record<string, string>> = {
  ...FAST_QUORUM_SETTINGS,
  'broker.session.timeout.ms': '2000',
  'replica.lag.time.max.ms': '3000',
  'replica.fetch.wait.max.ms': '100',
  'replica.fetch.backoff.ms': '100',
  // __consumer_offsets is created up front (below) with three replicas: a few partitions keep the followers' work small.
  'offsets.topic.num.partitions': '3',
};

export type TopicPartitionView = MetadataResponse['topics'][number]['partitions'][number];

export interface ReplicatedTopicOptions {
  /** Broker settings on top of REPLICATION_FAULT_SETTINGS. */
  settings?: Record<string, string>;
  logLevel?: string;
  clientId: string;
  topic: string;
  partitions: number;
  /** kafkajs settings on top of the brokers and a silent logger (retries, request timeout). */
  client?: Partial<KafkaConfig>;
  /** Runs on the new cluster before it starts (per-node settings). */
  prepare?: (cluster: ProcessCluster) => void;
  /** How the cluster starts; three registered combined nodes by default. */
  start?: (cluster: ProcessCluster) => Promise<QuorumView>;
}

export interface ReplicatedTopic {
  cluster: ProcessCluster;
  quorum: QuorumView;
  /** The nodes that serve clients. */
  brokers: ClusterNode[];
  kafka: Kafka;
  /** The topic's partitions as `via` answers Metadata (null when it cannot be reached). */
  partitions: (via: ClusterNode) => Promise<TopicPartitionView[] | null>;
  /** The partitions when every one has a leader and an ISR of three as `via` sees it, else false. */
  fullIsr: (via: ClusterNode) => Promise<TopicPartitionView[] | false>;
}

export async function startReplicatedTopic(t: Test, options: ReplicatedTopicOptions): Promise<ReplicatedTopic> {
  const cluster = new ProcessCluster({ ...REPLICATION_FAULT_SETTINGS, ...options.settings }, options.logLevel);
  options.prepare?.(cluster);
  t.teardown(() => cluster.stop());
  const quorum = await (options.start ?? ((c) => c.startRegistered(3)))(cluster);
  const brokers = cluster.brokers;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: brokers.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
    ...options.client,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        {
          topic: options.topic,
          numPartitions: options.partitions,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  // The tests read back with consumer groups after killing nodes: as on a cluster that has served
  // groups before, __consumer_offsets exists by then (created only while all three brokers are live).
  await cluster.groupCoordinator(brokers[0]!, `${options.clientId}-setup`);
  const partitions = async (via: ClusterNode) =>
    (await cluster.metadata(via, [options.topic]))?.topics[0]?.partitions ?? null;
  const fullIsr = async (via: ClusterNode) => {
    const ps = await partitions(via);
    return (
      ps !== null &&
      ps.length === options.partitions &&
      ps.every((p) => p.isrNodes.length === 3 && p.leaderId >= 0) &&
      ps
    );
  };
  return { cluster, quorum, brokers, kafka, partitions, fullIsr };
}

/**
 * How long a test waits for a restarted (or woken, or healed) node to be back in every ISR: a node
 * process takes up to about 40 s to start on a loaded 2-core machine, so a bound well above it.
 */
export const RESTART_DEADLINE_MS = 120_000;

/**
 * Reads `topic` from the beginning with a kafkajs consumer in group `groupId` (disconnected when the
 * test ends) until each partition holds at least as many records as `acked` has for it, at most
 * `timeoutMs`; the values read, per partition, for the test to compare with what was acknowledged.
 */
export async function readBack(
  t: Test,
  cluster: ProcessCluster,
  kafka: Kafka,
  topic: string,
  acked: string[][],
  groupId: string,
  timeoutMs: number,
): Promise<string[][]> {
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const read: string[][] = acked.map(() => []);
  await consumer.run({
    eachMessage: async ({ partition, message }) => void read[partition]?.push(message.value?.toString() ?? ''),
  });
  await cluster.waitFor(
    'every acknowledged record read',
    timeoutMs,
    async () => read.every((r, p) => r.length >= (acked[p]?.length ?? 0)),
    100,
  );
  await consumer.stop();
  return read;
}
