/**
 * Java's hash codes and java.util.HashMap iteration order, for answers whose order Kafka takes
 * from a HashMap (the client quota entities, their parts and their values). Clients and their
 * test suites compare those lists as Kafka sends them, so Gregor sends them in the same order.
 *
 * HashMap keeps its entries in a power-of-two table; iteration goes bucket by bucket
 * (index = (h ^ h >>> 16) & (capacity - 1)), and within a bucket in insertion order (a resize
 * keeps that order). Left out: tree bins (a bucket of 8+ entries in a table of 64+), which only
 * matter for maps far larger than the ones ordered here.
 */

/** Java's String.hashCode over UTF-16 code units, as a signed 32-bit integer; null hashes to 0. */
export function javaStringHashCode(s: string | null): number {
  if (s === null) return 0;
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Objects.hash(map) of a Map<String, String>: 31 + the sum of key.hashCode ^ value.hashCode. */
export function javaStringMapHash(entries: Iterable<readonly [string, string | null]>): number {
  let sum = 0;
  for (const [k, v] of entries) sum = (sum + (javaStringHashCode(k) ^ javaStringHashCode(v))) | 0;
  return (31 + sum) | 0;
}

/** HashMap.tableSizeFor: the power of two at or above n (1 for n <= 1). */
function tableSizeFor(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

/**
 * The table size of `new HashMap<>(initialCapacity)` (or `new HashMap<>()` when undefined) after
 * `size` distinct puts: it starts at tableSizeFor(initialCapacity) (16 by default) and doubles
 * whenever the size passes three quarters of it (Java truncates the threshold).
 */
export function javaHashMapCapacity(size: number, initialCapacity?: number): number {
  let capacity = initialCapacity === undefined ? 16 : tableSizeFor(initialCapacity);
  while (size > Math.floor(capacity * 0.75)) capacity *= 2;
  return capacity;
}

/**
 * The order a HashMap iterates `items` in, given in insertion order, with hash codes from `hash`
 * and the table size `capacity` (javaHashMapCapacity).
 */
export function javaHashMapOrder<T>(items: readonly T[], hash: (item: T) => number, capacity: number): T[] {
  const bucket = (item: T): number => {
    const h = hash(item);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  // Array.prototype.sort is stable: equal buckets keep insertion order.
  return items
    .map((item, index) => ({ item, index, bucket: bucket(item) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((e) => e.item);
}
