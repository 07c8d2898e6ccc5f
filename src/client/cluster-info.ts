/**
 * What a cluster is made of: brokers and the active controller (DescribeCluster, or
 * Metadata on brokers that lack it) and the metadata quorum (DescribeQuorum: leader,
 * epoch, high watermark, voters and observers with their lag behind the leader).
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import {
  DescribeClusterApi,
  defaultDescribeClusterRequest,
} from '../../protocol/generated/messages/60-describe-cluster.js';
import {
  DescribeQuorumApi,
  defaultDescribeQuorumRequest,
} from '../../protocol/generated/messages/55-describe-quorum.js';
import { UnregisterBrokerApi } from '../../protocol/generated/messages/64-unregister-broker.js';
import type { Cluster } from './cluster.js';
import { KafkaClientError, check } from './errors.js';

export interface QuorumReplica {
  id: number;
  role: 'voter' | 'observer';
  logEndOffset: string;
  lag: string;
}

export interface ClusterInfo {
  clusterId: string | null;
  controllerId: number;
  brokers: Array<{ id: number; host: string; port: number; rack: string | null }>;
  quorum: { leaderId: number; leaderEpoch: number; highWatermark: string; replicas: QuorumReplica[] } | null;
}

export async function clusterInfo(cluster: Cluster): Promise<ClusterInfo> {
  return cluster.withRetries('DescribeCluster', async () => {
    const connection = await cluster.any();
    let info: ClusterInfo;
    if (connection.versionFor(DescribeClusterApi as ApiDefinition<unknown, unknown>) >= 0) {
      const request = { ...defaultDescribeClusterRequest(), endpointType: cluster.endpointType };
      const response = await connection.send(DescribeClusterApi, request);
      check(response.errorCode, 'DescribeCluster', response.errorMessage);
      info = {
        clusterId: response.clusterId,
        controllerId: response.controllerId,
        brokers: response.brokers
          .map((b) => ({ id: b.brokerId, host: b.host, port: b.port, rack: b.rack }))
          .sort((a, b) => a.id - b.id),
        quorum: null,
      };
    } else {
      const metadata = await cluster.metadata([]);
      info = {
        clusterId: metadata.clusterId,
        controllerId: metadata.controllerId,
        brokers: metadata.brokers
          .map((b) => ({ id: b.nodeId, host: b.host, port: b.port, rack: b.rack }))
          .sort((a, b) => a.id - b.id),
        quorum: null,
      };
    }
    if (connection.versionFor(DescribeQuorumApi as ApiDefinition<unknown, unknown>) >= 0) {
      const request = defaultDescribeQuorumRequest();
      request.topics = [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }];
      const response = await connection.send(DescribeQuorumApi, request);
      const partition = response.topics[0]?.partitions[0];
      if (response.errorCode === 0 && partition && partition.errorCode === 0) {
        const leaderEnd =
          partition.currentVoters.find((v) => v.replicaId === partition.leaderId)?.logEndOffset ??
          partition.highWatermark;
        const replica = (role: 'voter' | 'observer') => (r: { replicaId: number; logEndOffset: bigint }) => ({
          id: r.replicaId,
          role,
          logEndOffset: String(r.logEndOffset),
          lag: r.logEndOffset < 0n ? '-' : String(leaderEnd > r.logEndOffset ? leaderEnd - r.logEndOffset : 0n),
        });
        info.quorum = {
          leaderId: partition.leaderId,
          leaderEpoch: partition.leaderEpoch,
          highWatermark: String(partition.highWatermark),
          replicas: [...partition.currentVoters.map(replica('voter')), ...partition.observers.map(replica('observer'))],
        };
      }
    }
    return info;
  });
}

/**
 * UnregisterBroker (Admin.unregisterBroker): any broker forwards it to the active controller. False
 * when the cluster does not offer the API; throws KafkaClientError for an error answer.
 */
export async function unregisterBroker(cluster: Cluster, brokerId: number): Promise<boolean> {
  return cluster.withRetries('UnregisterBroker', async () => {
    const connection = await cluster.any();
    if (connection.versionFor(UnregisterBrokerApi as ApiDefinition<unknown, unknown>) < 0) return false;
    const response = await connection.send(UnregisterBrokerApi, { brokerId });
    check(response.errorCode, 'UnregisterBroker', response.errorMessage);
    return true;
  });
}

/** The live brokers (DescribeCluster, or Metadata on brokers that lack it). */
export async function describeClusterNodes(cluster: Cluster): Promise<ClusterInfo['brokers']> {
  return cluster.withRetries('DescribeCluster', async () => {
    const connection = await cluster.any();
    if (connection.versionFor(DescribeClusterApi as ApiDefinition<unknown, unknown>) >= 0) {
      const request = { ...defaultDescribeClusterRequest(), endpointType: cluster.endpointType };
      const response = await connection.send(DescribeClusterApi, request);
      check(response.errorCode, 'DescribeCluster', response.errorMessage);
      return response.brokers.map((b) => ({ id: b.brokerId, host: b.host, port: b.port, rack: b.rack }));
    }
    const metadata = await cluster.metadata([]);
    return metadata.brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port, rack: b.rack }));
  });
}

export interface QuorumReplicaState {
  replicaId: number;
  directoryId: string;
  logEndOffset: bigint;
  lastFetchTimestamp: bigint;
  lastCaughtUpTimestamp: bigint;
}

export interface QuorumDescription {
  leaderId: number;
  leaderEpoch: number;
  highWatermark: bigint;
  voters: QuorumReplicaState[];
  observers: QuorumReplicaState[];
  /** Listeners of the voters, by node id (DescribeQuorum v2). */
  endpoints: Map<number, string[]>;
}

/** DescribeQuorum of __cluster_metadata-0, as Kafka's admin describeMetadataQuorum. */
export async function describeQuorum(cluster: Cluster): Promise<QuorumDescription> {
  return cluster.withRetries('DescribeQuorum', async () => {
    const connection = await cluster.any();
    const request = defaultDescribeQuorumRequest();
    request.topics = [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }];
    const response = await connection.send(DescribeQuorumApi, request);
    check(response.errorCode, 'DescribeQuorum', response.errorMessage);
    const partition = response.topics[0]?.partitions[0];
    if (!partition) throw new KafkaClientError(-1, 'DescribeQuorum', 'empty answer');
    check(partition.errorCode, 'DescribeQuorum', partition.errorMessage);
    const state = (r: (typeof partition.currentVoters)[number]): QuorumReplicaState => ({
      replicaId: r.replicaId,
      directoryId: r.replicaDirectoryId,
      logEndOffset: r.logEndOffset,
      lastFetchTimestamp: r.lastFetchTimestamp,
      lastCaughtUpTimestamp: r.lastCaughtUpTimestamp,
    });
    return {
      leaderId: partition.leaderId,
      leaderEpoch: partition.leaderEpoch,
      highWatermark: partition.highWatermark,
      voters: partition.currentVoters.map(state),
      observers: partition.observers.map(state),
      endpoints: new Map(
        response.nodes.map((n) => [n.nodeId, n.listeners.map((l) => `${l.name}://${l.host}:${l.port}`)]),
      ),
    };
  });
}

/** The cluster id (DescribeCluster, or Metadata). */
export async function clusterId(cluster: Cluster): Promise<string | null> {
  return (await clusterInfo(cluster)).clusterId;
}
