/**
 * Authorization on a controller listener, as Kafka's ControllerApis, with raw frames from a
 * principal that is no super user (User:ANONYMOUS on a PLAINTEXT controller listener): every
 * node-to-node RPC (Vote, BeginQuorumEpoch, EndQuorumEpoch, the metadata-log Fetch, FetchSnapshot,
 * BrokerRegistration, BrokerHeartbeat, AlterPartition, AllocateProducerIds, Envelope) is refused
 * with CLUSTER_AUTHORIZATION_FAILED and does nothing; DescribeQuorum needs DESCRIBE and
 * DescribeCluster ALTER on the cluster; CreateTopics is checked as on a broker. Once an admin
 * grants ClusterAction to User:ANONYMOUS with kafkajs, the same Fetch reads the metadata log and Vote
 * is answered, while DescribeQuorum (DESCRIBE, not implied) stays refused.
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel, type AclOperationTypes, type AclPermissionTypes } from 'kafkajs';
import type { AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { startBroker, type RunningBroker } from '../index.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { FetchApi } from '../../protocol/generated/messages/01-fetch.js';
import { VoteApi } from '../../protocol/generated/messages/52-vote.js';
import {
  BeginQuorumEpochApi,
  defaultBeginQuorumEpochRequest,
} from '../../protocol/generated/messages/53-begin-quorum-epoch.js';
import {
  EndQuorumEpochApi,
  defaultEndQuorumEpochRequest,
} from '../../protocol/generated/messages/54-end-quorum-epoch.js';
import { FetchSnapshotApi, defaultFetchSnapshotRequest } from '../../protocol/generated/messages/59-fetch-snapshot.js';
import {
  BrokerRegistrationApi,
  defaultBrokerRegistrationRequest,
} from '../../protocol/generated/messages/62-broker-registration.js';
import {
  BrokerHeartbeatApi,
  defaultBrokerHeartbeatRequest,
} from '../../protocol/generated/messages/63-broker-heartbeat.js';
import {
  AlterPartitionApi,
  defaultAlterPartitionRequest,
} from '../../protocol/generated/messages/56-alter-partition.js';
import {
  AllocateProducerIdsApi,
  defaultAllocateProducerIdsRequest,
} from '../../protocol/generated/messages/67-allocate-producer-ids.js';
import { EnvelopeApi, defaultEnvelopeRequest } from '../../protocol/generated/messages/58-envelope.js';
import { DescribeQuorumApi } from '../../protocol/generated/messages/55-describe-quorum.js';
import {
  DescribeClusterApi,
  defaultDescribeClusterRequest,
} from '../../protocol/generated/messages/60-describe-cluster.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { METADATA_PARTITION, METADATA_TOPIC, fetchRequestToWire, voteRequestToWire } from '../controller/raft-wire.js';
import { STANDARD_AUTHORIZER_CLASS } from '../metadata/standard-authorizer.js';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../metadata/acl-types.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-pw";';

async function securedNode(t: Test): Promise<RunningBroker> {
  const running = await startBroker({
    config: {
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'authorizer.class.name': STANDARD_AUTHORIZER_CLASS,
      'super.users': 'User:admin',
    },
  });
  t.teardown(() => running.stop());
  return running;
}

const portOf = (running: RunningBroker, name: string): number =>
  running.broker.bound.find((l) => l.name === name)!.port;

function leaderEpoch(running: RunningBroker): number {
  return running.broker.quorum.node.describe().leaderEpoch;
}

function raftFetch(running: RunningBroker) {
  return fetchRequestToWire({
    type: 'Fetch',
    clusterId: null,
    replicaId: 7,
    maxWaitMs: 0,
    maxBytes: 1 << 20,
    currentLeaderEpoch: leaderEpoch(running),
    fetchOffset: 0,
    lastFetchedEpoch: 0,
    logStartOffset: -1,
  });
}

function vote(running: RunningBroker) {
  return voteRequestToWire({
    type: 'Vote',
    clusterId: null,
    voterId: 1,
    candidateEpoch: leaderEpoch(running),
    candidateId: 7,
    lastOffsetEpoch: 0,
    lastOffset: 0,
    preVote: false,
  });
}

const metadataTopic = [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: METADATA_PARTITION }] }];

/** Each node-to-node RPC's top-level error code, sent by the raw client. */
async function nodeRpcCodes(c: RawClient, running: RunningBroker): Promise<Record<string, number>> {
  return {
    Vote: (await c.call(VoteApi, 2, vote(running))).errorCode,
    BeginQuorumEpoch: (await c.call(BeginQuorumEpochApi, 1, defaultBeginQuorumEpochRequest())).errorCode,
    EndQuorumEpoch: (await c.call(EndQuorumEpochApi, 1, defaultEndQuorumEpochRequest())).errorCode,
    Fetch: (await c.call(FetchApi, 16, raftFetch(running))).errorCode,
    FetchSnapshot: (await c.call(FetchSnapshotApi, 1, defaultFetchSnapshotRequest())).errorCode,
    BrokerRegistration: (await c.call(BrokerRegistrationApi, 2, { ...defaultBrokerRegistrationRequest(), brokerId: 7 }))
      .errorCode,
    BrokerHeartbeat: (await c.call(BrokerHeartbeatApi, 0, { ...defaultBrokerHeartbeatRequest(), brokerId: 1 }))
      .errorCode,
    AlterPartition: (await c.call(AlterPartitionApi, 2, { ...defaultAlterPartitionRequest(), brokerId: 1 })).errorCode,
    AllocateProducerIds: (
      await c.call(AllocateProducerIdsApi, 0, { ...defaultAllocateProducerIdsRequest(), brokerId: 1 })
    ).errorCode,
    Envelope: (await c.call(EnvelopeApi, 0, { ...defaultEnvelopeRequest(), requestData: Buffer.alloc(0) })).errorCode,
  };
}

