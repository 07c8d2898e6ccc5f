/**
 * Kafka's internal topics (Topic.INTERNAL_TOPICS in Kafka 3.9), which Metadata flags as internal
 * and Produce and DeleteRecords refuse to clients. `__share_group_state` is one of them although
 * Gregor (like Kafka 3.9 with share groups off) never creates it: a user's topic of that name is
 * auto-created as a plain topic, but flagged internal and closed to clients' appends.
 */
export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC = '__transaction_state';
export const SHARE_GROUP_STATE_TOPIC = '__share_group_state';

const INTERNAL_TOPICS: ReadonlySet<string> = new Set([
  CONSUMER_OFFSETS_TOPIC,
  TRANSACTION_STATE_TOPIC,
  SHARE_GROUP_STATE_TOPIC,
]);

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

/** The internal topics a coordinator of Gregor's creates itself, never Metadata's auto-creation. */
export function isCoordinatorTopic(name: string): boolean {
  return name === CONSUMER_OFFSETS_TOPIC || name === TRANSACTION_STATE_TOPIC;
}
