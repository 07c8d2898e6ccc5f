/**
 * kill -9 of the transaction coordinator's broker (issue #15), `npx tsx bench/txn/coordinator-failover.ts [runs]`:
 * three real processes (test/helpers/process-cluster.ts, FAILOVER_SETTINGS: broker session 3 s), one
 * `__transaction_state` partition replicated to all three, a topic of one partition replicated to all
 * three. A kafkajs transactional producer commits one transaction (warm-up); its coordinator's broker is
 * killed (SIGKILL), and the clock runs until (a) a survivor answers FindCoordinator for the transactional
 * id with a survivor, (b) the first transaction (send + commit) succeeds through the new coordinator. A
 * commit that fails is retried with the same producer, or with a new one after a fatal error, as an
 * application would. Prints Markdown lines for docs/benchmarks.md with the load average.
 */
import { loadavg } from 'node:os';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import { FAILOVER_SETTINGS, killAndWait, startThree, until } from '../../test/helpers/group-failover.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import {
  FindCoordinatorApi,
  defaultFindCoordinatorRequest,
} from '../../protocol/generated/messages/10-find-coordinator.js';

const runs = Number(process.argv[2] ?? 3);
const TOPIC = 'txn-failover';
const TXN_ID = 'txn-failover-id';
const loadNow = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function txnCoordinatorOf(node: ClusterNode): Promise<number | null> {
  let c;
  try {
    c = await rawClient(node.port);
    const r = await c.call(FindCoordinatorApi, 3, { ...defaultFindCoordinatorRequest(), key: TXN_ID, keyType: 1 });
    return r.errorCode === 0 ? r.nodeId : null;
  } catch {
    return null;
  } finally {
    c?.close();
  }
}

const kafkaOn = (nodes: ClusterNode[]): Kafka =>
  new Kafka({
    clientId: 'txn-failover',
    brokers: nodes.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });

async function commitOne(producer: Producer, value: string): Promise<void> {
  const txn = await producer.transaction();
  try {
    await txn.send({ topic: TOPIC, acks: -1, messages: [{ value }] });
    await txn.commit();
  } catch (error) {
    await txn.abort().catch(() => undefined);
    throw error;
  }
}

interface Run {
  controller: boolean;
  coordinatorMs: number;
  committedMs: number;
  attempts: number;
  errors: string[];
}

async function failoverRun(): Promise<Run> {
  const cluster = new ProcessCluster({
    ...FAILOVER_SETTINGS,
    'transaction.state.log.num.partitions': '1',
    'transaction.state.log.replication.factor': '3',
  });
  const producers: Producer[] = [];
  try {
    await startThree(cluster);
    const admin = kafkaOn(cluster.nodes).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3 }] });
    await admin.disconnect();
    const newProducer = async (nodes: ClusterNode[]): Promise<Producer> => {
      const p = kafkaOn(nodes).producer({ transactionalId: TXN_ID, maxInFlightRequests: 1, idempotent: true });
      producers.push(p);
      await p.connect();
      return p;
    };
    let producer = await newProducer(cluster.nodes);
    await commitOne(producer, 'warm-up');
    const victimId = await cluster.waitFor('a coordinator', 30_000, () => txnCoordinatorOf(cluster.nodes[0]!), 100);
    const victim = cluster.nodes.find((n) => n.id === victimId)!;
    const survivors = cluster.nodes.filter((n) => n !== victim);
    const controller = (await cluster.agreedLeader(cluster.nodes))?.leaderId === victim.id;
    await killAndWait(cluster, victim);
    const killedAt = Date.now();
    let coordinatorMs = -1;
    const watchCoordinator = until(
      'a survivor coordinating',
      60_000,
      async () => {
        const id = await txnCoordinatorOf(survivors[0]!);
        return id !== null && id !== victim.id;
      },
      () => '',
      20,
    ).then(() => (coordinatorMs = Date.now() - killedAt));
    const errors: string[] = [];
    let attempts = 0;
    for (;;) {
      attempts++;
      try {
        await commitOne(producer, `after-${attempts}`);
        break;
      } catch (error) {
        const e = error as Error & { retriable?: boolean };
        errors.push(`${e.name}: ${e.message}`.slice(0, 120));
        if (Date.now() - killedAt > 60_000)
          throw new Error(`no commit within 60 s: ${errors.join(' | ')}`, { cause: error });
        if (e.name === 'KafkaJSNonRetriableError' || e.retriable === false) {
          await producer.disconnect().catch(() => undefined);
          producer = await newProducer(survivors);
        }
      }
    }
    const committedMs = Date.now() - killedAt;
    await watchCoordinator.catch(() => undefined);
    return { controller, coordinatorMs, committedMs, attempts, errors };
  } finally {
    for (const p of producers) await p.disconnect().catch(() => undefined);
    await cluster.stop();
  }
}

const lines: string[] = [`- machine: load average ${loadNow()} at the start`];
const results: Run[] = [];
for (let run = 0; run < runs; run++) {
  try {
    const r = await failoverRun();
    results.push(r);
    console.error(`run ${run}: ${JSON.stringify(r)} (load ${loadNow()})`);
  } catch (error) {
    lines.push(`- run ${run} failed: ${(error as Error).message} (load ${loadNow()})`);
    console.error(lines[lines.length - 1]);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
if (results.length > 0)
  lines.push(
    `- kill -9 of the transaction coordinator's broker (${results.length} of ${runs} runs, load ${loadNow()}): a survivor coordinates ` +
      `after median ${median(results.map((r) => r.coordinatorMs))} ms; the first transaction commits through the new coordinator ` +
      `after median ${median(results.map((r) => r.committedMs))} ms (each run: ${results
        .map(
          (r) =>
            `${r.coordinatorMs}/${r.committedMs} ms, ${r.attempts} attempts${r.controller ? ', the controller too' : ''}`,
        )
        .join('; ')})`,
  );
console.log(lines.join('\n'));
process.exit(0);
