/**
 * Arguments for kafkajs's own request builders (node_modules/kafkajs/src/protocol/requests),
 * one set per API that every version accepts. Used by the differential test.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Long = require('kafkajs/src/utils/long') as {
  fromValue(v: string | number): unknown;
  fromInt(v: number): unknown;
};

const batchTopicData = [
  {
    topic: 'orders',
    partitions: [
      {
        partition: 0,
        firstSequence: 0,
        messages: [
          { key: 'k1', value: 'v1', timestamp: 1700000000000, headers: { h: 'x' } },
          { key: null, value: 'v2', timestamp: 1700000000001 },
        ],
      },
    ],
  },
];

export const KAFKAJS_REQUEST_ARGS: Record<string, Record<string, unknown>> = {
  Produce: {
    acks: -1,
    timeout: 30000,
    compression: 0,
    topicData: batchTopicData,
    transactionalId: 'tx',
    producerId: Long.fromInt(7),
    producerEpoch: 1,
  },
  Fetch: {
    replicaId: -1,
    maxWaitTime: 500,
    minBytes: 1,
    maxBytes: 1048576,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    rackId: 'r1',
    topics: [
      {
        topic: 'orders',
        partitions: [{ partition: 0, fetchOffset: '42', maxBytes: 1024, logStartOffset: '0', currentLeaderEpoch: 3 }],
      },
    ],
    forgottenTopics: [],
  },
  ListOffsets: {
    replicaId: -1,
    isolationLevel: 1,
    topics: [{ topic: 'orders', partitions: [{ partition: 1, timestamp: -1, maxNumOffsets: 1 }] }],
  },
  Metadata: { topics: ['orders', 'payments'], allowAutoTopicCreation: false },
  OffsetCommit: {
    groupId: 'g',
    groupGenerationId: 5,
    memberId: 'm-1',
    groupInstanceId: null,
    retentionTime: -1,
    topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '10', metadata: 'meta' }] }],
  },
  OffsetFetch: { groupId: 'g', topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 2 }] }] },
  GroupCoordinator: { groupId: 'g', coordinatorType: 0 },
  JoinGroup: {
    groupId: 'g',
    sessionTimeout: 30000,
    rebalanceTimeout: 60000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 0, 0]) }],
  },
  Heartbeat: { groupId: 'g', groupGenerationId: 2, memberId: 'm-1', groupInstanceId: null },
  LeaveGroup: {
    groupId: 'g',
    memberId: 'm-1',
    groupInstanceId: null,
    members: [{ memberId: 'm-1', groupInstanceId: null }],
  },
  SyncGroup: {
    groupId: 'g',
    generationId: 2,
    memberId: 'm-1',
    groupInstanceId: null,
    groupAssignment: [{ memberId: 'm-1', memberAssignment: Buffer.from([1, 2, 3]) }],
  },
  DescribeGroups: { groupIds: ['g', 'h'] },
  ListGroups: {},
  SaslHandshake: { mechanism: 'PLAIN' },
  ApiVersions: {},
  CreateTopics: {
    topics: [
      {
        topic: 't',
        numPartitions: 3,
        replicationFactor: 1,
        replicaAssignment: [],
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ],
    validateOnly: true,
    timeout: 5000,
  },
  DeleteTopics: { topics: ['a', 'b'], timeout: 5000 },
  DeleteRecords: { topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '5' }] }], timeout: 5000 },
  InitProducerId: { transactionalId: 'tx', transactionTimeout: 60000 },
  AddPartitionsToTxn: {
    transactionalId: 'tx',
    producerId: Long.fromInt(7),
    producerEpoch: 1,
    topics: [{ topic: 'orders', partitions: [0, 1] }],
  },
  AddOffsetsToTxn: { transactionalId: 'tx', producerId: Long.fromInt(7), producerEpoch: 1, groupId: 'g' },
  EndTxn: { transactionalId: 'tx', producerId: Long.fromInt(7), producerEpoch: 1, transactionResult: true },
  TxnOffsetCommit: {
    transactionalId: 'tx',
    groupId: 'g',
    producerId: Long.fromInt(7),
    producerEpoch: 1,
    topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '10', metadata: null }] }],
  },
  DescribeAcls: {
    resourceType: 2,
    resourceName: 'orders',
    resourcePatternType: 3,
    principal: 'User:a',
    host: '*',
    operation: 2,
    permissionType: 3,
  },
  CreateAcls: {
    creations: [
      {
        resourceType: 2,
        resourceName: 'orders',
        resourcePatternType: 3,
        principal: 'User:a',
        host: '*',
        operation: 3,
        permissionType: 3,
      },
    ],
  },
  DeleteAcls: {
    filters: [
      {
        resourceType: 2,
        resourceName: 'orders',
        resourcePatternType: 3,
        principal: 'User:a',
        host: '*',
        operation: 3,
        permissionType: 3,
      },
    ],
  },
  DescribeConfigs: { resources: [{ type: 2, name: 'orders', configNames: ['retention.ms'] }], includeSynonyms: true },
  AlterConfigs: {
    resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'retention.ms', value: '1000' }] }],
    validateOnly: false,
  },
  // kafkajs's SASL mechanisms hand over bytes already carrying their int32 length.
  SaslAuthenticate: { authBytes: Buffer.from([0, 0, 0, 10, 0, 117, 115, 101, 114, 0, 112, 97, 115, 115]) },
  CreatePartitions: {
    topicPartitions: [{ topic: 'orders', count: 4, assignments: [[1]] }],
    validateOnly: false,
    timeout: 5000,
  },
  // kafkajs's DeleteGroups builder takes the id array itself, not an options object.
  DeleteGroups: ['g', 'h'] as unknown as Record<string, unknown>,
  AlterPartitionReassignments: {
    topics: [{ topic: 'orders', partitionAssignment: [{ partition: 0, replicas: [1, 2] }] }],
    timeout: 5000,
  },
  ListPartitionReassignments: { topics: [{ topic: 'orders', partitions: [0, 1] }], timeout: 5000 },
};
