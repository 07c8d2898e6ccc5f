/**
 * librdkafka (python3-confluent-kafka) against a broker with the StandardAuthorizer over
 * SASL_PLAINTEXT/PLAIN: a produce/consume pair refused (TOPIC_AUTHORIZATION_FAILED,
 * GROUP_AUTHORIZATION_FAILED) and, after the ACLs are created, served. Skips when the client is
 * not installed.
 */
import t from 'tap';
import { Kafka, logLevel, type AclEntry } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';
import { STANDARD_AUTHORIZER_CLASS } from '../metadata/standard-authorizer.js';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../metadata/acl-types.js';

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-pw" user_carol="carol-pw";';

const SCRIPT = `
import sys, json, time
from confluent_kafka import Producer, Consumer
bootstrap, topic, group = sys.argv[1:4]
conf = {'bootstrap.servers': bootstrap, 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'PLAIN',
        'sasl.username': 'carol', 'sasl.password': 'carol-pw'}
out = {}
p = Producer(dict(conf, **{'message.timeout.ms': 10000}))
def report(err, msg):
    out['produce'] = err.name() if err else 'ok'
p.produce(topic, b'hello-acl', callback=report)
p.flush(15)
out.setdefault('produce', 'timeout')
c = Consumer(dict(conf, **{'group.id': group, 'auto.offset.reset': 'earliest'}))
c.subscribe([topic])
deadline = time.time() + 20
while time.time() < deadline and 'consume' not in out:
    m = c.poll(0.5)
    if m is None:
        continue
    if m.error():
        out['consume'] = m.error().name()
    else:
        out['consume'] = m.value().decode()
c.close()
out.setdefault('consume', 'timeout')
print(json.dumps(out))
`;

const confluent = hasPythonModule('confluent_kafka');

t.test(
  'python3-confluent-kafka: produce and consume refused without ACLs, served with them',
  { skip: confluent ? false : 'python3-confluent-kafka is not installed' },
  async (t) => {
    const running = await brokerFor(t, {
      config: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'listener.security.protocol.map': 'SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
        'authorizer.class.name': STANDARD_AUTHORIZER_CLASS,
        'super.users': 'User:admin',
        'auto.create.topics.enable': 'false',
      },
    });
    const port = running.broker.bound.find((b) => b.name === 'SASL_PLAINTEXT')!.port;
    const admin = new Kafka({
      brokers: [`127.0.0.1:${port}`],
      sasl: { mechanism: 'plain', username: 'admin', password: 'admin-pw' },
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: 'acl-pair', numPartitions: 1 }] });

    const attempt = async (): Promise<{ produce: string; consume: string }> => {
      const result = await run(DEBIAN_PYTHON, ['-c', SCRIPT, `127.0.0.1:${port}`, 'acl-pair', 'acl-group'], {
        timeoutMs: 90_000,
      });
      t.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { produce: string; consume: string };
    };

    const refused = await attempt();
    t.equal(refused.produce, 'TOPIC_AUTHORIZATION_FAILED', 'produce refused without WRITE');
    t.match(refused.consume, /^(TOPIC|GROUP)_AUTHORIZATION_FAILED$/, 'consume refused without READ');

    const grant = (resourceType: number, resourceName: string, operation: number): AclEntry =>
      ({
        resourceType,
        resourceName,
        resourcePatternType: PatternType.LITERAL,
        principal: 'User:carol',
        host: '*',
        operation,
        permissionType: PermissionType.ALLOW,
      }) as unknown as AclEntry;
    await admin.createAcls({
      acl: [
        grant(ResourceType.TOPIC, 'acl-pair', AclOperation.WRITE),
        grant(ResourceType.TOPIC, 'acl-pair', AclOperation.READ),
        grant(ResourceType.GROUP, 'acl-group', AclOperation.READ),
      ],
    });
    const served = await attempt();
    t.same(served, { produce: 'ok', consume: 'hello-acl' }, 'produced and consumed with the ACLs');
  },
);

const FETCH_DENIED_SCRIPT = `
import sys, json, time
from confluent_kafka import Consumer
bootstrap, topic = sys.argv[1:3]
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': topic, 'auto.offset.reset': 'earliest'})
c.subscribe([topic])
out = {'errors': [], 'messages': 0}
deadline = time.time() + 8
while time.time() < deadline:
    m = c.poll(0.5)
    if m is None:
        continue
    if m.error():
        out['errors'].append([m.error().name(), m.partition()])
    else:
        out['messages'] += 1
c.close()
print(json.dumps(out))
`;

t.test(
  'python3-confluent-kafka: a Fetch denied READ gives one TOPIC_AUTHORIZATION_FAILED per partition (librdkafka 0119)',
  { skip: confluent ? false : 'python3-confluent-kafka is not installed' },
  async (t) => {
    const running = await brokerFor(t, {
      config: {
        'authorizer.class.name': STANDARD_AUTHORIZER_CLASS,
        'allow.everyone.if.no.acl.found': 'true',
        'group.initial.rebalance.delay.ms': '0',
      },
    });
    const kafka = new Kafka({ brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: 'fetch-denied', numPartitions: 3 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'fetch-denied', messages: [0, 1, 2].map((p) => ({ value: `m${p}`, partition: p })) });
    await producer.disconnect();
    const entry = (operation: number, permissionType: number): AclEntry =>
      ({
        resourceType: ResourceType.TOPIC,
        resourceName: 'fetch-denied',
        resourcePatternType: PatternType.LITERAL,
        principal: 'User:*',
        host: '*',
        operation,
        permissionType,
      }) as unknown as AclEntry;
    await admin.createAcls({
      acl: [entry(AclOperation.DESCRIBE, PermissionType.ALLOW), entry(AclOperation.READ, PermissionType.DENY)],
    });
    const result = await run(DEBIAN_PYTHON, ['-c', FETCH_DENIED_SCRIPT, running.bootstrap, 'fetch-denied'], {
      timeoutMs: 60_000,
    });
    t.equal(result.code, 0, result.stderr.slice(-2000));
    t.notMatch(result.stderr, /invalid MessageSetSize/, 'the refused partitions parse (empty records, not null)');
    const out = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as {
      errors: Array<[string, number]>;
      messages: number;
    };
    t.equal(out.messages, 0, 'no message read');
    t.same(
      out.errors.map(([name, p]) => `${name}:${p}`).sort(),
      ['TOPIC_AUTHORIZATION_FAILED:0', 'TOPIC_AUTHORIZATION_FAILED:1', 'TOPIC_AUTHORIZATION_FAILED:2'],
      'exactly one authorization error per partition',
    );
  },
);