t.test('a principal without CLUSTER_ACTION is refused every controller RPC', async (t) => {
  const running = await securedNode(t);
  const c = await rawClient(portOf(running, 'CONTROLLER'), 'raft-client-7');
  t.teardown(() => c.close());
  const brokersBefore = [...running.broker.controller.image.brokers.keys()];

  const codes = await nodeRpcCodes(c, running);
  for (const [rpc, code] of Object.entries(codes))
    t.equal(code, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, `${rpc} is refused with CLUSTER_AUTHORIZATION_FAILED`);
  const fetched = await c.call(FetchApi, 16, raftFetch(running));
  t.equal(fetched.responses[0]?.partitions[0]?.records?.length ?? 0, 0, 'the refused Fetch returns no record');
  t.same([...running.broker.controller.image.brokers.keys()], brokersBefore, 'no broker was registered');
  t.equal(running.broker.quorum.node.describe().leaderId, 1, 'the Vote changed nothing: node 1 still leads');

  const quorum = await c.call(DescribeQuorumApi, 1, { topics: metadataTopic });
  t.equal(quorum.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'DescribeQuorum needs DESCRIBE on the cluster');
  const cluster = await c.call(DescribeClusterApi, 1, defaultDescribeClusterRequest());
  t.equal(cluster.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'DescribeCluster needs ALTER on a controller');
  const created = await c.call(CreateTopicsApi, 7, {
    ...defaultCreateTopicsRequest(),
    topics: [{ ...defaultCreateTopicsRequestCreatableTopic(), name: 'sneaky', numPartitions: 1, replicationFactor: 1 }],
    timeoutMs: 5000,
  });
  t.equal(created.topics[0]?.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'CreateTopics is checked as on a broker');
  t.notOk(running.broker.controller.image.topicsByName.has('sneaky'), 'and the topic was not created');
});

t.test('ClusterAction granted to the principal lets its controller RPCs through', async (t) => {
  const running = await securedNode(t);
  const admin = new Kafka({
    clientId: 'controller-authz-admin',
    brokers: [`127.0.0.1:${portOf(running, 'SASL_PLAINTEXT')}`],
    sasl: { mechanism: 'plain', username: 'admin', password: 'admin-pw' },
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createAcls({
    acl: [
      {
        resourceType: ResourceType.CLUSTER as AclResourceTypes,
        resourceName: 'kafka-cluster',
        resourcePatternType: PatternType.LITERAL as ResourcePatternTypes,
        principal: 'User:ANONYMOUS',
        host: '127.0.0.1',
        operation: AclOperation.CLUSTER_ACTION as AclOperationTypes,
        permissionType: PermissionType.ALLOW as AclPermissionTypes,
      },
    ],
  });
  const c = await rawClient(portOf(running, 'CONTROLLER'), 'raft-client-7');
  t.teardown(() => c.close());
  const fetched = await c.call(FetchApi, 16, raftFetch(running));
  t.equal(fetched.errorCode, ErrorCode.NONE, 'the metadata-log Fetch is served');
  t.ok((fetched.responses[0]?.partitions[0]?.records?.length ?? 0) > 0, 'and returns the log');
  const voted = await c.call(VoteApi, 2, vote(running));
  t.not(voted.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, `Vote is answered (error code ${voted.errorCode})`);
  const quorum = await c.call(DescribeQuorumApi, 1, { topics: metadataTopic });
  t.equal(quorum.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'ClusterAction does not imply DESCRIBE');
});
