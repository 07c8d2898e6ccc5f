import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import {
  DescribeConfigsApi,
  type DescribeConfigsResponseDescribeConfigsResult,
} from '../../protocol/generated/messages/32-describe-configs.js';
import { AlterConfigsApi } from '../../protocol/generated/messages/33-alter-configs.js';
import { IncrementalAlterConfigsApi } from '../../protocol/generated/messages/44-incremental-alter-configs.js';

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const INVALID_REQUEST_MESSAGE =
  'This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.';

async function describe(
  c: RawClient,
  version: number,
  resourceType: number,
  resourceName: string,
  keys: string[] | null = null,
) {
  const res = await c.call(DescribeConfigsApi, version, {
    resources: [{ resourceType, resourceName, configurationKeys: keys }],
    includeSynonyms: version >= 1,
    includeDocumentation: version >= 3,
  });
  return res.results[0]!;
}

const entry = (r: DescribeConfigsResponseDescribeConfigsResult, name: string) => r.configs.find((x) => x.name === name);

async function incremental(
  c: RawClient,
  resourceType: number,
  resourceName: string,
  configs: Array<{ name: string; configOperation: number; value: string | null }>,
  validateOnly = false,
) {
  const res = await c.call(IncrementalAlterConfigsApi, 1, {
    resources: [{ resourceType, resourceName, configs }],
    validateOnly,
  });
  return res.responses[0]!;
}

t.test('DescribeConfigs: topics and brokers, sources, synonyms, every version', async (t) => {
  const { port } = await brokerFor(t, { config: { 'log.cleanup.policy': 'delete', 'log.retention.hours': 24 } });
  const c = await rawClient(port);
  t.teardown(() => c.close());
  await c.call(CreateTopicsApi, 4, {
    topics: [
      {
        ...defaultCreateTopicsRequestCreatableTopic(),
        name: 'cfg',
        numPartitions: 1,
        replicationFactor: 1,
        configs: [{ name: 'segment.bytes', value: '100000' }],
      },
    ],
    timeoutMs: 1000,
    validateOnly: false,
  });

  for (let v = 0; v <= 4; v++) {
    const r = await describe(c, v, TOPIC, 'cfg');
    t.equal(r.errorCode, 0, `v${v} describes the topic`);
    const seg = entry(r, 'segment.bytes')!;
    t.equal(seg.value, '100000');
    if (v === 0) {
      t.equal(seg.isDefault, false, 'v0: a topic config is not a default');
      t.equal(entry(r, 'flush.ms')!.isDefault, true, 'v0: an untouched config is');
    } else {
      t.equal(seg.configSource, 1, 'TOPIC_CONFIG');
      t.same(
        seg.synonyms.map((s) => [s.name, s.source]),
        [
          ['segment.bytes', 1],
          ['log.segment.bytes', 5],
        ],
        'synonyms: the topic value, then the broker default',
      );
    }
    if (v >= 3) {
      t.equal(seg.configType, 3, 'INT');
      t.ok(seg.documentation, 'documentation');
    }
  }
  const r = await describe(c, 4, TOPIC, 'cfg');
  const policy = entry(r, 'cleanup.policy')!;
  t.same([policy.value, policy.configSource], ['delete', 4], 'a static broker synonym is STATIC_BROKER_CONFIG');
  t.same(
    policy.synonyms.map((s) => [s.name, s.source]),
    [
      ['log.cleanup.policy', 4],
      ['log.cleanup.policy', 5],
    ],
  );
  const retention = entry(r, 'retention.ms')!;
  t.equal(retention.value, String(24 * 3600 * 1000), 'retention.ms follows log.retention.hours');
  t.equal(retention.configSource, 5, 'but, as in Kafka, reports DEFAULT_CONFIG');

  const keyed = await describe(c, 4, TOPIC, 'cfg', ['retention.ms', 'no.such']);
  t.same(
    keyed.configs.map((x) => x.name),
    ['retention.ms'],
    'named keys filter; unknown ones are left out',
  );
  t.equal((await describe(c, 4, TOPIC, 'nope')).errorCode, 3, 'UNKNOWN_TOPIC_OR_PARTITION');
  t.equal((await describe(c, 4, TOPIC, 'bad/name')).errorCode, 17, 'INVALID_TOPIC_EXCEPTION');

  const b = await describe(c, 4, BROKER, '1');
  t.equal(b.errorCode, 0);
  const hours = entry(b, 'log.retention.hours')!;
  t.same([hours.value, hours.configSource, hours.readOnly], ['24', 4, true], 'static and read-only');
  const minIsr = entry(b, 'min.insync.replicas')!;
  t.same([minIsr.value, minIsr.configSource, minIsr.readOnly], ['1', 5, false], 'default and dynamic');
  t.equal((await describe(c, 4, BROKER, '2')).errorCode, 42, 'another broker id is INVALID_REQUEST');
  t.equal((await describe(c, 4, BROKER, 'x')).errorCode, 42, 'a non-integer broker id is INVALID_REQUEST');
  t.same((await describe(c, 4, BROKER, '')).configs, [], 'no cluster defaults yet');
  for (let v = 0; v <= 4; v++)
    t.equal((await describe(c, v, BROKER, '1', ['message.max.bytes'])).configs.length, 1, `v${v} broker`);
  const loggers = await describe(c, 4, BROKER_LOGGER, '1');
  t.equal(loggers.configs[0]?.name, 'root');
  t.equal(loggers.configs[0]?.configSource, 6, 'DYNAMIC_BROKER_LOGGER_CONFIG');
});

