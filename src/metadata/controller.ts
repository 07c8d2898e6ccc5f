/**
 * The metadata controller for one node: commands validate against the image and
 * return the records that make the change; `commit` appends them to the metadata log
 * and only then replays them into the image, telling listeners what changed. With the
 * Raft quorum the log becomes replicated; the commands stay the same.
 */
import { randomBytes } from 'node:crypto';
import { randomUuid } from '../../protocol/primitives/uuid.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defaultPartitionRecord } from '../../protocol/generated/records/metadata/PartitionRecord.js';
import { MetadataImage, ConfigResourceType, type ImageChange, type TopicImage } from './image.js';
import { decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord } from './records.js';
import type { MetadataLogStore } from './metadata-log.js';
import { validateTopicConfig } from './topic-configs.js';
import { NotControllerError, type MetadataQuorumPort } from './quorum-port.js';

export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
/** The producer-id block size Kafka's controller hands out. */
export const PRODUCER_ID_BLOCK_SIZE = 1000n;

export interface CommandError {
  errorCode: number;
  errorMessage: string;
}

export type CommandResult<T> = { ok: true; records: MetadataRecord[]; value: T } | { ok: false; error: CommandError };

const fail = <T>(errorCode: number, errorMessage: string): CommandResult<T> => ({ ok: false, error: { errorCode, errorMessage } });

export function validateTopicName(name: string): CommandError | null {
  if (name.length === 0) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: 'Topic name is illegal, it can\'t be empty' };
  if (name === '.' || name === '..') return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: `Topic name cannot be "${name}"` };
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}` };
  }
  if (!LEGAL_TOPIC_NAME.test(name)) {
    return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: `Topic name ${name} is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'` };
  }
  return null;
}

export interface CreateTopicSpec {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  /** Explicit replica assignment per partition, if given. */
  assignments?: Map<number, number[]>;
  configs?: Map<string, string>;
}

export type MetadataListener = (change: ImageChange) => void;

export class MetadataController {
  image = new MetadataImage();
  private readonly listeners: MetadataListener[] = [];
  private nextOffset = 0;
  /** Set when metadata goes through the Raft quorum (see attachQuorum). */
  private quorum: MetadataQuorumPort | null = null;

  constructor(
    private readonly log: MetadataLogStore,
    private readonly random: (size: number) => Buffer = randomBytes,
  ) {}

  /** Replays the log into the image. Call once, before serving. */
  load(): void {
    for (const entry of this.log.replay()) this.applyOne(decodeMetadataRecord(entry));
  }

  onChange(listener: MetadataListener): void {
    this.listeners.push(listener);
  }

  /**
   * Commits through a Raft quorum instead of the local log: records are proposed by the leader and the
   * image changes only when committed entries are applied (applyCommitted), on every node.
   */
  attachQuorum(quorum: MetadataQuorumPort): void {
    this.quorum = quorum;
  }

  /** The active controller (Raft leader), or -1; this node when there is no quorum. */
  activeControllerId(ownId: number): number {
    return this.quorum ? this.quorum.leaderId() : ownId;
  }

  isActive(): boolean {
    return this.quorum ? this.quorum.isLeader() : true;
  }

  /** Commits records; resolves once they are applied here. Rejects with NotControllerError on a non-leader. */
  submit(records: MetadataRecord[]): Promise<void> {
    if (!this.quorum) {
      this.commit(records);
      return Promise.resolve();
    }
    return this.quorum.propose(records.map(encodeMetadataRecord));
  }

  /** Applies one committed, encoded record (called by the Raft state machine). */
  applyCommitted(payload: Buffer, offset: number): void {
    const change = this.image.apply(decodeMetadataRecord(payload), offset);
    this.nextOffset = offset + 1;
    if (change) for (const l of this.listeners) l(change);
  }

  /** Starts over from an empty image (before a snapshot is restored). */
  resetImage(): void {
    this.image = new MetadataImage();
    this.nextOffset = 0;
  }

  /**
   * Commits records. Without a quorum: appended durably, then applied. With one: proposed through
   * Raft; a quorum of one has applied them when this returns, a larger one applies them once a
   * majority holds them (use submit() to wait). Throws NotControllerError on a non-leader.
   */
  commit(records: MetadataRecord[]): void {
    if (records.length === 0) return;
    if (this.quorum) {
      if (!this.quorum.isLeader()) throw new NotControllerError(this.quorum.leaderId());
      this.quorum.propose(records.map(encodeMetadataRecord)).catch(() => {
        // Leadership lost before commit: the caller did not wait, Raft decides what survives.
      });
      return;
    }
    this.log.append(records.map(encodeMetadataRecord));
    for (const record of records) {
      const change = this.applyOne(record);
      if (change) for (const l of this.listeners) l(change);
    }
  }

  private applyOne(record: MetadataRecord): ImageChange | null {
    return this.image.apply(record, this.nextOffset++);
  }

  liveBrokerIds(): number[] {
    return [...this.image.brokers.values()].filter((b) => !b.fenced).map((b) => b.brokerId).sort((a, b) => a - b);
  }

