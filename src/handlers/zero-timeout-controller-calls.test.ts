/**
 * The other controller calls that carry a timeout_ms, with 0, as Kafka 3.9 answers them (raw frames).
 * ControllerApis gives CreatePartitions, ElectLeaders and AlterPartitionReassignments (besides
 * CreateTopics and DeleteTopics) a deadline of now + timeout_ms; QuorumController's event queue
 * fails an event whose deadline has passed before it runs, and getErrorResponse answers every entry
 * of the request as sent with REQUEST_TIMED_OUT, so nothing is done. A request with nothing for the
 * controller (an empty list) is answered at once, without the deadline.
 * Under ACLs, Kafka filters the entries by permission before the controller runs: when some entry is
 * allowed, the timeout answers the whole request, the refused entries included (the controller's
 * TimeoutException replaces the whole answer); when none is, they get TOPIC_AUTHORIZATION_FAILED.
 * DeleteTopics looks up every name given, allowed or not, with the deadline, so a refused topic
 * alone gets REQUEST_TIMED_OUT too. A whole-request refusal (CLUSTER_AUTHORIZATION_FAILED for
 * ElectLeaders and AlterPartitionReassignments) comes before the deadline.
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel, type AclOperationTypes, type AclPermissionTypes } from 'kafkajs';
import type { AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  CreatePartitionsApi,
  defaultCreatePartitionsRequestCreatePartitionsTopic,
} from '../../protocol/generated/messages/37-create-partitions.js';
import { ElectLeadersApi } from '../../protocol/generated/messages/43-elect-leaders.js';
import { AlterPartitionReassignmentsApi } from '../../protocol/generated/messages/45-alter-partition-reassignments.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { DeleteTopicsApi } from '../../protocol/generated/messages/20-delete-topics.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { STANDARD_AUTHORIZER_CLASS } from '../metadata/standard-authorizer.js';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../metadata/acl-types.js';
import type { RunningBroker } from '../index.js';

const { REQUEST_TIMED_OUT, TOPIC_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED, NONE } = ErrorCode;

const grow = (c: RawClient, timeoutMs: number, names: string[]) =>
  c.call(CreatePartitionsApi, 3, {
    topics: names.map((name) => ({
      ...defaultCreatePartitionsRequestCreatePartitionsTopic(),
      name,
      count: 2,
      assignments: null,
    })),
    timeoutMs,
    validateOnly: false,
  });

const create = (c: RawClient, timeoutMs: number, names: string[]) =>
  c.call(CreateTopicsApi, 7, {
    ...defaultCreateTopicsRequest(),
    topics: names.map((name) => ({
      ...defaultCreateTopicsRequestCreatableTopic(),
      name,
      numPartitions: 1,
      replicationFactor: 1,
    })),
    timeoutMs,
  });

const remove = (c: RawClient, timeoutMs: number, names: string[]) =>
  c.call(DeleteTopicsApi, 6, {
    topicNames: [],
    topics: names.map((name) => ({ name, topicId: ZERO_UUID })),
    timeoutMs,
  });

const reassign = (c: RawClient, timeoutMs: number, topic: string) =>
  c.call(AlterPartitionReassignmentsApi, 0, {
    timeoutMs,
    allowReplicationFactorChange: true,
    topics: topic === '' ? [] : [{ name: topic, partitions: [{ partitionIndex: 0, replicas: [1] }] }],
  });

const elect = (
  c: RawClient,
  timeoutMs: number,
  topicPartitions: Array<{ topic: string; partitions: number[] }> | null,
) => c.call(ElectLeadersApi, 2, { electionType: 0, topicPartitions, timeoutMs });

const partitionsOf = (running: RunningBroker, topic: string): number =>
  running.broker.controller.image.topicsByName.get(topic)?.partitions.size ?? 0;

const codes = (entries: Array<{ name: string | null; errorCode: number }>): Record<string, number> =>
  Object.fromEntries(entries.map((e) => [e.name ?? '', e.errorCode]));

t.test('CreatePartitions, ElectLeaders, AlterPartitionReassignments with timeout_ms 0', async (t) => {
  const running = await brokerFor(t, { config: { 'node.id': '1' } });
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  t.equal((await create(c, 5000, ['grown']))?.topics[0]?.errorCode, NONE);

  const twice = await grow(c, 0, ['grown', 'grown']);
  t.same(
    twice.results.map((r) => [r.name, r.errorCode, r.errorMessage]),
    [['grown', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.']],
    'a duplicated topic alone never reaches the controller',
  );
  const grown = await grow(c, 0, ['grown', 'grown', 'ghost']);
  t.same(
    grown.results.map((r) => [r.name, r.errorCode, r.errorMessage]),
    [
      ['grown', REQUEST_TIMED_OUT, null],
      ['grown', REQUEST_TIMED_OUT, null],
      ['ghost', REQUEST_TIMED_OUT, null],
    ],
    'with another topic every entry times out, as the request names it',
  );
  t.equal(partitionsOf(running, 'grown'), 1, 'no partition was added');
  t.same(codes((await grow(c, 0, ['grown'])).results), { grown: REQUEST_TIMED_OUT });
  t.equal(partitionsOf(running, 'grown'), 1);
  t.same(codes((await grow(c, 5000, ['grown'])).results), { grown: NONE }, 'with a timeout it is done');
  t.equal(partitionsOf(running, 'grown'), 2);

  const elected = await elect(c, 0, [{ topic: 'grown', partitions: [0, 1] }]);
  t.equal(elected.errorCode, REQUEST_TIMED_OUT, 'ElectLeaders: top-level REQUEST_TIMED_OUT');
  t.same(
    elected.replicaElectionResults.map((r) => [r.topic, r.partitionResult.map((p) => [p.partitionId, p.errorCode])]),
    [
      [
        'grown',
        [
          [0, REQUEST_TIMED_OUT],
          [1, REQUEST_TIMED_OUT],
        ],
      ],
    ],
  );
  const all = await elect(c, 0, null);
  t.same([all.errorCode, all.replicaElectionResults], [REQUEST_TIMED_OUT, []], 'every partition (null)');
  const none = await elect(c, 0, []);
  t.same([none.errorCode, none.replicaElectionResults], [NONE, []], 'an empty list never reaches the controller');
  const preferred = await elect(c, 5000, [{ topic: 'grown', partitions: [0] }]);
  t.equal(preferred.replicaElectionResults[0]?.partitionResult[0]?.errorCode, ErrorCode.ELECTION_NOT_NEEDED);

  const moved = await reassign(c, 0, 'grown');
  t.same(
    [moved.errorCode, moved.errorMessage, moved.responses.map((r) => [r.name, r.partitions.map((p) => p.errorCode)])],
    [REQUEST_TIMED_OUT, null, [['grown', [REQUEST_TIMED_OUT]]]],
    'AlterPartitionReassignments: REQUEST_TIMED_OUT at the top and for each partition',
  );
  const nothing = await reassign(c, 0, '');
  t.same([nothing.errorCode, nothing.responses], [NONE, []], 'no topics: answered at once');
  t.same((await reassign(c, 5000, 'grown')).errorCode, NONE, 'with a timeout it is served');
});

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-pw";';

async function securedBroker(t: Test, extra: Record<string, string> = {}): Promise<RunningBroker> {
  const running = await brokerFor(t, {
    config: {
      ...extra,
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'authorizer.class.name': STANDARD_AUTHORIZER_CLASS,
      'super.users': 'User:admin',
    },
  });
  const sasl = running.broker.bound.find((l) => l.name === 'SASL_PLAINTEXT')!.port;
  const admin = new Kafka({
    brokers: [`127.0.0.1:${sasl}`],
    sasl: { mechanism: 'plain', username: 'admin', password: 'admin-pw' },
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'mine' }, { topic: 'theirs' }] });
  const allow = (name: string, operation: number) => ({
    resourceType: ResourceType.TOPIC as AclResourceTypes,
    resourceName: name,
    resourcePatternType: PatternType.LITERAL as ResourcePatternTypes,
    principal: 'User:ANONYMOUS',
    host: '*',
    operation: operation as AclOperationTypes,
    permissionType: PermissionType.ALLOW as AclPermissionTypes,
  });
  await admin.createAcls({
    acl: [
      allow('mine', AclOperation.ALTER),
      allow('mine', AclOperation.DELETE),
      allow('mine', AclOperation.DESCRIBE),
      allow('new-mine', AclOperation.CREATE),
    ],
  });
  return running;
}

t.test('under ACLs: the deadline answers the whole request once something is allowed', async (t) => {
  const running = await securedBroker(t);
  const c = await rawClient(running.port);
  t.teardown(() => c.close());

  t.same(
    codes((await create(c, 0, ['new-mine', 'new-theirs'])).topics),
    { 'new-mine': REQUEST_TIMED_OUT, 'new-theirs': REQUEST_TIMED_OUT },
    'CreateTopics: the refused topic times out with the allowed one',
  );
  t.same(codes((await create(c, 0, ['new-theirs'])).topics), { 'new-theirs': TOPIC_AUTHORIZATION_FAILED });

  t.same(
    codes((await grow(c, 0, ['mine', 'theirs'])).results),
    { mine: REQUEST_TIMED_OUT, theirs: REQUEST_TIMED_OUT },
    'CreatePartitions: likewise',
  );
  t.same(codes((await grow(c, 0, ['theirs'])).results), { theirs: TOPIC_AUTHORIZATION_FAILED });

  t.same(
    codes((await remove(c, 0, ['mine', 'theirs'])).responses),
    { mine: REQUEST_TIMED_OUT, theirs: REQUEST_TIMED_OUT },
    'DeleteTopics: likewise',
  );
  t.same(
    codes((await remove(c, 0, ['theirs'])).responses),
    { theirs: REQUEST_TIMED_OUT },
    'DeleteTopics looks every name up with the deadline, a refused one too',
  );

  t.equal((await elect(c, 0, null)).errorCode, CLUSTER_AUTHORIZATION_FAILED, 'ElectLeaders: refusal first');
  t.equal((await reassign(c, 0, 'mine')).errorCode, CLUSTER_AUTHORIZATION_FAILED, 'reassignments: refusal first');

  const topics = [...running.broker.controller.image.topicsByName.keys()].filter((n) => !n.startsWith('__')).sort();
  t.same(topics, ['mine', 'theirs'], 'nothing was created or deleted');
  t.equal(partitionsOf(running, 'mine'), 1, 'nothing was added');
  t.same(codes((await remove(c, 5000, ['theirs'])).responses), { theirs: TOPIC_AUTHORIZATION_FAILED });
});

t.test('under ACLs with delete.topic.enable=false: every topic gets TOPIC_DELETION_DISABLED', async (t) => {
  const running = await securedBroker(t, { 'delete.topic.enable': 'false' });
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const answer = await remove(c, 5000, ['mine', 'theirs']);
  t.same(
    answer.responses.map((r) => [r.name, r.errorCode, r.errorMessage]),
    [
      ['mine', ErrorCode.TOPIC_DELETION_DISABLED, null],
      ['theirs', ErrorCode.TOPIC_DELETION_DISABLED, null],
    ],
    'the refused topic too, without a message, as Kafka (DeleteTopicsRequest.getErrorResponse)',
  );
});

t.test('under ACLs: duplicates first, and the refusal messages of ControllerApis', async (t) => {
  const running = await securedBroker(t);
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  // Kafka's order is a HashSet's: compared by name.
  const rows = (entries: Array<{ name: string | null; errorCode: number; errorMessage: string | null }>) =>
    entries.map((r) => [r.name, r.errorCode, r.errorMessage]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
  const { INVALID_REQUEST } = ErrorCode;
  t.same(
    rows((await create(c, 5000, ['new-theirs', 'dup', 'dup', '__cluster_metadata'])).topics),
    [
      ['__cluster_metadata', INVALID_REQUEST, 'Creation of internal topic __cluster_metadata is prohibited.'],
      ['dup', INVALID_REQUEST, 'Duplicate topic name.'],
      ['new-theirs', TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'],
    ],
    'CreateTopics: duplicates and __cluster_metadata are no permission question',
  );
  t.same(
    rows((await grow(c, 5000, ['theirs', 'dup', 'dup'])).results),
    [
      ['dup', INVALID_REQUEST, 'Duplicate topic name.'],
      ['theirs', TOPIC_AUTHORIZATION_FAILED, null],
    ],
    'CreatePartitions',
  );
  t.same(
    rows((await remove(c, 5000, ['theirs', 'dup', 'dup'])).responses),
    [
      ['dup', INVALID_REQUEST, 'Duplicate topic name.'],
      ['theirs', TOPIC_AUTHORIZATION_FAILED, 'Topic authorization failed.'],
    ],
    'DeleteTopics',
  );
});
