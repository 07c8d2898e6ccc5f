/**
 * Issue #14 on three in-process nodes: two admin requests sent at the same moment, on two
 * connections, to the active controller. Its Raft commit waits for a follower, so the second arrives
 * while the first is proposed and not committed; Kafka's controller checks it against its latest
 * state anyway: a second CreatePartitions of the same increase is INVALID_PARTITIONS (it must never
 * add the same partitions twice), a name colliding with one being created is
 * INVALID_TOPIC_EXCEPTION, a validateOnly creation of a name being created is TOPIC_ALREADY_EXISTS.
 * kafkajs' admin then sees the topics as the first requests left them.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
  type CreateTopicsRequest,
} from '../../protocol/generated/messages/19-create-topics.js';
import {
  CreatePartitionsApi,
  defaultCreatePartitionsRequest,
  type CreatePartitionsRequest,
} from '../../protocol/generated/messages/37-create-partitions.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { readResponseHeader } from '../../protocol/frame.js';
import { Reader } from '../../protocol/primitives/index.js';
import { eventually, threeNodeCluster } from '../../test/helpers/in-process-cluster.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';

const CREATE_TOPICS_VERSION = 5;
const CREATE_PARTITIONS_VERSION = 3;

function createTopics(name: string, validateOnly = false): CreateTopicsRequest {
  return {
    ...defaultCreateTopicsRequest(),
    timeoutMs: 10_000,
    validateOnly,
    topics: [{ ...defaultCreateTopicsRequestCreatableTopic(), name, numPartitions: 1, replicationFactor: 3 }],
  };
}

function createPartitions(name: string, count: number): CreatePartitionsRequest {
  return {
    ...defaultCreatePartitionsRequest(),
    timeoutMs: 10_000,
    topics: [{ name, count, assignments: null }],
  };
}

/** Writes both frames before reading either answer, so the controller has both at once. */
async function atOnce<Req, Res>(
  clients: [RawClient, RawClient],
  api: ApiDefinition<Req, Res>,
  version: number,
  requests: [Req, Req],
): Promise<[Res, Res]> {
  clients[0].send(clients[0].frame(api, version, requests[0], 1));
  clients[1].send(clients[1].frame(api, version, requests[1], 1));
  const frames = await Promise.all([clients[0].next(), clients[1].next()]);
  return frames.map((frame) => {
    const r = new Reader(frame);
    readResponseHeader(r, api.apiKey, version);
    return api.decodeResponse(r, version);
  }) as [Res, Res];
}

t.test('the second of two simultaneous admin requests sees the first before it commits', async (t) => {
  const nodes = await threeNodeCluster(t, {});
  const active = await eventually('an active controller', 10000, () =>
    nodes.find((n) => n.broker.controller.isActive()),
  );
  const kafka = new Kafka({ clientId: 'command-race', brokers: [active.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'grown', numPartitions: 1, replicationFactor: 3 }] });
  const clients: [RawClient, RawClient] = [await rawClient(active.port), await rawClient(active.port)];
  t.teardown(() => clients.forEach((c) => c.close()));

  const [first, second] = await atOnce(clients, CreatePartitionsApi, CREATE_PARTITIONS_VERSION, [
    createPartitions('grown', 3),
    createPartitions('grown', 3),
  ]);
  t.same(
    [first.results[0]?.errorCode, second.results[0]?.errorCode],
    [ErrorCode.NONE, ErrorCode.INVALID_PARTITIONS],
    'the same increase twice: the second is INVALID_PARTITIONS',
  );
  t.equal(second.results[0]?.errorMessage, 'Topic already has 3 partition(s).');

  const [dotted, underscored] = await atOnce(clients, CreateTopicsApi, CREATE_TOPICS_VERSION, [
    createTopics('race.topic'),
    createTopics('race_topic'),
  ]);
  t.same(
    [dotted.topics[0]?.errorCode, underscored.topics[0]?.errorCode],
    [ErrorCode.NONE, ErrorCode.INVALID_TOPIC_EXCEPTION],
    "a name colliding ('.' vs '_') with one being created: INVALID_TOPIC_EXCEPTION",
  );
  const [created, validated] = await atOnce(clients, CreateTopicsApi, CREATE_TOPICS_VERSION, [
    createTopics('twice'),
    createTopics('twice', true),
  ]);
  t.same(
    [created.topics[0]?.errorCode, validated.topics[0]?.errorCode],
    [ErrorCode.NONE, ErrorCode.TOPIC_ALREADY_EXISTS],
    'validateOnly of a name being created: TOPIC_ALREADY_EXISTS',
  );

  const described = await admin.fetchTopicMetadata({ topics: ['grown'] });
  t.same(described.topics[0]?.partitions.map((p) => p.partitionId).sort(), [0, 1, 2], 'kafkajs sees three partitions');
  t.notOk((await admin.listTopics()).includes('race_topic'), 'no colliding topic was created');
});
