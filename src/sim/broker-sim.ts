/**
 * The three-node broker simulation (issue 13): real broker cores, controller included, on one
 * seeded clock and the SimNet transport. A seed runs: the quorum forms and every broker registers;
 * a client creates a topic (3 partitions, replication factor 3, min.insync.replicas=2) through a
 * random node (forwarded to the active controller when it is not it); a producer sends one-record
 * batches with acks=-1 to each partition's leader; the active controller (which leads partitions
 * too) is killed at the worst moment the sim can find (while it holds an acknowledged record its
 * followers have not fetched, if one ever exists, else after a while); a new controller must take
 * over, the dead broker's partitions move, and producing carries on in every partition. The
 * BrokerInvariantChecker runs after every step. `brokenAcks` is a deliberately broken variant
 * (the producer counts acks=1 answers as acks=-1 acknowledgements) to show the checker fails.
 * Leaves out: restarts of the dead node, more failures than RF - min.insync.replicas (= 1).
 */
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { ProduceApi, defaultProduceRequest } from '../../protocol/generated/messages/00-produce.js';
import { buildRecordBatch } from '../../protocol/records/index.js';
import type { Timer } from '../common/scheduler.js';
import { SimBrokerCluster, type SimBrokerNode } from './broker-cluster.js';
import { BrokerInvariantChecker } from './broker-invariants.js';
import { CALM_SIM_NET, type SimNetFaults } from './sim-transport.js';

export const SIM_TOPIC = 'sim';
const PARTITIONS = 3;
const CREATE_TOPICS_VERSION = 7;
const PRODUCE_VERSION = 9;

/** Delays up to 20 ms, 2 % of frames retransmitted up to 300 ms later, 0.2 % of sends reset their connection. */
export const LOSSY_SIM_NET: SimNetFaults = {
  minDelayMs: 1,
  maxDelayMs: 20,
  lossRate: 0.02,
  retransmitMs: 300,
  resetRate: 0.002,
};

export interface BrokerSimOptions {
  readonly seed: number;
  readonly faults?: SimNetFaults;
  /** The broken variant: acks=1 answers are counted as acks=-1 acknowledgements. */
  readonly brokenAcks?: boolean;
}

export interface BrokerSimResult {
  readonly seed: number;
  readonly steps: number;
  readonly simulatedMs: number;
  readonly acked: number;
  readonly ackedAfterFailover: number;
  readonly produceErrors: number;
  readonly killed: number;
  readonly killedLed: number;
  readonly killedWhileUnreplicated: boolean;
  readonly newController: number;
  readonly failoverMs: number;
  readonly frames: number;
}

export class BrokerSimFailure extends Error {
  constructor(
    readonly seed: number,
    readonly step: number,
    override readonly cause: unknown,
  ) {
    super(
      `seed ${seed} failed at step ${step}: ${cause instanceof Error ? cause.message : String(cause)} (replay with SEED=${seed})`,
    );
    this.name = 'BrokerSimFailure';
  }
}

export async function runBrokerSimulation(options: BrokerSimOptions): Promise<BrokerSimResult> {
  const cluster = new SimBrokerCluster({
    seed: options.seed,
    nodes: 3,
    faults: options.faults ?? CALM_SIM_NET,
    configs: {
      'broker.heartbeat.interval.ms': 500,
      'broker.session.timeout.ms': 3000,
      'default.replication.factor': 3,
      'min.insync.replicas': 2,
    },
  });
  try {
    return await scenario(cluster, options);
  } catch (error) {
    throw new BrokerSimFailure(options.seed, cluster.steps, error);
  } finally {
    cluster.close();
  }
}

