/**
 * A deterministic simulation of partition replication above Raft: three broker cores (each a
 * Partition on an in-memory log, its follower fetcher, its ISR manager and delayed produces) and
 * the controller's decisions (a MetadataController committing at once: fencing with leader
 * election, AlterPartition), joined by a seeded network (delay, loss) and one virtual clock. A
 * producer writes with acks=-1 (min.insync.replicas=2) to whoever leads; brokers crash (at most
 * one at a time, RF - min.insync.replicas) and restart with their log (registered anew at a new
 * broker epoch when fenced by then, which their fetches and ISR places then carry). After every event the
 * checker asserts: the high watermark never goes back (per incarnation), every acknowledged record
 * is in the leader's log, one leader per leader epoch, each follower's log is a prefix of the
 * leader's up to the follower's high watermark, and no ISR of two or more names a fenced broker in
 * the controller's committed image (a fenced broker may stay only as the last in-sync replica).
 * `ackOnAppend` is a deliberate bug (acknowledge acks=-1 after the leader's append alone), to prove
 * the checker fails.
 * `commitLatencyMs` makes the controller commit through a quorum that takes up to that long (in
 * order), so its moves are in flight for a while; with `crashJoiners` a follower the leader asks to
 * add to the ISR crashes right then and the controller fences it at once (Gregor's closed heartbeat
 * connection): the AlterPartition meets the fencing in flight (issue #14). `alterPartitionOnCommitted`
 * is the bug that had: AlterPartition checked against the committed image only.
 * Leaves out: the metadata quorum itself (docs/raft.md simulates it), producer retries.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  type FetchRequest,
  type FetchResponse,
} from '../../protocol/generated/messages/01-fetch.js';
import type {
  AlterPartitionRequest,
  AlterPartitionResponse,
} from '../../protocol/generated/messages/56-alter-partition.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import { buildRecordBatch, decodeRecordBatches } from '../../protocol/records/index.js';
import { createLogger } from '../common/logger.js';
import { applyAlterPartition } from '../controller/alter-partition.js';
import { MetadataController } from '../metadata/controller.js';
import { MemoryMetadataLog } from '../metadata/metadata-log.js';
import type { MetadataQuorumPort } from '../metadata/quorum-port.js';
import { fenceBroker, unfenceBroker } from '../metadata/partition-leadership.js';
import type { PartitionState } from '../metadata/image.js';
import { FetchPurgatory, type Schedule } from '../broker/delayed-fetch.js';
import { awaitReplication, type ReplicatedWrite } from '../broker/delayed-produce.js';
import { readPartitions } from '../broker/fetch.js';
import { IsrManager } from '../broker/isr-manager.js';
import { MemoryPartitionLog } from '../broker/memory-log.js';
import { Partition } from '../broker/partition.js';
import { ReplicaFetcherManager } from '../broker/replica-fetcher.js';
import { SeededRandom } from './random.js';

export class ReplicationInvariantViolation extends Error {}

export interface ReplicationSimOptions {
  seed: number;
  steps: number;
  lossRate?: number;
  ackOnAppend?: boolean;
  commitLatencyMs?: number;
  crashJoiners?: boolean;
  alterPartitionOnCommitted?: boolean;
}

interface Event {
  at: number;
  seq: number;
  run: () => void;
  cancelled: boolean;
}

const TOPIC = 'sim';
const BROKERS = [1, 2, 3];
const MIN_ISR = 2;
const SESSION_TIMEOUT_MS = 300;
/** Promise continuations run between two events (deeper chains than this are not in the code). */
const MICROTASK_TURNS = 32;

class Broker {
  partition: Partition | null = null;
  fetchers: ReplicaFetcherManager | null = null;
  isr: IsrManager | null = null;
  alive = true;
  incarnation = 0;
  /** Metadata states waiting to be applied, in order. */
  readonly log = new MemoryPartitionLog();
  constructor(readonly id: number) {}
}

