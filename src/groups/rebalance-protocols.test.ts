/**
 * group.coordinator.rebalance.protocols as Kafka 3.9: without `consumer`, ConsumerGroupHeartbeat and
 * ConsumerGroupDescribe answer UNSUPPORTED_VERSION (a KIP-848 client, @platformatic/kafka with
 * groupProtocol 'consumer', fails to join), while classic groups (kafkajs) work; `classic` may not
 * be left out, and `share` (not implemented) or an unknown protocol stops start-up. Gregor's
 * default serves both (Kafka 3.9's is classic alone).
 */
import '../../compat-tests/platformatic/node20-shim.js';
import t from 'tap';
import kafkajs from 'kafkajs';
import { Consumer, stringDeserializers } from '@platformatic/kafka';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { startBroker } from '../index.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  ConsumerGroupHeartbeatApi,
  defaultConsumerGroupHeartbeatRequest,
} from '../../protocol/generated/messages/68-consumer-group-heartbeat.js';
import { ConsumerGroupDescribeApi } from '../../protocol/generated/messages/69-consumer-group-describe.js';

const { Kafka, logLevel } = kafkajs;

/** A KIP-848 member's first ConsumerGroupHeartbeat to group g848, subscribed to rp. */
function joinG848(raw: Awaited<ReturnType<typeof rawClient>>) {
  return raw.call(ConsumerGroupHeartbeatApi, 0, {
    ...defaultConsumerGroupHeartbeatRequest(),
    groupId: 'g848',
    rebalanceTimeoutMs: 30000,
    subscribedTopicNames: ['rp'],
    topicPartitions: [],
  });
}

t.test('classic only: the consumer protocol is refused, classic groups work', async (t) => {
  const broker = await brokerFor(t, {
    config: { 'group.coordinator.rebalance.protocols': 'classic', 'offsets.topic.num.partitions': 1 },
  });
  createTopic(broker, 'rp');

  const raw = await rawClient(broker.port);
  t.teardown(() => raw.close());
  const beat = await joinG848(raw);
  t.equal(beat.errorCode, ErrorCode.UNSUPPORTED_VERSION, 'ConsumerGroupHeartbeat: UNSUPPORTED_VERSION');
  t.equal(beat.memberId, null);
  const described = await raw.call(ConsumerGroupDescribeApi, 0, {
    groupIds: ['g848', 'other'],
    includeAuthorizedOperations: false,
  });
  t.same(
    described.groups.map((g) => [g.groupId, g.errorCode]),
    [
      ['g848', ErrorCode.UNSUPPORTED_VERSION],
      ['other', ErrorCode.UNSUPPORTED_VERSION],
    ],
  );

  const kip848 = new Consumer({
    clientId: 'rp-848',
    groupId: 'g848',
    groupProtocol: 'consumer',
    bootstrapBrokers: [`127.0.0.1:${broker.port}`],
    deserializers: stringDeserializers,
    retries: 3,
  });
  t.teardown(() => kip848.close(true).catch(() => undefined));
  const joined = await kip848.consume({ topics: ['rp'], mode: 'earliest' }).then(
    async (stream) => {
      await stream.close();
      return 'joined';
    },
    (err: Error) => err,
  );
  t.not(joined, 'joined', 'a KIP-848 consumer cannot join');
  t.match(
    JSON.stringify((joined as { errors?: { message?: string }[] }).errors?.map((e) => e.message)),
    /The version of API is not supported/,
    'the client sees UNSUPPORTED_VERSION from ConsumerGroupHeartbeat',
  );

  const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'rp', messages: [{ value: 'classic' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'gclassic' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'rp', fromBeginning: true });
  const value = await new Promise<string>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') });
  });
  t.equal(value, 'classic', 'a classic group consumes');
});

t.test('the default serves the consumer protocol', async (t) => {
  const broker = await brokerFor(t, { config: { 'offsets.topic.num.partitions': 1 } });
  createTopic(broker, 'rp');
  const raw = await rawClient(broker.port);
  t.teardown(() => raw.close());
  const beat = await joinG848(raw);
  t.equal(beat.errorCode, ErrorCode.NONE);
  t.ok(beat.memberId, 'a member id');
});

t.test('start-up refuses what Kafka refuses, and share groups', async (t) => {
  const refused = async (value: string, message: RegExp) =>
    t.rejects(startBroker({ config: { 'group.coordinator.rebalance.protocols': value } }), { message }, value);
  await refused('consumer', /rebalance\.protocols: "consumer" \(expected .* that keeps classic/);
  await refused('classic,share', /"classic,share" .*share groups are not implemented/);
  await refused('classic,eager', /group\.coordinator\.rebalance\.protocols.*"classic,eager"/);
});
