/**
 * Test support for the coordinator: an in-memory `__consumer_offsets` (records kept
 * per partition, decodable for replay), a coordinator on a ManualClock with
 * predictable member ids, and small helpers that turn the callback-style JoinGroup and
 * SyncGroup into values. Used only by tests.
 */
import { ManualClock } from '../../src/common/clock.js';
import type { JoinResult, MemberProtocol, SyncResult } from '../../src/groups/classic-group.js';
import type { CoordinatorConfig } from '../../src/groups/config.js';
import { GroupCoordinator } from '../../src/groups/coordinator.js';
import type { GroupLogWriter } from '../../src/groups/group-store.js';
import type { JoinRequest, SyncRequest } from '../../src/groups/membership.js';
import { decodeGroupRecord, encodeGroupRecords, type GroupRecord, type RawRecord } from '../../src/groups/records.js';

export class MemoryGroupLog implements GroupLogWriter {
  readonly partitions = new Map<number, RawRecord[]>();
  failNext = false;

  append(partition: number, records: readonly GroupRecord[]): void {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('append failed');
    }
    const list = this.partitions.get(partition) ?? [];
    list.push(...encodeGroupRecords(records));
    this.partitions.set(partition, list);
  }

  *replay(): Iterable<GroupRecord> {
    for (const records of this.partitions.values()) {
      for (const r of records) {
        const decoded = decodeGroupRecord(r.key, r.value);
        if (decoded) yield decoded;
      }
    }
  }

  count(): number {
    let n = 0;
    for (const l of this.partitions.values()) n += l.length;
    return n;
  }
}

export interface Harness {
  clock: ManualClock;
  log: MemoryGroupLog;
  coordinator: GroupCoordinator;
  /** Advances the clock and fires due deadlines. */
  advance(ms: number): void;
}

export function harness(
  config: Partial<CoordinatorConfig> = {},
  log = new MemoryGroupLog(),
  clock = new ManualClock(1_000_000),
): Harness {
  let n = 0;
  const coordinator = new GroupCoordinator({
    config: { initialRebalanceDelayMs: 0, ...config },
    writer: log,
    numPartitions: () => 4,
    env: { partitionExists: (topic, partition) => topic.startsWith('t') && partition >= 0 && partition < 6 },
    newUuid: () => `uuid${++n}`,
  });
  return {
    clock,
    log,
    coordinator,
    advance(ms) {
      clock.advance(ms);
      coordinator.poll(clock.now());
    },
  };
}

export function protocols(...names: string[]): MemberProtocol[] {
  return names.map((name) => ({ name, metadata: Buffer.from(`meta-${name}`) }));
}

export function joinRequest(over: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: protocols('range'),
    clientId: 'client',
    clientHost: '/127.0.0.1',
    apiVersion: 5,
    ...over,
  };
}

/** A JoinGroup whose answer may come later: `result` is set when it does. */
export class PendingJoin {
  result: JoinResult | null = null;
  constructor(h: Harness, req: JoinRequest) {
    h.coordinator.membership.join(req, h.clock.now(), (r) => {
      this.result = r;
    });
  }
}

export class PendingSync {
  result: SyncResult | null = null;
  constructor(h: Harness, req: SyncRequest) {
    h.coordinator.membership.sync(req, h.clock.now(), (r) => {
      this.result = r;
    });
  }
}

export function syncRequest(
  memberId: string,
  generationId: number,
  assignments: Record<string, string> = {},
  over: Partial<SyncRequest> = {},
): SyncRequest {
  return {
    groupId: 'g',
    generationId,
    memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: Object.entries(assignments).map(([m, a]) => ({ memberId: m, assignment: Buffer.from(a) })),
    ...over,
  };
}