export class ReplicationSim {
  private now = 0;
  private seq = 0;
  private readonly queue: Event[] = [];
  private readonly random: SeededRandom;
  private readonly controller = new MetadataController(new MemoryMetadataLog(), (n) => Buffer.alloc(n, 1));
  private readonly brokers = new Map<number, Broker>();
  private readonly lastContact = new Map<number, number>();
  private readonly acked: string[] = [];
  private readonly leaderOfEpoch = new Map<number, number>();
  private readonly lastHw = new Map<string, number>();
  private nextValue = 0;
  private topicId = '';
  readonly stats = {
    acked: 0,
    refused: 0,
    crashes: 0,
    leaderChanges: 0,
    steps: 0,
    joinersCrashed: 0,
    /** Restarts registered anew at a new broker epoch (their fetches and ISR places carry it). */
    reregistrations: 0,
  };
  /** The next metadata offset and the time the last proposal commits (commitLatencyMs). */
  private proposedEnd = 0;
  private lastCommitAt = 0;
  private readonly logger = createLogger({ level: 'silent', pretty: false });

  constructor(private readonly options: ReplicationSimOptions) {
    this.random = new SeededRandom(options.seed);
  }

  private schedule: Schedule = (ms, fire) => {
    const event: Event = { at: this.now + Math.max(0, ms), seq: this.seq++, run: fire, cancelled: false };
    this.queue.push(event);
    return () => {
      event.cancelled = true;
    };
  };

  private delay(): number {
    return this.random.int(1, 20);
  }

  private lost(): boolean {
    return this.random.chance(this.options.lossRate ?? 0.05);
  }

  /**
   * Runs the scenario; rejects with ReplicationInvariantViolation on the first broken invariant.
   * Between events the microtask queue is drained (promise continuations of the brokers' code),
   * so the order of everything is fixed by the seed.
   */
  async run(): Promise<ReplicationSim['stats']> {
    for (const id of BROKERS) {
      this.brokers.set(id, new Broker(id));
      this.controller.commit([
        { type: 'RegisterBrokerRecord', data: { ...defaultRegisterBrokerRecord(), brokerId: id, fenced: false } },
      ]);
      this.lastContact.set(id, 0);
    }
    this.controller.onChange((change) => {
      if (change.kind !== 'partition-changed') return;
      const state = { ...change.partition, replicas: [...change.partition.replicas], isr: [...change.partition.isr] };
      for (const broker of this.brokers.values()) this.schedule(this.delay(), () => this.applyState(broker, state));
    });
    const created = this.controller.createTopic({
      name: TOPIC,
      numPartitions: -1,
      replicationFactor: -1,
      assignments: new Map([[0, BROKERS]]),
    });
    if (!created.ok) throw new Error(created.error.errorMessage);
    this.topicId = (created.value as { topicId: string }).topicId;
    this.controller.commit(created.records);
    if ((this.options.commitLatencyMs ?? 0) > 0) this.controller.attachQuorum(this.slowQuorum());
    for (const id of BROKERS) this.heartbeatLoop(this.brokers.get(id)!);
    this.controllerTick();
    this.produceLoop();
    this.chaosLoop();
    while (this.stats.steps < this.options.steps) {
      const event = this.nextEvent();
      if (!event) break;
      this.now = event.at;
      event.run();
      for (let turn = 0; turn < MICROTASK_TURNS; turn++) await Promise.resolve();
      this.stats.steps++;
      this.check();
    }
    return this.stats;
  }

  /** A quorum that commits each proposal, in order, up to commitLatencyMs after it is made. */
  private slowQuorum(): MetadataQuorumPort {
    this.proposedEnd = this.controller.image.lastAppliedOffset + 1;
    return {
      isLeader: () => true,
      leaderId: () => 0,
      lastProposedOffset: () => this.proposedEnd - 1,
      propose: (payloads) => {
        const first = this.proposedEnd;
        this.proposedEnd += payloads.length;
        const at = Math.max(this.lastCommitAt, this.now + this.random.int(1, this.options.commitLatencyMs ?? 1));
        this.lastCommitAt = at;
        return new Promise((resolve) =>
          this.schedule(at - this.now, () => {
            payloads.forEach((payload, i) => this.controller.applyCommitted(payload, first + i));
            resolve();
          }),
        );
      },
    };
  }

  /** The controller AlterPartition is checked by: the real one, or (the bug) one that sees only commits. */
  private alterPartitionController(): MetadataController {
    if (!this.options.alterPartitionOnCommitted) return this.controller;
    const committedOnly = Object.create(this.controller) as MetadataController;
    committedOnly.latestImage = () => this.controller.image;
    return committedOnly;
  }

