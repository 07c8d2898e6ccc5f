/**
 * The admin APIs Kafka 3.9 serves on a plain single node: the ACL APIs without an authorizer
 * (SECURITY_DISABLED; raw frames in every version and kafkajs admin), client quotas stored in the
 * metadata log and described (raw frames; kept across a restart) and ElectLeaders per partition.
 */
import t from 'tap';
import kafkajs from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { DescribeAclsApi } from '../../protocol/generated/messages/29-describe-acls.js';
import { CreateAclsApi } from '../../protocol/generated/messages/30-create-acls.js';
import { DeleteAclsApi } from '../../protocol/generated/messages/31-delete-acls.js';
import { ElectLeadersApi } from '../../protocol/generated/messages/43-elect-leaders.js';
import { DescribeClientQuotasApi } from '../../protocol/generated/messages/48-describe-client-quotas.js';
import { AlterClientQuotasApi } from '../../protocol/generated/messages/49-alter-client-quotas.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;

const acl = {
  resourceType: 2,
  resourceName: 'orders',
  resourcePatternType: 3,
  principal: 'User:alice',
  host: '*',
  operation: 3,
  permissionType: 3,
};
const filter = {
  resourceTypeFilter: 1,
  resourceNameFilter: null,
  patternTypeFilter: 1,
  principalFilter: null,
  hostFilter: null,
  operation: 1,
  permissionType: 1,
};

t.test('ACL APIs answer SECURITY_DISABLED without an authorizer, in every version', async (t) => {
  const { port, bootstrap } = await brokerFor(t);
  const c = await rawClient(port);
  t.teardown(() => c.close());
  for (const v of [0, 1, 2, 3]) {
    const created = await c.call(CreateAclsApi, v, { creations: [acl, { ...acl, principal: 'User:bob' }] });
    t.same(
      created.results.map((r) => [r.errorCode, r.errorMessage]),
      [
        [ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.'],
        [ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.'],
      ],
      `CreateAcls v${v}`,
    );
    // v0 knows only literal patterns (3), the default of patternTypeFilter there
    const versionFilter = { ...filter, patternTypeFilter: v === 0 ? 3 : 1 };
    const described = await c.call(DescribeAclsApi, v, versionFilter);
    t.equal(described.errorCode, ErrorCode.SECURITY_DISABLED, `DescribeAcls v${v}`);
    t.same(described.resources, []);
    const deleted = await c.call(DeleteAclsApi, v, { filters: [versionFilter] });
    t.same(
      deleted.filterResults.map((r) => [r.errorCode, r.matchingAcls.length]),
      [[ErrorCode.SECURITY_DISABLED, 0]],
      `DeleteAcls v${v}`,
    );
  }
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const refused = (await admin
    .createAcls({
      acl: [
        {
          resourceType: AclResourceTypes.TOPIC,
          resourceName: 'orders',
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: 'User:alice',
          host: '*',
          operation: AclOperationTypes.WRITE,
          permissionType: AclPermissionTypes.ALLOW,
        },
      ],
    })
    .catch((e: unknown) => e)) as { type?: string; name?: string };
  t.equal(refused.type, 'SECURITY_DISABLED', 'kafkajs createAcls: SECURITY_DISABLED, the connection stays up');
  const describeError = (await admin
    .describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    })
    .catch((e: unknown) => e)) as { type?: string };
  t.equal(describeError.type, 'SECURITY_DISABLED', 'kafkajs describeAcls');
});

