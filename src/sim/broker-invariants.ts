/**
 * Invariants of a SimBrokerCluster, checked after every step:
 * 1. the metadata quorum: at most one Raft leader per epoch; a node's Raft high watermark never
 *    goes back;
 * 2. every partition: at most one leader per leader epoch; a replica's high watermark never goes back;
 * 3. every record acknowledged to an acks=-1 producer is in the log of the partition's current
 *    leader (the live leader with the highest epoch), at the offset it was acknowledged at;
 * 4. each live follower's log equals the leader's up to the smaller of their high watermarks;
 * 5. in the active controller's committed image, no ISR of two or more holds a fenced broker (a
 *    fenced broker leaves every ISR in the commit that fences it, and may not come back: issue #14).
 * A violation throws BrokerInvariantViolation naming the node, partition and values.
 * Leaves out: consumer-visible state (groups, transactions).
 */
import { decodeRecordBatches } from '../../protocol/records/index.js';
import type { Partition } from '../broker/partition.js';
import type { SimBrokerCluster, SimBrokerNode } from './broker-cluster.js';

export class BrokerInvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokerInvariantViolation';
  }
}

export interface AckedRecord {
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
}

interface Replica {
  readonly node: SimBrokerNode;
  readonly partition: Partition;
}

export class BrokerInvariantChecker {
  private readonly raftLeaders = new Map<number, number>();
  private readonly raftHw = new Map<number, number>();
  private readonly partitionLeaders = new Map<string, number>();
  private readonly partitionHw = new Map<string, number>();
  private readonly decoded = new Map<string, { start: number; end: number; size: number; values: string[] }>();
  /** Per partition: the leader (node/epoch) its acknowledged records were last checked against, and how many. */
  private readonly ackedChecked = new Map<number, { leader: string; count: number }>();
  /** Per follower and leader: the offset up to which their logs were found equal. */
  private readonly prefixChecked = new Map<string, number>();
  private readonly ackedByPartition = new Map<number, AckedRecord[]>();
  readonly acked: AckedRecord[] = [];
  checks = 0;

  constructor(
    private readonly cluster: SimBrokerCluster,
    private readonly topic: string,
  ) {}

  ack(record: AckedRecord): void {
    this.acked.push(record);
    const list = this.ackedByPartition.get(record.partition) ?? [];
    list.push(record);
    this.ackedByPartition.set(record.partition, list);
  }

  check(): void {
    this.checks++;
    this.checkQuorum();
    const byPartition = new Map<number, Replica[]>();
    for (const node of this.cluster.live()) {
      for (const partition of node.broker.replicas?.all() ?? []) {
        if (partition.topic !== this.topic) continue;
        const list = byPartition.get(partition.index) ?? [];
        list.push({ node, partition });
        byPartition.set(partition.index, list);
      }
    }
    for (const [index, replicas] of byPartition) this.checkPartition(index, replicas);
  }

  private checkQuorum(): void {
    for (const node of this.cluster.live()) {
      const raft = node.broker.quorum?.node.raft;
      if (!raft) continue;
      const state = raft.currentState();
      if (state.kind === 'leader') {
        this.checkIsrs(node);
        const known = this.raftLeaders.get(state.epoch);
        if (known !== undefined && known !== node.id)
          throw new BrokerInvariantViolation(`metadata quorum: epoch ${state.epoch} led by ${known} and ${node.id}`);
        this.raftLeaders.set(state.epoch, node.id);
      }
      const hw = raft.highWatermark();
      const before = this.raftHw.get(node.id) ?? 0;
      if (hw < before)
        throw new BrokerInvariantViolation(`node ${node.id}: metadata high watermark went back ${before} -> ${hw}`);
      this.raftHw.set(node.id, hw);
    }
  }

  /** Invariant 5 on the active controller `node`'s committed image. */
  private checkIsrs(node: SimBrokerNode): void {
    const image = node.broker.controller.image;
    const topic = image.topicsByName.get(this.topic);
    for (const p of topic?.partitions.values() ?? []) {
      if (p.isr.length < 2) continue;
      const fenced = p.isr.find((r) => image.brokers.get(r)?.fenced !== false);
      if (fenced !== undefined)
        throw new BrokerInvariantViolation(
          `controller ${node.id}: ${this.topic}-${p.partition} ISR ${p.isr.join(',')} holds fenced broker ${fenced}`,
        );
    }
  }

