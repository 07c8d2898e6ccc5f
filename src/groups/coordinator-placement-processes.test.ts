/**
 * Issue #15: group coordinators live on the leaders of their `__consumer_offsets` partitions,
 * across three real processes (combined broker+controller nodes) with kafkajs. FindCoordinator
 * (v3 and batched v4) names the partition's leader on every node; JoinGroup sent to another node
 * gets NOT_COORDINATOR, as InitProducerId with a transactional id does away from its transaction
 * coordinator; an offset committed as 42 (acknowledged only once the ISR of three holds
 * it) survives a kill -9 of the coordinator's broker (a new coordinator is found, measured) and a
 * full restart of all three nodes, and a consumer of the group starts from it.
 */
import t from 'tap';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import {
  FindCoordinatorApi,
  defaultFindCoordinatorRequest,
} from '../../protocol/generated/messages/10-find-coordinator.js';
import { JoinGroupApi, defaultJoinGroupRequest } from '../../protocol/generated/messages/11-join-group.js';
import {
  InitProducerIdApi,
  defaultInitProducerIdRequest,
} from '../../protocol/generated/messages/22-init-producer-id.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { CONSUMER_OFFSETS_TOPIC } from '../broker/internal-topics.js';
import { partitionForGroup } from './records.js';

const TOPIC = 'orders';
const GROUP = 'placement-group';
const TXN = 'placement-txn';
const OFFSETS_PARTITIONS = 5;

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test(
  'group coordinators on partition leaders: NOT_COORDINATOR elsewhere, offsets across kill -9 and restart',
  async (t) => {
    const cluster = new ProcessCluster({
      ...FAST_QUORUM_SETTINGS,
      'broker.session.timeout.ms': '2000',
      'replica.lag.time.max.ms': '3000',
      'replica.fetch.wait.max.ms': '100',
      'replica.fetch.backoff.ms': '100',
      'offsets.topic.num.partitions': String(OFFSETS_PARTITIONS),
      'group.initial.rebalance.delay.ms': '0',
    });
    t.teardown(() => cluster.stop());
    await cluster.startRegistered(3);
    const all = cluster.nodes;
    const clients: RawClient[] = [];
    t.teardown(() => clients.forEach((c) => c.close()));
    const raw = async (node: ClusterNode): Promise<RawClient> => {
      const c = await rawClient(node.port);
      clients.push(c);
      return c;
    };

    const kafkaOn = (nodes: ClusterNode[]): Kafka =>
      new Kafka({
        clientId: 'coordinator-placement',
        brokers: nodes.map((n) => `127.0.0.1:${n.port}`),
        logLevel: logLevel.NOTHING,
        retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
      });
    const admin = kafkaOn(all).admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3 }] });
    const producer = kafkaOn(all).producer();
    await producer.connect();
    await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: Array.from({ length: 50 }, (_, i) => ({ value: `m-${i}` })),
    });
    await producer.disconnect();

    // FindCoordinator on node 1 creates __consumer_offsets (forwarded when node 1 is not the active controller).
    const first = await raw(all[0]!);
    const coordinatorId = await cluster.waitFor(
      'a group coordinator',
      20000,
      async () => {
        const r = await first.call(FindCoordinatorApi, 3, { ...defaultFindCoordinatorRequest(), key: GROUP });
        return r.errorCode === ErrorCode.NONE ? r.nodeId : null;
      },
      100,
    );
    const index = partitionForGroup(GROUP, OFFSETS_PARTITIONS);
    const offsetsPartition = async (node: ClusterNode) =>
      (await cluster.metadata(node, [CONSUMER_OFFSETS_TOPIC]))?.topics[0]?.partitions.find(
        (p) => p.partitionIndex === index,
      );
    const placed = await cluster.waitFor('the ISR of three on the group partition', 20000, async () => {
      const p = await offsetsPartition(all[0]!);
      return p && p.isrNodes.length === 3 && p;
    });
    t.equal(coordinatorId, placed.leaderId, `the coordinator is the leader of ${CONSUMER_OFFSETS_TOPIC}-${index}`);

    for (const node of all) {
      const c = await raw(node);
      const batched = await cluster.waitFor(
        `FindCoordinator v4 on node ${node.id}`,
        15000,
        async () => {
          const r = await c.call(FindCoordinatorApi, 4, {
            ...defaultFindCoordinatorRequest(),
            coordinatorKeys: [GROUP, 'another-group'],
          });
          return r.coordinators.every((k) => k.errorCode === 0) ? r : null;
        },
        100,
      );
      t.equal(batched.coordinators[0]?.nodeId, coordinatorId, `node ${node.id} names the same coordinator (v4)`);
    }

    const elsewhere = all.find((n) => n.id !== coordinatorId)!;
    const other = await raw(elsewhere);
    const join = await cluster.waitFor(
      'an answer from a non-coordinator',
      15000,
      async () => {
        const r = await other.call(JoinGroupApi, 5, {
          ...defaultJoinGroupRequest(),
          groupId: GROUP,
          sessionTimeoutMs: 10000,
          rebalanceTimeoutMs: 10000,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
        });
        return r.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE ? null : r;
      },
      100,
    );
    t.equal(join.errorCode, ErrorCode.NOT_COORDINATOR, `JoinGroup to node ${elsewhere.id} gets NOT_COORDINATOR`);

    // The transaction coordinator likewise: InitProducerId with a transactional id elsewhere gets NOT_COORDINATOR.
    const txnCoordinatorId = await cluster.waitFor(
      'a transaction coordinator',
      20000,
      async () => {
        const r = await first.call(FindCoordinatorApi, 3, { ...defaultFindCoordinatorRequest(), key: TXN, keyType: 1 });
        return r.errorCode === ErrorCode.NONE ? r.nodeId : null;
      },
      100,
    );
    const initOn = async (node: ClusterNode) => {
      const c = await raw(node);
      return cluster.waitFor(
        `an InitProducerId answer from node ${node.id}`,
        15000,
        async () => {
          const r = await c.call(InitProducerIdApi, 4, {
            ...defaultInitProducerIdRequest(),
            transactionalId: TXN,
            transactionTimeoutMs: 60000,
          });
          return r.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE ||
            r.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
            ? null
            : r;
        },
        100,
      );
    };
    const notTxnCoordinator = all.find((n) => n.id !== txnCoordinatorId)!;
    t.equal(
      (await initOn(notTxnCoordinator)).errorCode,
      ErrorCode.NOT_COORDINATOR,
      `InitProducerId for ${TXN} on node ${notTxnCoordinator.id} gets NOT_COORDINATOR`,
    );
    const init = await initOn(all.find((n) => n.id === txnCoordinatorId)!);
    t.equal(
      init.errorCode,
      ErrorCode.NONE,
      `its coordinator (node ${txnCoordinatorId}) gives producer id ${init.producerId}`,
    );

    await admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [{ partition: 0, offset: '42' }] });
    const committedOn = async (a: Admin): Promise<string | undefined> =>
      (await a.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }))[0]?.partitions[0]?.offset;
    t.equal(await committedOn(admin), '42', 'committed 42');

    // kill -9 the coordinator's broker; a survivor leads the partition and serves the group.
    const victim = all.find((n) => n.id === coordinatorId)!;
    const survivors = all.filter((n) => n !== victim);
    cluster.kill(victim);
    const killedAt = Date.now();
    const survivorAdmin = kafkaOn(survivors).admin();
    await survivorAdmin.connect();
    t.teardown(() => survivorAdmin.disconnect());
    const probe = await raw(survivors[0]!);
    const newCoordinator = await cluster.waitFor(
      'a new coordinator',
      30000,
      async () => {
        const r = await probe.call(FindCoordinatorApi, 3, { ...defaultFindCoordinatorRequest(), key: GROUP });
        return r.errorCode === ErrorCode.NONE && r.nodeId !== victim.id ? r.nodeId : null;
      },
      50,
    );
    const foundMs = Date.now() - killedAt;
    const readBack = await committedOn(survivorAdmin);
    const servedMs = Date.now() - killedAt;
    t.equal(readBack, '42', `42 read back from node ${newCoordinator}`);
    t.ok(
      foundMs < 15000,
      `new coordinator ${newCoordinator} found ${foundMs} ms after the kill (offsets served at ${servedMs} ms)`,
    );

    // A consumer of the group starts from the committed offset, on the new coordinator.
    const consumer = kafkaOn(survivors).consumer({ groupId: GROUP, sessionTimeout: 10000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const firstOffset = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message within 30 s')), 30000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve(message.offset);
        },
      });
    });
    await consumer.disconnect();
    t.equal(firstOffset, '42', 'the group consumes from offset 42 after the failover');

    // The consumer committed its position on the way out: the group (Empty again) commits 42 once more.
    await survivorAdmin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [{ partition: 0, offset: '42' }] });
    t.equal(await committedOn(survivorAdmin), '42', 'committed 42 on the new coordinator');

    // A full restart of all three nodes (the victim included): the offset is still 42.
    await survivorAdmin.disconnect();
    await admin.disconnect();
    for (const n of survivors) cluster.kill(n);
    await new Promise((r) => setTimeout(r, 200));
    for (const n of all) cluster.spawn(n);
    await cluster.waitFor('a leader after the restart', 30000, () => cluster.agreedLeader(all));
    const restarted = kafkaOn(all).admin();
    await restarted.connect();
    t.teardown(() => restarted.disconnect());
    const afterRestart = await cluster.waitFor(
      'the offset after the restart',
      30000,
      async () => {
        try {
          return await committedOn(restarted);
        } catch {
          return null;
        }
      },
      200,
    );
    t.equal(afterRestart, '42', `committed as 42, read back as ${afterRestart} after a restart of all three nodes`);
  },
);
