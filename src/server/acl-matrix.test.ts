/**
 * The ACL matrix over SASL/PLAIN with kafkajs: a broker with the StandardAuthorizer, super user
 * `admin`; `alice` is tried on each API without the permission (Kafka's error) and with it
 * (served). ACLs are managed with kafkajs' own admin calls (CreateAcls / DescribeAcls / DeleteAcls).
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import type {
  AclEntry,
  AclOperationTypes as OperationTypes,
  AclPermissionTypes as PermissionTypes,
  AclResourceTypes as ResourceTypes,
  Admin,
  ConfigResourceTypes as ConfigTypes,
  ResourcePatternTypes as PatternTypes,
} from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import { OffsetFetchApi, defaultOffsetFetchRequest } from '../../protocol/generated/messages/09-offset-fetch.js';
import {
  ConsumerGroupHeartbeatApi,
  defaultConsumerGroupHeartbeatRequest,
} from '../../protocol/generated/messages/68-consumer-group-heartbeat.js';
import { WriteTxnMarkersApi } from '../../protocol/generated/messages/27-write-txn-markers.js';
import { SaslHandshakeApi } from '../../protocol/generated/messages/17-sasl-handshake.js';
import { SaslAuthenticateApi } from '../../protocol/generated/messages/36-sasl-authenticate.js';
import { STANDARD_AUTHORIZER_CLASS } from '../metadata/standard-authorizer.js';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../metadata/acl-types.js';

// kafkajs' enums are types only under ESM here; the codes are Kafka's (acl-types.ts).
const AclResourceTypes = {
  ANY: ResourceType.ANY as ResourceTypes,
  TOPIC: ResourceType.TOPIC as ResourceTypes,
  GROUP: ResourceType.GROUP as ResourceTypes,
  TRANSACTIONAL_ID: ResourceType.TRANSACTIONAL_ID as ResourceTypes,
};
const AclOperationTypes = {
  ANY: AclOperation.ANY as OperationTypes,
  ALL: AclOperation.ALL as OperationTypes,
  READ: AclOperation.READ as OperationTypes,
  WRITE: AclOperation.WRITE as OperationTypes,
  CREATE: AclOperation.CREATE as OperationTypes,
  DELETE: AclOperation.DELETE as OperationTypes,
  ALTER: AclOperation.ALTER as OperationTypes,
  DESCRIBE: AclOperation.DESCRIBE as OperationTypes,
  ALTER_CONFIGS: AclOperation.ALTER_CONFIGS as OperationTypes,
};
const AclPermissionTypes = {
  ANY: PermissionType.ANY as PermissionTypes,
  ALLOW: PermissionType.ALLOW as PermissionTypes,
};
const ResourcePatternTypes = {
  ANY: PatternType.ANY as PatternTypes,
  LITERAL: PatternType.LITERAL as PatternTypes,
};
const ConfigResourceTypes = { TOPIC: 2 as ConfigTypes };

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-pw" user_alice="alice-pw";';

async function aclBroker(t: Test, extra: Record<string, string> = {}): Promise<number> {
  const running = await brokerFor(t, {
    config: {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'listener.security.protocol.map': 'SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'authorizer.class.name': STANDARD_AUTHORIZER_CLASS,
      'super.users': 'User:admin',
      ...extra,
    },
  });
  return running.broker.bound.find((b) => b.name === 'SASL_PLAINTEXT')!.port;
}

/** A raw connection authenticated as `user` (SaslHandshake v1, SaslAuthenticate v2 with PLAIN). */
async function rawAs(port: number, user: string): Promise<RawClient> {
  const raw = await rawClient(port);
  await raw.call(SaslHandshakeApi, 1, { mechanism: 'PLAIN' });
  const auth = await raw.call(SaslAuthenticateApi, 2, { authBytes: Buffer.from(`\0${user}\0${user}-pw`) });
  if (auth.errorCode !== 0) throw new Error(`SASL/PLAIN as ${user} failed: ${auth.errorMessage ?? ''}`);
  return raw;
}

function kafkaAs(port: number, user: string): Kafka {
  return new Kafka({
    clientId: `acl-${user}`,
    brokers: [`127.0.0.1:${port}`],
    sasl: { mechanism: 'plain', username: user, password: `${user}-pw` },
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 50 },
  });
}

const allow = (
  resourceType: ResourceTypes,
  resourceName: string,
  operation: OperationTypes,
  principal = 'User:alice',
): AclEntry => ({
  resourceType,
  resourceName,
  resourcePatternType: ResourcePatternTypes.LITERAL,
  principal,
  host: '*',
  operation,
  permissionType: AclPermissionTypes.ALLOW,
});