  private checkPartition(index: number, replicas: Replica[]): void {
    let leader: Replica | undefined;
    for (const r of replicas) {
      const key = `${r.node.id}/${index}`;
      const hw = r.partition.highWatermark;
      const before = this.partitionHw.get(key) ?? 0;
      if (hw < before)
        throw new BrokerInvariantViolation(
          `node ${r.node.id}: ${this.topic}-${index} high watermark went back ${before} -> ${hw}`,
        );
      this.partitionHw.set(key, hw);
      if (!r.partition.isLeader()) continue;
      const epochKey = `${index}/${r.partition.leaderEpoch}`;
      const known = this.partitionLeaders.get(epochKey);
      if (known !== undefined && known !== r.node.id)
        throw new BrokerInvariantViolation(
          `${this.topic}-${index}: leader epoch ${r.partition.leaderEpoch} led by ${known} and ${r.node.id}`,
        );
      this.partitionLeaders.set(epochKey, r.node.id);
      if (!leader || r.partition.leaderEpoch > leader.partition.leaderEpoch) leader = r;
    }
    if (!leader) return;
    const leaderValues = this.values(leader);
    // A leader's log only grows while it leads: records checked against it stay checked.
    const leaderKey = `${leader.node.id}/${leader.partition.leaderEpoch}`;
    const acked = this.ackedByPartition.get(index) ?? [];
    const done = this.ackedChecked.get(index);
    const from = done && done.leader === leaderKey ? done.count : 0;
    this.ackedChecked.set(index, { leader: leaderKey, count: acked.length });
    for (const a of acked.slice(from)) {
      if (leaderValues[a.offset] !== a.value)
        throw new BrokerInvariantViolation(
          `${this.topic}-${index}: acknowledged record ${a.value} at offset ${a.offset} is not in the log of leader ${leader.node.id} (epoch ${leader.partition.leaderEpoch}; it holds ${leaderValues[a.offset] ?? 'nothing'} there)`,
        );
    }
    for (const r of replicas) {
      if (r === leader) continue;
      const upTo = Math.min(r.partition.highWatermark, leader.partition.highWatermark);
      const mine = this.values(r);
      // Resumes where the last check stopped, unless the follower's log was cut below it since.
      const prefixKey = `${r.node.id}/${index}@${leaderKey}`;
      const checked = this.prefixChecked.get(prefixKey) ?? 0;
      const start = checked <= r.partition.log.logEndOffset ? checked : 0;
      this.prefixChecked.set(prefixKey, Math.max(start, upTo));
      for (let offset = start; offset < upTo; offset++) {
        if (mine[offset] !== leaderValues[offset])
          throw new BrokerInvariantViolation(
            `${this.topic}-${index}: node ${r.node.id}'s log differs from leader ${leader.node.id}'s at offset ${offset} (below high watermark ${upTo})`,
          );
      }
    }
  }

  /**
   * The record values of a replica's log by offset. Decodes only what was appended since the last
   * call; a log that shrank or lost its start is decoded again from the start.
   */
  private values(r: Replica): string[] {
    const log = r.partition.log;
    const id = `${r.node.id}/${r.partition.index}`;
    let cached = this.decoded.get(id);
    const grew =
      cached !== undefined &&
      cached.start === log.logStartOffset &&
      log.logEndOffset >= cached.end &&
      log.size() >= cached.size;
    if (!cached || !grew) {
      cached = { start: log.logStartOffset, end: log.logStartOffset, size: 0, values: [] };
      this.decoded.set(id, cached);
    }
    if (log.logEndOffset > cached.end) {
      for (const batch of decodeRecordBatches(log.read(cached.end, 1 << 30))) {
        batch.records.forEach((record, i) => {
          (cached as { values: string[] }).values[Number(batch.baseOffset) + i] = record.value?.toString() ?? '';
        });
      }
      cached.values.length = log.logEndOffset;
    }
    cached.end = log.logEndOffset;
    cached.size = log.size();
    return cached.values;
  }
}
