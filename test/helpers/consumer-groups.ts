/**
 * Test support for the KIP-848 coordinator: a GroupCoordinator on a ManualClock with an
 * in-memory `__consumer_offsets`, a mutable topic table standing in for the metadata
 * image, and `SimMember`, a consumer that heartbeats the way real clients do (sends what
 * it owns; adopts the assignment it is given, revoking first unless told to hold on).
 * Used only by tests.
 */
import { ManualClock } from '../../src/common/clock.js';
import { GroupCoordinator } from '../../src/groups/coordinator.js';
import { MemoryGroupLog } from './groups.js';
import { fromWire, toWire, type Assignment } from '../../src/groups/consumer/assignment.js';
import type { ConsumerGroupConfig } from '../../src/groups/consumer/config.js';
import type { HeartbeatRequest, HeartbeatResult } from '../../src/groups/consumer/heartbeat.js';
import type { TopicSource } from '../../src/groups/consumer/target.js';

export class TopicTable implements TopicSource {
  readonly topics = new Map<string, { topicId: string; numPartitions: number }>();

  add(name: string, numPartitions: number): string {
    const bytes = Buffer.alloc(16);
    bytes.write(name.slice(0, 16));
    const topicId = this.topics.get(name)?.topicId ?? bytes.toString('base64url');
    this.topics.set(name, { topicId, numPartitions });
    return topicId;
  }

  byName(name: string): { topicId: string; numPartitions: number } | undefined {
    return this.topics.get(name);
  }

  names(): Iterable<string> {
    return this.topics.keys();
  }

  byId(topicId: string): { name: string; numPartitions: number } | undefined {
    for (const [name, t] of this.topics) if (t.topicId === topicId) return { name, numPartitions: t.numPartitions };
    return undefined;
  }
}

export interface ConsumerHarness {
  clock: ManualClock;
  log: MemoryGroupLog;
  topics: TopicTable;
  coordinator: GroupCoordinator;
  advance(ms: number): void;
  heartbeat(req: Partial<HeartbeatRequest>): HeartbeatResult;
  /** A fresh coordinator replaying this one's log (a broker restart). */
  restart(): ConsumerHarness;
}

export function consumerHarness(
  config: Partial<ConsumerGroupConfig> = {},
  log = new MemoryGroupLog(),
  topics = new TopicTable(),
  clock = new ManualClock(1_000_000),
): ConsumerHarness {
  let n = 0;
  const coordinator = new GroupCoordinator({
    config: { initialRebalanceDelayMs: 0 },
    consumerConfig: config,
    topics,
    writer: log,
    numPartitions: () => 4,
    env: { partitionExists: (topic, partition) => (topics.byName(topic)?.numPartitions ?? 0) > partition },
    newUuid: () => `m${++n}`,
  });
  const h: ConsumerHarness = {
    clock,
    log,
    topics,
    coordinator,
    advance(ms) {
      clock.advance(ms);
      coordinator.poll(clock.now());
    },
    heartbeat: (req) => coordinator.consumer.heartbeats.heartbeat({ ...heartbeatDefaults(), ...req }, clock.now()),
    restart() {
      const next = consumerHarness(config, log, topics, clock);
      next.coordinator.load(log.replay(), clock.now());
      return next;
    },
  };
  return h;
}

export function heartbeatDefaults(): HeartbeatRequest {
  return {
    groupId: 'g',
    memberId: '',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: ['t'],
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: [],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    memberIdRequired: false,
  };
}

/** One consumer, heartbeating like a KIP-848 client. */
export class SimMember {
  memberId = '';
  epoch = 0;
  owned: Assignment = new Map();
  /** While true, the member keeps partitions it was asked to give up. */
  holdRevocations = false;
  last: HeartbeatResult | null = null;
  /** The last assignment given, which a member holding revocations has not fully applied. */
  private given: Assignment | null = null;

  constructor(
    private readonly h: ConsumerHarness,
    private readonly subscription: string[] = ['t'],
    private readonly extra: Partial<HeartbeatRequest> = {},
  ) {}

  join(): HeartbeatResult {
    this.epoch = 0;
    this.owned = new Map();
    this.given = null;
    return this.beat({ subscribedTopicNames: this.subscription, rebalanceTimeoutMs: 30_000, topicPartitions: [] });
  }

  /** A regular heartbeat reporting what the member owns. */
  heartbeat(): HeartbeatResult {
    // A member that stopped holding on finishes the revocation it was asked for before reporting.
    if (!this.holdRevocations && this.given) this.owned = this.given;
    return this.beat({ subscribedTopicNames: null, rebalanceTimeoutMs: -1, topicPartitions: toWire(this.owned) });
  }

  leave(): HeartbeatResult {
    return this.h.heartbeat({
      ...this.extra,
      memberId: this.memberId,
      memberEpoch: -1,
      subscribedTopicNames: null,
      rebalanceTimeoutMs: -1,
      topicPartitions: null,
    });
  }

  ownedCount(): number {
    let n = 0;
    for (const p of this.owned.values()) n += p.size;
    return n;
  }

  private beat(req: Partial<HeartbeatRequest>): HeartbeatResult {
    const r = this.h.heartbeat({ ...this.extra, ...req, memberId: this.memberId, memberEpoch: this.epoch });
    this.last = r;
    if (r.errorCode !== 0) return r;
    if (r.memberId) this.memberId = r.memberId;
    this.epoch = r.memberEpoch;
    if (r.assignment) {
      const given = fromWire(r.assignment);
      this.given = given;
      if (this.holdRevocations) {
        for (const [t, parts] of given)
          for (const p of parts) (this.owned.get(t) ?? this.owned.set(t, new Set()).get(t)!).add(p);
      } else {
        this.owned = given;
      }
    }
    return r;
  }
}

/** Throws if two members own the same partition. */
export function assertDisjoint(members: readonly SimMember[]): void {
  const seen = new Map<string, string>();
  for (const m of members) {
    for (const [t, parts] of m.owned) {
      for (const p of parts) {
        const k = `${t}:${p}`;
        const other = seen.get(k);
        if (other !== undefined) throw new Error(`partition ${k} owned by both ${other} and ${m.memberId}`);
        seen.set(k, m.memberId);
      }
    }
  }
}