async function scenario(cluster: SimBrokerCluster, options: BrokerSimOptions): Promise<BrokerSimResult> {
  const checker = new BrokerInvariantChecker(cluster, SIM_TOPIC);
  cluster.afterStep(() => checker.check());
  await cluster.start();
  const registered = (): boolean => {
    const active = cluster.activeController();
    const brokers = active ? [...active.broker.controller.image.brokers.values()] : [];
    return brokers.length === 3 && brokers.every((b) => !b.fenced);
  };
  if (!(await cluster.runUntil(registered, 30_000))) throw new Error('no quorum with 3 registered brokers within 30 s');

  await createTopic(cluster);
  const replicated = (): boolean =>
    cluster
      .live()
      .every((n) =>
        Array.from({ length: PARTITIONS }, (_, p) => n.broker.replicas.get(SIM_TOPIC, p)).every(
          (partition) => partition !== undefined && partition.state.isr.length === 3,
        ),
      );
  if (!(await cluster.runUntil(replicated, 30_000))) throw new Error('topic not fully replicated within 30 s');

  const producer = new Producer(cluster, checker, options.brokenAcks === true);
  producer.start();
  await cluster.runFor(1000);

  // Kill the active controller, at a moment it holds an acknowledged record above its high watermark if one comes.
  const controller = cluster.activeController();
  if (!controller) throw new Error('no active controller before the kill');
  const epochBefore = controller.broker.quorum.node.raft.currentState().epoch;
  // An acknowledged record that only the controller holds (no other live replica has fetched it).
  const unreplicatedAck = (): boolean =>
    checker.acked.some((a) => {
      const p = controller.broker.replicas.get(SIM_TOPIC, a.partition);
      if (p === undefined || !p.isLeader()) return false;
      return cluster
        .live()
        .filter((n) => n !== controller)
        .every((n) => (n.broker.replicas.get(SIM_TOPIC, a.partition)?.log.logEndOffset ?? 0) <= a.offset);
    });
  const killedWhileUnreplicated = await cluster.runUntil(unreplicatedAck, 2000);
  const killedLed = ledBy(controller);
  const ackedBefore = checker.acked.length;
  cluster.crash(controller.id);
  const killedAt = cluster.now();

  const newController = (): boolean => {
    const active = cluster.activeController();
    return active !== undefined && active.broker.quorum.node.raft.currentState().epoch > epochBefore;
  };
  if (!(await cluster.runUntil(newController, 20_000)))
    throw new Error('no new active controller within 20 s of the kill');
  const successor = cluster.activeController();
  const failoverMs = cluster.now() - killedAt;
  const everyPartitionMoves = (): boolean =>
    Array.from({ length: PARTITIONS }, (_, p) => p).every((p) =>
      checker.acked.slice(ackedBefore).some((a) => a.partition === p),
    );
  if (!(await cluster.runUntil(everyPartitionMoves, 30_000)))
    throw new Error('producing did not resume in every partition within 30 s of the kill');
  await cluster.runFor(500);
  producer.stop();
  await cluster.runFor(1000);
  checker.check();
  return {
    seed: options.seed,
    steps: cluster.steps,
    simulatedMs: cluster.now(),
    acked: checker.acked.length,
    ackedAfterFailover: checker.acked.length - ackedBefore,
    produceErrors: producer.errors,
    killed: controller.id,
    killedLed,
    killedWhileUnreplicated,
    newController: successor?.id ?? -1,
    failoverMs,
    frames: cluster.net.stats.frames,
  };
}

function ledBy(node: SimBrokerNode): number {
  return Array.from({ length: PARTITIONS }, (_, p) => node.broker.replicas.get(SIM_TOPIC, p)).filter((p) =>
    p?.isLeader(),
  ).length;
}

/** Settles `promise` while the cluster steps (bounded by `maxMs` of simulated time). */
async function call<T>(cluster: SimBrokerCluster, promise: Promise<T>, maxMs: number): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => {});
  if (!(await cluster.runUntil(() => done, maxMs))) throw new Error(`no answer within ${maxMs} ms`);
  return tracked;
}

async function createTopic(cluster: SimBrokerCluster): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const via = cluster.random.pick(cluster.live()).id;
    const request = {
      ...defaultCreateTopicsRequest(),
      timeoutMs: 10_000,
      topics: [
        {
          ...defaultCreateTopicsRequestCreatableTopic(),
          name: SIM_TOPIC,
          numPartitions: PARTITIONS,
          replicationFactor: 3,
          configs: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
    };
    try {
      const response = await call(
        cluster,
        cluster.client.request(via, CreateTopicsApi, CREATE_TOPICS_VERSION, request),
        15_000,
      );
      const code = response.topics[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      if (code === ErrorCode.NONE || code === ErrorCode.TOPIC_ALREADY_EXISTS) return;
    } catch {
      // Retried below, like a client would.
    }
    await cluster.runFor(200);
  }
  throw new Error('CreateTopics did not succeed in 20 attempts');
}

/** Sends one-record batches to each partition's leader (as the metadata of a live node names it). */
class Producer {
  private timer: Timer | null = null;
  private next = 0;
  private inFlight = 0;
  errors = 0;

  constructor(
    private readonly cluster: SimBrokerCluster,
    private readonly checker: BrokerInvariantChecker,
    private readonly brokenAcks: boolean,
  ) {}

  start(): void {
    this.timer = this.cluster.scheduler.after(this.cluster.random.int(2, 10), () => {
      this.sendOne();
      this.start();
    });
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  private sendOne(): void {
    if (this.inFlight >= 6) return;
    const partition = this.next % PARTITIONS;
    const value = `v${this.next++}`;
    const view = this.cluster.random.pick(this.cluster.live());
    const leader = view.broker.controller.image.topicsByName.get(SIM_TOPIC)?.partitions.get(partition)?.leader ?? -1;
    if (leader < 0 || !this.cluster.node(leader).alive) {
      this.errors++;
      return;
    }
    const request = {
      ...defaultProduceRequest(),
      acks: this.brokenAcks ? 1 : -1,
      timeoutMs: 5000,
      topicData: [
        {
          name: SIM_TOPIC,
          topicId: ZERO_UUID,
          partitionData: [
            {
              index: partition,
              records: buildRecordBatch({
                records: [{ value: Buffer.from(value), timestamp: BigInt(this.cluster.now()) }],
              }),
            },
          ],
        },
      ],
    };
    this.inFlight++;
    this.cluster.client.request(leader, ProduceApi, PRODUCE_VERSION, request).then(
      (response) => {
        this.inFlight--;
        const answer = response.responses[0]?.partitionResponses[0];
        if (answer?.errorCode === ErrorCode.NONE)
          this.checker.ack({ partition, offset: Number(answer.baseOffset), value });
        else this.errors++;
      },
      () => {
        this.inFlight--;
        this.errors++;
      },
    );
  }
}
