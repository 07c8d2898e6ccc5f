/**
 * Topic-partition sets as the consumer group protocol uses them: topic id -> partitions.
 * Small value helpers (copy, equality, difference, wire form) shared by the assignors,
 * the reconciliation and the records. No state, no I/O.
 */

/** topic id -> partition indexes. Never holds an empty set (helpers drop them). */
export type Assignment = Map<string, Set<number>>;

export interface TopicPartitionsWire {
  topicId: string;
  partitions: number[];
}

export function emptyAssignment(): Assignment {
  return new Map();
}

export function copyAssignment(a: Assignment): Assignment {
  const out: Assignment = new Map();
  for (const [topic, parts] of a) if (parts.size > 0) out.set(topic, new Set(parts));
  return out;
}

export function assignmentSize(a: Assignment): number {
  let n = 0;
  for (const parts of a.values()) n += parts.size;
  return n;
}

export function addPartition(a: Assignment, topicId: string, partition: number): void {
  let parts = a.get(topicId);
  if (!parts) a.set(topicId, (parts = new Set()));
  parts.add(partition);
}

export function hasPartition(a: Assignment, topicId: string, partition: number): boolean {
  return a.get(topicId)?.has(partition) ?? false;
}

export function assignmentsEqual(a: Assignment, b: Assignment): boolean {
  if (assignmentSize(a) !== assignmentSize(b)) return false;
  for (const [topic, parts] of a) for (const p of parts) if (!hasPartition(b, topic, p)) return false;
  return true;
}

/** True when every partition of `a` is in `b`. */
export function isSubset(a: Assignment, b: Assignment): boolean {
  for (const [topic, parts] of a) for (const p of parts) if (!hasPartition(b, topic, p)) return false;
  return true;
}

/** Sorted wire form (topics in id order, partitions ascending). */
export function toWire(a: Assignment): TopicPartitionsWire[] {
  return [...a.entries()]
    .filter(([, parts]) => parts.size > 0)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([topicId, parts]) => ({ topicId, partitions: [...parts].sort((x, y) => x - y) }));
}

export function fromWire(list: readonly TopicPartitionsWire[]): Assignment {
  const out: Assignment = new Map();
  for (const tp of list) for (const p of tp.partitions) addPartition(out, tp.topicId, p);
  return out;
}
