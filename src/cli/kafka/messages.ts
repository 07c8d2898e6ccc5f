/**
 * What Kafka's tools print for a failed request: the message of the Java exception the admin
 * client throws, which is the broker's error message when it sent one, else the error's
 * default message (Kafka's Errors enum; the common ones here, the error's name otherwise); and the
 * warnings Kafka's clients log on the way.
 */
import {
  AdminCallTimeoutError,
  BrokerUnreachableError,
  KafkaClientError,
  ProduceRefusedError,
  ProducerTimeoutError,
  TlsHandshakeError,
} from '../../client/errors.js';
import type { ConnectFailure } from '../../client/cluster.js';
import { ERROR_INFO } from '../../../protocol/generated/error-codes.js';
import { isIP } from 'node:net';
import { JavaError } from './errors.js';

const DEFAULT_MESSAGES: Record<string, string> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'This server does not host this topic-partition.',
  OFFSET_OUT_OF_RANGE: 'The requested offset is not within the range of offsets maintained by the server.',
  TOPIC_ALREADY_EXISTS: 'Topic with this name already exists.',
  INVALID_TOPIC_EXCEPTION: 'The request attempted to perform an operation on an invalid topic.',
  INVALID_PARTITIONS: 'Number of partitions is below 1.',
  INVALID_REPLICATION_FACTOR: 'Replication factor is below 1 or larger than the number of available brokers.',
  INVALID_REPLICA_ASSIGNMENT: 'Replica assignment is invalid.',
  INVALID_CONFIG: 'Configuration is invalid.',
  POLICY_VIOLATION: 'Request parameters do not satisfy the configured policy.',
  GROUP_ID_NOT_FOUND: 'The group id does not exist.',
  NON_EMPTY_GROUP: 'The group is not empty.',
  INVALID_GROUP_ID: 'The configured groupId is invalid.',
  TOPIC_AUTHORIZATION_FAILED: 'Topic authorization failed.',
  GROUP_AUTHORIZATION_FAILED: 'Group authorization failed.',
  CLUSTER_AUTHORIZATION_FAILED: 'Cluster authorization failed.',
  TOPIC_DELETION_DISABLED: 'Topic deletion is disabled.',
  SASL_AUTHENTICATION_FAILED: 'SASL Authentication failed.',
  UNSUPPORTED_VERSION: 'The version of API is not supported.',
  NOT_CONTROLLER: 'This is not the correct controller for this cluster.',
  BROKER_ID_NOT_REGISTERED: 'The given broker ID was not registered.',
  REQUEST_TIMED_OUT: 'The request timed out.',
  GROUP_SUBSCRIBED_TO_TOPIC:
    'Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.',
  CORRUPT_MESSAGE:
    'This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.',
  MESSAGE_TOO_LARGE: 'The request included a message larger than the max message size the server will accept.',
  RECORD_LIST_TOO_LARGE: 'The request included message batch larger than the configured segment size on the server.',
  INVALID_RECORD: 'This record has failed the validation on broker and hence will be rejected.',
  INVALID_TIMESTAMP: 'The timestamp of the message is out of acceptable range.',
  NOT_ENOUGH_REPLICAS: 'Messages are rejected since there are fewer in-sync replicas than required.',
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 'Messages are written to the log, but to fewer in-sync replicas than required.',
  KAFKA_STORAGE_ERROR: 'Disk error when trying to access log file on the disk.',
};

/** The text Kafka's tool would print for `err`. */
export function javaMessage(err: unknown): string {
  if (err instanceof KafkaClientError) return err.detail ?? DEFAULT_MESSAGES[err.errorName] ?? err.errorName;
  if (err instanceof AdminCallTimeoutError) return err.message;
  if (err instanceof TlsHandshakeError) return `SSL handshake failed (${err.message})`;
  if (err instanceof BrokerUnreachableError) return `Timed out waiting for a node assignment. (${err.message})`;
  return err instanceof Error ? err.message : String(err);
}

