/**
 * The metadata controller for one node: commands validate against the image and
 * return the records that make the change; `commit` appends them to the metadata log
 * and only then replays them into the image, telling listeners what changed. With the
 * Raft quorum the log becomes replicated; the commands stay the same.
 */
import { randomBytes } from '../../storage/os-random.js';
import { randomUuid } from '../../protocol/primitives/uuid.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defaultPartitionRecord } from '../../protocol/generated/records/metadata/PartitionRecord.js';
import { MetadataImage, ConfigResourceType, type ImageChange } from './image.js';
import { decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord } from './records.js';
import type { MetadataLogStore } from './metadata-log.js';
import { conflictingTopicConfigs, validateTopicConfig } from './topic-configs.js';
import type { BrokerConfig } from '../common/config.js';
import { imageToRecords } from './image-records.js';
import { NotControllerError, type MetadataQuorumPort } from './quorum-port.js';
import { TopicCreationInFlightError } from './errors.js';
import { UncommittedImage } from './uncommitted-image.js';

export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
/** The producer-id block size Kafka's controller hands out. */
export const PRODUCER_ID_BLOCK_SIZE = 1000n;

export interface CommandError {
  errorCode: number;
  errorMessage: string;
}

export type CommandResult<T> = { ok: true; records: MetadataRecord[]; value: T } | { ok: false; error: CommandError };

const fail = <T>(errorCode: number, errorMessage: string): CommandResult<T> => ({
  ok: false,
  error: { errorCode, errorMessage },
});

/** Kafka's bound on the records one controller operation may write (QuorumController.MAX_RECORDS_PER_USER_OP). */
export const MAX_RECORDS_PER_USER_OP = 10_000;

