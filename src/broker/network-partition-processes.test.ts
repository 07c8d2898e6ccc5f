/**
 * A network partition between brokers, across three real processes (combined broker+controller
 * nodes): every connection between nodes goes through an in-test TCP proxy (test/helpers/tcp-proxy.ts)
 * - the Raft and controller connections: each node has its own `controller.quorum.voters`, naming a
 *   proxy per (from, to) pair;
 * - the replication connections: an inter-broker listener (REPLICATION, `inter.broker.listener.name`)
 *   advertised behind one proxy per node, so followers fetch from a leader through its proxy.
 * Clients (kafkajs, idempotent acks=-1 streams, RF 3, min.insync.replicas=2) reach every node directly.
 * The leader of a partition (not the active controller) is cut off from the other two nodes:
 * - a write sent to it while cut off is never acknowledged (its followers cannot fetch: a timeout);
 * - the controller fences it after broker.session.timeout.ms and a survivor leads (time measured);
 * - healed, it learns it was replaced, truncates what it appended alone, rejoins every ISR;
 * - every acknowledged record is read back exactly once, in order; made leader again (ElectLeaders)
 *   it serves the survivors' log record for record.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, type ClusterNode } from '../../test/helpers/process-cluster.js';
import { RESTART_DEADLINE_MS, startReplicatedTopic } from '../../test/helpers/replicated-topic.js';
import { AckStreams, checkExactlyOnce, readTopic } from '../../test/helpers/ack-streams.js';
import { TcpProxy } from '../../test/helpers/tcp-proxy.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { batchOf, produceRequest } from '../../test/helpers/data-path.js';
import { ProduceApi } from '../../protocol/generated/messages/00-produce.js';
import { ElectLeadersApi } from '../../protocol/generated/messages/43-elect-leaders.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';

const TOPIC = 'partitioned';
const PARTITIONS = 3;
const SESSION_TIMEOUT_MS = 3000;

/** The proxies between three nodes, and how each node is configured to use them. */
class Network {
  /** Node id -> the proxy in front of its REPLICATION listener. */
  readonly replication = new Map<number, TcpProxy>();
  readonly replicationPorts = new Map<number, number>();
  /** `${from}>${to}` -> the proxy node `from` uses to reach node `to`'s CONTROLLER listener. */
  readonly controller = new Map<string, TcpProxy>();

  /** Called again with fresh ports when the cluster's start is retried: the earlier proxies go. */
  async build(nodes: ClusterNode[]): Promise<void> {
    await this.close();
    this.replication.clear();
    this.replicationPorts.clear();
    this.controller.clear();
    for (const node of nodes) {
      const port = await freePort();
      this.replicationPorts.set(node.id, port);
      const proxy = new TcpProxy(port);
      await proxy.start();
      this.replication.set(node.id, proxy);
      for (const to of nodes) {
        if (to === node) continue;
        const toController = new TcpProxy(to.controllerPort);
        await toController.start();
        this.controller.set(`${node.id}>${to.id}`, toController);
      }
    }
  }

