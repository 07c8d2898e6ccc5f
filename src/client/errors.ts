/** Errors of Gregor's small client: a Kafka error code with its name, and whether a retry may help. */
import { ERROR_INFO } from '../../protocol/generated/error-codes.js';

export class KafkaClientError extends Error {
  readonly code: number;
  readonly errorName: string;
  readonly retriable: boolean;
  /** The broker's own error message, when it sent one. */
  readonly detail: string | null;

  constructor(code: number, context: string, message?: string | null) {
    const info = ERROR_INFO.get(code);
    const name = info?.name ?? `ERROR_${code}`;
    super(`${context}: ${name}${message ? ` (${message})` : ''}`);
    this.name = 'KafkaClientError';
    this.code = code;
    this.errorName = name;
    this.retriable = info?.retriable ?? false;
    this.detail = message ?? null;
  }
}

/**
 * A Produce the broker refused for one partition's batch: the partition's error, the broker's own
 * message (null when it sent none, as Kafka for most errors) and the records it named (Kafka's
 * record errors: the batch index of each record that failed validation, with its message).
 */
export class ProduceRefusedError extends KafkaClientError {
  constructor(
    code: number,
    context: string,
    readonly brokerMessage: string | null,
    readonly recordErrors: ReadonlyArray<{ batchIndex: number; message: string | null }>,
  ) {
    const named = recordErrors.map((e) => `record ${e.batchIndex}: ${e.message ?? ''}`).join('; ');
    super(code, context, brokerMessage ?? (named || null));
  }
}

/**
 * A Fetch answered UNKNOWN_TOPIC_OR_PARTITION or UNKNOWN_TOPIC_ID for a partition (deleted, or not
 * known to that broker yet): Kafka's consumer warns and polls on; callers that stop on it see the code.
 */
export class UnknownPartitionFetchError extends KafkaClientError {
  constructor(
    code: number,
    readonly topic: string,
    readonly partition: number,
  ) {
    super(code, `Fetch ${topic}-${partition}`);
  }
}

/** A broker could not be reached or closed the connection. */
export class BrokerUnreachableError extends Error {
  /**
   * Set when no connection was made at all (refused, unreachable, timed out): Kafka's NetworkClient
   * state NOT_CONNECTED. `resolvedAddress` is the IP tried, when the socket said.
   */
  notConnected?: { resolvedAddress?: string };

  constructor(message: string) {
    super(message);
    this.name = 'BrokerUnreachableError';
  }
}

/** A TLS handshake refused (certificate, protocol): not retried, as Kafka's SslAuthenticationException. */
export class TlsHandshakeError extends BrokerUnreachableError {
  constructor(message: string) {
    super(message);
    this.name = 'TlsHandshakeError';
  }
}

/** Throws a KafkaClientError for a non-zero code. */
export function check(code: number, context: string, message?: string | null): void {
  if (code !== 0) throw new KafkaClientError(code, context, message);
}

/** A token could not be had: the tools print it and exit 1. */
export class OAuthTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OAuthTokenError';
  }
}

/** A client setting that is unknown, malformed or unused: exit code 2. */
export class ClientConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientConfigError';
  }
}

/** Kafka's admin client's names of the calls, by the label Gregor's client gives each request. */
const KAFKA_CALL_NAMES: Record<string, string> = {
  Metadata: 'describeTopics',
  ListTopics: 'listTopics',
  CreateTopics: 'createTopics',
  DeleteTopics: 'deleteTopics',
  CreatePartitions: 'createPartitions',
  DescribeConfigs: 'describeConfigs',
  IncrementalAlterConfigs: 'incrementalAlterConfigs',
  FindCoordinator: 'findCoordinator',
  ListGroups: 'listConsumerGroups',
  DescribeGroups: 'describeConsumerGroups',
  DeleteGroups: 'deleteConsumerGroups',
  OffsetFetch: 'listConsumerGroupOffsets',
  OffsetCommit: 'alterConsumerGroupOffsets',
  OffsetDelete: 'deleteConsumerGroupOffsets',
  ListOffsets: 'listOffsets',
  DescribeCluster: 'describeCluster',
  DescribeQuorum: 'describeMetadataQuorum',
  DescribeTopicPartitions: 'describeTopics',
  ElectLeaders: 'electLeaders',
  DeleteRecords: 'deleteRecords',
  DescribeAcls: 'describeAcls',
  CreateAcls: 'createAcls',
  DeleteAcls: 'deleteAcls',
  AlterPartitionReassignments: 'alterPartitionReassignments',
  ListPartitionReassignments: 'listPartitionReassignments',
  ListTransactions: 'listTransactions',
  DescribeTransactions: 'describeTransactions',
  DescribeProducers: 'describeProducers',
  WriteTxnMarkers: 'abortTransaction',
  DescribeFeatures: 'describeFeatures',
  DescribeLogDirs: 'describeLogDirs',
};

/** Kafka's admin client's name for the call a request label ("CreateTopics t") stands for. */
export function kafkaCallName(label: string): string {
  const api = label.split(' ')[0] ?? label;
  return KAFKA_CALL_NAMES[api] ?? api.charAt(0).toLowerCase() + api.slice(1);
}

/**
 * A call's time budget (default.api.timeout.ms) spent in retries: Kafka's TimeoutException, with
 * its admin client's message (no broker was reachable: "Timed out waiting for a node assignment.";
 * else the call and its tries).
 */
export class AdminCallTimeoutError extends Error {
  readonly lastError: unknown;

  constructor(label: string, deadlineMs: number, tries: number, lastError: unknown) {
    const call = kafkaCallName(label);
    const now = Date.now();
    super(
      lastError instanceof BrokerUnreachableError
        ? `Timed out waiting for a node assignment. Call: ${call}`
        : `Call(callName=${call}, deadlineMs=${deadlineMs}, tries=${tries}, nextAllowedTryMs=${now}) timed out at ${now} after ${tries} attempt(s)`,
    );
    this.name = 'AdminCallTimeoutError';
    this.lastError = lastError;
  }
}

/** A producer's own time limit passed (max.block.ms, delivery.timeout.ms): Kafka's TimeoutException with the Java producer's message. */
export class ProducerTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProducerTimeoutError';
  }
}