t.test('AlterConfigs replaces a topic set; IncrementalAlterConfigs ops; validation', async (t) => {
  const { port, broker } = await brokerFor(t);
  const c = await rawClient(port);
  t.teardown(() => c.close());
  await c.call(CreateTopicsApi, 4, {
    topics: [
      {
        ...defaultCreateTopicsRequestCreatableTopic(),
        name: 'alt',
        numPartitions: 1,
        replicationFactor: 1,
        configs: [{ name: 'retention.ms', value: '1000' }],
      },
    ],
    timeoutMs: 1000,
    validateOnly: false,
  });
  const configs = () => Object.fromEntries(broker.controller.image.topicsByName.get('alt')!.configs);

  for (let v = 0; v <= 2; v++) {
    const res = await c.call(AlterConfigsApi, v, {
      resources: [
        { resourceType: TOPIC, resourceName: 'alt', configs: [{ name: 'segment.ms', value: String(1000 + v) }] },
      ],
      validateOnly: false,
    });
    t.equal(res.responses[0]!.errorCode, 0, `v${v} alters`);
    t.same(configs(), { 'segment.ms': String(1000 + v) }, 'the whole set is replaced');
  }
  const invalid = await c.call(AlterConfigsApi, 2, {
    resources: [
      { resourceType: TOPIC, resourceName: 'alt', configs: [{ name: 'segment.ms', value: 'x' }] },
      { resourceType: TOPIC, resourceName: 'missing', configs: [{ name: 'segment.ms', value: '1' }] },
      { resourceType: BROKER, resourceName: '1', configs: [{ name: 'node.id', value: '2' }] },
    ],
    validateOnly: false,
  });
  t.same(
    invalid.responses.map((r) => r.errorCode),
    [40, 3, 42],
    'INVALID_CONFIG, UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST for a read-only broker config',
  );
  t.same(configs(), { 'segment.ms': '1002' }, 'unchanged after errors');

  t.equal(
    (await incremental(c, TOPIC, 'alt', [{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }])).errorCode,
    0,
    'APPEND',
  );
  t.equal(configs()['cleanup.policy'], 'delete,compact', 'APPEND starts from the default');
  t.equal(
    (await incremental(c, TOPIC, 'alt', [{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }])).errorCode,
    0,
    'SUBTRACT',
  );
  t.equal(configs()['cleanup.policy'], 'compact');
  t.equal(
    (await incremental(c, TOPIC, 'alt', [{ name: 'segment.ms', configOperation: 1, value: null }])).errorCode,
    0,
    'DELETE',
  );
  t.equal(configs()['segment.ms'], undefined);
  t.equal(
    (await incremental(c, TOPIC, 'alt', [{ name: 'retention.ms', configOperation: 0, value: '5000' }], true)).errorCode,
    0,
    'validateOnly SET',
  );
  t.equal(configs()['retention.ms'], undefined, 'validateOnly changes nothing');
  t.equal(
    (await incremental(c, TOPIC, 'alt', [{ name: 'retention.ms', configOperation: 2, value: '1' }])).errorCode,
    40,
    'APPEND to a non-list is INVALID_CONFIG',
  );
  t.equal(
    (await incremental(c, TOPIC, 'alt', [{ name: 'bogus', configOperation: 0, value: '1' }])).errorCode,
    40,
    'unknown config is INVALID_CONFIG',
  );
  t.equal(
    (await incremental(c, TOPIC, 'alt', [{ name: 'retention.ms', configOperation: 9, value: '1' }])).errorCode,
    42,
    'unknown op is INVALID_REQUEST',
  );
  t.equal(
    (
      await incremental(c, TOPIC, 'alt', [
        { name: 'retention.ms', configOperation: 0, value: '1' },
        { name: 'retention.ms', configOperation: 0, value: '2' },
      ])
    ).errorCode,
    42,
    'a key named twice is INVALID_REQUEST',
  );
  t.equal(
    (await incremental(c, TOPIC, 'alt', [{ name: 'retention.ms', configOperation: 0, value: null }])).errorCode,
    42,
    'a null SET is INVALID_REQUEST',
  );

  // Dynamic broker configs.
  t.equal(
    (await incremental(c, BROKER, '1', [{ name: 'log.retention.ms', configOperation: 0, value: '7200000' }])).errorCode,
    0,
    'a dynamic broker config',
  );
  t.equal(
    broker.controller.image.brokerConfigs.get('1')?.get('log.retention.ms'),
    '7200000',
    'stored as a ConfigRecord',
  );
  t.equal(broker.services.config.raw('log.retention.ms'), '7200000', 'and in force');
  const topicView = await describe(c, 4, TOPIC, 'alt', ['retention.ms']);
  t.same(
    [topicView.configs[0]!.value, topicView.configs[0]!.configSource],
    ['7200000', 2],
    'topics see DYNAMIC_BROKER_CONFIG',
  );
  t.equal(
    (await incremental(c, BROKER, '', [{ name: 'min.insync.replicas', configOperation: 0, value: '2' }])).errorCode,
    0,
    'a cluster default',
  );
  const defaults = await describe(c, 4, BROKER, '');
  t.same(
    defaults.configs.map((x) => [x.name, x.value, x.configSource]),
    [['min.insync.replicas', '2', 3]],
    'DYNAMIC_DEFAULT_BROKER_CONFIG',
  );
  const own = await describe(c, 4, BROKER, '1', ['min.insync.replicas']);
  t.same(
    own.configs[0]!.synonyms.map((s) => [s.source, s.value]),
    [
      [3, '2'],
      [5, '1'],
    ],
  );
  t.equal(
    (await incremental(c, BROKER, '1', [{ name: 'log.dirs', configOperation: 0, value: '/x' }])).errorCode,
    42,
    'read-only broker config',
  );
  t.equal(
    (await incremental(c, BROKER, '1', [{ name: 'min.insync.replicas', configOperation: 0, value: 'two' }])).errorCode,
    42,
    'bad broker value',
  );
  t.equal(
    (await incremental(c, BROKER, '7', [{ name: 'min.insync.replicas', configOperation: 0, value: '1' }])).errorCode,
    42,
    'another broker',
  );
  t.equal(
    (await incremental(c, BROKER, '', [{ name: 'ssl.keystore.password', configOperation: 0, value: 'x' }])).errorCode,
    42,
    'per-broker only',
  );
  t.equal(
    (await incremental(c, BROKER, '1', [{ name: 'log.retention.ms', configOperation: 1, value: null }])).errorCode,
    0,
    'DELETE a dynamic config',
  );
  t.equal(broker.services.config.raw('log.retention.ms'), null, 'no longer in force');
});

