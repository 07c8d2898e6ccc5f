/**
 * Topic administration over the Kafka protocol: list, create, describe (partitions,
 * leaders, replicas, ISR, offsets and configs with their sources), add partitions,
 * alter configs (IncrementalAlterConfigs), delete. Each request goes at the highest
 * version both sides serve; fields a version lacks are left at their defaults.
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { CreateTopicsApi, defaultCreateTopicsRequest } from '../../protocol/generated/messages/19-create-topics.js';
import { DeleteTopicsApi, defaultDeleteTopicsRequest } from '../../protocol/generated/messages/20-delete-topics.js';
import {
  CreatePartitionsApi,
  defaultCreatePartitionsRequest,
} from '../../protocol/generated/messages/37-create-partitions.js';
import {
  DescribeConfigsApi,
  defaultDescribeConfigsRequest,
} from '../../protocol/generated/messages/32-describe-configs.js';
import {
  IncrementalAlterConfigsApi,
  defaultIncrementalAlterConfigsRequest,
} from '../../protocol/generated/messages/44-incremental-alter-configs.js';
import type { Cluster } from './cluster.js';
import { KafkaClientError, check } from './errors.js';
import { EARLIEST, LATEST, listOffsets } from './offsets.js';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;
export const RESOURCE_BROKER_LOGGER = 8;

export interface TopicSummary {
  name: string;
  topicId: string;
  internal: boolean;
  partitions: number;
  replicationFactor: number;
}

export interface PartitionDetail {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offline: number[];
  logStartOffset: string;
  logEndOffset: string;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  source: string;
  sensitive: boolean;
  readOnly: boolean;
  /** With `includeSynonyms`: where the value comes from, most specific first (source, name, value). */
  synonyms: Array<{ source: string; name: string; value: string | null }>;
}

export interface TopicDetail extends TopicSummary {
  partitionDetails: PartitionDetail[];
  configs: ConfigEntry[];
}

const CONFIG_SOURCES = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
];

