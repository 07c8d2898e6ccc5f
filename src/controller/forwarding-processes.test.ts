/**
 * Forwarding across real processes: three combined nodes; kafkajs admin bootstrapped on a follower
 * creates, alters, grows and deletes topics (the follower names itself controller and forwards each
 * request in an Envelope to the Raft leader); raw Envelope frames on the controller listeners get
 * the leader's answer, NOT_CONTROLLER from a follower and INVALID_REQUEST for a request that is not
 * forwardable; ApiVersions on a controller listener lists the controller APIs. Then the leader is
 * killed and an admin request sent to a survivor at once still succeeds (it waits for the new leader
 * or gets a retriable NOT_CONTROLLER that kafkajs retries).
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { readResponseHeader, writeRequestHeader } from '../../protocol/frame.js';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import { EnvelopeApi } from '../../protocol/generated/messages/58-envelope.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { MetadataApi } from '../../protocol/generated/messages/03-metadata.js';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { InitProducerIdApi } from '../../protocol/generated/messages/22-init-producer-id.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { serializePrincipal } from './forwarding.js';

function innerFrame<Req, Res>(api: ApiDefinition<Req, Res>, version: number, body: Req, correlationId: number): Buffer {
  const w = new Writer();
  writeRequestHeader(w, {
    requestApiKey: api.apiKey,
    requestApiVersion: version,
    correlationId,
    clientId: 'envelope-test',
  });
  api.encodeRequest(w, version, body);
  return w.toBuffer();
}

async function topicOn(
  cluster: ProcessCluster,
  nodes: ClusterNode[],
  topic: string,
  partitions: number,
): Promise<boolean> {
  const answers = await Promise.all(nodes.map((n) => cluster.metadata(n, [topic])));
  return answers.every((a) => a?.topics[0]?.errorCode === 0 && a.topics[0].partitions.length === partitions);
}

async function topicGone(cluster: ProcessCluster, nodes: ClusterNode[], topic: string): Promise<boolean> {
  const answers = await Promise.all(nodes.map((n) => cluster.metadata(n, [topic])));
  return answers.every((a) => a?.topics[0]?.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
}

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('a follower forwards admin requests to the active controller', async (t) => {
  const cluster = new ProcessCluster({
    ...FAST_QUORUM_SETTINGS,
  });
  t.teardown(() => cluster.stop());
  await cluster.start(3);
  const all = cluster.nodes;
  const view = await cluster.waitFor('a leader', 20000, () => cluster.agreedLeader(all));
  const leader = all.find((n) => n.id === view.leaderId)!;
  const follower = all.find((n) => n.id !== view.leaderId)!;
  // Every broker registered (so kafkajs sees all three).
  await cluster.waitFor(
    'three registered brokers',
    10000,
    async () => (await cluster.metadata(follower, []))?.brokers.length === 3,
  );

  const kafka = new Kafka({
    clientId: 'forward-test',
    brokers: [`127.0.0.1:${follower.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 500 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());

  const md = await cluster.metadata(follower, []);
  t.equal(md?.controllerId, follower.id, 'the follower names itself controller (KRaft brokers name a live broker)');

  t.equal(
    await admin.createTopics({ topics: [{ topic: 'fwd-a', numPartitions: 2 }] }),
    true,
    'createTopics through the follower',
  );
  await cluster.waitFor('fwd-a everywhere', 5000, () => topicOn(cluster, all, 'fwd-a', 2));
  t.equal(
    await admin.createTopics({ topics: [{ topic: 'fwd-a', numPartitions: 2 }] }),
    false,
    'TOPIC_ALREADY_EXISTS comes back from the controller (kafkajs answers false)',
  );
  await admin.createPartitions({ topicPartitions: [{ topic: 'fwd-a', count: 4 }] });
  await cluster.waitFor('fwd-a has 4 partitions everywhere', 5000, () => topicOn(cluster, all, 'fwd-a', 4));
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: 2, name: 'fwd-a', configEntries: [{ name: 'retention.ms', value: '12345' }] }],
  });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 2, name: 'fwd-a', configNames: ['retention.ms'] }],
  });
  t.equal(described.resources[0]?.configEntries[0]?.configValue, '12345', 'the config change reached the follower');
  await admin.deleteTopics({ topics: ['fwd-a'] });
  await cluster.waitFor('fwd-a deleted everywhere', 5000, () => topicGone(cluster, all, 'fwd-a'));
  t.pass('create, createPartitions, alterConfigs and delete all forwarded');

  // Raw Envelope frames on the controller listeners.
  const create = {
    ...defaultCreateTopicsRequest(),
    timeoutMs: 5000,
    topics: [
      { ...defaultCreateTopicsRequestCreatableTopic(), name: 'fwd-raw', numPartitions: 1, replicationFactor: 1 },
    ],
  };
  const envelope = (data: Buffer) => ({
    requestData: data,
    requestPrincipal: serializePrincipal('User', 'ANONYMOUS'),
    clientHostAddress: Buffer.from([127, 0, 0, 1]),
  });
  const onLeader = await rawClient(leader.controllerPort);
  const onFollower = await rawClient(follower.controllerPort);
  t.teardown(() => {
    onLeader.close();
    onFollower.close();
  });
  const refused = await onFollower.call(EnvelopeApi, 0, envelope(innerFrame(CreateTopicsApi, 7, create, 77)));
  t.equal(refused.errorCode, ErrorCode.NOT_CONTROLLER, 'a follower controller refuses envelopes with NOT_CONTROLLER');
  const answered = await onLeader.call(EnvelopeApi, 0, envelope(innerFrame(CreateTopicsApi, 7, create, 77)));
  t.equal(answered.errorCode, 0);
  const r = new Reader(answered.responseData!);
  t.equal(
    readResponseHeader(r, CreateTopicsApi.apiKey, 7).correlationId,
    77,
    'the inner answer keeps the inner correlation id',
  );
  const inner = CreateTopicsApi.decodeResponse(r, 7);
  t.equal(inner.topics[0]?.errorCode, 0, 'the leader created the topic');
  const metadataInside = await onLeader.call(
    EnvelopeApi,
    0,
    envelope(
      innerFrame(
        MetadataApi,
        9,
        {
          topics: null,
          allowAutoTopicCreation: false,
          includeClusterAuthorizedOperations: false,
          includeTopicAuthorizedOperations: false,
        },
        5,
      ),
    ),
  );
  t.equal(metadataInside.errorCode, ErrorCode.INVALID_REQUEST, 'Metadata is not forwardable');
  const garbage = await onLeader.call(EnvelopeApi, 0, envelope(Buffer.from([0, 19])));
  t.equal(garbage.errorCode, ErrorCode.INVALID_REQUEST, 'an inner header that does not parse');
  const badPrincipal = await onLeader.call(EnvelopeApi, 0, {
    ...envelope(innerFrame(CreateTopicsApi, 7, create, 78)),
    requestPrincipal: Buffer.from([0, 9, 1]),
  });
  t.equal(badPrincipal.errorCode, ErrorCode.PRINCIPAL_DESERIALIZATION_FAILURE);

  const versions = await onFollower.call(ApiVersionsApi, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  const keys = new Set(versions.apiKeys.map((k) => k.apiKey));
  for (const key of [1, 18, 52, 53, 54, 55, 58, 59, 62, 63, 67])
    t.ok(keys.has(key), `controller ApiVersions lists ${key}`);
  for (const key of [0, 3, 8, 11, 22]) t.notOk(keys.has(key), `controller ApiVersions leaves out broker API ${key}`);

  // Producer ids: a follower takes its block from the active controller with AllocateProducerIds.
  const ids: bigint[] = [];
  for (const node of [follower, leader, follower]) {
    const c = await rawClient(node.port);
    const r = await c.call(InitProducerIdApi, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60000,
      producerId: -1n,
      producerEpoch: -1,
    });
    c.close();
    t.equal(r.errorCode, 0, `InitProducerId on node ${node.id}`);
    ids.push(r.producerId);
  }
  t.equal(new Set(ids).size, 3, `distinct producer ids across nodes (${ids.join(', ')})`);
  t.ok(ids[0]! / 1000n !== ids[1]! / 1000n, 'the follower and the leader hold different blocks');

  // Kill the leader and ask a survivor at once: the request waits for the new leader or is retried.
  cluster.kill(leader);
  const survivor = all.find((n) => n !== leader && n !== follower)!;
  const admin2 = new Kafka({
    clientId: 'forward-test-2',
    brokers: [`127.0.0.1:${survivor.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 500 },
  }).admin();
  await admin2.connect();
  t.teardown(() => admin2.disconnect());
  const started = Date.now();
  t.equal(
    await admin2.createTopics({ topics: [{ topic: 'fwd-after-kill', numPartitions: 1 }] }),
    true,
    'createTopics during the failover',
  );
  t.comment(`createTopics during failover took ${Date.now() - started} ms`);
  const survivors = all.filter((n) => n !== leader);
  await cluster.waitFor('fwd-after-kill on the survivors', 5000, () =>
    topicOn(cluster, survivors, 'fwd-after-kill', 1),
  );
});
