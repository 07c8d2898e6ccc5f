/**
 * AlterPartition's top-level BrokerEpoch, as Kafka 3.9's ClusterControlManager.checkBrokerEpoch
 * (called by ReplicationControlManager.alterPartition): STALE_BROKER_EPOCH unless the sender is
 * registered at exactly that epoch, -1 included; a request without topics is answered empty before
 * any check (QuorumController.alterPartition). Pure, then on the wire: a raw AlterPartition v3 on a
 * single node's CONTROLLER listener, about a topic kafkajs created.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { AlterPartitionApi, type AlterPartitionRequest } from '../../protocol/generated/messages/56-alter-partition.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import { defaultPartitionRecord } from '../../protocol/generated/records/metadata/PartitionRecord.js';
import { MetadataController } from '../metadata/controller.js';
import { MemoryMetadataLog } from '../metadata/metadata-log.js';
import { startBroker } from '../index.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { applyAlterPartition } from './alter-partition.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

function request(
  over: { brokerId: number; brokerEpoch: bigint; topicId?: string; leaderEpoch?: number; partitionEpoch?: number },
  isr: Array<{ brokerId: number; brokerEpoch: bigint }>,
): AlterPartitionRequest {
  return {
    brokerId: over.brokerId,
    brokerEpoch: over.brokerEpoch,
    topics: [
      {
        topicName: '',
        topicId: over.topicId ?? TOPIC_ID,
        partitions: [
          {
            partitionIndex: 0,
            leaderEpoch: over.leaderEpoch ?? 0,
            newIsr: [],
            newIsrWithEpochs: isr,
            leaderRecoveryState: 0,
            partitionEpoch: over.partitionEpoch ?? 0,
          },
        ],
      },
    ],
  };
}

t.test('the sender must be registered at the request broker epoch, -1 included', async (t) => {
  const c = new MetadataController(new MemoryMetadataLog());
  for (const brokerId of [1, 2])
    c.commit([
      {
        type: 'RegisterBrokerRecord',
        data: { ...defaultRegisterBrokerRecord(), brokerId, brokerEpoch: BigInt(10 * brokerId), fenced: false },
      },
    ]);
  c.commit([
    { type: 'TopicRecord', data: { name: 't', topicId: TOPIC_ID } },
    {
      type: 'PartitionRecord',
      data: {
        ...defaultPartitionRecord(),
        topicId: TOPIC_ID,
        partitionId: 0,
        replicas: [1, 2],
        isr: [1],
        leader: 1,
        leaderEpoch: 0,
        partitionEpoch: 0,
      },
    },
  ]);
  const isr = [
    { brokerId: 1, brokerEpoch: 10n },
    { brokerId: 2, brokerEpoch: 20n },
  ];
  const ask = async (brokerId: number, brokerEpoch: bigint) =>
    (await applyAlterPartition(c, request({ brokerId, brokerEpoch }, isr), 3)).errorCode;
  t.equal(await ask(1, -1n), ErrorCode.STALE_BROKER_EPOCH, '-1 is not a wildcard');
  t.equal(await ask(1, 9n), ErrorCode.STALE_BROKER_EPOCH, 'an older epoch');
  t.equal(await ask(1, 11n), ErrorCode.STALE_BROKER_EPOCH, 'a newer epoch');
  t.equal(await ask(7, 70n), ErrorCode.STALE_BROKER_EPOCH, 'a broker with no registration');
  t.same(c.image.topicsById.get(TOPIC_ID)?.partitions.get(0)?.isr, [1], 'nothing applied');
  const empty = await applyAlterPartition(c, { brokerId: 7, brokerEpoch: -1n, topics: [] }, 3);
  t.same([empty.errorCode, empty.topics], [ErrorCode.NONE, []], 'no topics: an empty answer, unchecked');
  t.equal(await ask(1, 10n), ErrorCode.NONE, 'the registered epoch');
  t.same(c.image.topicsById.get(TOPIC_ID)?.partitions.get(0)?.isr, [1, 2]);
});

t.test('on the wire: a raw AlterPartition v3 with BrokerEpoch -1 gets STALE_BROKER_EPOCH', async (t) => {
  const running = await startBroker({
    config: {
      listeners: 'PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    },
  });
  t.teardown(() => running.stop());
  const kafka = new Kafka({
    clientId: 'alter-partition-epoch',
    brokers: [running.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [{ topic: 'epoch', numPartitions: 1, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const topic = running.broker.controller.image.topicsByName.get('epoch')!;
  const state = topic.partitions.get(0)!;
  const registered = running.broker.quorum.brokerEpoch();
  const client = await rawClient(running.broker.bound.find((l) => l.name === 'CONTROLLER')!.port);
  t.teardown(() => client.close());
  const send = async (brokerEpoch: bigint) =>
    (
      await client.call(
        AlterPartitionApi,
        3,
        request(
          {
            brokerId: 1,
            brokerEpoch,
            topicId: topic.topicId,
            leaderEpoch: state.leaderEpoch,
            partitionEpoch: state.partitionEpoch,
          },
          [{ brokerId: 1, brokerEpoch: -1n }],
        ),
      )
    ).errorCode;
  t.equal(await send(-1n), ErrorCode.STALE_BROKER_EPOCH, 'BrokerEpoch -1');
  t.equal(await send(registered + 1n), ErrorCode.STALE_BROKER_EPOCH, 'another epoch');
  t.equal(await send(registered), ErrorCode.NONE, "the node's registration epoch");
});