t.test(
  'the broker serves with its dynamic configs: own and cluster-default changes apply, rebuilt only on change',
  async (t) => {
    const running = await brokerFor(t);
    const c = await rawClient(running.port);
    t.teardown(() => c.close());
    const config = () => running.broker.services.config;
    const before = config().raw('log.retention.ms');
    t.equal(
      (await incremental(c, 4, '', [{ name: 'log.retention.ms', configOperation: 0, value: '5000' }])).errorCode,
      0,
    );
    t.equal(config().int('log.retention.ms'), 5000, 'a cluster default applies');
    t.equal(
      (await incremental(c, 4, '1', [{ name: 'log.retention.ms', configOperation: 0, value: '7000' }])).errorCode,
      0,
    );
    t.equal(config().int('log.retention.ms'), 7000, "this broker's own value wins over the default");
    const same = config();
    t.equal(config(), same, 'no rebuild while nothing changes');
    t.equal(
      (await incremental(c, 4, '1', [{ name: 'log.retention.ms', configOperation: 1, value: null }])).errorCode,
      0,
    );
    t.equal(config().int('log.retention.ms'), 5000, 'deleting it falls back to the default');
    t.equal(
      (await incremental(c, 4, '', [{ name: 'log.retention.ms', configOperation: 1, value: null }])).errorCode,
      0,
    );
    t.equal(config().raw('log.retention.ms'), before, 'and then to the static value');
  },
);

t.test('DescribeConfigs: a resource of an unknown type fails the whole request, as Kafka', async (t) => {
  // Kafka's ConfigHelper throws InvalidRequestException while authorizing a resource whose type it does
  // not know (sarama 1.22's BrokerResource is 5); the request's error response then answers every
  // resource INVALID_REQUEST with the error's default message and no configs.
  const { port } = await brokerFor(t);
  const c = await rawClient(port);
  t.teardown(() => c.close());
  for (const unknownType of [5, 0, 1, 3]) {
    const res = await c.call(DescribeConfigsApi, 0, {
      resources: [
        { resourceType: BROKER, resourceName: '1', configurationKeys: null },
        { resourceType: unknownType, resourceName: '1', configurationKeys: null },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    t.same(
      res.results.map((r) => [r.resourceType, r.resourceName, r.errorCode, r.errorMessage, r.configs.length]),
      [
        [BROKER, '1', 42, INVALID_REQUEST_MESSAGE, 0],
        [unknownType, '1', 42, INVALID_REQUEST_MESSAGE, 0],
      ],
      `type ${unknownType}`,
    );
  }
});
