/**
 * Settings Gregor does not implement and whose value would change behaviour (replication throttles,
 * metric reporters, the replica selector of KIP-392, the cleaner I/O throttle, throttled-replica lists) accept only their default:
 * another value stops start-up with one line naming it, and AlterConfigs / CreateTopics answer
 * INVALID_REQUEST / INVALID_CONFIG as Kafka (kafkajs), so nothing is stored and silently ignored. The defaults, as a Kafka
 * server.properties would state them, still start.
 */
import t from 'tap';
import kafkajs from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { startBroker } from '../index.js';

const { ConfigResourceTypes, Kafka, logLevel } = kafkajs;

t.test('start-up refuses a value it would ignore, and accepts the defaults', async (t) => {
  await t.rejects(startBroker({ config: { 'leader.replication.throttled.rate': 1048576 } }), {
    message: /leader\.replication\.throttled\.rate.*replication throttling is not implemented/,
  });
  await t.rejects(startBroker({ config: { 'metric.reporters': 'com.example.MyReporter' } }), {
    message: /metric\.reporters/,
  });
  // KIP-392 fetch from follower: a consumer's client.rack would be ignored, every fetch going to the leader.
  await t.rejects(
    startBroker({ config: { 'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector' } }),
    { message: /replica\.selector\.class.*fetching from followers \(KIP-392\) is not implemented/ },
  );
  for (const [name, value] of [
    ['create.topic.policy.class.name', 'com.example.TopicPolicy'],
    ['alter.config.policy.class.name', 'com.example.ConfigPolicy'],
    ['client.quota.callback.class', 'com.example.Quotas'],
    ['group.share.enable', 'true'],
    ['eligible.leader.replicas.enable', 'true'],
    ['unstable.api.versions.enable', 'true'],
    ['delegation.token.secret.key', 'secret'],
    ['queued.max.request.bytes', '104857600'],
    ['offsets.topic.compression.codec', '1'],
    ['offsets.commit.required.acks', '1'],
    ['group.consumer.migration.policy', 'upgrade'],
    ['principal.builder.class', 'com.example.Principals'],
    ['remote.log.storage.system.enable', 'true'],
    ['remote.log.storage.manager.class.name', 'com.example.Rsm'],
    ['ssl.engine.factory.class', 'com.example.Engines'],
    ['security.providers', 'com.example.Providers'],
  ] as const)
    await t.rejects(
      startBroker({ config: { [name]: value } }),
      { message: new RegExp(`${name}.*is not implemented`) },
      name,
    );
  const b = await startBroker({
    config: {
      'follower.replication.throttled.rate': '9223372036854775807',
      'log.cleaner.io.max.bytes.per.second': '1.7976931348623157E308',
      'metric.reporters': '',
      'replica.selector.class': '',
      'group.share.enable': 'false',
      'queued.max.request.bytes': '-1',
      'create.topic.policy.class.name': '',
      'broker.rack': 'rack-a',
      'principal.builder.class': 'org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder',
      'offsets.topic.compression.codec': '0',
      'num.io.threads': 8,
    },
  });
  await b.stop();
  t.pass('the defaults, written out, start');
});

t.test('AlterConfigs and CreateTopics refuse throttles', async (t) => {
  const { port } = await brokerFor(t);
  const admin = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const alter = admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.BROKER,
        name: '1',
        configEntries: [{ name: 'follower.replication.throttled.rate', value: '1000' }],
      },
    ],
  });
  // A bad broker config value is INVALID_REQUEST in Kafka (topic configs: INVALID_CONFIG).
  t.equal(
    await alter.then(
      () => 'stored',
      (e: { type?: string }) => e.type,
    ),
    'INVALID_REQUEST',
    'a broker throttle rate is refused',
  );
  const create = admin.createTopics({
    topics: [{ topic: 'throttled', configEntries: [{ name: 'leader.replication.throttled.replicas', value: '*' }] }],
  });
  await t.rejects(create, /Topic creation errors/, 'a throttled-replica list is refused');
  t.same(await admin.listTopics(), [], 'the topic was not created');
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['follower.replication.throttled.rate'] }],
  });
  t.equal(
    described.resources[0]?.configEntries[0]?.configValue,
    '9223372036854775807',
    'the refused value was not stored',
  );
});
