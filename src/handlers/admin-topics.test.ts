import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequestCreatableTopic,
  type CreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { DeleteTopicsApi } from '../../protocol/generated/messages/20-delete-topics.js';
import { CreatePartitionsApi } from '../../protocol/generated/messages/37-create-partitions.js';
import { MetadataApi } from '../../protocol/generated/messages/03-metadata.js';

const topic = (
  over: Partial<CreateTopicsRequestCreatableTopic> & { name: string },
): CreateTopicsRequestCreatableTopic => ({
  ...defaultCreateTopicsRequestCreatableTopic(),
  numPartitions: 1,
  replicationFactor: 1,
  ...over,
});

async function create(
  c: RawClient,
  version: number,
  topics: CreateTopicsRequestCreatableTopic[],
  validateOnly = false,
) {
  return c.call(CreateTopicsApi, version, { topics, timeoutMs: 1000, validateOnly });
}

async function partitionsOf(c: RawClient, name: string): Promise<number> {
  const md = await c.call(MetadataApi, 12, {
    topics: [{ topicId: ZERO_UUID, name }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  return md.topics[0]!.errorCode === 0 ? md.topics[0]!.partitions.length : -md.topics[0]!.errorCode;
}

t.test('CreateTopics: every version creates; errors as Kafka', async (t) => {
  const { port, broker } = await brokerFor(t, { config: { 'num.partitions': 4 } });
  const c = await rawClient(port);
  t.teardown(() => c.close());

  for (let v = 0; v <= 7; v++) {
    const res = await create(c, v, [topic({ name: `t-v${v}`, numPartitions: 2 })]);
    t.equal(res.topics[0]!.errorCode, 0, `v${v} creates`);
    t.equal(await partitionsOf(c, `t-v${v}`), 2, `v${v} topic has 2 partitions`);
    if (v >= 5) {
      t.equal(res.topics[0]!.numPartitions, 2, `v${v} reports numPartitions`);
      t.equal(res.topics[0]!.replicationFactor, 1);
      const retention = res.topics[0]!.configs!.find((x) => x.name === 'retention.ms');
      t.equal(retention?.value, '604800000', `v${v} reports effective configs`);
      t.equal(retention?.configSource, 5, 'DEFAULT_CONFIG');
    }
    if (v >= 7) t.not(res.topics[0]!.topicId, ZERO_UUID, 'v7 reports the topic id');
  }
  t.ok(broker.replicas.get('t-v7', 1), 'the replica manager opened the new partitions');

  const defaults = await create(c, 7, [topic({ name: 'defaults', numPartitions: -1, replicationFactor: -1 })]);
  t.equal(defaults.topics[0]!.errorCode, 0);
  t.equal(defaults.topics[0]!.numPartitions, 4, '-1 takes num.partitions');

  await create(c, 7, [topic({ name: 'compacted_x' })]);
  const withConfigs = await create(c, 5, [
    topic({ name: 'compacted', configs: [{ name: 'cleanup.policy', value: 'compact' }] }),
  ]);
  const policy = withConfigs.topics[0]!.configs!.find((x) => x.name === 'cleanup.policy');
  t.same([policy?.value, policy?.configSource], ['compact', 1], 'the topic config is TOPIC_CONFIG');
  t.equal(broker.controller.image.topicsByName.get('compacted')?.configs.get('cleanup.policy'), 'compact');
  const neither = await create(c, 5, [
    topic({ name: 'never-cleaned', configs: [{ name: 'cleanup.policy', value: '' }] }),
    topic({ name: 'trailing-comma', configs: [{ name: 'cleanup.policy', value: 'delete,' }] }),
  ]);
  t.equal(neither.topics[0]!.errorCode, 0, 'an empty cleanup.policy is accepted, as Kafka 3.9 does');
  t.equal(neither.topics[0]!.configs!.find((x) => x.name === 'cleanup.policy')?.value, '');
  t.equal(neither.topics[1]!.errorCode, 40, 'an empty entry in the list: INVALID_CONFIG');

  const huge = await create(
    c,
    7,
    [
      topic({ name: 'two-billion', numPartitions: 2_000_000_000 }),
      topic({ name: 'just-fits', numPartitions: 9_999 }),
      topic({ name: 'one-too-many', numPartitions: 9_999, configs: [{ name: 'retention.ms', value: '1000' }] }),
    ],
    true,
  );
  t.same(
    huge.topics.map((x) => x.errorCode),
    [44, 0, 44],
    'POLICY_VIOLATION past 10,000 records (topic + configs + partitions) in one operation, as Kafka',
  );
  t.equal(huge.topics[0]!.errorMessage, 'Unable to perform excessively large batch operation.');

  // The bound is on the whole request, as on Kafka's controller: topics that fit alone fail together.
  const together = await create(c, 7, [
    topic({ name: 'half-a', numPartitions: 6_000 }),
    topic({ name: 'half-b', numPartitions: 6_000 }),
    topic({ name: 'bad/name', numPartitions: 1 }),
    topic({ name: 'dup', numPartitions: 1 }),
    topic({ name: 'dup', numPartitions: 1 }),
  ]);
  t.same(
    together.topics.map((x) => [x.name, x.errorCode]),
    [
      ['half-a', 44],
      ['half-b', 44],
      ['bad/name', 44],
      ['dup', 42],
    ],
    'past 10,000 records in one request every creatable topic gets POLICY_VIOLATION (duplicates keep INVALID_REQUEST)',
  );
  t.same([await partitionsOf(c, 'half-a'), await partitionsOf(c, 'half-b')], [-3, -3], 'and nothing is created');
  await create(c, 7, [topic({ name: 'exists-already', numPartitions: 1 })]);
  const counted = await create(
    c,
    7,
    [
      topic({ name: 'exists-already', numPartitions: 6_000 }),
      topic({ name: 'bad/again', numPartitions: 6_000 }),
      topic({ name: 'fits', numPartitions: 6_000 }),
    ],
    true,
  );
  t.same(
    counted.topics.map((x) => x.errorCode),
    [36, 17, 0],
    'topics that fail on their own write nothing and do not count toward the bound',
  );

  const errors = await create(c, 5, [
    topic({ name: 't-v0' }),
    topic({ name: 'bad/name' }),
    topic({ name: 'zero', numPartitions: 0 }),
    topic({ name: 'rf0', replicationFactor: 0 }),
    topic({ name: 'rf3', replicationFactor: 3 }),
    topic({ name: 'unknown-config', configs: [{ name: 'no.such.config', value: '1' }] }),
    topic({ name: 'bad-value', configs: [{ name: 'retention.ms', value: 'soon' }] }),
    topic({ name: 'null-value', configs: [{ name: 'retention.ms', value: null }] }),
    topic({
      name: 'bad-assign',
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [{ partitionIndex: 0, brokerIds: [9] }],
    }),
    topic({
      name: 'gap-assign',
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [{ partitionIndex: 1, brokerIds: [1] }],
    }),
    topic({
      name: 'assign-and-count',
      numPartitions: 2,
      replicationFactor: -1,
      assignments: [{ partitionIndex: 0, brokerIds: [1] }],
    }),
    topic({ name: 'dup' }),
    topic({ name: 'dup' }),
    topic({ name: 'compacted.x' }),
  ]);
  const code = (name: string): number | undefined => errors.topics.find((x) => x.name === name)?.errorCode;
  t.equal(code('t-v0'), 36, 'TOPIC_ALREADY_EXISTS');
  t.equal(code('bad/name'), 17, 'INVALID_TOPIC_EXCEPTION');
  t.equal(code('zero'), 37, 'INVALID_PARTITIONS');
  t.equal(code('rf0'), 38, 'INVALID_REPLICATION_FACTOR');
  t.equal(code('rf3'), 38, 'INVALID_REPLICATION_FACTOR past the broker count');
  t.equal(code('unknown-config'), 40, 'INVALID_CONFIG for an unknown config');
  t.match(
    errors.topics.find((x) => x.name === 'unknown-config')?.errorMessage,
    /Unknown topic config name: no.such.config/,
  );
  t.equal(code('bad-value'), 40, 'INVALID_CONFIG for a bad value');
  t.equal(code('null-value'), 40, 'INVALID_CONFIG for a null value');
  t.equal(code('bad-assign'), 39, 'INVALID_REPLICA_ASSIGNMENT for an unknown broker');
  t.equal(code('gap-assign'), 39, 'INVALID_REPLICA_ASSIGNMENT for a gap');
  t.equal(code('assign-and-count'), 42, 'INVALID_REQUEST for both an assignment and a count');
  t.equal(code('dup'), 42, 'INVALID_REQUEST for a duplicate name');
  t.equal(code('compacted.x'), 17, 'INVALID_TOPIC_EXCEPTION for a name colliding on . and _');
  t.equal(await partitionsOf(c, 'unknown-config'), -3, 'nothing was created');

  const validate = await create(c, 4, [topic({ name: 'dry-run', numPartitions: 3 })], true);
  t.equal(validate.topics[0]!.errorCode, 0, 'validateOnly succeeds');
  t.equal(await partitionsOf(c, 'dry-run'), -3, 'but creates nothing');

  const assigned = await create(c, 3, [
    topic({
      name: 'assigned',
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [
        { partitionIndex: 0, brokerIds: [1] },
        { partitionIndex: 1, brokerIds: [1] },
      ],
    }),
  ]);
  t.equal(assigned.topics[0]!.errorCode, 0, 'a manual assignment creates');
  t.equal(await partitionsOf(c, 'assigned'), 2);

  const internal = await create(c, 7, [topic({ name: '__cluster_metadata' })]);
  t.same(
    [internal.topics[0]!.errorCode, internal.topics[0]!.errorMessage],
    [42, 'Creation of internal topic __cluster_metadata is prohibited.'],
    '__cluster_metadata is refused with INVALID_REQUEST, as Kafka',
  );
});

t.test('DeleteTopics: by name and id, errors, and deletion disabled', async (t) => {
  const { port, broker } = await brokerFor(t);
  const c = await rawClient(port);
  t.teardown(() => c.close());
  await create(c, 7, [topic({ name: 'a' }), topic({ name: 'b' }), topic({ name: 'c' })]);
  const bId = broker.controller.image.topicsByName.get('b')!.topicId;

  const v0 = await c.call(DeleteTopicsApi, 0, { topics: [], topicNames: ['a', 'missing'], timeoutMs: 1000 });
  t.same(
    v0.responses.map((r) => [r.name, r.errorCode]),
    [
      ['a', 0],
      ['missing', 3],
    ],
    'v0 by name; unknown is UNKNOWN_TOPIC_OR_PARTITION',
  );
  t.equal(await partitionsOf(c, 'a'), -3, 'a is gone');
  t.notOk(broker.replicas.get('a', 0), 'its log is closed and deleted');

  const v6 = await c.call(DeleteTopicsApi, 6, {
    topics: [
      { name: null, topicId: bId },
      { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
      { name: 'c', topicId: ZERO_UUID },
      { name: null, topicId: ZERO_UUID },
    ],
    topicNames: [],
    timeoutMs: 1000,
  });
  t.same(
    v6.responses.map((r) => [r.name, r.errorCode]),
    [
      ['b', 0],
      [null, 100],
      ['c', 0],
      [null, 42],
    ],
    'v6 by id; unknown id is UNKNOWN_TOPIC_ID; neither name nor id is INVALID_REQUEST',
  );
  t.equal(v6.responses[0]!.topicId, bId);

  for (let v = 1; v <= 5; v++) {
    await create(c, 7, [topic({ name: `d${v}` })]);
    const res = await c.call(DeleteTopicsApi, v, { topics: [], topicNames: [`d${v}`], timeoutMs: 1000 });
    t.equal(res.responses[0]!.errorCode, 0, `v${v} deletes`);
  }
});

t.test('DeleteTopics with delete.topic.enable=false', async (t) => {
  const { port } = await brokerFor(t, { config: { 'delete.topic.enable': false } });
  const c = await rawClient(port);
  t.teardown(() => c.close());
  await create(c, 7, [topic({ name: 'kept' })]);
  const v4 = await c.call(DeleteTopicsApi, 4, { topics: [], topicNames: ['kept'], timeoutMs: 1000 });
  t.equal(v4.responses[0]!.errorCode, 73, 'TOPIC_DELETION_DISABLED');
  const v1 = await c.call(DeleteTopicsApi, 1, { topics: [], topicNames: ['kept'], timeoutMs: 1000 });
  t.equal(v1.responses[0]!.errorCode, 42, 'INVALID_REQUEST before v3');
  t.equal(await partitionsOf(c, 'kept'), 1);
});

t.test('CreatePartitions: count, assignments, validateOnly and errors', async (t) => {
  const { port, broker } = await brokerFor(t);
  const c = await rawClient(port);
  t.teardown(() => c.close());
  await create(c, 7, [topic({ name: 'grow', numPartitions: 1 })]);
  for (let v = 0; v <= 3; v++) {
    const res = await c.call(CreatePartitionsApi, v, {
      topics: [{ name: 'grow', count: v + 2, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    t.equal(res.results[0]!.errorCode, 0, `v${v} grows`);
    t.equal(await partitionsOf(c, 'grow'), v + 2);
  }
  t.ok(broker.replicas.get('grow', 4), 'the new partition has a log');

  const dry = await c.call(CreatePartitionsApi, 3, {
    topics: [{ name: 'grow', count: 10, assignments: null }],
    timeoutMs: 1000,
    validateOnly: true,
  });
  t.equal(dry.results[0]!.errorCode, 0);
  t.equal(await partitionsOf(c, 'grow'), 5, 'validateOnly changes nothing');

  const huge = await c.call(CreatePartitionsApi, 3, {
    topics: [{ name: 'grow', count: 2_000_000_000, assignments: null }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  t.same(
    [huge.results[0]!.errorCode, huge.results[0]!.errorMessage],
    [44, 'Unable to perform excessively large batch operation.'],
    'two billion partitions: POLICY_VIOLATION (Kafka: more than 10,000 records in one operation), no allocation',
  );
  await create(c, 7, [topic({ name: 'grow-b' })]);
  const together = await c.call(CreatePartitionsApi, 3, {
    topics: [
      { name: 'grow', count: 6_000, assignments: null },
      { name: 'grow-b', count: 6_000, assignments: null },
      { name: 'missing', count: 2, assignments: null },
    ],
    timeoutMs: 1000,
    validateOnly: false,
  });
  t.same(
    together.results.map((r) => r.errorCode),
    [44, 44, 44],
    'past 10,000 new partitions in one request every topic gets POLICY_VIOLATION, as on Kafka',
  );
  t.same([await partitionsOf(c, 'grow'), await partitionsOf(c, 'grow-b')], [5, 1], 'and nothing grows');

  const assigned = await c.call(CreatePartitionsApi, 3, {
    topics: [{ name: 'grow', count: 6, assignments: [{ brokerIds: [1] }] }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  t.equal(assigned.results[0]!.errorCode, 0, 'with an assignment');

  const errors = await c.call(CreatePartitionsApi, 3, {
    topics: [
      { name: 'grow', count: 3, assignments: null },
      { name: 'missing', count: 3, assignments: null },
      { name: 'grow2', count: 3, assignments: null },
    ],
    timeoutMs: 1000,
    validateOnly: false,
  });
  t.equal(errors.results[0]!.errorCode, 37, 'INVALID_PARTITIONS for a decrease');
  t.equal(errors.results[1]!.errorCode, 3, 'UNKNOWN_TOPIC_OR_PARTITION');
  const badAssign = await c.call(CreatePartitionsApi, 3, {
    topics: [{ name: 'grow', count: 8, assignments: [{ brokerIds: [1] }] }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  t.equal(badAssign.results[0]!.errorCode, 39, 'INVALID_REPLICA_ASSIGNMENT for too few assignments');
  const badBroker = await c.call(CreatePartitionsApi, 3, {
    topics: [{ name: 'grow', count: 7, assignments: [{ brokerIds: [5] }] }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  t.equal(badBroker.results[0]!.errorCode, 39, 'INVALID_REPLICA_ASSIGNMENT for an unknown broker');
  t.equal(await partitionsOf(c, 'grow'), 6);
});

t.test(
  'empty and missing topic names in old versions get answers that encode (found by test/protocol/handler-fuzz)',
  async (t) => {
    const { port } = await brokerFor(t, { storage: 'memory' });
    const c = await rawClient(port);
    t.teardown(() => c.close());
    const deleted = await c.call(DeleteTopicsApi, 3, { topicNames: [''], topics: [], timeoutMs: 1000 });
    t.same(
      deleted.responses.map((r) => [r.name, r.errorCode]),
      [['', 3]],
      'DeleteTopics v3: an empty name is an unknown topic (UNKNOWN_TOPIC_OR_PARTITION), the connection stays',
    );
    const metadata = (version: number, topics: Array<{ name: string | null; topicId: string }>) =>
      c.call(MetadataApi, version, {
        topics,
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
    const v7 = await metadata(7, [{ name: '', topicId: ZERO_UUID }]);
    t.same(
      [v7.topics[0]!.name, v7.topics[0]!.errorCode],
      ['', 17],
      'Metadata v7: an empty name is INVALID_TOPIC_EXCEPTION',
    );
    const v11 = await metadata(11, [
      { name: null, topicId: ZERO_UUID },
      { name: 'x', topicId: ZERO_UUID },
    ]);
    t.same(
      v11.topics.map((x) => [x.name, x.errorCode]),
      [
        ['', 42],
        ['x', 42],
      ],
      'Metadata v11: a topic without a name is INVALID_REQUEST for every topic, as Kafka refuses ids before v12',
    );
    const v12 = await metadata(12, [{ name: null, topicId: ZERO_UUID }]);
    t.equal(v12.topics[0]!.errorCode, 100, 'Metadata v12: by id (UNKNOWN_TOPIC_ID)');
  },
);
