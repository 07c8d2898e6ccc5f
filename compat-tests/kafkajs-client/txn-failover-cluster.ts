/**
 * Shared by the transaction failover tests (issue #15): three real Gregor processes where the
 * transaction coordinator (leader of `__transaction_state`-0), the input partition's leader and the
 * output partition's leader are three different brokers, checked with FindCoordinator and Metadata.
 * `bounce` kills (SIGKILL) the broker currently holding a role, waits until the controller fenced it
 * and moved its leaderships, restarts it, waits until it is back in every ISR, and moves the leaders
 * back to the preferred replicas with ElectLeaders so the roles are on three brokers again.
 * `checkSettled` asserts what must hold once the clients are done: ListTransactions on every broker
 * lists no transaction in Ongoing/Prepare*, and the last stable offset (ListOffsets read_committed)
 * equals the high watermark (read_uncommitted) on the data partitions and on `__consumer_offsets`.
 * Every wait has a deadline; requests go through the cluster's PeerClient (15 s timeout), never a
 * socket without one.
 */
import type { Test } from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import {
  FindCoordinatorApi,
  defaultFindCoordinatorRequest,
} from '../../protocol/generated/messages/10-find-coordinator.js';
import { ElectLeadersApi } from '../../protocol/generated/messages/43-elect-leaders.js';
import { ListTransactionsApi } from '../../protocol/generated/messages/66-list-transactions.js';
import { ListOffsetsApi } from '../../protocol/generated/messages/02-list-offsets.js';

export const TXN_STATE = '__transaction_state';
export const OFFSETS = '__consumer_offsets';

/** Fast fencing and ISR shrinking so a killed broker's leaderships move within a few seconds. */
export const FAILOVER_SETTINGS: Readonly<Record<string, string>> = {
  ...FAST_QUORUM_SETTINGS,
  'broker.session.timeout.ms': '2000',
  'replica.lag.time.max.ms': '10000',
  'replica.fetch.wait.max.ms': '100',
  'replica.fetch.backoff.ms': '100',
  'auto.leader.rebalance.enable': 'false',
  'offsets.topic.num.partitions': '1',
  'offsets.topic.replication.factor': '3',
  'transaction.state.log.num.partitions': '1',
  'transaction.state.log.replication.factor': '3',
  // timed-out transactions are looked for every second (Kafka's default: 10 s)
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': '1000',
  'group.initial.rebalance.delay.ms': '0',
};

export type Role = 'coordinator' | 'input' | 'output';

export interface TxnCluster {
  cluster: ProcessCluster;
  /** Broker ids by role, as placed at the start (the preferred leaders). */
  roles: Record<Role, number>;
  node(id: number): ClusterNode;
  live(): ClusterNode[];
  bootstrap(): string[];
}

async function deadline<T>(what: string, ms: number, check: () => Promise<T | null | undefined | false>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => null);
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
export { deadline as waitUntil };

/** The coordinator of a key (keyType 0 group, 1 transaction) as `via` answers FindCoordinator, or null. */
export async function coordinatorOf(tc: TxnCluster, via: ClusterNode, key: string, keyType: number): Promise<number> {
  return deadline(`the coordinator of ${key}`, 30_000, async () => {
    const r = await tc.cluster.call(via, FindCoordinatorApi, 3, { ...defaultFindCoordinatorRequest(), key, keyType });
    return r.errorCode === 0 ? r.nodeId : null;
  });
}

/** Leader, ISR and replicas of the partitions of `topics`, as `via` sees them. */
export async function partitionsOf(
  tc: TxnCluster,
  via: ClusterNode,
  topics: string[],
): Promise<Map<string, { leader: number; isr: number[]; replicas: number[] }>> {
  const md = await tc.cluster.metadata(via, topics);
  const out = new Map<string, { leader: number; isr: number[]; replicas: number[] }>();
  for (const topic of md?.topics ?? [])
    for (const p of topic.partitions)
      out.set(`${topic.name ?? ''}-${p.partitionIndex}`, {
        leader: p.leaderId,
        isr: p.isrNodes,
        replicas: p.replicaNodes,
      });
  return out;
}

