/**
 * Test helper for the fault tests: acks=-1 streams from idempotent kafkajs producers (one producer per
 * partition, one record per request, so every acknowledgement is one record and the order of acks is
 * the order in the log), and a read-back that checks every acknowledged record is in the partition
 * exactly once, in acknowledgement order. Records whose send failed (outcome unknown) may be in the log
 * once; any other record there is an error.
 */
import type { Test } from 'tap';
import type { Kafka, Producer } from 'kafkajs';
import { settledWithin } from './poll.js';

export interface PartitionStream {
  partition: number;
  acked: string[];
  /** Date.now() at each acknowledgement (same index as `acked`). */
  ackTimes: number[];
  /** Values whose send threw (or was still in flight at stop): they may or may not be in the log. */
  failed: string[];
  /** The value being sent now, if any. */
  sending: string | null;
  /** The last few errors of failed sends, newest last (for failure messages). */
  errors: string[];
}

export class AckStreams {
  readonly streams: PartitionStream[];
  private readonly producers = new Set<Producer>();
  private readonly loops: Array<Promise<void>> = [];
  private running = true;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    partitions: number,
    private readonly prefix = 'r',
  ) {
    this.streams = Array.from({ length: partitions }, (_, partition) => ({
      partition,
      acked: [],
      ackTimes: [],
      failed: [],
      sending: null,
      errors: [],
    }));
  }

  async start(): Promise<void> {
    for (const stream of this.streams) this.loops.push(this.loop(stream));
  }

  private async connected(): Promise<Producer> {
    const producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
      metadataMaxAge: 1000,
    });
    this.producers.add(producer);
    await producer.connect();
    return producer;
  }

  private async drop(producer: Producer): Promise<void> {
    this.producers.delete(producer);
    await settledWithin(
      producer.disconnect().catch(() => undefined),
      2000,
    );
  }

  /**
   * One send at a time. A send that throws has an unknown outcome (it may be in the log): the
   * producer is replaced by a new one (a new producer id), since kafkajs would reuse the failed
   * batch's sequence numbers for the next, different record.
   */
  private async loop(stream: PartitionStream): Promise<void> {
    let producer: Producer | null = null;
    for (let i = 0; this.running && i < 1_000_000; i++) {
      const value = `${this.prefix}${stream.partition}-${i}`;
      stream.sending = value;
      try {
        producer ??= await this.connected();
        await producer.send({
          topic: this.topic,
          acks: -1,
          timeout: 4000,
          messages: [{ value, partition: stream.partition }],
        });
        stream.acked.push(value);
        stream.ackTimes.push(Date.now());
      } catch (err) {
        stream.failed.push(value);
        stream.errors.push(`${new Date().toISOString().slice(11, 23)} ${String(err)}`);
        if (stream.errors.length > 5) stream.errors.shift();
        if (producer) await this.drop(producer);
        producer = null;
      }
      stream.sending = null;
    }
    if (producer) await this.drop(producer);
  }

  /** Resolves once every partition has at least `count` more acknowledgements than now (bounded by `timeoutMs`). */
  async moreAcks(count: number, timeoutMs: number, only?: readonly number[]): Promise<boolean> {
    const targets = this.streams.map((s) => s.acked.length + count);
    const watched = (i: number): boolean => only === undefined || only.includes(i);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.streams.every((s, i) => !watched(i) || s.acked.length >= targets[i]!)) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  /** The first acknowledgement on `partition` at or after `since`, in ms after it (-1: none yet). */
  firstAckAfter(partition: number, since: number): number {
    const at = this.streams[partition]?.ackTimes.find((ms) => ms >= since);
    return at === undefined ? -1 : at - since;
  }

  /** One line per stream: acknowledged, failed, last errors (for failure messages). */
  describe(): string {
    return this.streams
      .map((s) => `p${s.partition}: ${s.acked.length} acked, ${s.failed.length} failed ${JSON.stringify(s.errors)}`)
      .join('; ');
  }

  /** The longest time between two acknowledgements of a partition. */
  longestGap(partition: number): number {
    const times = this.streams[partition]?.ackTimes ?? [];
    let worst = 0;
    for (let i = 1; i < times.length; i++) worst = Math.max(worst, times[i]! - times[i - 1]!);
    return worst;
  }

  /** Stops the loops: waits for the sends in flight up to `graceMs`, then disconnects what is left. */
  async stop(graceMs = 15000): Promise<void> {
    this.running = false;
    await settledWithin(Promise.all(this.loops), graceMs);
    for (const producer of [...this.producers]) await this.drop(producer);
    // A send still in flight has an unknown outcome.
    for (const stream of this.streams) if (stream.sending !== null) stream.failed.push(stream.sending);
  }
}