  settings(node: ClusterNode, nodes: ClusterNode[]): Record<string, string> {
    const replicationPort = this.replicationPorts.get(node.id)!;
    const voters = nodes.map((to) =>
      to === node
        ? `${to.id}@127.0.0.1:${to.controllerPort}`
        : `${to.id}@127.0.0.1:${this.controller.get(`${node.id}>${to.id}`)!.port}`,
    );
    return {
      listeners: `PLAINTEXT://127.0.0.1:${node.port},REPLICATION://127.0.0.1:${replicationPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${node.port},REPLICATION://127.0.0.1:${this.replication.get(node.id)!.port}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,REPLICATION:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name': 'REPLICATION',
      'controller.quorum.voters': voters.join(','),
    };
  }

  private around(id: number): TcpProxy[] {
    const controller = [...this.controller].filter(([k]) => k.split('>').includes(String(id))).map(([, p]) => p);
    return [this.replication.get(id)!, ...controller];
  }

  isolate(id: number): void {
    for (const proxy of this.around(id)) proxy.cut();
  }

  heal(id: number): void {
    for (const proxy of this.around(id)) proxy.heal();
  }

  async close(): Promise<void> {
    for (const proxy of [...this.replication.values(), ...this.controller.values()]) await proxy.close();
  }
}

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('a partition leader cut off from the other brokers acknowledges nothing it cannot commit', async (t) => {
  t.setTimeout(400_000);
  const network = new Network();
  // Registered first so that it runs after the cluster's stop (tap runs teardowns last first).
  t.teardown(() => network.close());
  const {
    cluster,
    quorum,
    brokers: all,
    kafka,
    partitions,
    fullIsr,
  } = await startReplicatedTopic(t, {
    settings: {
      'broker.session.timeout.ms': String(SESSION_TIMEOUT_MS),
      'replica.lag.time.max.ms': '2000',
      'auto.leader.rebalance.enable': 'false',
    },
    clientId: 'network-partition',
    topic: TOPIC,
    partitions: PARTITIONS,
    client: { requestTimeout: 2000, retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 500 } },
    prepare: (c) => {
      c.perNode = (node) => network.settings(node, c.nodes);
    },
    start: (c) => c.startRegistered(3, (nodes) => network.build(nodes)),
  });
  const initial = await cluster.waitFor('the ISR of three (followers fetching through the proxies)', 30000, () =>
    fullIsr(all[0]!),
  );
  const target = initial.find((p) => p.leaderId !== quorum.leaderId && p.leaderId === p.replicaNodes[0]);
  if (!target) throw new Error(`no partition led by its first replica outside the controller ${quorum.leaderId}`);
  const victim = all.find((n) => n.id === target.leaderId)!;
  const survivors = all.filter((n) => n !== victim);
  t.ok(network.replication.get(victim.id)!.connections > 0, `followers fetch from node ${victim.id} through its proxy`);

  const streams = new AckStreams(kafka, TOPIC, PARTITIONS);
  await streams.start();
  t.teardown(() => streams.stop(2000));
  t.ok(await streams.moreAcks(20, 20000), 'the streams are acknowledged before the partition');

  const raw = await rawClient(victim.port);
  t.teardown(() => raw.close());
  const cutOff = (value: string) =>
    raw.call(ProduceApi, 9, { ...produceRequest(TOPIC, target.partitionIndex, batchOf([value]), -1), timeoutMs: 2000 });
  network.isolate(victim.id);
  const cutAt = Date.now();
  const early = (await cutOff('cut-off-early')).responses[0]?.partitionResponses[0]?.errorCode;
  t.not(early, ErrorCode.NONE, `a write to the cut-off leader is not acknowledged (error ${early})`);

  const moved = await cluster.waitFor('a new leader among the survivors', 30000, async () => {
    const p = (await partitions(survivors[0]!))?.[target.partitionIndex];
    return p && p.leaderId >= 0 && p.leaderId !== victim.id && p;
  });
  const newLeaderMs = Date.now() - cutAt;
  t.ok(
    newLeaderMs >= SESSION_TIMEOUT_MS - 500,
    `new leader ${moved.leaderId} after ${newLeaderMs} ms (fenced by the session timeout)`,
  );
  const newLeader = all.find((n) => n.id === moved.leaderId)!;
  const probes = new Set<string>();
  await cluster.waitFor(
    'an acks=-1 write acknowledged by the new leader',
    20000,
    async () => {
      const value = `probe-${probes.size}`;
      probes.add(value);
      const r = await cluster.call(newLeader, ProduceApi, 9, {
        ...produceRequest(TOPIC, target.partitionIndex, batchOf([value]), -1),
        timeoutMs: 3000,
      });
      return r.responses[0]?.partitionResponses[0]?.errorCode === ErrorCode.NONE;
    },
    100,
  );
  t.pass(`first acks=-1 acknowledgement by the new leader ${Date.now() - cutAt} ms after the cut`);
  const late = (await cutOff('cut-off-late')).responses[0]?.partitionResponses[0]?.errorCode;
  t.not(late, ErrorCode.NONE, `replaced but still cut off, the old leader acknowledges nothing (error ${late})`);
  const view = (await partitions(victim))?.[target.partitionIndex];
  t.equal(view?.leaderId, victim.id, 'the cut-off node still believes it leads (it cannot hear the controller)');
  // The moved partition's own stream is not required to go on before the heal: the cut-off node
  // still answers Metadata naming itself leader (as a Kafka broker cut off from its controller
  // does), and kafkajs may keep asking it. The raw probe above proved the new leader takes writes.
  const others = initial.filter((p) => p.leaderId !== victim.id).map((p) => p.partitionIndex);
  t.ok(await streams.moreAcks(10, 30000, others), 'the other partitions are acknowledged during the partition');

  network.heal(victim.id);
  const healedAt = Date.now();
  const healed = await cluster.waitFor('the healed node back in every ISR', RESTART_DEADLINE_MS, () =>
    fullIsr(survivors[0]!),
  );
  t.pass(`back in every ISR ${Date.now() - healedAt} ms after the heal`);
  t.equal(healed[target.partitionIndex]?.leaderId, moved.leaderId, 'the new leader keeps leading');
  t.ok(await streams.moreAcks(10, 30000), 'the streams go on after the heal');
  await streams.stop();

  const reader = new Kafka({
    clientId: 'network-partition-read',
    brokers: survivors.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
  });
  const read = await readTopic(reader, TOPIC, PARTITIONS);
  checkExactlyOnce(t, read, streams.streams, probes);
  const mine = read[target.partitionIndex] ?? [];
  t.notOk(
    mine.includes('cut-off-early') || mine.includes('cut-off-late'),
    'the writes the cut-off node took are nowhere',
  );

  const elected = await cluster.call(survivors[0]!, ElectLeadersApi, 2, {
    electionType: 0,
    topicPartitions: [{ topic: TOPIC, partitions: [target.partitionIndex] }],
    timeoutMs: 10000,
  });
  t.equal(
    elected.replicaElectionResults[0]?.partitionResult[0]?.errorCode,
    ErrorCode.NONE,
    'ElectLeaders: it leads again',
  );
  await cluster.waitFor('the healed node leading', 10000, async () => {
    const p = (await partitions(victim))?.[target.partitionIndex];
    return p?.leaderId === victim.id;
  });
  const fromVictim = await readTopic(reader, TOPIC, PARTITIONS);
  t.same(fromVictim[target.partitionIndex], mine, 'its log is the survivors’ log, record for record');
});
