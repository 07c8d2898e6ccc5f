/**
 * The idempotent producer's identity and sequences, as the Java producer's TransactionManager keeps
 * them without a transactional id: a producer id and epoch from InitProducerId (asked of any broker,
 * tried again within the cluster's budget), and per partition the sequence of its next batch, taken
 * when the batch is built (a retry resends the same bytes, so the broker answers a batch it already
 * wrote with its first offsets instead of writing it twice). When a batch fails for good (refused,
 * its delivery timed out, the connection failed), the identity is dropped and the next batch asks
 * for a new one, its sequences from 0: a sequence is never used twice under one identity, so a later
 * batch can never be taken for a duplicate of one that may or may not have been written, and batches
 * sent side by side stay safe (the Java producer bumps its epoch for the same reason).
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  InitProducerIdApi,
  defaultInitProducerIdRequest,
} from '../../protocol/generated/messages/22-init-producer-id.js';
import type { Cluster } from './cluster.js';
import { KafkaClientError } from './errors.js';

const INT32_MAX = 0x7fffffff;

export interface ProducerIdentity {
  producerId: bigint;
  producerEpoch: number;
}

/** The Java producer's transaction.timeout.ms default, which its InitProducerId carries also without a transactional id. */
const TRANSACTION_TIMEOUT_MS = 60_000;

export class IdempotentSequences {
  private identity: Promise<ProducerIdentity> | null = null;
  /** The identity once InitProducerId answered. */
  private settled: ProducerIdentity | null = null;
  private readonly nextSequence = new Map<number, number>();

  constructor(private readonly cluster: Cluster) {}

  /** The producer id and epoch, asked for once (again after `failed`). */
  current(): Promise<ProducerIdentity> {
    if (this.identity === null) {
      const asked = this.initProducerId();
      asked.catch(() => {
        if (this.identity === asked) this.identity = null;
      });
      this.identity = asked;
    }
    return this.identity;
  }

  /** The current identity, once known: asked for again when the one given dropped meanwhile. */
  async settledIdentity(): Promise<ProducerIdentity> {
    for (;;) {
      const identity = await this.current();
      if (this.isCurrent(identity)) return identity;
    }
  }

  /** The base sequence of `partition`'s next batch of `count` records (the current identity's); the sequence moves on. */
  take(partition: number, count: number): number {
    const base = this.nextSequence.get(partition) ?? 0;
    const next = base + count;
    this.nextSequence.set(partition, next > INT32_MAX ? next - INT32_MAX - 1 : next);
    return base;
  }

  /** A batch sent with `identity` failed for good: the identity is dropped (see above). */
  failed(identity: ProducerIdentity): void {
    if (!this.isCurrent(identity)) return;
    this.identity = null;
    this.settled = null;
    this.nextSequence.clear();
  }

  private isCurrent(identity: ProducerIdentity): boolean {
    return this.settled === identity;
  }

  private async initProducerId(): Promise<ProducerIdentity> {
    const response = await this.cluster.withRetries('InitProducerId', async () => {
      const connection = await this.cluster.any();
      const request = defaultInitProducerIdRequest();
      request.transactionalId = null;
      request.transactionTimeoutMs = TRANSACTION_TIMEOUT_MS;
      const version = connection.versionFor(InitProducerIdApi as ApiDefinition<unknown, unknown>);
      const answer = await connection.send(InitProducerIdApi, request, version);
      if (answer.errorCode !== ErrorCode.NONE) throw new KafkaClientError(answer.errorCode, 'InitProducerId');
      return answer;
    });
    const identity = { producerId: response.producerId, producerEpoch: response.producerEpoch };
    this.settled = identity;
    this.nextSequence.clear();
    return identity;
  }
}
