/**
 * The pieces of a heartbeat that are pure functions of the group: the subscribed topics'
 * metadata (from the metadata image, by name or by a member's regex, see topic-regex.ts) and a new target assignment from the
 * group's preferred assignor, both computed against the group as it will be after the
 * heartbeat's member change (`overrides`: member id -> new subscription, null = gone).
 */
import { assignmentsEqual, type Assignment } from './assignment.js';
import { ASSIGNORS, type AssignorMember, type AssignorTopic } from './assignors.js';
import type { ConsumerGroup } from './consumer-group.js';
import type { ConsumerGroupRecord, MemberSubscription, SubscribedTopic } from './records.js';
import { topicMatches } from './topic-regex.js';

/** The metadata image, as the consumer coordinator sees it. */
export interface TopicSource {
  byName(name: string): { topicId: string; numPartitions: number } | undefined;
  byId(topicId: string): { name: string; numPartitions: number } | undefined;
  /** Every topic name, for regular-expression subscriptions. */
  names(): Iterable<string>;
}

export type Overrides = ReadonlyMap<string, MemberSubscription | null>;

/**
 * The subscribed topics that exist (by name or matching a member's regex), sorted by name. A topic
 * only a regex matches is taken when `regexMayTake` accepts it: with an authorizer, the topics the
 * heartbeating member may DESCRIBE, as Kafka 4.0 resolves regexes with the request's principal.
 */
export function subscribedTopicsMetadata(
  group: ConsumerGroup,
  overrides: Overrides,
  topics: TopicSource,
  regexMayTake: (topic: string) => boolean = () => true,
): SubscribedTopic[] {
  const out: SubscribedTopic[] = [];
  const names = group.subscribedTopicNames(overrides);
  const regexes = group.subscribedTopicRegexes(overrides);
  if (regexes.size > 0) {
    for (const name of topics.names())
      if (!names.has(name) && [...regexes].some((r) => topicMatches(r, name)) && regexMayTake(name)) names.add(name);
  }
  for (const name of [...names].sort()) {
    const t = topics.byName(name);
    if (t) out.push({ topicId: t.topicId, name, numPartitions: t.numPartitions });
  }
  return out;
}

export function sameTopics(a: readonly SubscribedTopic[], b: readonly SubscribedTopic[]): boolean {
  return (
    a.length === b.length &&
    a.every((t, i) => t.topicId === b[i]!.topicId && t.name === b[i]!.name && t.numPartitions === b[i]!.numPartitions)
  );
}

/**
 * Runs the group's assignor for `epoch` and returns the new targets and the records
 * that store them (changed members only, then the assignment epoch).
 */
export function computeTargetAssignment(
  group: ConsumerGroup,
  overrides: Overrides,
  subscribed: readonly SubscribedTopic[],
  assignorName: string,
  epoch: number,
): { targets: Map<string, Assignment>; records: ConsumerGroupRecord[] } {
  const byName = new Map(subscribed.map((t) => [t.name, t]));
  const topicMap = new Map<string, AssignorTopic>(
    subscribed.map((t) => [t.topicId, { topicId: t.topicId, name: t.name, numPartitions: t.numPartitions }]),
  );
  const members: AssignorMember[] = [];
  const subscriptions = new Map<string, MemberSubscription>();
  for (const m of group.members.values()) subscriptions.set(m.memberId, m.subscription);
  for (const [id, s] of overrides) {
    if (s === null) subscriptions.delete(id);
    else subscriptions.set(id, s);
  }
  for (const [memberId, s] of subscriptions) {
    const ids = new Set<string>();
    for (const name of s.subscribedTopicNames) {
      const t = byName.get(name);
      if (t) ids.add(t.topicId);
    }
    if (s.subscribedTopicRegex !== null)
      for (const t of subscribed) if (topicMatches(s.subscribedTopicRegex, t.name)) ids.add(t.topicId);
    members.push({ memberId, instanceId: s.instanceId, subscribedTopicIds: ids, previous: group.targetOf(memberId) });
  }
  const assignor = ASSIGNORS.get(assignorName) ?? ASSIGNORS.get('uniform')!;
  const targets = assignor(members, topicMap);
  const records: ConsumerGroupRecord[] = [];
  for (const [memberId, target] of targets) {
    if (!group.target.has(memberId) || !assignmentsEqual(group.targetOf(memberId), target)) {
      records.push({ kind: 'cg-target', groupId: group.groupId, memberId, value: target });
    }
  }
  records.push({ kind: 'cg-target-epoch', groupId: group.groupId, value: { assignmentEpoch: epoch } });
  return { targets, records };
}
