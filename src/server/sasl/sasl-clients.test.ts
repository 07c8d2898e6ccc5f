/**
 * SASL with other clients than kafkajs: librdkafka (kcat and python3-confluent-kafka) over
 * SASL_SSL with SCRAM-SHA-256/512, kafka-python over SASL_PLAINTEXT with PLAIN, and kafkajs
 * over SASL_SSL. Each skips when its client is not installed; certificates are made by openssl.
 */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../../test/helpers/broker.js';
import { rawClient } from '../../../test/helpers/raw-client.js';
import { makeTestCerts, opensslAvailable, type TestCerts } from '../../../test/helpers/certs.js';
import { DEBIAN_PYTHON, hasCommand, hasPythonModule, run } from '../../../test/helpers/external.js';
import { AlterUserScramCredentialsApi } from '../../../protocol/generated/messages/51-alter-user-scram-credentials.js';
import { saltedPassword } from './scram.js';
import type { RunningBroker } from '../../index.js';

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";';
const haveOpenssl = opensslAvailable();
const certs: TestCerts | null = haveOpenssl ? makeTestCerts() : null;
t.teardown(() => certs?.cleanup());

/** A broker with PLAINTEXT (admin), SASL_SSL and SASL_PLAINTEXT listeners, and SCRAM users carol (256) and dan (512). */
async function saslBroker(t: Test): Promise<{ running: RunningBroker; saslSsl: number; saslPlaintext: number }> {
  const c = certs!;
  const running = await brokerFor(t, {
    config: {
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SASL_PLAINTEXT:SASL_PLAINTEXT',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': c.serverPemStore,
      'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512,PLAIN',
      'listener.name.sasl_ssl.plain.sasl.jaas.config': PLAIN_JAAS,
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
    },
  });
  const admin = await rawClient(running.port);
  for (const [name, mechanism, password] of [
    ['carol', 1, 'carol-pw'],
    ['dan', 2, 'dan-pw'],
  ] as const) {
    const salt = randomBytes(16);
    const res = await admin.call(AlterUserScramCredentialsApi, 0, {
      deletions: [],
      upsertions: [
        {
          name,
          mechanism,
          iterations: 4096,
          salt,
          saltedPassword: saltedPassword(mechanism === 1 ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512', password, salt, 4096),
        },
      ],
    });
    t.equal(res.results[0]!.errorCode, 0, `SCRAM user ${name}`);
  }
  admin.close();
  const port = (name: string): number => running.broker.bound.find((b) => b.name === name)!.port;
  return { running, saslSsl: port('SASL_SSL'), saslPlaintext: port('SASL_PLAINTEXT') };
}

const kcat = hasCommand('kcat');
t.test(
  'kcat over SASL_SSL with SCRAM-SHA-256 and SCRAM-SHA-512',
  { skip: !haveOpenssl ? 'openssl is not installed' : kcat ? false : 'kcat is not installed' },
  async (t) => {
    const { saslSsl } = await saslBroker(t);
    const c = certs!;
    const opts = (mechanism: string, user: string, password: string): string[] => [
      '-b',
      `127.0.0.1:${saslSsl}`,
      '-X',
      'security.protocol=SASL_SSL',
      '-X',
      `sasl.mechanisms=${mechanism}`,
      '-X',
      `sasl.username=${user}`,
      '-X',
      `sasl.password=${password}`,
      '-X',
      `ssl.ca.location=${c.caFile}`,
    ];
    const produced = await run(
      'kcat',
      [...opts('SCRAM-SHA-256', 'carol', 'carol-pw'), '-P', '-t', 'kcat-scram', '-K', ':'],
      { input: 'a:one\nb:two\n', timeoutMs: 30_000 },
    );
    t.equal(produced.code, 0, produced.stderr);
    const consumed = await run(
      'kcat',
      [...opts('SCRAM-SHA-512', 'dan', 'dan-pw'), '-C', '-t', 'kcat-scram', '-o', 'beginning', '-e', '-f', '%k=%s\n'],
      { timeoutMs: 30_000 },
    );
    t.equal(consumed.code, 0, consumed.stderr);
    t.same(consumed.stdout.trim().split('\n'), ['a=one', 'b=two']);
    const wrong = await run('kcat', [...opts('SCRAM-SHA-256', 'carol', 'nope'), '-L', '-m', '5'], {
      timeoutMs: 30_000,
    });
    t.not(wrong.code, 0, 'a wrong password fails');
    t.match(wrong.stderr, /Authentication failed|SASL authentication error/, wrong.stderr);
  },
);

const confluent = hasPythonModule('confluent_kafka');
const CONFLUENT_SCRIPT = `
import sys, json
from confluent_kafka import Producer, Consumer
bootstrap, ca, mech, user, pw, topic = sys.argv[1:7]
conf = {'bootstrap.servers': bootstrap, 'security.protocol': 'SASL_SSL', 'sasl.mechanisms': mech,
        'sasl.username': user, 'sasl.password': pw, 'ssl.ca.location': ca}
p = Producer(conf)
for i in range(5):
    p.produce(topic, key=b'k%d' % i, value=b'v%d' % i)
if p.flush(20) != 0:
    sys.exit('not delivered')
c = Consumer(dict(conf, **{'group.id': topic + '-g', 'auto.offset.reset': 'earliest'}))
c.subscribe([topic])
got = []
for _ in range(200):
    m = c.poll(0.2)
    if m is None:
        continue
    if m.error():
        sys.exit(str(m.error()))
    got.append(m.value().decode())
    if len(got) == 5:
        break
c.close()
print(json.dumps(got))
`;
t.test(
  'python3-confluent-kafka over SASL_SSL with SCRAM-SHA-512: produce and consume in a group',
  { skip: !haveOpenssl ? 'openssl is not installed' : confluent ? false : 'python3-confluent-kafka is not installed' },
  async (t) => {
    const { saslSsl } = await saslBroker(t);
    const result = await run(
      DEBIAN_PYTHON,
      ['-c', CONFLUENT_SCRIPT, `127.0.0.1:${saslSsl}`, certs!.caFile, 'SCRAM-SHA-512', 'dan', 'dan-pw', 'ck-scram'],
      { timeoutMs: 90_000 },
    );
    t.equal(result.code, 0, result.stderr);
    t.same(JSON.parse(result.stdout.trim()), ['v0', 'v1', 'v2', 'v3', 'v4']);
  },
);

const kafkaPython = hasPythonModule('kafka');
const KAFKA_PYTHON_SCRIPT = `
import sys, json
from kafka import KafkaProducer, KafkaConsumer
from kafka.errors import KafkaError
bootstrap, user, pw, topic = sys.argv[1:5]
conf = dict(bootstrap_servers=bootstrap, security_protocol='SASL_PLAINTEXT', sasl_mechanism='PLAIN', sasl_plain_username=user, sasl_plain_password=pw)
try:
    p = KafkaProducer(**conf)
except KafkaError as e:
    print(json.dumps({'error': type(e).__name__ + ': ' + str(e)}))
    sys.exit(0)
for i in range(3):
    p.send(topic, key=b'k', value=b'm%d' % i)
p.flush(20)
p.close()
c = KafkaConsumer(topic, auto_offset_reset='earliest', consumer_timeout_ms=10000, **conf)
got = []
for m in c:
    got.append(m.value.decode())
    if len(got) == 3:
        break
c.close()
print(json.dumps({'got': got}))
`;
t.test(
  'kafka-python over SASL_PLAINTEXT with PLAIN; a wrong password gets an authentication error',
  { skip: !haveOpenssl ? 'openssl is not installed' : kafkaPython ? false : 'python3-kafka is not installed' },
  async (t) => {
    const { saslPlaintext } = await saslBroker(t);
    const ok = await run(
      DEBIAN_PYTHON,
      ['-c', KAFKA_PYTHON_SCRIPT, `127.0.0.1:${saslPlaintext}`, 'alice', 'alice-secret', 'kp-plain'],
      { timeoutMs: 90_000 },
    );
    t.equal(ok.code, 0, ok.stderr);
    t.same(JSON.parse(ok.stdout.trim()), { got: ['m0', 'm1', 'm2'] });
    const wrong = await run(
      DEBIAN_PYTHON,
      ['-c', KAFKA_PYTHON_SCRIPT, `127.0.0.1:${saslPlaintext}`, 'alice', 'wrong', 'kp-plain'],
      { timeoutMs: 90_000 },
    );
    t.equal(wrong.code, 0, wrong.stderr);
    t.match(String((JSON.parse(wrong.stdout.trim()) as { error?: string }).error), /Authentication|NoBrokersAvailable/);
  },
);

t.test(
  'kafkajs over SASL_SSL with PLAIN and SCRAM-SHA-256',
  { skip: haveOpenssl ? false : 'openssl is not installed' },
  async (t) => {
    const { saslSsl, running } = await saslBroker(t);
    for (const sasl of [
      { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
      { mechanism: 'scram-sha-256', username: 'carol', password: 'carol-pw' },
    ] as const) {
      const kafka = new Kafka({
        brokers: [`127.0.0.1:${saslSsl}`],
        ssl: { ca: [certs!.caPem], servername: 'localhost' },
        sasl,
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: `js-${sasl.mechanism}` }], waitForLeaders: true });
      const onListener = running.broker.openConnections().filter((i) => i.listenerName === 'SASL_SSL');
      t.ok(
        onListener.some((i) => i.principal.name === sasl.username && i.securityProtocol === 'SASL_SSL'),
        `${sasl.mechanism}: User:${sasl.username} over TLS`,
      );
      await admin.disconnect();
    }
  },
);