/** Kafka's exception classes whose names are not the error's name in Pascal case plus "Exception". */
const EXCEPTION_CLASSES: Record<string, string> = {
  TOPIC_ALREADY_EXISTS: 'TopicExistsException',
  INVALID_CONFIG: 'InvalidConfigurationException',
  NON_EMPTY_GROUP: 'GroupNotEmptyException',
  REQUEST_TIMED_OUT: 'TimeoutException',
  UNKNOWN_SERVER_ERROR: 'UnknownServerException',
  INVALID_TOPIC_EXCEPTION: 'InvalidTopicException',
  TOPIC_AUTHORIZATION_FAILED: 'TopicAuthorizationException',
  GROUP_AUTHORIZATION_FAILED: 'GroupAuthorizationException',
  CLUSTER_AUTHORIZATION_FAILED: 'ClusterAuthorizationException',
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'TransactionalIdAuthorizationException',
  SASL_AUTHENTICATION_FAILED: 'SaslAuthenticationException',
  NOT_LEADER_OR_FOLLOWER: 'NotLeaderOrFollowerException',
  CORRUPT_MESSAGE: 'CorruptRecordException',
  MESSAGE_TOO_LARGE: 'RecordTooLargeException',
  RECORD_LIST_TOO_LARGE: 'RecordBatchTooLargeException',
  STALE_CONTROLLER_EPOCH: 'ControllerMovedException',
  OFFSET_METADATA_TOO_LARGE: 'OffsetMetadataTooLarge',
  NETWORK_EXCEPTION: 'NetworkException',
  OUT_OF_ORDER_SEQUENCE_NUMBER: 'OutOfOrderSequenceException',
  DUPLICATE_SEQUENCE_NUMBER: 'DuplicateSequenceException',
  INVALID_PRODUCER_ID_MAPPING: 'InvalidPidMappingException',
  INVALID_TRANSACTION_TIMEOUT: 'InvalidTxnTimeoutException',
  KAFKA_STORAGE_ERROR: 'KafkaStorageException',
  DELEGATION_TOKEN_AUTH_DISABLED: 'DelegationTokenDisabledException',
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED: 'UnsupportedByAuthenticationException',
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: 'DelegationTokenAuthorizationException',
  PRINCIPAL_DESERIALIZATION_FAILURE: 'PrincipalDeserializationException',
  FETCH_SESSION_TOPIC_ID_ERROR: 'FetchSessionTopicIdException',
  NONE: 'KafkaException',
};

/** The Java exception's full class name Kafka's admin client completes a failed call with. */
export function javaExceptionClass(err: unknown): string {
  const errors = 'org.apache.kafka.common.errors';
  if (err instanceof JavaError) return err.javaClass;
  if (err instanceof AdminCallTimeoutError || err instanceof ProducerTimeoutError) return `${errors}.TimeoutException`;
  if (err instanceof TlsHandshakeError) return `${errors}.SslAuthenticationException`;
  if (err instanceof BrokerUnreachableError) return `${errors}.TimeoutException`;
  if (err instanceof KafkaClientError) {
    const known = EXCEPTION_CLASSES[err.errorName];
    if (known) return `${errors}.${known}`;
    const pascal = err.errorName
      .toLowerCase()
      .split('_')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('');
    return `${errors}.${pascal}Exception`;
  }
  return 'org.apache.kafka.common.KafkaException';
}

/**
 * The exception the Java producer completes record `batchIndex` of a refused batch with (Sender.failBatch),
 * as log4j prints it: without record errors, the partition's error for every record; with them, a named
 * record gets its own message (the partition's exception when the broker named one record, else
 * InvalidRecordException) and the others a KafkaException saying their batch held invalid records.
 */
export function javaRecordException(err: unknown, batchIndex: number, topic: string): string {
  if (!(err instanceof ProduceRefusedError) || err.recordErrors.length === 0)
    return javaRefusal(err, { topics: [topic] }) ?? javaException(err);
  const named = err.recordErrors.find((e) => e.batchIndex === batchIndex);
  if (named === undefined)
    return 'org.apache.kafka.common.KafkaException: Failed to append record because it was part of a batch which had one more more invalid records';
  const message = named.message ?? err.brokerMessage ?? DEFAULT_MESSAGES[err.errorName] ?? err.errorName;
  const exceptionClass =
    err.recordErrors.length === 1 ? javaExceptionClass(err) : 'org.apache.kafka.common.errors.InvalidRecordException';
  return `${exceptionClass}: ${message}`;
}

/** Whether `err` is a failure Kafka's admin client completes a call's future with (a broker's error, a timeout). */
export function isAdminFailure(err: unknown): boolean {
  return (
    err instanceof KafkaClientError || err instanceof BrokerUnreachableError || err instanceof AdminCallTimeoutError
  );
}

/** Throwable.toString() of that exception: `org.apache.kafka.common.errors.TopicExistsException: Topic 'x' already exists.` */
export function javaException(err: unknown): string {
  return `${javaExceptionClass(err)}: ${javaMessage(err)}`;
}

/** An admin call's time budget spent (default.api.timeout.ms): Kafka's admin client fails its future with TimeoutException. */
export function isAdminTimeout(err: unknown): boolean {
  return err instanceof AdminCallTimeoutError || err instanceof BrokerUnreachableError;
}

/**
 * A failed admin future's get() as a Kafka tool's main prints it: the ExecutionException's message
 * (the cause as `class: message`), then its stack trace's first line (the frames left out).
 */
export function executionFailure(err: unknown, prefix = ''): string {
  return `${prefix}${javaException(err)}\njava.util.concurrent.ExecutionException: ${javaException(err)}`;
}

/** The error's name for a log line ("TOPIC_ALREADY_EXISTS"), or the error class. */
export function errorName(err: unknown): string {
  if (err instanceof KafkaClientError) return err.errorName;
  return err instanceof Error ? err.name : 'Error';
}