/** Kafka's answer when an operation would need more records than that. */
const tooLargeOperation = <T>(): CommandResult<T> =>
  fail(ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.');

/** KRaft's metadata log; never a topic (its log directory is the Raft log's). */
export const CLUSTER_METADATA_TOPIC = '__cluster_metadata';

/**
 * Kafka's Topic.validate (3.4 and later): INVALID_TOPIC_EXCEPTION with "Topic name is invalid: "
 * and the reason, as CreateTopics, DescribeConfigs and the other callers answer it.
 */
export function validateTopicName(name: string): CommandError | null {
  const invalid = (reason: string): CommandError => ({
    errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
    errorMessage: `Topic name is invalid: ${reason}`,
  });
  if (name.length === 0) return invalid('the empty string is not allowed');
  if (name === '.' || name === '..') return invalid(`'${name}' is not allowed`);
  if (name.length > MAX_TOPIC_NAME_LENGTH)
    return invalid(`the length of '${name}' is longer than the max allowed length ${MAX_TOPIC_NAME_LENGTH}`);
  if (!LEGAL_TOPIC_NAME.test(name))
    return invalid(`'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`);
  return null;
}

export interface CreateTopicSpec {
  name: string;
  /** -1: the default (`defaultNumPartitions`). */
  numPartitions: number;
  /** -1: the default (`defaultReplicationFactor`). */
  replicationFactor: number;
  /** Explicit replica assignment per partition, if given. */
  assignments?: Map<number, number[]>;
  configs?: Map<string, string | null>;
  defaultNumPartitions?: number;
  defaultReplicationFactor?: number;
}

export interface CreatedTopic {
  topicId: string;
  numPartitions: number;
  replicationFactor: number;
}

/** IncrementalAlterConfigs operations, as Kafka numbers them. */
export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface ConfigOperation {
  name: string;
  op: number;
  value: string | null;
}

export type MetadataListener = (change: ImageChange) => void;

export class MetadataController {
  image = new MetadataImage();
  private readonly listeners: MetadataListener[] = [];
  private nextOffset = 0;
  /** Set when metadata goes through the Raft quorum (see attachQuorum). */
  private quorum: MetadataQuorumPort | null = null;
  /** The end of the last producer-id block handed out (see allocateProducerIds). */
  private reservedProducerId = 0n;
  /**
   * Names of topics whose TopicRecord is proposed through Raft and not applied yet. Commands check
   * the latest state (see commandImage), but records computed before a proposal of the same name (a
   * coordinator's internal topic created here and forwarded from another broker) are refused here,
   * so one name never gets two topic ids.
   */
  private readonly topicsInFlight = new Set<string>();
  /** The committed image plus what this node proposed and has not applied yet (see latestImage). */
  private readonly uncommitted = new UncommittedImage();

  /**
   * This node's broker config with its dynamic configs (set by the broker): the values a topic's
   * configs fall back to in the check across them, as Kafka's controller validates with its own.
   */
  brokerConfig: (() => BrokerConfig) | null = null;

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
   * Calls `listener` after each committed record is applied to the image (every record, also those
   * that make no ImageChange, such as a broker's fencing or unfencing), until it returns true.
   */
  untilApplied(listener: () => boolean): void {
    if (!listener()) this.appliedListeners.add(listener);
  }

  private readonly appliedListeners = new Set<() => boolean>();

  /**
   * Resolves once the image lists broker `nodeId` registered and unfenced (or `abandoned()` turns
   * true). The controller answers a broker's unfencing heartbeat when the record commits; the
   * broker's own image applies it a fetch later.
   */
  whenListedUnfenced(nodeId: number, abandoned: () => boolean): Promise<void> {
    return new Promise((resolve) =>
      this.untilApplied(() => {
        const broker = this.image.brokers.get(nodeId);
        const done = (broker !== undefined && !broker.fenced) || abandoned();
        if (done) resolve();
        return done;
      }),
    );
  }

  private notifyApplied(): void {
    for (const l of [...this.appliedListeners]) if (l()) this.appliedListeners.delete(l);
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

  /**
   * The state after every record this active controller has proposed, committed or not (Kafka's
   * controller validates against that): leadership and ISR moves are computed from it. Off the
   * leader, and when nothing is in flight, the committed image.
   */
  latestImage(): MetadataImage {
    if (!this.quorum?.isLeader()) return this.image;
    return this.uncommitted.latest(this.image);
  }

  /** Commits records; resolves once they are applied here. Rejects with NotControllerError on a non-leader. */
  submit(records: MetadataRecord[]): Promise<void> {
    if (!this.quorum) {
      this.commit(records);
      return Promise.resolve();
    }
    const duplicate = this.duplicateTopic(records);
    if (duplicate !== null) return Promise.reject(new TopicCreationInFlightError(duplicate));
    return this.propose(this.quorum, records);
  }

  /** A topic that `records` create and that exists or is being created already, or null. */
  private duplicateTopic(records: readonly MetadataRecord[]): string | null {
    for (const record of records)
      if (
        record.type === 'TopicRecord' &&
        (this.topicsInFlight.has(record.data.name) || this.image.topicsByName.has(record.data.name))
      )
        return record.data.name;
    return null;
  }

  /** Proposes through Raft, holding the names of the topics created until the records are applied or dropped. */
  private propose(quorum: MetadataQuorumPort, records: readonly MetadataRecord[]): Promise<void> {
    const created = records.flatMap((r) => (r.type === 'TopicRecord' ? [r.data.name] : []));
    for (const name of created) this.topicsInFlight.add(name);
    const release = (): void => {
      for (const name of created) this.topicsInFlight.delete(name);
    };
    const leading = quorum.isLeader();
    const proposed = quorum.propose(records.map(encodeMetadataRecord));
    if (leading && records.length > 0) {
      const proposal = this.uncommitted.proposed(quorum.lastProposedOffset() - records.length + 1, records);
      proposed.then(
        () => this.uncommitted.settled(proposal, true),
        () => this.uncommitted.settled(proposal, false),
      );
    }
    proposed.then(release, release);
    return proposed;
  }

  /**
   * Commits records and waits until they are applied here; answers the Kafka error code instead of
   * throwing: 0, or NOT_CONTROLLER when this node is not (or stops being) the active controller
   * before they commit. Handlers answer their clients with it.
   */
  async commitAndWait(records: MetadataRecord[]): Promise<number> {
    if (records.length === 0) return ErrorCode.NONE;
    try {
      await this.submit(records);
      return ErrorCode.NONE;
    } catch (err) {
      if (err instanceof NotControllerError) return ErrorCode.NOT_CONTROLLER;
      if (err instanceof TopicCreationInFlightError) return ErrorCode.TOPIC_ALREADY_EXISTS;
      throw err;
    }
  }

  /** Applies one committed, encoded record (called by the Raft state machine). */
  applyCommitted(payload: Buffer, offset: number): void {
    const change = this.image.apply(decodeMetadataRecord(payload), offset);
    this.uncommitted.applied(offset);
    this.nextOffset = offset + 1;
    if (change) for (const l of this.listeners) l(change);
    if (this.appliedListeners.size > 0) this.notifyApplied();
  }

  /** Starts over from an empty image. */
  resetImage(): void {
    this.uncommitted.reset();
    this.image = new MetadataImage();
    this.nextOffset = 0;
  }

  /** The encoded records that rebuild the current image (a snapshot's content). */
  snapshotRecords(): Buffer[] {
    return imageToRecords(this.image).map(encodeMetadataRecord);
  }

  /**
   * Replaces the image with the one `payloads` build (a snapshot restore); listeners hear of every
   * topic and partition in it and of each topic of the old image that is gone.
   */
  restoreImage(payloads: readonly Buffer[], lastOffset: number): void {
    const old = this.image;
    this.uncommitted.reset();
    this.image = new MetadataImage();
    const changes: ImageChange[] = [];
    for (const payload of payloads) {
      const change = this.image.apply(decodeMetadataRecord(payload), lastOffset);
      if (change) changes.push(change);
    }
    this.image.lastAppliedOffset = lastOffset;
    this.nextOffset = lastOffset + 1;
    for (const topic of old.topicsById.values()) {
      if (!this.image.topicsById.has(topic.topicId)) changes.unshift({ kind: 'topic-deleted', topic });
    }
    for (const change of changes) for (const l of this.listeners) l(change);
    if (this.appliedListeners.size > 0) this.notifyApplied();
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
      // A creation of a topic that is already on its way: the first one wins, this one is dropped.
      if (this.duplicateTopic(records) !== null) return;
      this.propose(this.quorum, records).catch(() => {
        // Leadership lost before commit: the caller did not wait, Raft decides what survives.
      });
      return;
    }
    this.log.append(records.map(encodeMetadataRecord));
    for (const record of records) {
      const change = this.applyOne(record);
      if (change) for (const l of this.listeners) l(change);
    }
    if (this.appliedListeners.size > 0) this.notifyApplied();
  }

  private applyOne(record: MetadataRecord): ImageChange | null {
    return this.image.apply(record, this.nextOffset++);
  }

  /**
   * The state commands are checked against: on the active controller its latest state, proposed and
   * not yet committed records included (as Kafka's controller checks every operation, topic
   * creation, partitions and configs too, against the state the operations before it left);
   * elsewhere the committed image.
   */
  private commandImage(): MetadataImage {
    return this.latestImage();
  }

  liveBrokerIds(): number[] {
    return [...this.commandImage().brokers.values()]
      .filter((b) => !b.fenced && !b.inControlledShutdown)
      .map((b) => b.brokerId)
      .sort((a, b) => a - b);
  }

  /** Topics whose names collide with `name` once '.' and '_' are unified, as Kafka refuses them. */
  private collidingTopic(name: string): string | null {
    const unified = name.replace(/\./g, '_');
    if (unified === name && !name.includes('_')) return null;
    for (const existing of this.commandImage().topicsByName.keys()) {
      if (existing !== name && existing.replace(/\./g, '_') === unified) return existing;
    }
    return null;
  }

  /**
   * Checks a manual assignment of one partition (CreateTopics, CreatePartitions, a reassignment's
   * target), as Kafka's validateManualPartitionAssignment: every broker registered (fenced ones too),
   * none twice, in broker id order.
   */
  checkAssignment(replicas: number[], replicationFactor: number | null): CommandError | null {
    if (replicas.length === 0)
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        errorMessage: 'The manual partition assignment includes an empty replica list.',
      };
    const sorted = [...replicas].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; i++) {
      if (!this.commandImage().brokers.has(sorted[i]!)) {
        return {
          errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          errorMessage: `The manual partition assignment includes broker ${sorted[i]}, but no such broker is registered.`,
        };
      }
      if (i > 0 && sorted[i] === sorted[i - 1]) {
        return {
          errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          errorMessage: `The manual partition assignment includes the broker ${sorted[i]} more than once.`,
        };
      }
    }
    if (replicationFactor !== null && replicas.length !== replicationFactor) {
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        errorMessage: `The manual partition assignment includes a partition with ${replicas.length} replica(s), but this is not consistent with previous partitions, which have ${replicationFactor} replica(s).`,
      };
    }
    return null;
  }

  /**
   * The brokers a new replica may be placed on, as Kafka's BrokerHeartbeatManager.usableBrokers: every
   * registered broker but those in controlled shutdown, the unfenced first. A fenced broker (one that
   * died or finished its controlled shutdown) still counts: it gets replicas once the unfenced are used
   * up, out of the ISR until it comes back and catches up.
   */
  private placeableBrokers(): { unfenced: number[]; fenced: number[] } {
    const unfenced: number[] = [];
    const fenced: number[] = [];
    for (const b of this.image.brokers.values()) {
      if (b.fenced) fenced.push(b.brokerId);
      else if (!b.inControlledShutdown) unfenced.push(b.brokerId);
    }
    const byId = (a: number, b: number): number => a - b;
    return { unfenced: unfenced.sort(byId), fenced: fenced.sort(byId) };
  }

  /**
   * Placement of partitions [first, first + count) with `rf` replicas each, as Kafka's
   * StripedReplicaPlacer without racks: the leader is always an unfenced broker, walking them from a
   * random start; the other replicas go to the other unfenced brokers at a random shift that moves on
   * after each full round, so leaders and followers spread evenly; when `rf` is more than the unfenced
   * brokers, the rest go to fenced ones (rotating). Refused as Kafka refuses it: no unfenced broker, or
   * `rf` above the registered brokers (fenced included, those in controlled shutdown not).
   * Leaves out: rack awareness (broker.rack).
   */
  private place(first: number, count: number, rf: number): CommandResult<number[][]> {
    const { unfenced: brokers, fenced } = this.placeableBrokers();
    if (brokers.length === 0)
      return fail(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${rf} time(s): All brokers are currently fenced.`,
      );
    if (rf > brokers.length + fenced.length) {
      return fail(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${brokers.length + fenced.length} broker(s) are registered.`,
      );
    }
    const n = brokers.length;
    const followersUnfenced = Math.min(rf - 1, n - 1);
    const start = this.randomBelow(n);
    let shift = this.randomBelow(n);
    const fencedStart = this.randomBelow(fenced.length);
    const out: number[][] = [];
    for (let p = first; p < first + count; p++) {
      if (p > first && (p - first) % n === 0) shift += 1;
      const leaderIndex = (p + start) % n;
      const replicas = [brokers[leaderIndex]!];
      for (let j = 0; j < followersUnfenced; j++)
        replicas.push(brokers[(leaderIndex + 1 + ((shift + j) % (n - 1))) % n]!);
      for (let j = 0; replicas.length < rf; j++) replicas.push(fenced[(fencedStart + p + j) % fenced.length]!);
      out.push(replicas);
    }
    return { ok: true, records: [], value: out };
  }

  private randomBelow(n: number): number {
    return n <= 1 ? 0 : this.random(4).readUInt32BE(0) % n;
  }

  /**
   * A topic creation needs one record for the topic, one per config and one per partition; as
   * Kafka's controller (MAX_RECORDS_PER_USER_OP, 10,000 records per operation), a creation that
   * needs more is refused with POLICY_VIOLATION before anything is placed or allocated. The
   * CreateTopics handler bounds the whole request as well (its creatable topics' records in all),
   * as Kafka does; CreatePartitions is bounded per topic.
   */
  createTopic(spec: CreateTopicSpec): CommandResult<CreatedTopic> {
    const nameError = validateTopicName(spec.name);
    if (nameError) return { ok: false, error: nameError };
    // As Kafka's ControllerApis, for every way in (CreateTopics and auto-creation alike).
    if (spec.name === CLUSTER_METADATA_TOPIC)
      return fail(ErrorCode.INVALID_REQUEST, `Creation of internal topic ${CLUSTER_METADATA_TOPIC} is prohibited.`);
    if (this.commandImage().topicsByName.has(spec.name))
      return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${spec.name}' already exists.`);
    const colliding = this.collidingTopic(spec.name);
    if (colliding !== null)
      return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${spec.name}' collides with existing topic: ${colliding}`);
    const nullConfigs = [...(spec.configs ?? [])].filter(([, v]) => v === null).map(([k]) => k);
    if (nullConfigs.length > 0)
      return fail(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${nullConfigs.join(',')}`);
    for (const [name, value] of spec.configs ?? []) {
      const problem = validateTopicConfig(name, value);
      if (problem) return fail(ErrorCode.INVALID_CONFIG, problem);
    }
    const conflict = this.configConflict(new Map(spec.configs as Iterable<[string, string]> | undefined));
    if (conflict) return fail(ErrorCode.INVALID_CONFIG, conflict);
    let assignments: number[][];
    const manual = spec.assignments !== undefined && spec.assignments !== null && spec.assignments.size > 0;
    if (spec.assignments && spec.assignments.size > 0) {
      if (spec.replicationFactor !== -1)
        return fail(
          ErrorCode.INVALID_REQUEST,
          'A manual partition assignment was specified, but replication factor was not set to -1.',
        );
      if (spec.numPartitions !== -1)
        return fail(
          ErrorCode.INVALID_REQUEST,
          'A manual partition assignment was specified, but numPartitions was not set to -1.',
        );
      let rf: number | null = null;
      for (const replicas of spec.assignments.values()) {
        const problem = this.checkAssignment(replicas, rf);
        if (problem) return { ok: false, error: problem };
        rf = replicas.length;
      }
      assignments = [];
      for (let p = 0; p < spec.assignments.size; p++) {
        const replicas = spec.assignments.get(p);
        if (!replicas)
          return fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            'partitions should be a consecutive 0-based integer sequence',
          );
        assignments.push(replicas);
      }
    } else {
      if (spec.replicationFactor < -1 || spec.replicationFactor === 0) {
        return fail(
          ErrorCode.INVALID_REPLICATION_FACTOR,
          'Replication factor must be larger than 0, or -1 to use the default value.',
        );
      }
      if (spec.numPartitions < -1 || spec.numPartitions === 0)
        return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
      const numPartitions = spec.numPartitions === -1 ? (spec.defaultNumPartitions ?? 1) : spec.numPartitions;
      if (1 + (spec.configs?.size ?? 0) + numPartitions > MAX_RECORDS_PER_USER_OP) return tooLargeOperation();
      const rf = spec.replicationFactor === -1 ? (spec.defaultReplicationFactor ?? 1) : spec.replicationFactor;
      const placed = this.place(0, numPartitions, rf);
      if (!placed.ok) return placed;
      assignments = placed.value;
    }
    const topicId = randomUuid(this.random);
    const records: MetadataRecord[] = [{ type: 'TopicRecord', data: { name: spec.name, topicId } }];
    for (const [name, value] of spec.configs ?? []) {
      records.push({
        type: 'ConfigRecord',
        data: { resourceType: ConfigResourceType.TOPIC, resourceName: spec.name, name, value },
      });
    }
    for (const [partitionId, replicas] of assignments.entries()) {
      const record = this.partitionRecord(topicId, partitionId, replicas, manual);
      if (!record.ok) return record;
      records.push(record.value);
    }
    return {
      ok: true,
      records,
      value: { topicId, numPartitions: assignments.length, replicationFactor: assignments[0]!.length },
    };
  }

  /**
   * A new partition, as Kafka's ReplicationControlManager builds it: its ISR is every replica that is
   * active (unfenced, not shutting down): an empty log is fully held by each of them. The first of
   * those leads. With none active the partition is refused: INVALID_REPLICATION_FACTOR for a placed
   * one, INVALID_REPLICA_ASSIGNMENT for a manual assignment.
   */
  private partitionRecord(
    topicId: string,
    partitionId: number,
    replicas: number[],
    manual: boolean,
  ): CommandResult<MetadataRecord> {
    const isr = replicas.filter((id) => {
      const broker = this.commandImage().brokers.get(id);
      return broker !== undefined && !broker.fenced && !broker.inControlledShutdown;
    });
    const leader = isr[0];
    if (leader === undefined) {
      return manual
        ? fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            `All brokers specified in the manual partition assignment for partition ${partitionId} are fenced or in controlled shutdown.`,
          )
        : fail(
            ErrorCode.INVALID_REPLICATION_FACTOR,
            `Unable to replicate the partition ${replicas.length} time(s): All brokers are currently fenced or in controlled shutdown.`,
          );
    }
    return {
      ok: true,
      records: [],
      value: {
        type: 'PartitionRecord',
        data: {
          ...defaultPartitionRecord(),
          partitionId,
          topicId,
          replicas,
          isr,
          leader,
          leaderEpoch: 0,
          partitionEpoch: 0,
        },
      },
    };
  }

  deleteTopic(topicId: string): CommandResult<null> {
    const topic = this.commandImage().topicsById.get(topicId);
    if (!topic) return fail(ErrorCode.UNKNOWN_TOPIC_ID, `Topic id ${topicId} does not exist.`);
    return { ok: true, records: [{ type: 'RemoveTopicRecord', data: { topicId } }], value: null };
  }

  createPartitions(name: string, count: number, assignments: number[][] | null): CommandResult<null> {
    const topic = this.commandImage().topicsByName.get(name);
    if (!topic) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
    const current = topic.partitions.size;
    if (count === current) return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
    if (count < current)
      return fail(
        ErrorCode.INVALID_PARTITIONS,
        `The topic ${name} currently has ${current} partition(s); ${count} would not be an increase.`,
      );
    const additional = count - current;
    if (additional > MAX_RECORDS_PER_USER_OP) return tooLargeOperation();
    if (assignments && assignments.length !== additional) {
      return fail(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Attempted to add ${additional} additional partition(s), but only ${assignments.length} assignment(s) were specified.`,
      );
    }
    const rf = topic.partitions.get(0)?.replicas.length ?? 1;
    let placed: number[][];
    if (assignments) {
      for (const replicas of assignments) {
        const problem = this.checkAssignment(replicas, rf);
        if (problem) return { ok: false, error: problem };
      }
      placed = assignments;
    } else {
      const result = this.place(current, additional, rf);
      if (!result.ok) return result;
      placed = result.value;
    }
    const records: MetadataRecord[] = [];
    for (const [i, replicas] of placed.entries()) {
      const record = this.partitionRecord(topic.topicId, current + i, replicas, assignments !== null);
      if (!record.ok) return record;
      records.push(record.value);
    }
    return { ok: true, records, value: null };
  }

  /** The configs currently stored for a resource (a topic's overrides, or a broker's dynamic configs). */
  resourceConfigs(resourceType: number, resourceName: string): ReadonlyMap<string, string> {
    if (resourceType === ConfigResourceType.TOPIC)
      return this.commandImage().topicsByName.get(resourceName)?.configs ?? new Map();
    return this.commandImage().brokerConfigs.get(resourceName) ?? new Map();
  }

  /** Sets (value) or deletes (null) configs of a resource. Topic configs are validated (INVALID_CONFIG). */
  alterConfigs(
    resourceType: number,
    resourceName: string,
    changes: Array<{ name: string; value: string | null }>,
  ): CommandResult<null> {
    if (resourceType === ConfigResourceType.TOPIC) {
      if (!this.commandImage().topicsByName.has(resourceName))
        return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
      for (const c of changes) {
        const problem = validateTopicConfig(c.name, c.value);
        if (problem) return fail(ErrorCode.INVALID_CONFIG, problem);
      }
      const after = new Map(this.commandImage().topicsByName.get(resourceName)?.configs);
      for (const c of changes) {
        if (c.value === null) after.delete(c.name);
        else after.set(c.name, c.value);
      }
      const conflict = this.configConflict(after);
      if (conflict) return fail(ErrorCode.INVALID_CONFIG, conflict);
    }
    const records: MetadataRecord[] = changes.map((c) => ({
      type: 'ConfigRecord',
      data: { resourceType, resourceName, name: c.name, value: c.value },
    }));
    return { ok: true, records, value: null };
  }

  private configConflict(topicConfigs: ReadonlyMap<string, string>): string | null {
    return this.brokerConfig ? conflictingTopicConfigs(topicConfigs, this.brokerConfig()) : null;
  }

  /** Replaces the whole config set of a resource (legacy AlterConfigs): names left out are deleted. */
  replaceConfigs(
    resourceType: number,
    resourceName: string,
    configs: ReadonlyMap<string, string>,
  ): CommandResult<null> {
    const changes: Array<{ name: string; value: string | null }> = [];
    for (const name of this.resourceConfigs(resourceType, resourceName).keys())
      if (!configs.has(name)) changes.push({ name, value: null });
    for (const [name, value] of configs) changes.push({ name, value });
    return this.alterConfigs(resourceType, resourceName, changes);
  }

  /**
   * IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT (list configs only; the
   * base is the current value, else the config's default, `listDefault`).
   */
  incrementalAlterConfigs(
    resourceType: number,
    resourceName: string,
    ops: ConfigOperation[],
    listDefault: (name: string) => { isList: boolean; value: string | null },
  ): CommandResult<null> {
    const current = this.resourceConfigs(resourceType, resourceName);
    const changes: Array<{ name: string; value: string | null }> = [];
    for (const { name, op, value } of ops) {
      switch (op) {
        case AlterConfigOp.SET:
          changes.push({ name, value });
          break;
        case AlterConfigOp.DELETE:
          changes.push({ name, value: null });
          break;
        case AlterConfigOp.APPEND:
        case AlterConfigOp.SUBTRACT: {
          const schema = listDefault(name);
          const opName = op === AlterConfigOp.APPEND ? 'APPEND' : 'SUBTRACT';
          if (!schema.isList)
            return fail(ErrorCode.INVALID_CONFIG, `Can't ${opName} to key ${name} because its type is not LIST.`);
          const base = current.get(name) ?? schema.value ?? '';
          const parts = base.split(',').filter((p) => p !== '');
          for (const v of (value ?? '').split(',')) {
            if (op === AlterConfigOp.APPEND) {
              if (!parts.includes(v)) parts.push(v);
            } else {
              const i = parts.indexOf(v);
              if (i >= 0) parts.splice(i, 1);
            }
          }
          changes.push({ name, value: parts.join(',') });
          break;
        }
        default:
          return fail(ErrorCode.INVALID_REQUEST, `Unknown operations type ${op}`);
      }
    }
    return this.alterConfigs(resourceType, resourceName, changes);
  }

  /**
   * Hands out the next block of producer ids to `brokerId`. Blocks handed out but not yet applied
   * count too, so two allocations racing on the leader never get the same block.
   */
  allocateProducerIds(brokerId: number, brokerEpoch: bigint): CommandResult<{ firstProducerId: bigint; size: bigint }> {
    const first =
      this.image.nextProducerId > this.reservedProducerId ? this.image.nextProducerId : this.reservedProducerId;
    this.reservedProducerId = first + PRODUCER_ID_BLOCK_SIZE;
    return {
      ok: true,
      records: [
        { type: 'ProducerIdsRecord', data: { brokerId, brokerEpoch, nextProducerId: first + PRODUCER_ID_BLOCK_SIZE } },
      ],
      value: { firstProducerId: first, size: PRODUCER_ID_BLOCK_SIZE },
    };
  }
}
