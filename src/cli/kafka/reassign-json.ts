/**
 * The JSON files of kafka-reassign-partitions.sh (Kafka 3.9's ReassignPartitionsCommand), read and
 * written in Kafka's formats: the topics to move (`{"version":1,"topics":[{"topic":"t"}]}`) and a
 * reassignment (`{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2],
 * "log_dirs":["any","any"]}]}`, log_dirs optional), with the tool's checks and its exceptions.
 */
import { JavaError } from './errors.js';

export const ADMIN_OPERATION = 'org.apache.kafka.server.common.AdminOperationException';
export const ADMIN_COMMAND_FAILED = 'org.apache.kafka.server.common.AdminCommandFailedException';
const MAPPING = 'com.fasterxml.jackson.databind.JsonMappingException';

export interface PartitionTarget {
  topic: string;
  partition: number;
  replicas: number[];
  /** The log dir of each replica ("any": wherever the broker puts it). */
  logDirs: string[];
}

/** `topic-partition`, as Kafka's TopicPartition prints. */
export function partitionName(p: { topic: string; partition: number }): string {
  return `${p.topic}-${p.partition}`;
}

/** Kafka's order of partitions: by topic, then partition. */
export function byTopicPartition(
  a: { topic: string; partition: number },
  b: { topic: string; partition: number },
): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

function parseJson(text: string, invalid: () => JavaError): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new JavaError(MAPPING, 'Expected JSON object');
  return parsed as Record<string, unknown>;
}

function versionOf(json: Record<string, unknown>): number {
  const version = json.version ?? 1;
  if (typeof version !== 'number' || !Number.isInteger(version))
    throw new JavaError(MAPPING, 'Expected `version` of the right type');
  if (version !== 1) throw new JavaError(ADMIN_OPERATION, `Not supported version field value ${version}`);
  return version;
}

function field(entry: Record<string, unknown>, name: string): unknown {
  if (!Object.hasOwn(entry, name)) throw new JavaError(MAPPING, `No such field exists: \`${name}\``);
  return entry[name];
}

function objects(value: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(value)) throw new JavaError(MAPPING, 'Expected JSON array');
  return value.map((v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new JavaError(MAPPING, 'Expected JSON object');
    return v as Record<string, unknown>;
  });
}

function typed<T>(value: unknown, check: (v: unknown) => v is T, name: string): T {
  if (!check(value)) throw new JavaError(MAPPING, `Expected \`${name}\` of the right type`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isIntList = (v: unknown): v is number[] => Array.isArray(v) && v.every(isInt);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

/** The topics of --topics-to-move-json-file. */
export function parseTopicsToMove(text: string): string[] {
  const json = parseJson(text, () => new JavaError(ADMIN_OPERATION, 'The input string is not a valid JSON'));
  versionOf(json);
  if (!Object.hasOwn(json, 'topics')) return [];
  return objects(json.topics).map((t) => typed(field(t, 'topic'), isString, 'topic'));
}

/** The partitions of --reassignment-json-file, in the file's order (duplicates kept for the checks). */
export function parseReassignment(text: string): PartitionTarget[] {
  const json = parseJson(
    text,
    () => new JavaError(ADMIN_OPERATION, 'com.fasterxml.jackson.core.JsonParseException: the input is not valid JSON'),
  );
  versionOf(json);
  if (!Object.hasOwn(json, 'partitions')) return [];
  return objects(json.partitions).map((p) => {
    const topic = typed(field(p, 'topic'), isString, 'topic');
    const partition = typed(field(p, 'partition'), isInt, 'partition');
    const replicas = typed(field(p, 'replicas'), isIntList, 'replicas');
    const logDirs = Object.hasOwn(p, 'log_dirs')
      ? typed(p.log_dirs, isStringList, 'log_dirs')
      : replicas.map(() => 'any');
    if (logDirs.length !== replicas.length)
      throw new JavaError(
        ADMIN_COMMAND_FAILED,
        `Size of replicas list [${replicas.join(', ')}] is different from size of log dirs list [${logDirs.join(', ')}] for partition ${topic}-${partition}`,
      );
    return { topic, partition, replicas, logDirs };
  });
}

/** parseExecuteAssignmentArgs' checks of a reassignment to execute. */
export function checkExecutable(targets: readonly PartitionTarget[]): void {
  if (targets.length === 0) throw new JavaError(ADMIN_COMMAND_FAILED, 'Partition reassignment list cannot be empty');
  if (targets.some((t) => t.replicas.length === 0))
    throw new JavaError(ADMIN_COMMAND_FAILED, 'Partition replica list cannot be empty');
  const names = targets.map(partitionName);
  const repeated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (repeated.length > 0)
    throw new JavaError(
      ADMIN_COMMAND_FAILED,
      `Partition reassignment contains duplicate topic partitions: ${repeated.join(',')}`,
    );
  const withDuplicates = targets
    .map((t) => ({
      name: partitionName(t),
      twice: [...new Set(t.replicas.filter((r, i) => t.replicas.indexOf(r) !== i))],
    }))
    .filter((t) => t.twice.length > 0);
  if (withDuplicates.length > 0)
    throw new JavaError(
      ADMIN_COMMAND_FAILED,
      `Partition replica lists may not contain duplicate entries: ${withDuplicates.map((t) => `${t.name} contains multiple entries for ${t.twice.join(',')}`).join('. ')}`,
    );
}

/** formatAsReassignmentJson: Kafka's compact JSON, partitions in Kafka's order, every log dir "any". */
export function reassignmentJson(
  assignment: ReadonlyArray<{ topic: string; partition: number; replicas: number[] }>,
): string {
  const partitions = [...assignment].sort(byTopicPartition).map((p) => ({
    topic: p.topic,
    partition: p.partition,
    replicas: p.replicas,
    log_dirs: p.replicas.map(() => 'any'),
  }));
  return JSON.stringify({ version: 1, partitions });
}

/**
 * AdminUtils.assignReplicasToBrokers without racks: partition p's first replica is broker
 * (p + start) mod n, the others follow at a shift that grows every n partitions; `start` and the
 * first shift are random, as Kafka's are.
 */
export function assignReplicas(
  brokers: readonly number[],
  partitions: number,
  replicationFactor: number,
  random: () => number = Math.random,
): number[][] {
  const sorted = [...brokers].sort((a, b) => a - b);
  const n = sorted.length;
  if (replicationFactor > n)
    throw new JavaError(
      'org.apache.kafka.common.errors.InvalidReplicationFactorException',
      `Replication factor: ${replicationFactor} larger than available brokers: ${n}.`,
    );
  const start = Math.floor(random() * n);
  let shift = Math.floor(random() * n);
  const out: number[][] = [];
  for (let p = 0; p < partitions; p++) {
    if (p > 0 && p % n === 0) shift++;
    const first = (p + start) % n;
    const replicas = [sorted[first]!];
    for (let j = 0; j < replicationFactor - 1; j++) replicas.push(sorted[(first + 1 + ((shift + j) % (n - 1))) % n]!);
    out.push(replicas);
  }
  return out;
}