/** The kafkajs error type of a rejected promise ('' when it resolved). */
async function errorType(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return '';
  } catch (err) {
    return typeOf(err);
  }
}

function typeOf(err: unknown): string {
  const e = err as { type?: string; originalError?: unknown; errors?: unknown[]; cause?: unknown; name?: string };
  if (e.type !== undefined) return e.type;
  if (e.errors !== undefined && e.errors.length > 0) return typeOf(e.errors[0]);
  if (e.originalError !== undefined) return typeOf(e.originalError);
  if (e.cause !== undefined) return typeOf(e.cause);
  return e.name ?? 'unknown';
}

t.test('ACL matrix with kafkajs over SASL/PLAIN', async (t) => {
  const port = await aclBroker(t);
  const admin: Admin = kafkaAs(port, 'admin').admin();
  const aliceKafka = kafkaAs(port, 'alice');
  const alice = aliceKafka.admin();
  await admin.connect();
  await alice.connect();
  t.teardown(async () => {
    await admin.disconnect();
    await alice.disconnect();
  });
  t.ok(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] }), 'the super user creates');
  t.ok(await admin.createTopics({ topics: [{ topic: 'hidden', numPartitions: 1 }] }));

  await t.test('Metadata hides what alice may not describe', async (t) => {
    t.same(await alice.listTopics(), [], 'no topic visible');
    await admin.createAcls({ acl: [allow(AclResourceTypes.TOPIC, 'orders', AclOperationTypes.READ)] });
    t.same(await alice.listTopics(), ['orders'], 'READ implies DESCRIBE');
  });

  await t.test('CreateTopics needs CREATE', async (t) => {
    t.equal(
      await errorType(alice.createTopics({ topics: [{ topic: 'new-one' }], waitForLeaders: false })),
      'TOPIC_AUTHORIZATION_FAILED',
    );
    await admin.createAcls({ acl: [allow(AclResourceTypes.TOPIC, 'new-one', AclOperationTypes.CREATE)] });
    t.equal(await errorType(alice.createTopics({ topics: [{ topic: 'new-one' }], waitForLeaders: false })), '');
  });

  await t.test('DescribeConfigs / AlterConfigs need DESCRIBE_CONFIGS / ALTER_CONFIGS', async (t) => {
    const describe = () =>
      alice.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders' }],
        includeSynonyms: false,
      });
    t.equal(await errorType(describe()), 'TOPIC_AUTHORIZATION_FAILED');
    await admin.createAcls({ acl: [allow(AclResourceTypes.TOPIC, 'orders', AclOperationTypes.ALTER_CONFIGS)] });
    t.equal(await errorType(describe()), '', 'ALTER_CONFIGS implies DESCRIBE_CONFIGS');
    t.equal(
      await errorType(
        alice.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: 'orders',
              configEntries: [{ name: 'retention.ms', value: '1000' }],
            },
          ],
        }),
      ),
      '',
    );
  });

  await t.test('CreatePartitions and DeleteTopics need ALTER / DELETE', async (t) => {
    const add = () => alice.createPartitions({ topicPartitions: [{ topic: 'orders', count: 2 }] });
    t.equal(await errorType(add()), 'TOPIC_AUTHORIZATION_FAILED');
    await admin.createAcls({ acl: [allow(AclResourceTypes.TOPIC, 'orders', AclOperationTypes.ALTER)] });
    t.equal(await errorType(add()), '');
    t.equal(await errorType(alice.deleteTopics({ topics: ['new-one'] })), 'TOPIC_AUTHORIZATION_FAILED');
    await admin.createAcls({ acl: [allow(AclResourceTypes.TOPIC, 'new-one', AclOperationTypes.DELETE)] });
    t.equal(await errorType(alice.deleteTopics({ topics: ['new-one'] })), '');
  });

  await t.test('Produce needs WRITE; idempotence needs IDEMPOTENT_WRITE or WRITE on a topic', async (t) => {
    const producer = aliceKafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
    t.equal(
      await errorType(producer.connect().then(() => producer.send({ topic: 'orders', messages: [{ value: 'a' }] }))),
      'CLUSTER_AUTHORIZATION_FAILED',
    );
    await producer.disconnect();
    const plain = aliceKafka.producer({ allowAutoTopicCreation: false });
    await plain.connect();
    t.equal(await errorType(plain.send({ topic: 'orders', messages: [{ value: 'a' }] })), 'TOPIC_AUTHORIZATION_FAILED');
    await admin.createAcls({ acl: [allow(AclResourceTypes.TOPIC, 'orders', AclOperationTypes.WRITE)] });
    t.equal(await errorType(plain.send({ topic: 'orders', messages: [{ value: 'a' }] })), '');
    await plain.disconnect();
    const idem = aliceKafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
    await idem.connect();
    t.equal(
      await errorType(idem.send({ topic: 'orders', messages: [{ value: 'b' }] })),
      '',
      'WRITE on a topic is enough',
    );
    await idem.disconnect();
  });

  // kafkajs reports a FindCoordinator refusal (GROUP_ / TRANSACTIONAL_ID_AUTHORIZATION_FAILED) as
  // KafkaJSGroupCoordinatorNotFound: its broker pool swallows the error code.
  await t.test('transactions need DESCRIBE (FindCoordinator) and WRITE on the transactional id', async (t) => {
    const attempt = async (): Promise<string> => {
      const txn = aliceKafka.producer({ transactionalId: 'tx-1', idempotent: true, maxInFlightRequests: 1 });
      const type = await errorType(txn.connect().then(() => txn.transaction()));
      await txn.disconnect();
      return type;
    };
    t.equal(await attempt(), 'KafkaJSGroupCoordinatorNotFound', 'FindCoordinator refused');
    await admin.createAcls({ acl: [allow(AclResourceTypes.TRANSACTIONAL_ID, 'tx-1', AclOperationTypes.DESCRIBE)] });
    t.equal(await attempt(), 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'InitProducerId refused without WRITE');
    await admin.createAcls({ acl: [allow(AclResourceTypes.TRANSACTIONAL_ID, 'tx-1', AclOperationTypes.WRITE)] });
    const txn = aliceKafka.producer({ transactionalId: 'tx-1', idempotent: true, maxInFlightRequests: 1 });
    await txn.connect();
    const tx = await txn.transaction();
    await tx.send({ topic: 'orders', messages: [{ value: 'in-txn' }] });
    await tx.commit();
    t.pass('a transaction commits with WRITE on tx-1 and the topic');
    await txn.disconnect();
  });

  await t.test('groups need DESCRIBE to be found and READ to join', async (t) => {
    t.equal(
      await errorType(alice.describeGroups(['g1'])),
      'KafkaJSGroupCoordinatorNotFound',
      'FindCoordinator refused',
    );
    await admin.createAcls({ acl: [allow(AclResourceTypes.GROUP, 'g1', AclOperationTypes.DESCRIBE)] });
    t.equal((await alice.describeGroups(['g1'])).groups[0]?.groupId, 'g1', 'DescribeGroups with DESCRIBE');
    const consumer = aliceKafka.consumer({ groupId: 'g1', retry: { retries: 0 } });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const crashed = new Promise<string>((resolve) => {
      consumer.on(consumer.events.CRASH, (e) => resolve(typeOf(e.payload.error)));
    });
    void consumer.run({ eachMessage: async () => {} });
    t.equal(await crashed, 'GROUP_AUTHORIZATION_FAILED', 'JoinGroup refused without READ');
    await consumer.disconnect();

    await admin.createAcls({ acl: [allow(AclResourceTypes.GROUP, 'g1', AclOperationTypes.READ)] });
    const ok = aliceKafka.consumer({ groupId: 'g1' });
    await ok.connect();
    await ok.subscribe({ topic: 'orders', fromBeginning: true });
    const got = new Promise<string>((resolve) => {
      void ok.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
    });
    // orders has two partitions by now: the first message read is any of those produced.
    t.ok(['a', 'b', 'in-txn'].includes(await got), 'consumed with READ on the group and the topic');
    await ok.disconnect();
    t.same(
      (await alice.fetchOffsets({ groupId: 'g1', topics: ['orders'] }))[0]?.topic,
      'orders',
      'OffsetFetch with DESCRIBE on the group',
    );

    // Offsets of a topic alice may not DESCRIBE stay hidden (Kafka's fetchOffsetsForGroup).
    await admin.createTopics({ topics: [{ topic: 'hidden', numPartitions: 1 }] });
    await admin.setOffsets({ groupId: 'g1', topic: 'hidden', partitions: [{ partition: 0, offset: '7' }] });
    t.same(
      (await admin.fetchOffsets({ groupId: 'g1', topics: ['hidden'] }))[0]?.partitions[0]?.offset,
      '7',
      'the super user reads the committed offset of hidden',
    );
    // kafkajs asks Metadata first (refused); the raw requests show OffsetFetch's own answer.
    const raw = await rawAs(port, 'alice');
    t.teardown(() => raw.close());
    const v7 = await raw.call(OffsetFetchApi, 7, {
      ...defaultOffsetFetchRequest(),
      groupId: 'g1',
      topics: [{ name: 'hidden', partitionIndexes: [0] }],
    });
    t.same(
      v7.topics[0]?.partitions[0],
      { partitionIndex: 0, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 29 },
      'v7, asked by name: -1 with TOPIC_AUTHORIZATION_FAILED, not the offset',
    );
    const v8 = await raw.call(OffsetFetchApi, 8, {
      ...defaultOffsetFetchRequest(),
      groups: [
        {
          groupId: 'g1',
          memberId: null,
          memberEpoch: -1,
          topics: [{ name: 'hidden', topicId: '', partitionIndexes: [0] }],
        },
      ],
    });
    t.equal(v8.groups[0]?.topics[0]?.partitions[0]?.errorCode, 29, 'v8: TOPIC_AUTHORIZATION_FAILED');
    t.equal(v8.groups[0]?.topics[0]?.partitions[0]?.committedOffset, -1n, 'v8: the offset stays hidden');
    const all = await alice.fetchOffsets({ groupId: 'g1' });
    t.same(
      all.map((o) => o.topic),
      ['orders'],
      'asked for all: the topic without DESCRIBE is left out',
    );

    // KIP-848 heartbeats need DESCRIBE on every subscribed topic (Kafka 4.0).
    const join = (topics: string[]) =>
      raw.call(ConsumerGroupHeartbeatApi, 0, {
        ...defaultConsumerGroupHeartbeatRequest(),
        groupId: 'g-next',
        rebalanceTimeoutMs: 30000,
        subscribedTopicNames: topics,
        topicPartitions: [],
      });
    await admin.createAcls({ acl: [allow(AclResourceTypes.GROUP, 'g-next', AclOperationTypes.READ)] });
    t.equal(
      (await join(['orders', 'hidden'])).errorCode,
      29,
      'a subscription naming hidden: TOPIC_AUTHORIZATION_FAILED',
    );
    const joined = await join(['orders']);
    t.equal(joined.errorCode, 0, 'a subscription to topics alice may describe joins');
    await raw.call(ConsumerGroupHeartbeatApi, 0, {
      ...defaultConsumerGroupHeartbeatRequest(),
      groupId: 'g-next',
      memberId: joined.memberId ?? '',
      memberEpoch: -1,
    });
  });

  await t.test('WriteTxnMarkers is for brokers: CLUSTER_ACTION, else CLUSTER_AUTHORIZATION_FAILED', async (t) => {
    const raw = await rawAs(port, 'alice');
    t.teardown(() => raw.close());
    const r = await raw.call(WriteTxnMarkersApi, 1, {
      markers: [
        {
          producerId: 1000n,
          producerEpoch: 0,
          transactionResult: true,
          topics: [{ name: 'orders', partitionIndexes: [0] }],
          coordinatorEpoch: 0,
        },
      ],
    });
    t.equal(r.markers[0]?.topics[0]?.partitions[0]?.errorCode, 31, 'CLUSTER_AUTHORIZATION_FAILED for the partition');
  });

  await t.test('ACL APIs need the cluster permissions; alice sees CLUSTER_AUTHORIZATION_FAILED', async (t) => {
    const filter = {
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    };
    t.equal(await errorType(alice.describeAcls(filter)), 'CLUSTER_AUTHORIZATION_FAILED');
    t.equal(
      await errorType(alice.createAcls({ acl: [allow(AclResourceTypes.TOPIC, 'x', AclOperationTypes.ALL)] })),
      'CLUSTER_AUTHORIZATION_FAILED',
    );
    const all = await admin.describeAcls(filter);
    t.ok(all.resources.length >= 4, 'the super user lists the ACLs');
    const deleted = await admin.deleteAcls({
      filters: [{ ...filter, resourceType: AclResourceTypes.TRANSACTIONAL_ID }],
    });
    t.equal(deleted.filterResponses[0]?.matchingAcls.length, 2, 'DeleteAcls removes the transactional-id ACLs');
    const txn = aliceKafka.producer({ transactionalId: 'tx-1', idempotent: true, maxInFlightRequests: 1 });
    t.equal(
      await errorType(txn.connect().then(() => txn.transaction())),
      'KafkaJSGroupCoordinatorNotFound',
      'refused again after DeleteAcls',
    );
    await txn.disconnect();
  });
});

t.test('without an authorizer the ACL APIs answer SECURITY_DISABLED', async (t) => {
  const running = await brokerFor(t);
  const admin = new Kafka({ brokers: [`127.0.0.1:${running.port}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  t.equal(
    await errorType(admin.createAcls({ acl: [allow(AclResourceTypes.TOPIC, 'x', AclOperationTypes.ALL)] })),
    'SECURITY_DISABLED',
  );
});