  /** With crashJoiners: a follower the leader proposes for the ISR crashes now, if none is down. */
  private maybeCrashJoiner(request: AlterPartitionRequest): void {
    if (!this.options.crashJoiners || [...this.brokers.values()].some((b) => !b.alive)) return;
    const isr = this.controller.image.topicsById.get(this.topicId)?.partitions.get(0)?.isr ?? [];
    const joiner = request.topics[0]?.partitions[0]?.newIsrWithEpochs.find((m) => !isr.includes(m.brokerId));
    if (joiner === undefined) return;
    this.stats.joinersCrashed++;
    this.crash(this.brokers.get(joiner.brokerId)!);
  }

  private nextEvent(): Event | undefined {
    let best = -1;
    for (let i = 0; i < this.queue.length; i++) {
      const e = this.queue[i]!;
      if (e.cancelled) continue;
      const b = best >= 0 ? this.queue[best]! : undefined;
      if (!b || e.at < b.at || (e.at === b.at && e.seq < b.seq)) best = i;
    }
    if (best < 0) return undefined;
    const [event] = this.queue.splice(best, 1);
    this.queue.splice(0, this.queue.length, ...this.queue.filter((e) => !e.cancelled));
    return event;
  }

  private applyState(broker: Broker, state: PartitionState): void {
    if (!broker.alive) return;
    if (!broker.partition) {
      broker.partition = new Partition(TOPIC, this.topicId, 0, state, broker.log, broker.id, () => MIN_ISR);
      broker.partition.followerFetchListener = (p, replicaId) => broker.isr?.maybeExpand(p, replicaId);
      broker.partition.joiningFollowerHolds = (p, replicaId, position) =>
        broker.isr?.holdsHighWatermark(p, replicaId, position) ?? false;
    } else {
      if (state.partitionEpoch < broker.partition.state.partitionEpoch) return;
      broker.partition.state = state;
    }
    broker.fetchers?.update(broker.partition);
  }

  private start(broker: Broker): void {
    broker.alive = true;
    broker.incarnation++;
    broker.partition = null;
    // A restart once fenced registers anew, fenced, at a new broker epoch (Gregor's and Kafka's
    // controller refuse a new registration while the old one is live, so an unfenced one is kept):
    // fetches the old incarnation left in flight carry the old epoch (KIP-903).
    const registration = this.controller.latestImage().brokers.get(broker.id);
    if (broker.incarnation > 1 && registration?.fenced) {
      this.stats.reregistrations++;
      this.controller.commit([
        {
          type: 'RegisterBrokerRecord',
          data: {
            ...defaultRegisterBrokerRecord(),
            brokerId: broker.id,
            brokerEpoch: BigInt(this.controller.image.lastAppliedOffset + 1),
            fenced: true,
          },
        },
      ]);
    }
    // The broker epoch of its registration (the sim registers each broker once, never again).
    const brokerEpoch = (): bigint => this.controller.image.brokers.get(broker.id)?.brokerEpoch ?? -1n;
    broker.fetchers = new ReplicaFetcherManager({
      brokerId: broker.id,
      brokerEpoch,
      transport: (leaderId, request) => this.fetchFrom(broker, leaderId, request),
      schedule: (ms, fire) => this.schedule(ms, () => broker.alive && fire()),
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      responseMaxBytes: 10 << 20,
      backoffMs: 30,
      numFetchers: 1,
      logger: this.logger,
    });
    broker.isr = new IsrManager({
      brokerId: broker.id,
      brokerEpoch,
      aliveBrokerEpoch: (id) => this.aliveBrokerEpoch(id),
      send: (request) =>
        new Promise<AlterPartitionResponse>((resolve, reject) => {
          if (this.lost()) return void this.schedule(50, () => reject(new Error('lost')));
          this.maybeCrashJoiner(request);
          this.schedule(this.delay(), () => {
            void applyAlterPartition(this.alterPartitionController(), request, 3).then((response) =>
              this.schedule(this.delay(), () => resolve(response)),
            );
          });
        }),
      now: () => this.now,
      replicaLagTimeMaxMs: 200,
      isEligible: (id) => {
        const b = this.controller.image.brokers.get(id);
        return b !== undefined && !b.fenced && !b.inControlledShutdown;
      },
      logger: this.logger,
    });
    const state = this.controller.image.topicsById.get(this.topicId)?.partitions.get(0);
    if (state) this.applyState(broker, { ...state, replicas: [...state.replicas], isr: [...state.isr] });
  }

  private aliveBrokerEpoch(id: number): bigint | undefined {
    const b = this.controller.image.brokers.get(id);
    return b && !b.fenced ? b.brokerEpoch : undefined;
  }

