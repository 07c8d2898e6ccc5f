import t from 'tap';
import { BrokerConfig } from '../common/config.js';
import { MetadataController } from '../metadata/controller.js';
import { MemoryMetadataLog } from '../metadata/metadata-log.js';
import { configLayers, describeBrokerConfig, describeTopicConfig } from './config-describe.js';
import { validateDynamicBrokerConfigs } from './broker-config-schema.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';

function controllerWith(configs: Array<[string, string, string]>): MetadataController {
  const c = new MetadataController(new MemoryMetadataLog());
  c.commit(
    configs.map(([resourceName, name, value]) => ({
      type: 'ConfigRecord',
      data: { resourceType: 4, resourceName, name, value },
    })),
  );
  return c;
}

t.test('synonyms follow Kafka order: dynamic broker, dynamic default, static, default', async (t) => {
  const c = controllerWith([
    ['1', 'log.segment.bytes', '3000'],
    ['', 'log.segment.bytes', '2000'],
  ]);
  const layers = configLayers(new BrokerConfig({ 'log.segment.bytes': 1000 }), c.image, 1);
  const e = describeTopicConfig(layers, new Map([['segment.bytes', '500']]), 'segment.bytes', true, false);
  t.equal(e.value, '500');
  t.same(
    e.synonyms.map((s) => [s.name, s.value, s.source]),
    [
      ['segment.bytes', '500', 1],
      ['log.segment.bytes', '3000', 2],
      ['log.segment.bytes', '2000', 3],
      ['log.segment.bytes', '1000', 4],
      ['log.segment.bytes', '1073741824', 5],
    ],
  );
  const noOverride = describeTopicConfig(layers, new Map(), 'segment.bytes', false, false);
  t.same(
    [noOverride.value, noOverride.source, noOverride.synonyms],
    ['3000', 2, []],
    'the per-broker dynamic value is in force',
  );
  const clusterDefault = describeBrokerConfig(layers, 'log.segment.bytes', false, true, false);
  t.same([clusterDefault.value, clusterDefault.source], ['2000', 3]);
  t.same(
    clusterDefault.synonyms.map((s) => s.source),
    [3],
    'the default resource shows only dynamic defaults',
  );
});

t.test('retention.ms drops the hours synonym, as Kafka does, but its value follows it', async (t) => {
  const c = controllerWith([]);
  const layers = configLayers(new BrokerConfig({ 'log.retention.hours': 1 }), c.image, 1);
  const e = describeTopicConfig(layers, new Map(), 'retention.ms', true, true);
  t.same([e.value, e.source, e.synonyms], ['3600000', 5, []]);
  t.ok(e.documentation);
  t.equal(e.configType, 5, 'LONG');
});

t.test('password configs are sensitive and hidden', async (t) => {
  const c = controllerWith([['1', 'ssl.keystore.password', 'secret']]);
  const layers = configLayers(new BrokerConfig(), c.image, 1);
  const e = describeBrokerConfig(layers, 'ssl.keystore.password', true, true, false);
  t.same([e.value, e.isSensitive, e.source], [null, true, 2]);
  t.same(
    e.synonyms.map((s) => s.value),
    [null],
  );
});

t.test('dynamic broker config validation', async (t) => {
  t.equal(validateDynamicBrokerConfigs(new Map([['message.max.bytes', '2000']]), true), null);
  t.equal(validateDynamicBrokerConfigs(new Map([['custom.thing', 'x']]), true), null, 'unknown names are kept');
  t.match(validateDynamicBrokerConfigs(new Map([['node.id', '3']]), true), /Cannot update these configs dynamically/);
  t.match(validateDynamicBrokerConfigs(new Map([['num.io.threads', 'many']]), true), /Not a number/);
  t.match(validateDynamicBrokerConfigs(new Map([['log.cleanup.policy', 'shred']]), true), /Invalid value/);
});

t.test('controller: incremental ops and legacy replace', async (t) => {
  const c = new MetadataController(new MemoryMetadataLog());
  c.commit([{ type: 'RegisterBrokerRecord', data: { ...defaultRegisterBrokerRecord(), brokerId: 1, fenced: false } }]);
  const created = c.createTopic({
    name: 'x',
    numPartitions: -1,
    replicationFactor: -1,
    defaultNumPartitions: 3,
    defaultReplicationFactor: 1,
  });
  t.ok(created.ok);
  if (!created.ok) return;
  t.same([created.value.numPartitions, created.value.replicationFactor], [3, 1]);
  c.commit(created.records);
  const list = (n: string) => ({ isList: n === 'cleanup.policy', value: 'delete' });
  const append = c.incrementalAlterConfigs(2, 'x', [{ name: 'cleanup.policy', op: 2, value: 'compact,delete' }], list);
  t.ok(append.ok);
  if (append.ok) c.commit(append.records);
  t.equal(c.image.topicsByName.get('x')!.configs.get('cleanup.policy'), 'delete,compact', 'APPEND keeps values once');
  const replace = c.replaceConfigs(2, 'x', new Map([['retention.ms', '1']]));
  t.ok(replace.ok);
  if (replace.ok) c.commit(replace.records);
  t.same(Object.fromEntries(c.image.topicsByName.get('x')!.configs), { 'retention.ms': '1' });
  const tooMany = c.createTopic({ name: 'y', numPartitions: 1, replicationFactor: 2 });
  t.same(tooMany.ok ? null : tooMany.error.errorCode, 38);
});

t.test('values are shown as Kafka shows them once parsed; synonyms as written', async (t) => {
  const c = controllerWith([['1', 'log.retention.bytes', ' 0100 ']]);
  const layers = configLayers(
    new BrokerConfig({ 'unclean.leader.election.enable': 'TRUE', 'log.cleanup.policy': 'compact , delete' }),
    c.image,
    1,
  );
  const broker = (name: string) => describeBrokerConfig(layers, name, true, true, false);
  t.equal(broker('unclean.leader.election.enable').value, 'true', 'a boolean in lower case');
  t.equal(broker('unclean.leader.election.enable').synonyms[0]?.value, 'TRUE', 'its synonym as written');
  t.equal(broker('log.retention.bytes').value, '100', 'a long without spaces or leading zeros');
  t.equal(broker('log.cleanup.policy').value, 'compact,delete', 'a list joined by bare commas');
  const topic = describeTopicConfig(
    layers,
    new Map([['cleanup.policy', 'delete, compact']]),
    'cleanup.policy',
    true,
    false,
  );
  t.same([topic.value, topic.synonyms[0]?.value], ['delete,compact', 'delete, compact']);
  const flag = describeTopicConfig(layers, new Map([['preallocate', 'False']]), 'preallocate', false, false);
  t.equal(flag.value, 'false');
});

t.test('node.id and broker.id describe as one setting, as Kafka populates them', async (t) => {
  const image = controllerWith([]).image;
  const describe = (config: Record<string, string>, name: string) => {
    const e = describeBrokerConfig(configLayers(new BrokerConfig(config), image, 5), name, true, false, false);
    return [e.value, e.source];
  };
  t.same(describe({ 'broker.id': '5' }, 'node.id'), ['5', 4], 'broker.id set: node.id is it, static');
  t.same(describe({ 'node.id': '5' }, 'broker.id'), ['5', 4], 'node.id set: broker.id is it, static');
  t.same(describe({ 'node.id': '5', 'broker.id': '5' }, 'broker.id'), ['5', 4], 'both set');
  t.same(describe({}, 'broker.id'), ['1', 5], "neither set: node.id's default for both");
  t.same(describe({}, 'node.id'), ['1', 5]);
});
