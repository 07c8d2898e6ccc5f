/**
 * controller_mutation_rate on a real broker: CreateTopics (v6+), DeleteTopics (v5+) and
 * CreatePartitions (v3+) over a client's rate get THROTTLING_QUOTA_EXCEEDED per topic with
 * throttle_time_ms; older versions are accepted and throttled (Kafka's permissive quota); other
 * clients are untouched. Then kafkajs' admin (CreateTopics v3) over the rate: its topics are
 * created, and its next request waits for the throttle the broker answered (KIP-219). On three
 * nodes, a request sent to a broker that is not the active controller is counted there (forwarded)
 * and the forwarding broker mutes its client for the controller's throttle.
 * Quota windows 2 × 1 s: a client's bucket holds 2 s of its rate.
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../../test/helpers/broker.js';
import { threeNodeCluster } from '../../../test/helpers/in-process-cluster.js';
import { ApiVersionsApi } from '../../../protocol/generated/messages/18-api-versions.js';
import { rawClient, type RawClient } from '../../../test/helpers/raw-client.js';
import { ErrorCode } from '../../../protocol/generated/error-codes.js';
import { AlterClientQuotasApi } from '../../../protocol/generated/messages/49-alter-client-quotas.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../../protocol/generated/messages/19-create-topics.js';
import { DeleteTopicsApi } from '../../../protocol/generated/messages/20-delete-topics.js';
import { CreatePartitionsApi } from '../../../protocol/generated/messages/37-create-partitions.js';

async function setMutationRate(c: RawClient, clientId: string, rate: number): Promise<void> {
  const res = await c.call(AlterClientQuotasApi, 1, {
    entries: [
      {
        entity: [{ entityType: 'client-id', entityName: clientId }],
        ops: [{ key: 'controller_mutation_rate', value: rate, remove: false }],
      },
    ],
    validateOnly: false,
  });
  if (res.entries[0]!.errorCode !== 0) throw new Error(`AlterClientQuotas: ${res.entries[0]!.errorMessage}`);
}

const topic = (name: string, numPartitions: number) => ({
  ...defaultCreateTopicsRequestCreatableTopic(),
  name,
  numPartitions,
  replicationFactor: 1,
});

const createTopics = (c: RawClient, version: number, topics: Array<[string, number]>) =>
  c.call(CreateTopicsApi, version, {
    topics: topics.map(([name, n]) => topic(name, n)),
    timeoutMs: 5000,
    validateOnly: false,
  });

async function setup(t: Test) {
  const running = await brokerFor(t, {
    storage: 'memory',
    config: { 'quota.window.num': 2, 'quota.window.size.seconds': 1 },
  });
  const admin = await rawClient(running.port, 'admin');
  t.teardown(() => admin.close());
  return { running, admin };
}

t.test('over controller_mutation_rate: strict versions refuse, older ones throttle', async (t) => {
  t.setTimeout(60_000);
  const { running, admin } = await setup(t);
  // 1 partition a second: a bucket of 2
  await setMutationRate(admin, 'limited', 1);
  const connect = async () => {
    const c = await rawClient(running.port, 'limited');
    t.teardown(() => c.close());
    return c;
  };
  const first = await createTopics(await connect(), 7, [
    ['a', 2],
    ['b', 10],
    ['c', 1],
  ]);
  t.same(
    first.topics.map((x) => [x.name, x.errorCode]),
    [
      ['a', 0],
      ['b', 0],
      ['c', ErrorCode.THROTTLING_QUOTA_EXCEEDED],
    ],
    'a and b find tokens left (b takes the bucket to -10); c is refused',
  );
  t.equal(first.topics[2]!.errorMessage, 'The throttling quota has been exceeded.');
  t.ok(
    first.throttleTimeMs > 5000 && first.throttleTimeMs <= 10_000,
    `throttle_time_ms ${first.throttleTimeMs}: ~10 tokens short at 1/s`,
  );

  const permissive = await createTopics(await connect(), 5, [['d', 1]]);
  t.equal(permissive.topics[0]!.errorCode, 0, 'CreateTopics v5 is accepted over the rate');
  t.ok(permissive.throttleTimeMs > 5000, `and throttled ${permissive.throttleTimeMs} ms`);

  const del = await (await connect()).call(DeleteTopicsApi, 5, { topicNames: ['a'], topics: [], timeoutMs: 5000 });
  t.equal(del.responses[0]!.errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'DeleteTopics v5 refused');
  t.ok(del.throttleTimeMs > 5000, `with throttle_time_ms ${del.throttleTimeMs}`);
  const delOld = await (await connect()).call(DeleteTopicsApi, 4, { topicNames: ['a'], topics: [], timeoutMs: 5000 });
  t.equal(delOld.responses[0]!.errorCode, 0, 'DeleteTopics v4 deletes (permissive)');

  const morePartitions = (version: number) =>
    connect().then((c) =>
      c.call(CreatePartitionsApi, version, {
        topics: [{ name: 'b', count: 12, assignments: null }],
        timeoutMs: 5000,
        validateOnly: false,
      }),
    );
  const strict = await morePartitions(3);
  t.equal(strict.results[0]!.errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'CreatePartitions v3 refused');
  const old = await morePartitions(2);
  t.equal(old.results[0]!.errorCode, 0, 'CreatePartitions v2 adds them (permissive)');
  t.ok(old.throttleTimeMs > 5000, `throttled ${old.throttleTimeMs} ms`);

  const other = await createTopics(admin, 7, [['e', 50]]);
  t.same([other.topics[0]!.errorCode, other.throttleTimeMs], [0, 0], 'a client without the quota is untouched');
});

t.test('kafkajs admin over controller_mutation_rate: created, then its next request waits', async (t) => {
  t.setTimeout(60_000);
  const { running, admin } = await setup(t);
  // 2 partitions a second: a bucket of 4; 10 partitions leave it 6 short, 3 s
  await setMutationRate(admin, 'kafkajs-admin', 2);
  const kafka = new Kafka({
    clientId: 'kafkajs-admin',
    brokers: [`127.0.0.1:${running.port}`],
    logLevel: logLevel.NOTHING,
  });
  const kadmin = kafka.admin();
  await kadmin.connect();
  t.teardown(() => kadmin.disconnect());
  // not waiting for leaders: that would wait out the throttle on the Metadata requests it sends
  t.equal(
    await kadmin.createTopics({ topics: [{ topic: 'k1', numPartitions: 10 }], waitForLeaders: false }),
    true,
    'k1 created',
  );
  const asked = Date.now();
  t.equal(await kadmin.createTopics({ topics: [{ topic: 'k2', numPartitions: 1 }] }), true, 'k2 created');
  const waited = Date.now() - asked;
  t.ok(waited >= 1500, `the next CreateTopics waited ${waited} ms for the ~3 s throttle`);
  const meta = await kadmin.fetchTopicMetadata({ topics: ['k1', 'k2'] });
  t.same(
    meta.topics.map((x) => [x.name, x.partitions.length]).sort(),
    [
      ['k1', 10],
      ['k2', 1],
    ],
    'both topics exist with their partitions',
  );
});

t.test('three nodes: counted on the active controller, the forwarding broker mutes its client', async (t) => {
  t.setTimeout(90_000);
  const nodes = await threeNodeCluster(t, { 'quota.window.num': 2, 'quota.window.size.seconds': 1 });
  const follower = nodes.find((n) => !n.broker.controller.isActive())!;
  const admin = await rawClient(follower.port, 'admin');
  t.teardown(() => admin.close());
  // 2 partitions a second: a bucket of 4 on the active controller
  await setMutationRate(admin, 'limited', 2);
  const c = await rawClient(follower.port, 'limited');
  t.teardown(() => c.close());
  const res = await createTopics(c, 7, [
    ['fa', 4],
    ['fb', 6],
    ['fc', 1],
  ]);
  t.same(
    res.topics.map((x) => x.errorCode),
    [0, 0, ErrorCode.THROTTLING_QUOTA_EXCEEDED],
    'forwarded: fc refused by the controller',
  );
  t.ok(res.throttleTimeMs > 1500, `throttle_time_ms ${res.throttleTimeMs}`);
  const asked = Date.now();
  await c.call(ApiVersionsApi, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
  const waited = Date.now() - asked;
  t.ok(waited >= res.throttleTimeMs / 2, `the forwarding broker muted the connection: waited ${waited} ms`);
});
