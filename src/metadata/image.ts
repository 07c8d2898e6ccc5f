/**
 * The metadata image: what the cluster looks like, built only by replaying metadata
 * records. Topics with their ids, partitions (leader, replicas, ISR, epochs) and
 * configs; brokers; client quotas; ACL bindings; the next producer-id block. Everything else reads from here.
 */
import type { ScramCredential, ScramMechanismName } from '../common/scram-credential.js';
import type { MetadataRecord } from './records.js';
import { applyClientQuotaRecord, type ClientQuotaEntry } from './client-quotas.js';
import { AclTable } from './acl-table.js';

export interface PartitionState {
  partition: number;
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  replicas: number[];
  isr: number[];
  /** A reassignment in flight (src/metadata/partition-reassignment.ts): replicas being added; absent or empty when none. */
  addingReplicas?: number[];
  /** A reassignment in flight: replicas being removed (they stay in `replicas` until it completes). */
  removingReplicas?: number[];
}

export interface TopicImage {
  name: string;
  topicId: string;
  partitions: Map<number, PartitionState>;
  configs: Map<string, string>;
}

export interface BrokerImage {
  brokerId: number;
  fenced: boolean;
  /** Asked to shut down (BrokerHeartbeat wantShutDown): no leaderships, no ISR places, until it registers again. */
  inControlledShutdown: boolean;
  rack: string | null;
  endpoints: Array<{ name: string; host: string; port: number; securityProtocol: number }>;
  /** The registering process's incarnation (a restart registers a new one); '' when unknown. */
  incarnationId?: string;
  /** The broker epoch of its registration; -1 when unknown. */
  brokerEpoch?: bigint;
}

export type ImageChange =
  | { kind: 'topic-created'; topic: TopicImage }
  | { kind: 'partition-changed'; topic: TopicImage; partition: PartitionState }
  | { kind: 'topic-deleted'; topic: TopicImage }
  | { kind: 'config-changed'; resourceType: number; resourceName: string; name: string; value: string | null };

function setOrClear(partition: PartitionState, field: 'addingReplicas' | 'removingReplicas', ids: number[]): void {
  if (ids.length > 0) partition[field] = [...ids];
  else delete partition[field];
}

/** Kafka's numbers of the SCRAM mechanisms (ScramMechanism.type). */
export const SCRAM_MECHANISM_IDS: Readonly<Record<ScramMechanismName, number>> = {
  'SCRAM-SHA-256': 1,
  'SCRAM-SHA-512': 2,
};

export function scramMechanismName(id: number): ScramMechanismName | undefined {
  return id === 1 ? 'SCRAM-SHA-256' : id === 2 ? 'SCRAM-SHA-512' : undefined;
}

/** ConfigResource types, as Kafka numbers them. */
export const ConfigResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16 } as const;

export class MetadataImage {
  readonly topicsByName = new Map<string, TopicImage>();
  readonly topicsById = new Map<string, TopicImage>();
  readonly brokers = new Map<number, BrokerImage>();
  readonly brokerConfigs = new Map<string, Map<string, string>>();
  /** SCRAM credentials by mechanism, then user (UserScramCredentialRecords). */
  readonly scramCredentials = new Map<ScramMechanismName, Map<string, ScramCredential>>();
  /** Client quotas by entity (see client-quotas.ts for the key). */
  readonly clientQuotas = new Map<string, ClientQuotaEntry>();
  /** Moves on every ClientQuotaRecord applied, so quota enforcement knows to read them again. */
  clientQuotasVersion = 0;
  /** ACL bindings (AccessControlEntryRecords) by id. */
  readonly acls = new AclTable();
  /** The first producer id not yet handed out in a block. */
  nextProducerId = 0n;
  /** Offset of the last record applied. */
  lastAppliedOffset = -1;