/**
 * Three nodes; `__transaction_state` is created by a FindCoordinator for `transactionalId`, its
 * leader is the coordinator; `in` and `out` (one partition each, three replicas) get the other two
 * brokers as preferred leaders.
 */
export async function startTxnCluster(
  t: Test,
  transactionalId: string,
  extra: Record<string, string> = {},
): Promise<TxnCluster> {
  const cluster = new ProcessCluster({ ...FAILOVER_SETTINGS, ...extra }, process.env.TXN_FAILOVER_LOG_LEVEL ?? 'warn');
  t.teardown(() => cluster.stop());
  await cluster.start(3);
  await cluster.waitFor('a quorum leader', 60_000, () => cluster.agreedLeader(cluster.nodes));
  await cluster.waitFor(
    'three registered brokers',
    30_000,
    async () => (await cluster.metadata(cluster.nodes[0]!, []))?.brokers.length === 3,
  );
  const tc: TxnCluster = {
    cluster,
    roles: { coordinator: -1, input: -1, output: -1 },
    node: (id) => cluster.nodes.find((n) => n.id === id)!,
    live: () => cluster.nodes.filter((n) => n.process !== null),
    bootstrap: () => cluster.nodes.map((n) => `127.0.0.1:${n.port}`),
  };
  const first = cluster.nodes[0]!;
  const coordinator = await coordinatorOf(tc, first, transactionalId, 1);
  await coordinatorOf(tc, first, 'create-the-offsets-topic', 0);
  const [input, output] = cluster.nodes.map((n) => n.id).filter((id) => id !== coordinator) as [number, number];
  tc.roles = { coordinator, input, output };
  const admin = new Kafka({ brokers: tc.bootstrap(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: 'in', replicaAssignment: [{ partition: 0, replicas: [input, output, coordinator] }] },
        { topic: 'out', replicaAssignment: [{ partition: 0, replicas: [output, coordinator, input] }] },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  await deadline('the roles placed on three brokers', 30_000, async () => {
    const p = await partitionsOf(tc, first, [TXN_STATE, 'in', 'out']);
    return (
      p.get(`${TXN_STATE}-0`)?.leader === coordinator &&
      p.get('in-0')?.leader === input &&
      p.get('out-0')?.leader === output &&
      (await coordinatorOf(tc, first, transactionalId, 1)) === coordinator
    );
  });
  return tc;
}

/** The partitions whose leaders follow the roles (and the group's offsets partition). */
const WATCHED = [`${TXN_STATE}-0`, 'in-0', 'out-0', `${OFFSETS}-0`];

/**
 * kill -9 of `victim`; `whileDown` runs once the controller moved its leaderships away; then it
 * is restarted, rejoins every ISR, and ElectLeaders puts the preferred leaders back.
 */
export async function bounce(
  tc: TxnCluster,
  victim: ClusterNode,
  whileDown: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  tc.cluster.kill(victim);
  const survivor = (): ClusterNode => tc.live()[0]!;
  await deadline(`broker ${victim.id}'s leaderships to move`, 30_000, async () => {
    const p = await partitionsOf(tc, survivor(), [TXN_STATE, OFFSETS, 'in', 'out']);
    return WATCHED.every((k) => p.has(k) && p.get(k)!.leader !== victim.id && !p.get(k)!.isr.includes(victim.id));
  });
  await whileDown();
  tc.cluster.spawn(victim);
  await restorePreferredLeaders(tc);
}

/** Waits until every replica is in sync again, then elects the preferred leaders until they lead. */
export async function restorePreferredLeaders(tc: TxnCluster): Promise<void> {
  const via = (): ClusterNode => tc.live()[0]!;
  let last = '';
  await deadline('every replica back in the ISR', 120_000, async () => {
    const p = await partitionsOf(tc, via(), [TXN_STATE, OFFSETS, 'in', 'out']);
    last = WATCHED.map((k) => `${k}: ${JSON.stringify(p.get(k))}`).join('; ');
    return WATCHED.every((k) => p.get(k)?.isr.length === 3);
  }).catch((e: unknown) => {
    throw new Error(`${String(e)}: ${last}`);
  });
  await deadline('the preferred leaders elected', 30_000, async () => {
    await tc.cluster.call(via(), ElectLeadersApi, 2, {
      electionType: 0,
      topicPartitions: [
        { topic: TXN_STATE, partitions: [0] },
        { topic: OFFSETS, partitions: [0] },
        { topic: 'in', partitions: [0] },
        { topic: 'out', partitions: [0] },
      ],
      timeoutMs: 10_000,
    });
    const p = await partitionsOf(tc, via(), [TXN_STATE, OFFSETS, 'in', 'out']);
    return WATCHED.every((k) => p.get(k)?.leader === p.get(k)?.replicas[0]);
  });
}

const OPEN_STATES = ['Ongoing', 'PrepareCommit', 'PrepareAbort', 'PrepareEpochFence'];

/** Transactions that ListTransactions lists as open on any live broker. */
export async function openTransactions(tc: TxnCluster): Promise<string[]> {
  const open: string[] = [];
  for (const node of tc.live()) {
    const r = await tc.cluster.call(node, ListTransactionsApi, 1, {
      stateFilters: OPEN_STATES,
      producerIdFilters: [],
      durationFilter: -1n,
      transactionalIdPattern: null,
    });
    if (r.errorCode !== 0) open.push(`broker ${node.id}: error ${r.errorCode}`);
    for (const s of r.transactionStates) open.push(`${s.transactionalId}@${node.id}:${s.transactionState}`);
  }
  return open;
}

/** Last stable offset and high watermark of `topic`-0 on its leader. */
export async function stableAndEnd(tc: TxnCluster, topic: string): Promise<{ lso: bigint; hw: bigint }> {
  const leader = (await partitionsOf(tc, tc.live()[0]!, [topic])).get(`${topic}-0`)?.leader ?? -1;
  const node = tc.node(leader);
  const ask = async (isolationLevel: number): Promise<bigint> => {
    const r = await tc.cluster.call(node, ListOffsetsApi, 5, {
      replicaId: -1,
      isolationLevel,
      topics: [
        { name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] },
      ],
      timeoutMs: 0,
    });
    const p = r.topics[0]?.partitions[0];
    if (!p || p.errorCode !== 0) throw new Error(`ListOffsets ${topic}-0 on ${leader}: error ${p?.errorCode}`);
    return p.offset;
  };
  return { lso: await ask(1), hw: await ask(0) };
}

/** Asserts no open transaction anywhere and that no partition's LSO lags its high watermark. */
/**
 * Writes an END sentinel to `topic` (a plain, non-transactional write), then reads the topic from its
 * start with read_committed up to the sentinel: the committed values before it, in order.
 */
export async function readCommittedToSentinel(kafka: Kafka, topic: string, groupId: string): Promise<string[]> {
  const plain = kafka.producer();
  await plain.connect();
  await plain.send({ topic, acks: -1, messages: [{ value: 'END' }] });
  await plain.disconnect();
  const reader = kafka.consumer({ groupId, readUncommitted: false });
  const got: string[] = [];
  let ended = false;
  await reader.connect();
  try {
    await reader.subscribe({ topic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const value = String(message.value);
        if (value === 'END') ended = true;
        else if (!ended) got.push(value);
      },
    });
    await deadline(`the read_committed reader of ${topic} to reach the sentinel`, 60_000, () => Promise.resolve(ended));
  } finally {
    await reader.disconnect();
  }
  return got;
}

export async function checkSettled(t: Test, tc: TxnCluster, timeoutMs = 30_000): Promise<void> {
  const open = await deadline('no open transaction on any broker', timeoutMs, async () => {
    const list = await openTransactions(tc);
    return list.length === 0 ? list : null;
  }).catch(async (e: unknown) => {
    t.fail(`${String(e)}: ${(await openTransactions(tc).catch(() => [])).join(', ')}`);
    return null;
  });
  if (open) t.same(open, [], 'ListTransactions: no transaction left Ongoing or Prepare* on any broker');
  for (const topic of ['in', 'out', OFFSETS]) {
    const offsets = await deadline(`the LSO of ${topic}-0 to reach its high watermark`, timeoutMs, async () => {
      const o = await stableAndEnd(tc, topic);
      return o.lso === o.hw ? o : null;
    }).catch(() => null);
    t.ok(offsets, `${topic}-0: last stable offset equals the high watermark (${offsets?.hw ?? 'stuck'})`);
  }
}
