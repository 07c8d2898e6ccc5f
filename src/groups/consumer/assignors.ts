/**
 * The server-side assignors of KIP-848, pure functions from the members' subscriptions
 * (and their previous target assignment) to a new target assignment:
 * - `uniform` (the default): every subscribed partition to exactly one subscribed member,
 *   balanced (with identical subscriptions, member sizes differ by at most one; with
 *   different ones, no partition can move to a member that has two fewer) and sticky:
 *   a member keeps its previous partitions unless it holds more than its share.
 * - `range`: per topic, the members subscribed to it (ordered by instance id, then
 *   member id) each get one contiguous range, the first `partitions % members` one
 *   partition more, so co-partitioned topics line up (Kafka's range semantics).
 * Neither is rack-aware (members' rack ids are ignored).
 */
import { addPartition, type Assignment } from './assignment.js';

export interface AssignorMember {
  memberId: string;
  instanceId: string | null;
  subscribedTopicIds: ReadonlySet<string>;
  /** The member's previous target assignment (stickiness). */
  previous: Assignment;
}

export interface AssignorTopic {
  topicId: string;
  name: string;
  numPartitions: number;
}

export type Assignor = (
  members: readonly AssignorMember[],
  topics: ReadonlyMap<string, AssignorTopic>,
) => Map<string, Assignment>;

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const uniformAssignor: Assignor = (members, topics) => {
  const sorted = [...members].sort((a, b) => byId(a.memberId, b.memberId));
  const result = new Map<string, Assignment>(sorted.map((m) => [m.memberId, new Map()]));
  const counts = new Map<string, number>(sorted.map((m) => [m.memberId, 0]));
  const taken = new Set<string>();
  const key = (topicId: string, p: number): string => `${topicId}:${p}`;
  const give = (memberId: string, topicId: string, p: number): void => {
    addPartition(result.get(memberId)!, topicId, p);
    counts.set(memberId, counts.get(memberId)! + 1);
    taken.add(key(topicId, p));
  };
  const subscribers = new Map<string, AssignorMember[]>();
  for (const topicId of [...topics.keys()].sort(byId))
    subscribers.set(
      topicId,
      sorted.filter((m) => m.subscribedTopicIds.has(topicId)),
    );

  // 1. Keep previous partitions that still exist and are still subscribed, up to a fair share.
  const share = fairShares(sorted, topics, subscribers);
  for (const m of sorted) {
    const limit = share.get(m.memberId)!;
    for (const [topicId, parts] of [...m.previous.entries()].sort(([a], [b]) => byId(a, b))) {
      const topic = topics.get(topicId);
      if (!topic || !m.subscribedTopicIds.has(topicId)) continue;
      for (const p of [...parts].sort((a, b) => a - b)) {
        if (p < topic.numPartitions && !taken.has(key(topicId, p)) && counts.get(m.memberId)! < limit)
          give(m.memberId, topicId, p);
      }
    }
  }
  // 2. Every partition left goes to the subscribed member holding the fewest (topics with fewer subscribers first).
  const order = [...subscribers.entries()].sort(([a, x], [b, y]) => x.length - y.length || byId(a, b));
  for (const [topicId, subs] of order) {
    if (subs.length === 0) continue;
    const n = topics.get(topicId)!.numPartitions;
    for (let p = 0; p < n; p++) {
      if (taken.has(key(topicId, p))) continue;
      let best = subs[0]!;
      for (const m of subs) if (counts.get(m.memberId)! < counts.get(best.memberId)!) best = m;
      give(best.memberId, topicId, p);
    }
  }
  // 3. Move partitions from fuller to emptier members while one can take one from another holding two more.
  for (let moved = true; moved;) {
    moved = false;
    const fullest = [...sorted].sort(
      (a, b) => counts.get(b.memberId)! - counts.get(a.memberId)! || byId(a.memberId, b.memberId),
    );
    outer: for (const from of fullest) {
      const fromCount = counts.get(from.memberId)!;
      const own = result.get(from.memberId)!;
      const receivers = [...sorted].sort(
        (a, b) => counts.get(a.memberId)! - counts.get(b.memberId)! || byId(a.memberId, b.memberId),
      );
      for (const to of receivers) {
        if (counts.get(to.memberId)! + 1 >= fromCount) break;
        for (const topicId of [...own.keys()].sort(byId)) {
          if (!to.subscribedTopicIds.has(topicId)) continue;
          const parts = own.get(topicId)!;
          const p = Math.max(...parts);
          parts.delete(p);
          if (parts.size === 0) own.delete(topicId);
          counts.set(from.memberId, fromCount - 1);
          addPartition(result.get(to.memberId)!, topicId, p);
          counts.set(to.memberId, counts.get(to.memberId)! + 1);
          moved = true;
          break outer;
        }
      }
    }
  }
  return result;
};

/**
 * How many previous partitions a member may keep: with identical subscriptions the
 * ceiling of partitions/members for the first `remainder` keepers and the floor for the
 * rest; otherwise the ceiling of each of its topics' share (step 3 evens out the rest).
 */
function fairShares(
  members: readonly AssignorMember[],
  topics: ReadonlyMap<string, AssignorTopic>,
  subscribers: ReadonlyMap<string, AssignorMember[]>,
): Map<string, number> {
  const shares = new Map<string, number>();
  const total = [...topics.values()].reduce(
    (sum, t) => sum + ((subscribers.get(t.topicId)?.length ?? 0) > 0 ? t.numPartitions : 0),
    0,
  );
  const homogeneous = members.every((m) => sameSet(m.subscribedTopicIds, members[0]!.subscribedTopicIds));
  if (homogeneous && members.length > 0) {
    const floor = Math.floor(total / members.length);
    let extra = total % members.length;
    // Members that held more before get the +1 first (they lose the least).
    const byPrevious = [...members].sort((a, b) => previousCount(b) - previousCount(a) || byId(a.memberId, b.memberId));
    for (const m of byPrevious) {
      const bonus = extra > 0 && previousCount(m) > floor ? 1 : 0;
      extra -= bonus;
      shares.set(m.memberId, floor + bonus);
    }
    return shares;
  }
  for (const m of members) {
    let s = 0;
    for (const topicId of m.subscribedTopicIds) {
      const t = topics.get(topicId);
      const n = subscribers.get(topicId)?.length ?? 1;
      if (t) s += Math.ceil(t.numPartitions / n);
    }
    shares.set(m.memberId, s);
  }
  return shares;
}

function previousCount(m: AssignorMember): number {
  let n = 0;
  for (const parts of m.previous.values()) n += parts.size;
  return n;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

export const rangeAssignor: Assignor = (members, topics) => {
  const result = new Map<string, Assignment>(members.map((m) => [m.memberId, new Map()]));
  const order = (m: AssignorMember): string => `${m.instanceId ?? '\uffff'}\u0000${m.memberId}`;
  for (const topic of topics.values()) {
    const subs = members
      .filter((m) => m.subscribedTopicIds.has(topic.topicId))
      .sort((a, b) => byId(order(a), order(b)));
    if (subs.length === 0) continue;
    const base = Math.floor(topic.numPartitions / subs.length);
    const extra = topic.numPartitions % subs.length;
    let next = 0;
    subs.forEach((m, i) => {
      const n = base + (i < extra ? 1 : 0);
      for (let k = 0; k < n; k++) addPartition(result.get(m.memberId)!, topic.topicId, next++);
    });
  }
  return result;
};

export const ASSIGNORS: ReadonlyMap<string, Assignor> = new Map([
  ['uniform', uniformAssignor],
  ['range', rangeAssignor],
]);