export async function listTopics(cluster: Cluster, includeInternal: boolean): Promise<TopicSummary[]> {
  const response = await cluster.withRetries('ListTopics', () => cluster.metadata(null));
  return response.topics
    .filter((t) => t.errorCode === 0 && (includeInternal || !t.isInternal))
    .map((t) => ({
      name: t.name ?? '',
      topicId: t.topicId,
      internal: t.isInternal,
      partitions: t.partitions.length,
      replicationFactor: t.partitions[0]?.replicaNodes.length ?? 0,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface CreateTopicOptions {
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
  validateOnly?: boolean;
  /** Replicas of each partition, by partition index (then partitions and replicationFactor are -1). */
  assignments?: number[][];
}

export async function createTopic(
  cluster: Cluster,
  name: string,
  options: CreateTopicOptions,
): Promise<{ topicId: string; partitions: number; replicationFactor: number }> {
  return cluster.withRetries(`CreateTopics ${name}`, async () => {
    const connection = await cluster.any();
    const request = defaultCreateTopicsRequest();
    request.timeoutMs = 30_000;
    request.validateOnly = options.validateOnly ?? false;
    request.topics = [
      {
        name,
        numPartitions: options.partitions,
        replicationFactor: options.replicationFactor,
        assignments: (options.assignments ?? []).map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })),
        configs: Object.entries(options.configs).map(([key, value]) => ({ name: key, value })),
      },
    ];
    const response = await connection.send(CreateTopicsApi, request);
    const result = response.topics[0];
    if (!result) throw new KafkaClientError(-1, `CreateTopics ${name}`, 'empty answer');
    check(result.errorCode, `create topic ${name}`, result.errorMessage);
    return { topicId: result.topicId, partitions: result.numPartitions, replicationFactor: result.replicationFactor };
  });
}

export async function deleteTopic(cluster: Cluster, name: string): Promise<void> {
  await cluster.withRetries(`DeleteTopics ${name}`, async () => {
    const connection = await cluster.any();
    const version = connection.versionFor(DeleteTopicsApi as ApiDefinition<unknown, unknown>);
    const request = defaultDeleteTopicsRequest();
    request.timeoutMs = 30_000;
    if (version >= 6) request.topics = [{ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }];
    else request.topicNames = [name];
    const response = await connection.send(DeleteTopicsApi, request, version);
    const result = response.responses[0];
    if (!result) throw new KafkaClientError(-1, `DeleteTopics ${name}`, 'empty answer');
    check(result.errorCode, `delete topic ${name}`, result.errorMessage);
  });
}

export async function addPartitions(
  cluster: Cluster,
  name: string,
  totalCount: number,
  assignments: number[][] | null = null,
): Promise<void> {
  await cluster.withRetries(`CreatePartitions ${name}`, async () => {
    const connection = await cluster.any();
    const request = defaultCreatePartitionsRequest();
    request.timeoutMs = 30_000;
    request.topics = [
      { name, count: totalCount, assignments: assignments?.map((brokerIds) => ({ brokerIds })) ?? null },
    ];
    const response = await connection.send(CreatePartitionsApi, request);
    const result = response.results[0];
    if (!result) throw new KafkaClientError(-1, `CreatePartitions ${name}`, 'empty answer');
    check(result.errorCode, `add partitions to ${name}`, result.errorMessage);
  });
}

/** Sets (value given) or deletes (value null) configs of a topic or broker. */
export async function alterConfigs(
  cluster: Cluster,
  resourceType: number,
  resourceName: string,
  changes: Record<string, string | null>,
  /** The call's own time budget, instead of the cluster's (Kafka's AlterConfigsOptions.timeoutMs). */
  timeoutMs?: number,
): Promise<void> {
  await cluster.withRetries(
    `IncrementalAlterConfigs ${resourceName}`,
    async () => {
      const connection =
        (resourceType === RESOURCE_BROKER || resourceType === RESOURCE_BROKER_LOGGER) && resourceName !== ''
          ? await cluster.toNode(Number(resourceName))
          : await cluster.any();
      const request = defaultIncrementalAlterConfigsRequest();
      request.resources = [
        {
          resourceType,
          resourceName,
          configs: Object.entries(changes).map(([name, value]) => ({
            name,
            configOperation: value === null ? 1 : 0,
            value,
          })),
        },
      ];
      const response = await connection.send(IncrementalAlterConfigsApi, request);
      const result = response.responses[0];
      if (!result) throw new KafkaClientError(-1, `IncrementalAlterConfigs ${resourceName}`, 'empty answer');
      check(result.errorCode, `alter configs of ${resourceName}`, result.errorMessage);
    },
    timeoutMs,
  );
}

export async function describeConfigs(
  cluster: Cluster,
  resourceType: number,
  resourceName: string,
  includeSynonyms = false,
): Promise<ConfigEntry[]> {
  return cluster.withRetries(`DescribeConfigs ${resourceName}`, async () => {
    const connection =
      (resourceType === RESOURCE_BROKER || resourceType === RESOURCE_BROKER_LOGGER) && resourceName !== ''
        ? await cluster.toNode(Number(resourceName))
        : await cluster.any();
    const request = defaultDescribeConfigsRequest();
    request.includeSynonyms = includeSynonyms;
    request.resources = [{ resourceType, resourceName, configurationKeys: null }];
    const response = await connection.send(DescribeConfigsApi, request);
    const result = response.results[0];
    if (!result) throw new KafkaClientError(-1, `DescribeConfigs ${resourceName}`, 'empty answer');
    check(result.errorCode, `describe configs of ${resourceName}`, result.errorMessage);
    return result.configs
      .map((c) => ({
        name: c.name,
        value: c.value,
        source: CONFIG_SOURCES[c.configSource] ?? String(c.configSource),
        sensitive: c.isSensitive,
        readOnly: c.readOnly,
        synonyms: c.synonyms.map((y) => ({
          source: CONFIG_SOURCES[y.source] ?? String(y.source),
          name: y.name,
          value: y.value,
        })),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  });
}

export async function describeTopic(cluster: Cluster, name: string): Promise<TopicDetail> {
  const response = await cluster.withRetries(`Metadata ${name}`, () => cluster.metadata([name]));
  const topic = response.topics[0];
  if (!topic) throw new KafkaClientError(3, `topic ${name}`);
  check(topic.errorCode, `topic ${name}`);
  const indexes = topic.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b);
  const [starts, ends, configs] = await Promise.all([
    listOffsets(cluster, name, indexes, EARLIEST),
    listOffsets(cluster, name, indexes, LATEST),
    describeConfigs(cluster, RESOURCE_TOPIC, name),
  ]);
  const partitionDetails = [...topic.partitions]
    .sort((a, b) => a.partitionIndex - b.partitionIndex)
    .map((p) => ({
      partition: p.partitionIndex,
      leader: p.leaderId,
      leaderEpoch: p.leaderEpoch,
      replicas: p.replicaNodes,
      isr: p.isrNodes,
      offline: p.offlineReplicas,
      logStartOffset: String(starts.get(p.partitionIndex) ?? -1n),
      logEndOffset: String(ends.get(p.partitionIndex) ?? -1n),
    }));
  return {
    name,
    topicId: topic.topicId,
    internal: topic.isInternal,
    partitions: partitionDetails.length,
    replicationFactor: partitionDetails[0]?.replicas.length ?? 0,
    partitionDetails,
    configs,
  };
}
