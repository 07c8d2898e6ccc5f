/** kafkajs' admin client against a real Gregor broker: topics, partitions, configs and cluster. */
import t from 'tap';
import kafkajs, { type Admin } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';

// kafkajs is CommonJS: its enums are reached through the default export.
const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

interface TypedError {
  type?: string;
  errors?: TypedError[];
  cause?: TypedError;
}

const errorType = (e: unknown): string | undefined => {
  const err = e as TypedError;
  return err.cause?.type ?? err.type ?? err.errors?.[0]?.type;
};

t.test('kafkajs admin', async (t) => {
  const { bootstrap } = await brokerFor(t, {
    config: { 'auto.create.topics.enable': false, 'log.retention.hours': 48 },
  });
  const kafka = new Kafka({
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 50 },
  });
  const admin: Admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());

  t.test('createTopics with configs, validateOnly and a replica assignment', async (t) => {
    t.equal(
      await admin.createTopics({
        topics: [
          { topic: 'orders', numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
          {
            topic: 'assigned',
            replicaAssignment: [
              { partition: 0, replicas: [1] },
              { partition: 1, replicas: [1] },
            ],
          },
        ],
      }),
      true,
    );
    t.equal(await admin.createTopics({ topics: [{ topic: 'orders' }] }), false, 'already exists gives false');
    t.equal(
      await admin.createTopics({
        validateOnly: true,
        waitForLeaders: false,
        topics: [{ topic: 'dry', numPartitions: 2 }],
      }),
      true,
    );
    const topics = await admin.listTopics();
    t.ok(topics.includes('orders') && topics.includes('assigned'));
    t.notOk(topics.includes('dry'), 'validateOnly created nothing');
    const md = await admin.fetchTopicMetadata({ topics: ['orders', 'assigned'] });
    t.same(md.topics.map((x) => [x.name, x.partitions.length]).sort(), [
      ['assigned', 2],
      ['orders', 3],
    ]);
  });

  t.test('invalid configs give INVALID_CONFIG and the broker keeps serving', async (t) => {
    const bad = await admin
      .createTopics({ topics: [{ topic: 'bad-config', configEntries: [{ name: 'retention.ms', value: 'forever' }] }] })
      .catch((e: unknown) => e);
    t.equal(errorType(bad), 'INVALID_CONFIG');
    const unknown = await admin
      .createTopics({ topics: [{ topic: 'bad-config', configEntries: [{ name: 'made.up', value: '1' }] }] })
      .catch((e: unknown) => e);
    t.equal(errorType(unknown), 'INVALID_CONFIG');
    const alter = await admin
      .alterConfigs({
        validateOnly: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: 'orders', configEntries: [{ name: 'segment.bytes', value: 'big' }] },
        ],
      })
      .catch((e: unknown) => e);
    t.equal(errorType(alter), 'INVALID_CONFIG');
    t.notOk((await admin.listTopics()).includes('bad-config'));
  });

  t.test('describeConfigs for a topic and the broker, with synonyms', async (t) => {
    const res = await admin.describeConfigs({
      includeSynonyms: true,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: 'orders' },
        { type: ConfigResourceTypes.BROKER, name: '1', configNames: ['log.retention.hours', 'message.max.bytes'] },
      ],
    });
    const topic = res.resources.find((r) => r.resourceType === ConfigResourceTypes.TOPIC)!;
    t.equal(topic.errorCode, 0);
    const policy = topic.configEntries.find((e) => e.configName === 'cleanup.policy')!;
    t.equal(policy.configValue, 'compact');
    t.equal(policy.configSource, 1, 'TOPIC_CONFIG');
    t.same(
      policy.configSynonyms.map((s) => [s.configName, s.configSource]),
      [
        ['cleanup.policy', 1],
        ['log.cleanup.policy', 5],
      ],
    );
    t.equal(topic.configEntries.find((e) => e.configName === 'retention.ms')!.configValue, String(48 * 3600 * 1000));
    const brokerRes = res.resources.find((r) => r.resourceType === ConfigResourceTypes.BROKER)!;
    const hours = brokerRes.configEntries.find((e) => e.configName === 'log.retention.hours')!;
    t.same([hours.configValue, hours.configSource, hours.readOnly], ['48', 4, true], 'STATIC_BROKER_CONFIG');
    t.equal(brokerRes.configEntries.length, 2);
  });

  t.test('alterConfigs replaces the topic configs', async (t) => {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: 'orders', configEntries: [{ name: 'retention.ms', value: '60000' }] },
      ],
    });
    const res = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders', configNames: ['retention.ms', 'cleanup.policy'] }],
    });
    const entries = Object.fromEntries(
      res.resources[0]!.configEntries.map((e) => [e.configName, [e.configValue, e.configSource]]),
    );
    t.same(entries['retention.ms'], ['60000', 1]);
    t.same(entries['cleanup.policy'], ['delete', 5], 'the earlier override is gone');
  });

  t.test('createPartitions and deleteTopics', async (t) => {
    await admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 5 }] });
    t.equal((await admin.fetchTopicMetadata({ topics: ['orders'] })).topics[0]!.partitions.length, 5);
    await admin.createPartitions({ topicPartitions: [{ topic: 'assigned', count: 3, assignments: [[1]] }] });
    t.equal((await admin.fetchTopicMetadata({ topics: ['assigned'] })).topics[0]!.partitions.length, 3);
    await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'orders', count: 9 }] });
    t.equal((await admin.fetchTopicMetadata({ topics: ['orders'] })).topics[0]!.partitions.length, 5, 'validateOnly');
    const shrink = await admin
      .createPartitions({ topicPartitions: [{ topic: 'orders', count: 2 }] })
      .catch((e: unknown) => e);
    t.equal(errorType(shrink), 'INVALID_PARTITIONS');

    await admin.deleteTopics({ topics: ['assigned'] });
    t.notOk((await admin.listTopics()).includes('assigned'));
    const missing = await admin.deleteTopics({ topics: ['assigned'] }).catch((e: unknown) => e);
    t.equal(errorType(missing), 'UNKNOWN_TOPIC_OR_PARTITION');
    t.equal(
      await admin.createTopics({ topics: [{ topic: 'assigned', numPartitions: 1 }] }),
      true,
      'a deleted topic can be created again',
    );
  });

  t.test('describeCluster', async (t) => {
    const cluster = await admin.describeCluster();
    t.equal(cluster.brokers.length, 1);
    t.equal(cluster.controller, 1);
    t.ok(cluster.clusterId);
  });
});