  /** Applies one record and returns what changed, for listeners. */
  apply(record: MetadataRecord, offset: number): ImageChange | null {
    this.lastAppliedOffset = offset;
    switch (record.type) {
      case 'TopicRecord': {
        const topic: TopicImage = {
          name: record.data.name,
          topicId: record.data.topicId,
          partitions: new Map(),
          configs: new Map(),
        };
        this.topicsByName.set(topic.name, topic);
        this.topicsById.set(topic.topicId, topic);
        return { kind: 'topic-created', topic };
      }
      case 'PartitionRecord': {
        const topic = this.topicsById.get(record.data.topicId);
        if (!topic) return null;
        const partition: PartitionState = {
          partition: record.data.partitionId,
          leader: record.data.leader,
          leaderEpoch: record.data.leaderEpoch,
          partitionEpoch: record.data.partitionEpoch,
          replicas: [...record.data.replicas],
          isr: [...record.data.isr],
          ...(record.data.addingReplicas.length > 0 ? { addingReplicas: [...record.data.addingReplicas] } : {}),
          ...(record.data.removingReplicas.length > 0 ? { removingReplicas: [...record.data.removingReplicas] } : {}),
        };
        topic.partitions.set(partition.partition, partition);
        return { kind: 'partition-changed', topic, partition };
      }
      case 'PartitionChangeRecord': {
        const topic = this.topicsById.get(record.data.topicId);
        const partition = topic?.partitions.get(record.data.partitionId);
        if (!topic || !partition) return null;
        const d = record.data;
        if (d.isr !== null) partition.isr = [...d.isr];
        if (d.replicas !== null) partition.replicas = [...d.replicas];
        // null: no change; an empty list: the reassignment completed or was cancelled.
        if (d.addingReplicas !== null) setOrClear(partition, 'addingReplicas', d.addingReplicas);
        if (d.removingReplicas !== null) setOrClear(partition, 'removingReplicas', d.removingReplicas);
        // -2 means "no change" for the leader, -1 means "no leader".
        if (d.leader !== -2) {
          partition.leader = d.leader;
          partition.leaderEpoch += 1;
        }
        partition.partitionEpoch += 1;
        return { kind: 'partition-changed', topic, partition };
      }
      case 'ConfigRecord': {
        const d = record.data;
        let configs: Map<string, string> | undefined;
        if (d.resourceType === ConfigResourceType.TOPIC) configs = this.topicsByName.get(d.resourceName)?.configs;
        else {
          configs = this.brokerConfigs.get(d.resourceName);
          if (!configs) {
            configs = new Map();
            this.brokerConfigs.set(d.resourceName, configs);
          }
        }
        if (!configs) return null;
        if (d.value === null) configs.delete(d.name);
        else configs.set(d.name, d.value);
        return {
          kind: 'config-changed',
          resourceType: d.resourceType,
          resourceName: d.resourceName,
          name: d.name,
          value: d.value,
        };
      }
      case 'RemoveTopicRecord': {
        const topic = this.topicsById.get(record.data.topicId);
        if (!topic) return null;
        this.topicsById.delete(topic.topicId);
        this.topicsByName.delete(topic.name);
        return { kind: 'topic-deleted', topic };
      }
      case 'RegisterBrokerRecord': {
        const d = record.data;
        this.brokers.set(d.brokerId, {
          brokerId: d.brokerId,
          fenced: d.fenced,
          inControlledShutdown: d.inControlledShutdown,
          rack: d.rack,
          incarnationId: d.incarnationId,
          brokerEpoch: d.brokerEpoch,
          endpoints: d.endPoints.map((e) => ({
            name: e.name,
            host: e.host,
            port: e.port,
            securityProtocol: e.securityProtocol,
          })),
        });
        return null;
      }
      case 'UnregisterBrokerRecord': {
        // As Kafka's ClusterControlManager: only the registration of that epoch is removed.
        const broker = this.brokers.get(record.data.brokerId);
        if (broker && (broker.brokerEpoch ?? -1n) === record.data.brokerEpoch)
          this.brokers.delete(record.data.brokerId);
        return null;
      }
      case 'FenceBrokerRecord': {
        const broker = this.brokers.get(record.data.id);
        if (broker) broker.fenced = true;
        return null;
      }
      case 'UnfenceBrokerRecord': {
        const broker = this.brokers.get(record.data.id);
        if (broker) broker.fenced = false;
        return null;
      }
      case 'BrokerRegistrationChangeRecord': {
        // Kafka's encoding: fenced 1 fences, -1 unfences, 0 leaves it; inControlledShutdown 1 sets it.
        const broker = this.brokers.get(record.data.brokerId);
        if (!broker) return null;
        if (record.data.fenced === 1) broker.fenced = true;
        else if (record.data.fenced === -1) broker.fenced = false;
        if (record.data.inControlledShutdown === 1) broker.inControlledShutdown = true;
        return null;
      }
      case 'ProducerIdsRecord':
        this.nextProducerId = record.data.nextProducerId;
        return null;
      case 'UserScramCredentialRecord': {
        const d = record.data;
        const mechanism = scramMechanismName(d.mechanism);
        if (!mechanism) return null;
        let users = this.scramCredentials.get(mechanism);
        if (!users) this.scramCredentials.set(mechanism, (users = new Map()));
        users.set(d.name, { salt: d.salt, storedKey: d.storedKey, serverKey: d.serverKey, iterations: d.iterations });
        return null;
      }
      case 'RemoveUserScramCredentialRecord': {
        const mechanism = scramMechanismName(record.data.mechanism);
        if (mechanism) this.scramCredentials.get(mechanism)?.delete(record.data.name);
        return null;
      }
      case 'ClientQuotaRecord':
        applyClientQuotaRecord(this.clientQuotas, record.data);
        this.clientQuotasVersion++;
        return null;
      case 'AccessControlEntryRecord':
        this.acls.add({ ...record.data });
        return null;
      case 'RemoveAccessControlEntryRecord':
        this.acls.remove(record.data.id);
        return null;
      case 'FeatureLevelRecord':
      case 'NoOpRecord':
        return null;
    }
  }
}
