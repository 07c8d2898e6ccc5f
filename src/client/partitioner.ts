/**
 * Kafka's default partitioner for keyed records: murmur2 of the key bytes (seed
 * 0x9747b28c), made positive by masking the sign bit, modulo the partition count, so a
 * key lands on the same partition as with the Java client, librdkafka's
 * `murmur2_random` and kafkajs' default. Keyless records go round robin.
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k =
      (data[i]! & 0xff) | ((data[i + 1]! & 0xff) << 8) | ((data[i + 2]! & 0xff) << 16) | ((data[i + 3]! & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & 3;
  if (tail === 3) h ^= (data[whole + 2]! & 0xff) << 16;
  if (tail >= 2) h ^= (data[whole + 1]! & 0xff) << 8;
  if (tail >= 1) {
    h ^= data[whole]! & 0xff;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

export class Partitioner {
  private next = 0;

  partitionFor(key: Buffer | null, partitionCount: number): number {
    if (key === null) return this.next++ % partitionCount;
    return (murmur2(key) & 0x7fffffff) % partitionCount;
  }
}