/**
 * The exception (class and message) Kafka's clients raise for a broker's refusal, as the console
 * tools log it: the group or a topic not authorized, the SASL login refused. Null for other errors.
 */
export function javaRefusal(err: unknown, names: { topics?: readonly string[]; group?: string }): string | null {
  if (!(err instanceof KafkaClientError)) return null;
  const errors = 'org.apache.kafka.common.errors';
  if (err.errorName === 'GROUP_AUTHORIZATION_FAILED' && names.group !== undefined)
    return `${errors}.GroupAuthorizationException: Not authorized to access group: ${names.group}`;
  if (err.errorName === 'TOPIC_AUTHORIZATION_FAILED' && names.topics !== undefined)
    return `${errors}.TopicAuthorizationException: Not authorized to access topics: [${names.topics.join(', ')}]`;
  if (err.errorName === 'SASL_AUTHENTICATION_FAILED')
    return `${errors}.SaslAuthenticationException: ${err.detail ?? DEFAULT_MESSAGES.SASL_AUTHENTICATION_FAILED}`;
  return null;
}

/** log4j's ISO8601 date as Kafka's tools-log4j.properties prints it: `2026-12-04 09:50:01,234`. */
export function log4jDate(at: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ` +
    `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())},${String(at.getMilliseconds()).padStart(3, '0')}`
  );
}

/**
 * A tool's `LOG.error(Utils.stackTrace(e))` as tools-log4j.properties prints it on stderr
 * (`[date] ERROR <exception> (<logger>)`). Kafka's admin client's exceptions carry no stack frames, so
 * the exception's line is the whole trace; for the tool's own exceptions the frames are left out.
 */
export function log4jErrorLine(err: unknown, logger: string): string {
  return `[${log4jDate(new Date())}] ERROR ${javaException(err)}\n (${logger})\n`;
}

/** Where a client log line comes from, as Kafka's clients prefix it (their LogContext). */
export type ClientLogContext =
  | { role: 'admin'; clientId: string }
  | { role: 'producer'; clientId: string }
  | { role: 'consumer'; clientId: string; groupId: string | null };

function logContextPrefix(context: ClientLogContext): string {
  if (context.role === 'admin') return `[AdminClient clientId=${context.clientId}]`;
  if (context.role === 'producer') return `[Producer clientId=${context.clientId}]`;
  return `[Consumer clientId=${context.clientId}, groupId=${context.groupId ?? 'null'}]`;
}

/** java.net.InetSocketAddress's text: `host/ip:port`, `/ip:port` for a host given as an address. */
function socketAddressText(host: string, port: number, resolvedAddress: string | undefined): string {
  if (isIP(host) !== 0) return `/${host}:${port}`;
  return `${host}/${resolvedAddress ?? ''}:${port}`;
}

/**
 * The WARN lines Kafka's NetworkClient logs (tools-log4j.properties prints WARN and above on stderr)
 * for a connection attempt that made no connection: "Connection to node -1 (localhost/127.0.0.1:9092)
 * could not be established. Node may not be available.", and from a producer's or consumer's metadata
 * updater, for a bootstrap server, "Bootstrap broker localhost:9092 (id: -1 rack: null) disconnected".
 */
export function connectFailureWarning(context: ClientLogContext, failure: ConnectFailure): string {
  const at = `[${log4jDate(new Date())}] WARN ${logContextPrefix(context)}`;
  const where = socketAddressText(failure.host, failure.port, failure.resolvedAddress);
  let lines = `${at} Connection to node ${failure.nodeId} (${where}) could not be established. Node may not be available. (org.apache.kafka.clients.NetworkClient)\n`;
  if (failure.bootstrap && context.role !== 'admin')
    lines += `${at} Bootstrap broker ${failure.host}:${failure.port} (id: ${failure.nodeId} rack: null) disconnected (org.apache.kafka.clients.NetworkClient)\n`;
  return lines;
}

/**
 * The WARN line of a producer's or consumer's metadata updater (Kafka's NetworkClient) for an answer
 * naming topics with an error: "The metadata response from the cluster reported a recoverable issue
 * with correlation id 5 : {t=LEADER_NOT_AVAILABLE}", the line Kafka's quickstart shows when the console
 * producer's first record auto-creates its topic.
 */
export function metadataIssueWarning(
  context: ClientLogContext,
  correlationId: number,
  issues: ReadonlyArray<{ topic: string; errorCode: number }>,
): string {
  const errors = issues.map((i) => `${i.topic}=${ERROR_INFO.get(i.errorCode)?.name ?? `ERROR_${i.errorCode}`}`);
  return `[${log4jDate(new Date())}] WARN ${logContextPrefix(context)} The metadata response from the cluster reported a recoverable issue with correlation id ${correlationId} : {${errors.join(', ')}} (org.apache.kafka.clients.NetworkClient)\n`;
}