  createTopic(spec: CreateTopicSpec): CommandResult<TopicImage | { topicId: string }> {
    const nameError = validateTopicName(spec.name);
    if (nameError) return { ok: false, error: nameError };
    if (this.image.topicsByName.has(spec.name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${spec.name}' already exists.`);
    const brokers = this.liveBrokerIds();
    let assignments: number[][];
    if (spec.assignments && spec.assignments.size > 0) {
      if (spec.numPartitions !== -1 || spec.replicationFactor !== -1) {
        return fail(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
      }
      assignments = [];
      for (let p = 0; p < spec.assignments.size; p++) {
        const replicas = spec.assignments.get(p);
        if (!replicas) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partitions must be numbered consecutively from 0; ${p} is missing.`);
        if (replicas.length === 0 || new Set(replicas).size !== replicas.length) {
          return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${p} has an empty or duplicated replica list.`);
        }
        const unknown = replicas.find((r) => !brokers.includes(r));
        if (unknown !== undefined) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Broker ${unknown} in the assignment of partition ${p} does not exist.`);
        assignments.push(replicas);
      }
    } else {
      if (spec.numPartitions <= 0) return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
      if (spec.replicationFactor <= 0) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
      if (spec.replicationFactor > brokers.length) {
        return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${spec.replicationFactor} time(s): The target replication factor of ${spec.replicationFactor} cannot be reached because only ${brokers.length} broker(s) are registered.`);
      }
      assignments = [];
      for (let p = 0; p < spec.numPartitions; p++) {
        const replicas: number[] = [];
        for (let i = 0; i < spec.replicationFactor; i++) replicas.push(brokers[(p + i) % brokers.length]!);
        assignments.push(replicas);
      }
    }
    for (const [name, value] of spec.configs ?? []) {
      const problem = validateTopicConfig(name, value);
      if (problem) return fail(ErrorCode.INVALID_CONFIG, problem);
    }
    const topicId = randomUuid(this.random);
    const records: MetadataRecord[] = [{ type: 'TopicRecord', data: { name: spec.name, topicId } }];
    for (const [name, value] of spec.configs ?? []) {
      records.push({ type: 'ConfigRecord', data: { resourceType: ConfigResourceType.TOPIC, resourceName: spec.name, name, value } });
    }
    assignments.forEach((replicas, partitionId) => records.push(this.partitionRecord(topicId, partitionId, replicas)));
    return { ok: true, records, value: { topicId } };
  }

  private partitionRecord(topicId: string, partitionId: number, replicas: number[]): MetadataRecord {
    return {
      type: 'PartitionRecord',
      data: { ...defaultPartitionRecord(), partitionId, topicId, replicas, isr: [...replicas], leader: replicas[0]!, leaderEpoch: 0, partitionEpoch: 0 },
    };
  }

  deleteTopic(topicId: string): CommandResult<null> {
    const topic = this.image.topicsById.get(topicId);
    if (!topic) return fail(ErrorCode.UNKNOWN_TOPIC_ID, `Topic id ${topicId} does not exist.`);
    return { ok: true, records: [{ type: 'RemoveTopicRecord', data: { topicId } }], value: null };
  }

  createPartitions(name: string, count: number, assignments: number[][] | null): CommandResult<null> {
    const topic = this.image.topicsByName.get(name);
    if (!topic) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `This server does not host this topic-partition.`);
    const current = topic.partitions.size;
    if (count < current) return fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${count}.`);
    if (count === current) return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
    const brokers = this.liveBrokerIds();
    const rf = topic.partitions.get(0)?.replicas.length ?? 1;
    if (assignments && assignments.length !== count - current) {
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${count - current} but ${assignments.length} assignments provided.`);
    }
    const records: MetadataRecord[] = [];
    for (let p = current; p < count; p++) {
      let replicas: number[];
      if (assignments) {
        replicas = assignments[p - current]!;
        const unknown = replicas.find((r) => !brokers.includes(r));
        if (unknown !== undefined) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Broker ${unknown} does not exist.`);
      } else {
        if (rf > brokers.length) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `Not enough brokers for replication factor ${rf}.`);
        replicas = [];
        for (let i = 0; i < rf; i++) replicas.push(brokers[(p + i) % brokers.length]!);
      }
      records.push(this.partitionRecord(topic.topicId, p, replicas));
    }
    return { ok: true, records, value: null };
  }

  /** Sets (value) or deletes (null) configs of a resource. */
  alterConfigs(resourceType: number, resourceName: string, changes: Array<{ name: string; value: string | null }>): CommandResult<null> {
    if (resourceType === ConfigResourceType.TOPIC) {
      if (!this.image.topicsByName.has(resourceName)) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resourceName} does not exist.`);
      for (const c of changes) {
        const problem = validateTopicConfig(c.name, c.value);
        if (problem) return fail(ErrorCode.INVALID_CONFIG, problem);
      }
    }
    const records: MetadataRecord[] = changes.map((c) => ({
      type: 'ConfigRecord',
      data: { resourceType, resourceName, name: c.name, value: c.value },
    }));
    return { ok: true, records, value: null };
  }

  /** Hands out the next block of producer ids to `brokerId`. */
  allocateProducerIds(brokerId: number, brokerEpoch: bigint): CommandResult<{ firstProducerId: bigint; size: bigint }> {
    const first = this.image.nextProducerId;
    return {
      ok: true,
      records: [{ type: 'ProducerIdsRecord', data: { brokerId, brokerEpoch, nextProducerId: first + PRODUCER_ID_BLOCK_SIZE } }],
      value: { firstProducerId: first, size: PRODUCER_ID_BLOCK_SIZE },
    };
  }
}
