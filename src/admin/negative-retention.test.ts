/**
 * Negative retention settings, as Kafka 3.9 takes them. log.retention.ms/minutes/hours have no
 * validator: any negative value is unlimited (KafkaConfig.logRetentionTimeMillis gives -1) and only a
 * time of 0 is refused, at start-up and as a dynamic broker config (INVALID_REQUEST with the
 * requirement's message). retention.bytes and log.retention.bytes take any long, a negative one being
 * unlimited. The topic's retention.ms is at least -1 (INVALID_CONFIG below). Gregor refused every
 * negative time but -1 (at start-up and dynamically), and accepted a retention.bytes below -1 that its
 * log then refused: the partition went offline behind a successful CreateTopics.
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel, type Admin as KafkajsAdmin } from 'kafkajs';
import '../../compat-tests/platformatic/node20-shim.js';
import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { startBroker } from '../index.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const TOPIC = 2;

async function kafkajsAdmin(t: Test, bootstrap: string): Promise<{ admin: KafkajsAdmin; kafka: Kafka }> {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  return { admin, kafka };
}

async function describeTopic(admin: KafkajsAdmin, topic: string, name: string): Promise<string | undefined> {
  const d = await admin.describeConfigs({
    resources: [{ type: TOPIC, name: topic, configNames: [name] }],
    includeSynonyms: false,
  });
  return d.resources[0]?.configEntries.find((e) => e.configName === name)?.configValue;
}

/** The topic serves: a produce is acknowledged and read back. */
async function serves(kafka: Kafka, topic: string): Promise<boolean> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    const [r] = await producer.send({ topic, messages: [{ value: 'v' }], timeout: 5000 });
    return r?.errorCode === 0;
  } catch {
    return false;
  } finally {
    await producer.disconnect();
  }
}

/** The Kafka error names inside a @platformatic/kafka error (nested MultipleErrors / ResponseError). */
function protocolErrorIds(e: unknown): string[] {
  const err = e as { apiId?: string; errors?: unknown[] };
  if (typeof err.apiId === 'string') return [err.apiId];
  return (err.errors ?? []).flatMap(protocolErrorIds);
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    const err = e as { type?: string; errors?: Array<{ type?: string }> };
    return err.errors?.[0]?.type ?? err.type ?? String(e);
  }
}

const skipPython = hasPythonModule('kafka') ? false : 'python3-kafka is not installed';

/** Sets a cluster-default broker config with kafka-python's AlterConfigs (kafkajs refuses the empty name); the error codes. */
async function clusterDefault(bootstrap: string, name: string, values: string[]): Promise<number[]> {
  const script = `
import sys, json
from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType
a = KafkaAdminClient(bootstrap_servers=sys.argv[1])
out = []
for v in sys.argv[3:]:
    r = a.alter_configs([ConfigResource(ConfigResourceType.BROKER, '', configs={sys.argv[2]: v})])
    out.append(r.resources[0][0])
print(json.dumps(out))
`;
  const result = await run(DEBIAN_PYTHON, ['-c', script, bootstrap, name, ...values], { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(result.stderr.slice(-1000));
  return JSON.parse(result.stdout) as number[];
}

t.test('start-up: negative retention times and sizes are unlimited, 0 is refused', async (t) => {
  const zeros: Array<Record<string, number>> = [
    { 'log.retention.ms': 0 },
    { 'log.retention.minutes': 0 },
    { 'log.retention.hours': 0 },
  ];
  for (const config of zeros) {
    await t.rejects(
      startBroker({ storage: 'memory', config }),
      /log\.retention\.ms must be unlimited/,
      JSON.stringify(config),
    );
  }
  const negatives: Array<Record<string, number>> = [
    { 'log.retention.ms': -5, 'log.retention.bytes': -7 },
    { 'log.retention.minutes': -1 },
    { 'log.retention.hours': -2 },
  ];
  for (const config of negatives) {
    const label = JSON.stringify(config);
    const broker = await startBroker({ storage: 'memory', config });
    t.teardown(() => broker.stop());
    const { admin, kafka } = await kafkajsAdmin(t, broker.bootstrap);
    await admin.createTopics({ topics: [{ topic: 'plain' }], waitForLeaders: true, timeout: 5000 });
    t.equal(await describeTopic(admin, 'plain', 'retention.ms'), '-1', `${label}: retention.ms is unlimited`);
    t.ok(await serves(kafka, 'plain'), `${label}: the topic serves`);
  }
});

t.test('topic configs: retention.ms at least -1, retention.bytes any long', { skip: skipPython }, async (t) => {
  const { bootstrap } = await brokerFor(t);
  const { admin, kafka } = await kafkajsAdmin(t, bootstrap);
  t.equal(
    await errorOf(
      admin.createTopics({ topics: [{ topic: 'r2', configEntries: [{ name: 'retention.ms', value: '-2' }] }] }),
    ),
    'INVALID_CONFIG',
  );
  t.equal(
    await errorOf(
      admin.createTopics({
        topics: [{ topic: 'b5', configEntries: [{ name: 'retention.bytes', value: '-5' }] }],
        waitForLeaders: true,
        timeout: 5000,
      }),
    ),
    'ok',
  );
  t.ok(await serves(kafka, 'b5'), 'a topic with retention.bytes=-5 serves');
  t.equal(await describeTopic(admin, 'b5', 'retention.bytes'), '-5');
  await admin.createTopics({ topics: [{ topic: 'alt' }], waitForLeaders: true, timeout: 5000 });
  const alter = (name: string, value: string): Promise<string> =>
    errorOf(
      admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: TOPIC, name: 'alt', configEntries: [{ name, value }] }],
      }),
    );
  t.equal(await alter('retention.ms', '-3'), 'INVALID_CONFIG');
  t.equal(await alter('retention.bytes', '-9'), 'ok');
  t.ok(await serves(kafka, 'alt'), 'still serving after retention.bytes=-9');

  const platformatic = new Admin({ clientId: 'negative-retention', bootstrapBrokers: [bootstrap] });
  t.teardown(() => platformatic.close());
  const incremental = (resourceType: 2 | 4, resourceName: string, name: string, value: string): Promise<string> =>
    platformatic
      .incrementalAlterConfigs({
        resources: [
          {
            resourceType,
            resourceName,
            configs: [{ name, value, configOperation: IncrementalAlterConfigOperationTypes.SET }],
          },
        ],
      })
      .then(
        () => 'ok',
        (e: unknown) => protocolErrorIds(e).join(',') || String(e),
      );
  t.equal(await incremental(ConfigResourceTypes.TOPIC, 'alt', 'retention.ms', '-2'), 'INVALID_CONFIG');
  t.equal(await incremental(ConfigResourceTypes.BROKER, '1', 'log.retention.ms', '0'), 'INVALID_REQUEST');
  t.same(await clusterDefault(bootstrap, 'log.retention.ms', ['0', '-5']), [42, 0], 'a cluster default of 0, then -5');
  t.equal(await incremental(ConfigResourceTypes.BROKER, '1', 'log.retention.bytes', '-6'), 'ok');
  await admin.createTopics({ topics: [{ topic: 'after' }], waitForLeaders: true, timeout: 5000 });
  t.equal(await describeTopic(admin, 'after', 'retention.ms'), '-1', 'the dynamic -5 is unlimited');
  t.ok(await serves(kafka, 'after'), 'a topic created under the dynamic values serves');
});
