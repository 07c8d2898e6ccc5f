/**
 * Test and benchmark support for consumer groups across broker failures on three real processes
 * (process-cluster.ts): the cluster settings (short fencing and Raft timeouts, one
 * `__consumer_offsets` partition so that every group has the same coordinator), the coordinator's
 * node (FindCoordinator), the committed offsets of a group (kafkajs admin, retried through
 * failovers), a check that they never go back, produced batches that tell which values a group
 * must see, and the at-least-once count of duplicates. Waiting is polling with deadlines.
 */
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, type ClusterNode, type ProcessCluster } from './process-cluster.js';
import { rawClient } from './raw-client.js';
import {
  FindCoordinatorApi,
  defaultFindCoordinatorRequest,
} from '../../protocol/generated/messages/10-find-coordinator.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';

/** Broker settings for the failover tests: a dead broker is fenced in about 2 s. */
export const FAILOVER_SETTINGS: Readonly<Record<string, string>> = {
  ...FAST_QUORUM_SETTINGS,
  // a little slower than FAST_QUORUM_SETTINGS: quorum elections stay calm on a loaded two-core machine
  'controller.quorum.election.timeout.ms': '1000',
  'controller.quorum.fetch.timeout.ms': '2000',
  'broker.session.timeout.ms': '3000',
  'replica.lag.time.max.ms': '3000',
  'replica.fetch.wait.max.ms': '100',
  'replica.fetch.backoff.ms': '100',
  // One partition: every group has the same coordinator, the leader of __consumer_offsets-0.
  'offsets.topic.num.partitions': '1',
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '1000',
  'group.consumer.heartbeat.interval.ms': '200',
  'group.consumer.min.heartbeat.interval.ms': '100',
  'group.consumer.min.session.timeout.ms': '1000',
  'group.consumer.session.timeout.ms': '10000',
};

export const bootstrapOf = (nodes: ClusterNode[]): string[] => nodes.map((n) => `127.0.0.1:${n.port}`);

export function kafkaOn(nodes: ClusterNode[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: bootstrapOf(nodes),
    logLevel: logLevel.NOTHING,
    retry: { retries: 40, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

/** The node id of the group's coordinator as `node` names it, or null while there is none. */
export async function coordinatorOf(node: ClusterNode, group: string): Promise<number | null> {
  let client;
  try {
    client = await rawClient(node.port);
    const r = await client.call(FindCoordinatorApi, 3, { ...defaultFindCoordinatorRequest(), key: group });
    return r.errorCode === ErrorCode.NONE ? r.nodeId : null;
  } catch {
    return null;
  } finally {
    client?.close();
  }
}

/** The group's committed offset of each partition of `topic` (-1 for none), or null on an error. */
export async function committedOffsets(admin: Admin, group: string, topic: string): Promise<number[] | null> {
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    if (!offsets) return null;
    const byPartition = [...offsets.partitions].sort((a, b) => a.partition - b.partition);
    return byPartition.map((p) => Number(p.offset));
  } catch {
    return null;
  }
}

/** Where each group's committed offsets have been seen; `check` fails on any that went back. */
export class CommitWatch {
  private readonly highest = new Map<string, number[]>();
  readonly regressions: string[] = [];

  observe(group: string, offsets: number[]): void {
    const before = this.highest.get(group) ?? [];
    offsets.forEach((o, p) => {
      const b = before[p] ?? -1;
      if (o < b) this.regressions.push(`${group} partition ${p}: committed ${o} after ${b}`);
    });
    this.highest.set(
      group,
      offsets.map((o, p) => Math.max(o, before[p] ?? -1)),
    );
  }

  last(group: string): number[] {
    return this.highest.get(group) ?? [];
  }
}

/** Produces `count` values `<prefix>-<i>` round-robin over `partitions` partitions of `topic` (acks=all). */
export async function produceBatch(
  producer: Producer,
  topic: string,
  prefix: string,
  count: number,
  partitions: number,
): Promise<string[]> {
  const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ value, partition: i % partitions })) });
  return values;
}

/** Values seen more than once (at-least-once allows a record consumed but not yet committed at a failure). */
export function duplicates(counts: Map<string, number>): number {
  let n = 0;
  for (const c of counts.values()) if (c > 1) n += c - 1;
  return n;
}

/** Polls `check` every `intervalMs` until it holds; fails after `ms` naming `what` and the state. */
export async function until(
  what: string,
  ms: number,
  check: () => boolean | Promise<boolean>,
  state: () => string = () => '',
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${state()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Starts three nodes and waits (generously: node start-up takes seconds on a loaded machine) until all are registered. */
export async function startThree(cluster: ProcessCluster): Promise<void> {
  await cluster.start(3);
  await cluster.waitFor('a quorum leader', 60_000, () => cluster.agreedLeader(cluster.nodes), 200);
  await cluster.waitFor(
    'three registered brokers',
    30_000,
    async () => (await cluster.metadata(cluster.nodes[0]!, []))?.brokers.length === 3,
    200,
  );
}

/** kill -9 of one node; resolves once the process is gone (its ports are free again). */
export async function killAndWait(cluster: ProcessCluster, node: ClusterNode): Promise<void> {
  const child = node.process;
  if (!child) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cluster.kill(node);
  await gone;
}

/** Kills every node (SIGKILL) and starts them all again on the same dirs and ports; resolves at a quorum. */
export async function restartAll(cluster: ProcessCluster): Promise<void> {
  await Promise.all(cluster.nodes.map((n) => killAndWait(cluster, n)));
  for (const n of cluster.nodes) cluster.spawn(n);
  await cluster.waitFor('a leader after the restart', 60_000, () => cluster.agreedLeader(cluster.nodes), 200);
}
