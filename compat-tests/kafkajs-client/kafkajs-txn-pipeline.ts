/**
 * A kafkajs read-process-write application written the way an exactly-once application must be:
 * input `in`-0 is read by a consumer of `group`, every chunk of up to 5 records goes to `out` in one
 * transaction together with the consumer offset (`sendOffsets`), every fourth attempt is aborted on
 * purpose and redone. Failures: an error inside a transaction aborts it and redoes the chunk (the
 * records are still in memory); when the abort fails too, or the consumer cannot go on, the
 * incarnation is torn down and a new one starts: a new producer with the same transactional id
 * (InitProducerId, which waits for the previous transaction to end and fences the old epoch) and a
 * new consumer, positioned at the committed offset read after that. The application remembers the
 * offset its last successful commit covered and skips records below it, because kafkajs fetches
 * committed offsets after a rebalance without `requireStable` (KIP-447), which may return the offset
 * before a commit whose markers are still on their way.
 * `hooks.beforeCommit` / `afterCommit` let a test kill brokers at exact points of a transaction.
 */
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';

export interface PipelineHooks {
  beforeCommit?: () => Promise<void>;
  afterCommit?: () => Promise<void>;
}

const CHUNK = 5;

function bounded<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export class KafkajsPipeline {
  /** The next input offset to process: everything below it is committed. */
  position = 0;
  commits = 0;
  aborts = 0;
  incarnations = 0;
  errors: string[] = [];
  hooks: PipelineHooks = {};
  private stopped = false;
  private kafka: Kafka;
  private attempts = 0;

  constructor(
    brokers: string[],
    private readonly transactionalId: string,
    private readonly group: string,
    private readonly transactionTimeoutMs: number,
  ) {
    this.kafka = new Kafka({
      brokers,
      clientId: `pipeline-${transactionalId}`,
      logLevel: logLevel.NOTHING,
      retry: { retries: 12, initialRetryTime: 200, maxRetryTime: 3000 },
      requestTimeout: 10_000,
    });
  }

  /** Runs incarnations until `stop()` (at most `maxIncarnations`). */
  async run(maxIncarnations = 20): Promise<void> {
    while (!this.stopped && this.incarnations < maxIncarnations) {
      this.incarnations++;
      try {
        await this.incarnation();
      } catch (error) {
        this.errors.push(String(error));
      }
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private async incarnation(): Promise<void> {
    const producer = this.kafka.producer({
      transactionalId: this.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.transactionTimeoutMs,
    });
    let consumer: Consumer | null = null;
    try {
      await bounded('producer connect', 30_000, producer.connect());
      // kafkajs sends the transactional InitProducerId at the first transaction(): do it before reading
      // the committed offset, so a transaction of the previous incarnation has ended (its offsets are stable).
      const first = await bounded('InitProducerId', 60_000, producer.transaction());
      await first.abort();
      this.position = await this.committedOffset();
      consumer = this.kafka.consumer({ groupId: this.group, sessionTimeout: 10_000, heartbeatInterval: 500 });
      await bounded('consumer connect', 30_000, consumer.connect());
      await consumer.subscribe({ topic: 'in', fromBeginning: true });
      await this.consume(consumer, producer);
    } finally {
      await bounded('consumer disconnect', 15_000, consumer?.disconnect() ?? Promise.resolve()).catch(() => {});
      await bounded('producer disconnect', 15_000, producer.disconnect()).catch(() => {});
    }
  }

  private async committedOffset(): Promise<number> {
    const admin = this.kafka.admin();
    await bounded('admin connect', 30_000, admin.connect());
    try {
      const offsets = await bounded(
        'fetchOffsets',
        30_000,
        admin.fetchOffsets({ groupId: this.group, topics: ['in'] }),
      );
      const offset = Number(offsets[0]?.partitions[0]?.offset ?? '-1');
      return offset < 0 ? 0 : offset;
    } finally {
      await admin.disconnect();
    }
  }

  /** Consumes until stopped or broken; resolves on stop, rejects with the error that broke it. */
  private consume(consumer: Consumer, producer: Producer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const end = (error: unknown): void => {
        if (settled) return;
        settled = true;
        clearInterval(watch);
        if (error === null) resolve();
        else reject(error instanceof Error ? error : new Error(String(error)));
      };
      const watch = setInterval(() => {
        if (this.stopped) end(null);
      }, 100);
      consumer.on(consumer.events.CRASH, (e) => end(e.payload.error));
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch }) => {
            if (settled) return;
            const messages = batch.messages.filter((m) => Number(m.offset) >= this.position);
            if (messages.length > 0 && Number(messages[0]!.offset) > this.position)
              this.errors.push(`consumer skipped from ${this.position} to ${messages[0]!.offset}`);
            for (let i = 0; i < messages.length && !settled; i += CHUNK) {
              const chunk = messages.slice(i, i + CHUNK);
              try {
                await this.transact(
                  producer,
                  chunk.map((m) => ({ value: m.value, offset: Number(m.offset) })),
                );
              } catch (error) {
                end(error);
                return;
              }
            }
          },
        })
        .catch(end);
    });
  }

  /** One chunk in one transaction; an aborted attempt is redone (up to 5 times), else throws. */
  private async transact(producer: Producer, chunk: Array<{ value: Buffer | null; offset: number }>): Promise<void> {
    const next = chunk[chunk.length - 1]!.offset + 1;
    let lastError: unknown = null;
    for (let attempt = 0; attempt < 5; attempt++) {
      const tx = await producer.transaction();
      try {
        await tx.send({ topic: 'out', messages: chunk.map((m) => ({ value: m.value })) });
        await tx.sendOffsets({
          consumerGroupId: this.group,
          topics: [{ topic: 'in', partitions: [{ partition: 0, offset: String(next) }] }],
        });
        this.attempts++;
        if (this.attempts % 4 === 0) throw new DeliberateAbort();
        const before = this.hooks.beforeCommit;
        this.hooks.beforeCommit = undefined;
        await before?.();
        await tx.commit();
      } catch (error) {
        if (!(error instanceof DeliberateAbort)) lastError = error;
        await tx.abort(); // when this throws too, the incarnation ends (kafkajs' state is unknown)
        this.aborts++;
        continue;
      }
      this.position = next;
      this.commits++;
      const after = this.hooks.afterCommit;
      this.hooks.afterCommit = undefined;
      await after?.();
      return;
    }
    throw lastError instanceof Error ? lastError : new Error('a chunk could not be committed in 5 attempts');
  }
}

class DeliberateAbort extends Error {}