/**
 * Reads every partition of `topic` from the beginning to its current end (as the leaders report it)
 * with a kafkajs consumer in its own group; values per partition in offset order.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  partitions: number,
  timeoutMs = 30000,
): Promise<string[][]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const endOf = (p: number) => Number(ends.find((e) => e.partition === p)?.high ?? '0');
  const read: string[][] = Array.from({ length: partitions }, () => []);
  const next: number[] = Array.from({ length: partitions }, () => 0);
  const consumer = kafka.consumer({ groupId: `read-back-${topic}-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        read[partition]?.push(message.value?.toString() ?? '');
        next[partition] = Number(message.offset) + 1;
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (next.some((n, p) => n < endOf(p)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (next.some((n, p) => n < endOf(p)))
      throw new Error(`read-back stopped at ${next.join(',')} of ${next.map((_, p) => endOf(p)).join(',')}`);
  } finally {
    await consumer.disconnect();
  }
  return read;
}

/**
 * Every acknowledged record once, in acknowledgement order; besides them only failed sends and `others`
 * (records the test wrote itself), at most once each.
 */
/** What a check needs of a stream, whichever client wrote it. */
export interface Outcome {
  partition: number;
  acked: string[];
  failed: string[];
}

export function checkExactlyOnce(
  t: Test,
  read: string[][],
  streams: Outcome[],
  others: ReadonlySet<string> = new Set(),
): void {
  for (const stream of streams) {
    const got = read[stream.partition] ?? [];
    const maybe = new Set(stream.failed);
    const counts = new Map<string, number>();
    for (const v of got) counts.set(v, (counts.get(v) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
    const acked = new Set(stream.acked);
    const strangers = got.filter((v) => !acked.has(v) && !maybe.has(v) && !others.has(v));
    t.same(
      got.filter((v) => acked.has(v)),
      stream.acked,
      `partition ${stream.partition}: all ${stream.acked.length} acknowledged records, in order`,
    );
    t.same(twice, [], `partition ${stream.partition}: no record twice`);
    t.same(strangers, [], `partition ${stream.partition}: nothing but acknowledged or failed sends`);
  }
}

/**
 * For a producer without idempotence that retries (at least once): every acknowledged record is there,
 * in acknowledgement order by first occurrence, and nothing is there that was not sent. Returns how
 * many records are there more than once (retries of a write whose answer was lost).
 */
export function checkAtLeastOnce(t: Test, read: string[][], stream: Outcome): number {
  const got = read[stream.partition] ?? [];
  const seen = new Set<string>();
  const first: string[] = [];
  for (const v of got) {
    if (!seen.has(v)) first.push(v);
    seen.add(v);
  }
  const acked = new Set(stream.acked);
  const sent = new Set([...stream.acked, ...stream.failed]);
  t.same(
    first.filter((v) => acked.has(v)),
    stream.acked,
    `partition ${stream.partition}: all ${stream.acked.length} acknowledged records, in order`,
  );
  t.same(
    got.filter((v) => !sent.has(v)),
    [],
    `partition ${stream.partition}: nothing that was not sent`,
  );
  return got.length - first.length;
}