  private fetchFrom(from: Broker, leaderId: number, request: FetchRequest): Promise<FetchResponse> {
    return new Promise((resolve, reject) => {
      const leader = this.brokers.get(leaderId);
      if (!leader || this.lost()) return void this.schedule(50, () => reject(new Error('unreachable')));
      this.schedule(this.delay(), () => {
        if (!leader.alive || !from.alive) return void this.schedule(50, () => reject(new Error('connection reset')));
        const wanted = request.topics[0]?.partitions[0];
        const p = leader.partition;
        const lookup =
          p && p.isLeader()
            ? { ok: true as const, topic: this.controller.image.topicsById.get(this.topicId)!, partition: p }
            : { ok: false as const, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, topic: undefined };
        const [result] = readPartitions(
          {
            apiVersion: 17,
            replicaId: request.replicaState.replicaId,
            replicaEpoch: request.replicaState.replicaEpoch,
            aliveBrokerEpoch: (id) => this.aliveBrokerEpoch(id),
            maxBytes: request.maxBytes,
            isolationLevel: 0,
            now: this.now,
          },
          [
            {
              lookup,
              fetchOffset: Number(wanted?.fetchOffset ?? 0n),
              partitionMaxBytes: wanted?.partitionMaxBytes ?? 0,
              currentLeaderEpoch: wanted?.currentLeaderEpoch ?? -1,
              lastFetchedEpoch: wanted?.lastFetchedEpoch ?? -1,
            },
          ],
        );
        const r = result!;
        const response: FetchResponse = {
          ...defaultFetchResponse(),
          responses: [
            {
              topic: TOPIC,
              topicId: this.topicId,
              partitions: [
                {
                  ...defaultFetchResponsePartitionData(),
                  partitionIndex: 0,
                  errorCode: r.errorCode,
                  highWatermark: BigInt(r.highWatermark),
                  records: r.records,
                  ...(r.divergingEpoch
                    ? {
                        divergingEpoch: {
                          epoch: r.divergingEpoch.epoch,
                          endOffset: BigInt(r.divergingEpoch.endOffset),
                        },
                      }
                    : {}),
                },
              ],
            },
          ],
        };
        this.schedule(this.delay(), () => (from.alive ? resolve(response) : reject(new Error('gone'))));
      });
    });
  }

  private heartbeatLoop(broker: Broker): void {
    if (broker.fetchers === null && broker.alive) this.start(broker);
    this.schedule(50, () => {
      if (broker.alive && !this.lost()) {
        this.schedule(this.delay(), () => {
          this.lastContact.set(broker.id, this.now);
          const image = this.controller.latestImage();
          if (image.brokers.get(broker.id)?.fenced)
            this.controller.commit([{ type: 'UnfenceBrokerRecord', data: { id: broker.id, epoch: -1n } }]);
          this.controller.commit(unfenceBroker(image, broker.id));
        });
      }
      this.heartbeatLoop(broker);
    });
  }

  private controllerTick(): void {
    this.schedule(50, () => {
      for (const b of [...this.controller.latestImage().brokers.values()]) {
        if (b.fenced || this.now - (this.lastContact.get(b.brokerId) ?? 0) <= SESSION_TIMEOUT_MS) continue;
        this.fence(b.brokerId);
      }
      this.controllerTick();
    });
  }

  /** The controller's fencing, computed from its latest image as the real one's. */
  private fence(brokerId: number): void {
    this.controller.commit([
      { type: 'FenceBrokerRecord', data: { id: brokerId, epoch: -1n } },
      ...fenceBroker(this.controller.latestImage(), brokerId, () => false),
    ]);
  }

  private crash(victim: Broker): void {
    victim.alive = false;
    victim.fetchers?.close();
    this.stats.crashes++;
    // Its heartbeat connection resets: the controller fences it at once (crashJoiners runs only).
    if (this.options.crashJoiners && !this.controller.latestImage().brokers.get(victim.id)?.fenced)
      this.fence(victim.id);
  }

