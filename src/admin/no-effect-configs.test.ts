/**
 * Kafka 3.9 settings accepted with no effect (config-defs-no-effect.ts) as a real client sees them
 * (kafkajs): DescribeConfigs lists them with Kafka's default; the ones Kafka lets AlterConfigs
 * change may be changed (a listener's TLS settings for one broker), the others are refused as
 * Kafka refuses a static config (INVALID_REQUEST, "Cannot update these configs dynamically").
 */
import t from 'tap';
import kafkajs from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';

const { ConfigResourceTypes, Kafka, logLevel } = kafkajs;

t.test('no-effect settings in DescribeConfigs and AlterConfigs', async (t) => {
  const { port } = await brokerFor(t, { config: { 'zookeeper.session.timeout.ms': 30000 } });
  const admin = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const describe = async (names: string[]) =>
    (
      await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: names }],
      })
    ).resources[0]!.configEntries.map((e) => [e.configName, e.configValue, e.isDefault]).sort();
  t.same(await describe(['group.coordinator.threads', 'zookeeper.session.timeout.ms', 'ssl.keymanager.algorithm']), [
    ['group.coordinator.threads', '1', true],
    ['ssl.keymanager.algorithm', 'SunX509', true],
    ['zookeeper.session.timeout.ms', '30000', false],
  ]);

  const alter = (name: string, broker: string, value: string) =>
    admin
      .alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.BROKER, name: broker, configEntries: [{ name, value }] }],
      })
      .then(
        () => 'stored',
        (e: { type?: string }) => e.type,
      );
  t.equal(await alter('ssl.keymanager.algorithm', '1', 'PKIX'), 'stored', 'per broker, as Kafka');
  t.same(await describe(['ssl.keymanager.algorithm']), [['ssl.keymanager.algorithm', 'PKIX', false]]);
  // Kafka answers a static config INVALID_REQUEST ("Cannot update these configs dynamically").
  t.equal(await alter('group.coordinator.threads', '1', '4'), 'INVALID_REQUEST');
  t.equal(await alter('remote.fetch.max.wait.ms', '1', '1000'), 'stored', 'dynamic in Kafka');
  t.equal(await alter('remote.fetch.max.wait.ms', '1', '0'), 'INVALID_REQUEST', "out of Kafka's range");
});
