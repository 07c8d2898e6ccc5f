/**
 * Issue #15: FindCoordinator on a node that is not the active controller, before
 * `__consumer_offsets` / `__transaction_state` exist, across three real processes. The follower
 * answers COORDINATOR_NOT_AVAILABLE (it used to close the connection: the local creation threw
 * NotControllerError), forwards the creation to the active controller, and a later FindCoordinator
 * on the same connection names a coordinator. The same for InitProducerId with a transactional id,
 * and for a kafkajs transactional producer and admin (DescribeGroups) bootstrapped on a follower only.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import {
  FindCoordinatorApi,
  defaultFindCoordinatorRequest,
  type FindCoordinatorResponse,
} from '../../protocol/generated/messages/10-find-coordinator.js';
import {
  InitProducerIdApi,
  defaultInitProducerIdRequest,
} from '../../protocol/generated/messages/22-init-producer-id.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';

/** One round trip that fails (instead of hanging) when the broker closes the connection. */
async function callOrClosed<Req, Res>(
  c: RawClient,
  api: ApiDefinition<Req, Res>,
  version: number,
  request: Req,
): Promise<Res> {
  return Promise.race([
    c.call(api, version, request),
    c.closed.then(() => Promise.reject(new Error(`the broker closed the connection (api ${api.apiKey})`))),
  ]);
}

const findCoordinator = (c: RawClient, key: string, keyType: number): Promise<FindCoordinatorResponse> =>
  callOrClosed(c, FindCoordinatorApi, 3, { ...defaultFindCoordinatorRequest(), key, keyType });

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('FindCoordinator and InitProducerId on a follower before the internal topics exist', async (t) => {
  const cluster = new ProcessCluster({
    ...FAST_QUORUM_SETTINGS,
    'offsets.topic.num.partitions': '5',
    'transaction.state.log.num.partitions': '3',
  });
  t.teardown(() => cluster.stop());
  await cluster.start(3);
  const all = cluster.nodes;
  const view = await cluster.waitFor('a leader', 20000, () => cluster.agreedLeader(all));
  const followers = all.filter((n) => n.id !== view.leaderId) as [ClusterNode, ClusterNode];
  t.comment(`node ${view.leaderId} is the active controller; asking nodes ${followers[0].id} and ${followers[1].id}`);

  const c = await rawClient(followers[0].port);
  t.teardown(() => c.close());
  const group = await findCoordinator(c, 'a-group', 0);
  t.equal(
    group.errorCode,
    ErrorCode.COORDINATOR_NOT_AVAILABLE,
    'group key: COORDINATOR_NOT_AVAILABLE while __consumer_offsets is created',
  );
  const txn = await callOrClosed(c, FindCoordinatorApi, 4, {
    ...defaultFindCoordinatorRequest(),
    keyType: 1,
    coordinatorKeys: ['a-txn'],
  });
  t.equal(
    txn.coordinators[0]?.errorCode,
    ErrorCode.COORDINATOR_NOT_AVAILABLE,
    'transaction key (v4, batched): COORDINATOR_NOT_AVAILABLE while __transaction_state is created',
  );

  const other = await rawClient(followers[1].port);
  t.teardown(() => other.close());
  const init = await callOrClosed(other, InitProducerIdApi, 4, {
    ...defaultInitProducerIdRequest(),
    transactionalId: 'other-txn',
    transactionTimeoutMs: 60000,
  });
  t.ok(
    init.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE || init.errorCode === ErrorCode.NONE,
    `InitProducerId on the other follower answers ${init.errorCode} (COORDINATOR_NOT_AVAILABLE, or NONE once the topic exists there)`,
  );

  // The forwarded creations land: the same connection now gets coordinators.
  const found = await cluster.waitFor(
    'a group coordinator',
    15000,
    async () => {
      const r = await findCoordinator(c, 'a-group', 0);
      return r.errorCode === ErrorCode.NONE ? r : null;
    },
    100,
  );
  t.ok(found.nodeId >= 1 && found.nodeId <= 3, `group coordinator: node ${found.nodeId}`);
  const foundTxn = await cluster.waitFor(
    'a transaction coordinator',
    15000,
    async () => {
      const r = await findCoordinator(c, 'a-txn', 1);
      return r.errorCode === ErrorCode.NONE ? r : null;
    },
    100,
  );
  t.ok(foundTxn.nodeId >= 1 && foundTxn.nodeId <= 3, `transaction coordinator: node ${foundTxn.nodeId}`);
  const offsets = await cluster.metadata(view.leaderId === all[0]!.id ? all[1]! : all[0]!, [
    '__consumer_offsets',
    '__transaction_state',
  ]);
  t.same(
    offsets?.topics.map((tp) => [tp.name, tp.errorCode, tp.partitions.length, tp.isInternal]),
    [
      ['__consumer_offsets', 0, 5, true],
      ['__transaction_state', 0, 3, true],
    ],
    'both internal topics exist with their configured partition counts',
  );
  t.equal(c.socket.destroyed, false, 'the connection stayed open throughout');
});

t.test('kafkajs on a follower only: a transactional producer and a group lookup start', async (t) => {
  const cluster = new ProcessCluster({
    ...FAST_QUORUM_SETTINGS,
    'offsets.topic.num.partitions': '5',
    'transaction.state.log.num.partitions': '3',
  });
  t.teardown(() => cluster.stop());
  await cluster.start(3);
  const view = await cluster.waitFor('a leader', 20000, () => cluster.agreedLeader(cluster.nodes));
  const follower = cluster.nodes.find((n) => n.id !== view.leaderId)!;
  const kafka = new Kafka({
    clientId: 'coordinator-topics',
    brokers: [`127.0.0.1:${follower.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100 },
  });

  const producer = kafka.producer({ transactionalId: 'follower-txn', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  // connect() does not run InitProducerId; the first transaction does (FindCoordinator key type 1 first).
  const transaction = await producer.transaction();
  t.pass('the transactional producer found its coordinator and got a producer id');
  await transaction.abort();

  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const groups = await admin.describeGroups(['follower-group']);
  t.match(
    groups.groups[0],
    { groupId: 'follower-group', state: 'Dead' },
    'DescribeGroups (FindCoordinator key type 0 first) answers through the follower: no such group yet',
  );
});