  private produceLoop(): void {
    this.schedule(this.random.int(5, 30), () => {
      const leaderId = this.controller.image.topicsById.get(this.topicId)?.partitions.get(0)?.leader ?? -1;
      const leader = this.brokers.get(leaderId);
      const p = leader?.partition;
      if (leader?.alive && p?.isLeader()) {
        if (p.state.isr.length < MIN_ISR) this.stats.refused++;
        else {
          const value = `v${this.nextValue++}`;
          p.appendAsLeader(buildRecordBatch({ records: [{ value: Buffer.from(value), timestamp: BigInt(this.now) }] }));
          const write: ReplicatedWrite = {
            partition: p,
            requiredOffset: p.log.logEndOffset,
            minInsyncReplicas: MIN_ISR,
            stillLeader: () => leader.alive && leader.partition === p && p.isLeader(),
            errorCode: null,
          };
          if (this.options.ackOnAppend) this.ack(value);
          else {
            const purgatory = new FetchPurgatory(this.schedule);
            void awaitReplication(purgatory, 1000, [write]).then(() => {
              if (write.errorCode === ErrorCode.NONE) this.ack(value);
            });
          }
        }
      }
      this.produceLoop();
    });
  }

  private ack(value: string): void {
    this.acked.push(value);
    this.stats.acked++;
  }

  private chaosLoop(): void {
    this.schedule(this.random.int(200, 800), () => {
      const down = [...this.brokers.values()].filter((b) => !b.alive);
      if (down.length > 0) {
        const back = down[0]!;
        back.alive = true;
        back.fetchers = null;
        this.start(back);
      } else {
        this.crash(this.brokers.get(this.random.pick(BROKERS))!);
      }
      this.chaosLoop();
    });
  }

  /** Decoded values of a broker's log, cached until its end, size or incarnation changes. */
  private readonly decoded = new Map<Broker, { key: string; values: string[] }>();

  private valuesOf(broker: Broker, upTo: number): string[] {
    const key = `${broker.incarnation}/${broker.log.logEndOffset}/${broker.log.size()}`;
    let cached = this.decoded.get(broker);
    if (!cached || cached.key !== key) {
      const data = broker.log.logEndOffset > 0 ? broker.log.read(broker.log.logStartOffset, 1 << 30) : Buffer.alloc(0);
      cached = {
        key,
        values: decodeRecordBatches(data).flatMap((b) => b.records.map((r) => r.value?.toString() ?? '')),
      };
      this.decoded.set(broker, cached);
    }
    // One record per batch in this simulation: offsets and positions agree.
    return cached.values.slice(0, Math.max(0, upTo));
  }

  private check(): void {
    const committed = this.controller.image.topicsById.get(this.topicId)?.partitions.get(0);
    if (committed && committed.isr.length > 1)
      for (const r of committed.isr)
        if (this.controller.image.brokers.get(r)?.fenced !== false)
          throw new ReplicationInvariantViolation(
            `ISR ${committed.isr.join(',')} (partition epoch ${committed.partitionEpoch}) holds fenced broker ${r}`,
          );
    let leader: Broker | undefined;
    for (const b of this.brokers.values()) {
      const p = b.partition;
      if (!b.alive || !p) continue;
      const key = `${b.id}/${b.incarnation}`;
      const previous = this.lastHw.get(key) ?? 0;
      if (p.highWatermark < previous)
        throw new ReplicationInvariantViolation(
          `broker ${b.id}: high watermark went back from ${previous} to ${p.highWatermark}`,
        );
      this.lastHw.set(key, p.highWatermark);
      if (p.isLeader()) {
        const known = this.leaderOfEpoch.get(p.leaderEpoch);
        if (known !== undefined && known !== b.id)
          throw new ReplicationInvariantViolation(`leader epoch ${p.leaderEpoch} led by ${known} and ${b.id}`);
        if (known === undefined) this.stats.leaderChanges++;
        this.leaderOfEpoch.set(p.leaderEpoch, b.id);
        const current = this.controller.image.topicsById.get(this.topicId)?.partitions.get(0);
        if (current?.leader === b.id && current.leaderEpoch === p.leaderEpoch) leader = b;
      }
    }
    if (!leader) return;
    const leaderValues = this.valuesOf(leader, leader.log.logEndOffset);
    const held = new Set(leaderValues);
    const lost = this.acked.find((v) => !held.has(v));
    if (lost !== undefined)
      throw new ReplicationInvariantViolation(`acknowledged record ${lost} is not in the log of leader ${leader.id}`);
    for (const b of this.brokers.values()) {
      if (b === leader || !b.alive || !b.partition) continue;
      const upTo = Math.min(b.partition.highWatermark, leader.partition!.highWatermark);
      const mine = this.valuesOf(b, upTo);
      if (mine.some((v, i) => v !== leaderValues[i]))
        throw new ReplicationInvariantViolation(
          `broker ${b.id}: log up to ${upTo} is not a prefix of leader ${leader.id}'s`,
        );
    }
  }
}