t.test('client quotas are validated, stored in the metadata log and described', async (t) => {
  const dataDir = t.testdir();
  let running = await brokerFor(t, { dataDir });
  let c = await rawClient(running.port);
  const alter = (
    entity: Array<{ entityType: string; entityName: string | null }>,
    ops: Array<{ key: string; value: number; remove: boolean }>,
    validateOnly = false,
  ) => c.call(AlterClientQuotasApi, 1, { entries: [{ entity, ops }], validateOnly });
  const describe = (
    components: Array<{ entityType: string; matchType: number; match: string | null }>,
    strict = false,
    version = 1,
  ) => c.call(DescribeClientQuotasApi, version, { components, strict });

  const ok = await c.call(AlterClientQuotasApi, 0, {
    entries: [
      {
        entity: [{ entityType: 'user', entityName: 'alice' }],
        ops: [{ key: 'producer_byte_rate', value: 1048576, remove: false }],
      },
      {
        entity: [
          { entityType: 'user', entityName: null },
          { entityType: 'client-id', entityName: 'app' },
        ],
        ops: [{ key: 'request_percentage', value: 25.5, remove: false }],
      },
      {
        entity: [{ entityType: 'ip', entityName: '10.1.2.3' }],
        ops: [{ key: 'connection_creation_rate', value: 10, remove: false }],
      },
      {
        entity: [
          { entityType: 'ip', entityName: '10.1.2.3' },
          { entityType: 'user', entityName: 'x' },
        ],
        ops: [],
      },
      {
        entity: [{ entityType: 'user', entityName: 'bob' }],
        ops: [{ key: 'producer_byte_rate', value: 1.5, remove: false }],
      },
      { entity: [{ entityType: 'group', entityName: 'g' }], ops: [] },
    ],
    validateOnly: false,
  });
  // Kafka's order: its answer iterates a HashMap of entity to result (a JVM gives this order for
  // these six entities), each entity's parts a HashMap of type to name
  const named = (e: (typeof ok.entries)[number]): string =>
    e.entity.map((p) => `${p.entityType}=${p.entityName ?? '<default>'}`).join(',');
  t.same(
    ok.entries.map((e) => [named(e), e.errorCode]),
    [
      ['ip=10.1.2.3', 0],
      ['client-id=app,user=<default>', 0],
      ['user=alice', 0],
      ['group=g', ErrorCode.UNSUPPORTED_VERSION],
      ['user=bob', ErrorCode.INVALID_REQUEST],
      ['user=x,ip=10.1.2.3', ErrorCode.INVALID_REQUEST],
    ],
    'per-entry results (an ip takes connection_creation_rate)',
  );
  const mutation = await alter(
    [{ entityType: 'client-id', entityName: 'tool' }],
    [{ key: 'controller_mutation_rate', value: 10, remove: false }],
  );
  t.equal(mutation.entries[0]!.errorCode, 0, 'controller_mutation_rate is set (and enforced)');
  t.equal(ok.entries[4]!.errorMessage, 'producer_byte_rate cannot be a fractional value.');
  t.same(
    ok.entries[1]!.entity,
    [
      { entityType: 'client-id', entityName: 'app' },
      { entityType: 'user', entityName: null },
    ],
    'entity echoed',
  );
  const dry = await alter(
    [{ entityType: 'user', entityName: 'carol' }],
    [{ key: 'consumer_byte_rate', value: 100, remove: false }],
    true,
  );
  t.equal(dry.entries[0]!.errorCode, 0, 'validateOnly accepted');

  const all = await describe([]);
  t.equal(all.errorCode, 0);
  t.equal(all.entries?.length, 4, 'validateOnly wrote nothing, refused entries neither');
  const alice = await describe([{ entityType: 'user', matchType: 0, match: 'alice' }], true, 0);
  t.same(
    alice.entries,
    [
      {
        entity: [{ entityType: 'user', entityName: 'alice' }],
        values: [{ key: 'producer_byte_rate', value: 1048576 }],
      },
    ],
    'v0 exact',
  );
  const defaults = await describe([{ entityType: 'user', matchType: 1, match: null }]);
  t.same(
    defaults.entries?.[0]?.values,
    [{ key: 'request_percentage', value: 25.5 }],
    'default user, with client-id app',
  );
  const bad = await describe([
    { entityType: 'ip', matchType: 2, match: null },
    { entityType: 'user', matchType: 2, match: null },
  ]);
  t.equal(bad.errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(bad.entries, null);

  // survives a restart: the quotas are in the metadata log
  c.close();
  await running.stop();
  running = await brokerFor(t, { dataDir });
  c = await rawClient(running.port);
  t.teardown(() => c.close());
  t.equal((await describe([])).entries?.length, 4, 'replayed from the metadata log');
  const removed = await alter(
    [{ entityType: 'user', entityName: 'alice' }],
    [{ key: 'producer_byte_rate', value: 0, remove: true }],
  );
  t.equal(removed.entries[0]!.errorCode, 0);
  t.same(
    (await describe([{ entityType: 'user', matchType: 2, match: null }])).entries?.map((e) =>
      e.entity.map((p) => p.entityName),
    ),
    [['app', null]],
    'alice removed with her last quota',
  );
});

t.test('ElectLeaders answers per partition as a single-node Kafka', async (t) => {
  const { port } = await brokerFor(t);
  const c = await rawClient(port);
  t.teardown(() => c.close());
  await c.call(CreateTopicsApi, 7, {
    topics: [{ ...defaultCreateTopicsRequestCreatableTopic(), name: 'elect', numPartitions: 2, replicationFactor: 1 }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  for (const v of [0, 1, 2]) {
    const res = await c.call(ElectLeadersApi, v, {
      electionType: 0,
      topicPartitions: [
        { topic: 'elect', partitions: [0, 1, 7] },
        { topic: 'missing', partitions: [0] },
      ],
      timeoutMs: 1000,
    });
    t.same(
      res.replicaElectionResults.map((r) => [r.topic, r.partitionResult.map((p) => [p.partitionId, p.errorCode])]),
      [
        [
          'elect',
          [
            [0, ErrorCode.ELECTION_NOT_NEEDED],
            [1, ErrorCode.ELECTION_NOT_NEEDED],
            [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
          ],
        ],
        ['missing', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
      ],
      `v${v}: preferred leader already leads`,
    );
  }
  const unclean = await c.call(ElectLeadersApi, 1, {
    electionType: 1,
    topicPartitions: [{ topic: 'elect', partitions: [0] }],
    timeoutMs: 1000,
  });
  t.equal(
    unclean.replicaElectionResults[0]!.partitionResult[0]!.errorCode,
    ErrorCode.ELECTION_NOT_NEEDED,
    'unclean: the partition has a leader',
  );
  const everything = await c.call(ElectLeadersApi, 2, { electionType: 0, topicPartitions: null, timeoutMs: 1000 });
  t.equal(everything.errorCode, 0);
  t.same(everything.replicaElectionResults, [], 'all partitions: none needed an election');
  const unknownType = await c.call(ElectLeadersApi, 1, {
    electionType: 5,
    topicPartitions: [{ topic: 'elect', partitions: [0] }],
    timeoutMs: 1000,
  });
  t.equal(unknownType.errorCode, ErrorCode.INVALID_REQUEST);
});
