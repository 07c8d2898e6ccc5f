/**
 * kafka-delete-records.sh (Kafka 3.9's DeleteRecordsCommand): --bootstrap-server,
 * --offset-json-file (`{"partitions": [{"topic": "foo", "partition": 1, "offset": 1}], "version": 1}`;
 * offset -1 is the high watermark), --command-config. DeleteRecords goes to each partition's
 * leader; the output is Kafka's: "Executing records delete operation", "Records delete operation
 * completed:", then `partition: foo-1\tlow_watermark: N` or `partition: foo-1\terror: <exception>`
 * per partition (sorted by topic and partition; Kafka prints its hash map's order). A bad file
 * fails as Kafka's (not valid JSON, missing partitions, another version, duplicate partitions),
 * with one line instead of a Java stack trace, exit 1.
 */
import { readFileSync } from 'node:fs';
import {
  DeleteRecordsApi,
  defaultDeleteRecordsRequest,
} from '../../../protocol/generated/messages/21-delete-records.js';
import type { Cluster } from '../../client/cluster.js';
import { KafkaClientError } from '../../client/errors.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties } from './client-config.js';
import { isAdminTimeout, javaException, javaMessage } from './messages.js';
import {
  DEFAULT_OPTIONS,
  KafkaToolExit,
  maybeHelpOrVersion,
  parseOptionsOrUsage,
  requireOptions,
  type OptionSpec,
} from './options.js';
import { JavaError, mainFailure } from './errors.js';
import { KAFKA_VERSION } from './version.js';

const SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  {
    name: 'bootstrap-server',
    arg: 'required',
    help: 'REQUIRED: The server to connect to.',
    describedAs: 'server(s) to use for bootstrapping',
  },
  {
    name: 'offset-json-file',
    arg: 'required',
    help: 'REQUIRED: The JSON file with offset per partition. The format to use is:\n{"partitions":\n  [{"topic": "foo", "partition": 1, "offset": 1}],\n "version":1\n}',
    describedAs: 'Offset json file path',
  },
  {
    name: 'command-config',
    arg: 'required',
    help: 'A property file containing configs to be passed to Admin Client.',
    describedAs: 'command config property file path',
  },
];

interface Deletion {
  topic: string;
  partition: number;
  offset: bigint;
}

function failure(kind: string, message: string): KafkaToolExit {
  return mainFailure(new JavaError(kind, message));
}

const ADMIN_FAILURE = 'org.apache.kafka.server.common.AdminOperationException';

/** The offset JSON file (version 1), duplicates refused. */
export function parseOffsetJson(text: string): Deletion[] {
  let js: unknown;
  try {
    js = JSON.parse(text);
  } catch {
    throw failure(ADMIN_FAILURE, 'The input string is not a valid JSON');
  }
  if (typeof js !== 'object' || js === null || Array.isArray(js))
    throw failure('com.fasterxml.jackson.databind.JsonMappingException', 'Expected JSON object');
  const doc = js as Record<string, unknown>;
  const version = doc['version'] ?? 1;
  if (version !== 1) throw failure(ADMIN_FAILURE, `Not supported version field value ${String(version)}`);
  const partitions = doc['partitions'];
  if (partitions === undefined) throw failure(ADMIN_FAILURE, 'Missing partitions field');
  if (!Array.isArray(partitions))
    throw failure('com.fasterxml.jackson.databind.JsonMappingException', 'Expected JSON array');
  const out: Deletion[] = [];
  for (const entry of partitions as unknown[]) {
    const p = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const field = (name: string, ok: (v: unknown) => boolean): unknown => {
      if (!(name in p))
        throw failure('com.fasterxml.jackson.databind.JsonMappingException', `No such field exists: \`${name}\``);
      if (!ok(p[name]))
        throw failure('com.fasterxml.jackson.databind.JsonMappingException', `Expected \`${name}\` of the right type`);
      return p[name];
    };
    out.push({
      topic: field('topic', (v) => typeof v === 'string') as string,
      partition: field('partition', (v) => Number.isInteger(v)) as number,
      offset: BigInt(field('offset', (v) => Number.isInteger(v)) as number),
    });
  }
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const d of out) {
    const key = `${d.topic}-${d.partition}`;
    if (seen.has(key)) duplicates.add(key);
    seen.add(key);
  }
  if (duplicates.size > 0)
    throw failure(
      'org.apache.kafka.server.common.AdminCommandFailedException',
      `Offset json file contains duplicate topic partitions: ${[...duplicates].join(',')}`,
    );
  return out;
}

/** ApiException's class and message, as ExecutionException.getMessage() shows them. */
function exceptionText(err: unknown): string {
  if (err instanceof KafkaClientError) {
    const name = err.errorName
      .toLowerCase()
      .split('_')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('')
      .replace(/(Error|Exception)$/, '');
    return `org.apache.kafka.common.errors.${name}Exception: ${javaMessage(err)}`;
  }
  // A timed-out future's ExecutionException: its message is the cause's class and message.
  return isAdminTimeout(err) ? javaException(err) : javaMessage(err);
}

/** DeleteRecords to each leader: the low watermark, or the failure, per partition. */
async function deleteRecords(cluster: Cluster, deletions: Deletion[]): Promise<Map<string, bigint | Error>> {
  const results = new Map<string, bigint | Error>();
  const byLeader = new Map<number, Deletion[]>();
  for (const d of deletions) {
    try {
      const leader = (await cluster.withRetries('Metadata', () => cluster.leaders(d.topic))).get(d.partition);
      if (leader === undefined) throw new KafkaClientError(3, `${d.topic}-${d.partition}`);
      if (leader < 0) throw new KafkaClientError(5, `${d.topic}-${d.partition}`);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), d]);
    } catch (err) {
      results.set(`${d.topic}-${d.partition}`, err instanceof Error ? err : new Error(String(err)));
    }
  }
  await Promise.all(
    [...byLeader].map(async ([leader, list]) => {
      const request = defaultDeleteRecordsRequest();
      request.timeoutMs = 30_000;
      const topics = new Map<string, Deletion[]>();
      for (const d of list) topics.set(d.topic, [...(topics.get(d.topic) ?? []), d]);
      request.topics = [...topics].map(([name, ds]) => ({
        name,
        partitions: ds.map((d) => ({ partitionIndex: d.partition, offset: d.offset })),
      }));
      try {
        const response = await (await cluster.toNode(leader)).send(DeleteRecordsApi, request);
        for (const t of response.topics)
          for (const p of t.partitions)
            results.set(
              `${t.name}-${p.partitionIndex}`,
              p.errorCode === 0 ? p.lowWatermark : new KafkaClientError(p.errorCode, `${t.name}-${p.partitionIndex}`),
            );
      } catch (err) {
        for (const d of list)
          results.set(`${d.topic}-${d.partition}`, err instanceof Error ? err : new Error(String(err)));
      }
    }),
  );
  return results;
}

export async function kafkaDeleteRecords(args: readonly string[]): Promise<number> {
  const o = parseOptionsOrUsage(SPECS, args);
  maybeHelpOrVersion(
    o,
    'This tool helps to delete records of the given partitions down to the specified offset.',
    KAFKA_VERSION,
  );
  requireOptions(o, 'bootstrap-server', 'offset-json-file');
  let text: string;
  try {
    text = readFileSync(o.value('offset-json-file')!, 'utf8');
  } catch (err) {
    const missing = err instanceof Error && 'code' in err && err.code === 'ENOENT';
    throw failure(
      missing ? 'java.nio.file.NoSuchFileException' : 'java.io.IOException',
      missing ? o.value('offset-json-file')! : err instanceof Error ? err.message : String(err),
    );
  }
  const deletions = parseOffsetJson(text);
  const props = o.has('command-config') ? loadProperties(o.value('command-config')!) : {};
  const { cluster } = await clientFor(o.value('bootstrap-server')!, props, [], 'adminclient-1');
  const out = cliIo().stdout;
  try {
    out.write('Executing records delete operation\n');
    const results = await deleteRecords(cluster, deletions);
    out.write('Records delete operation completed:\n');
    const sorted = [...deletions].sort((a, b) =>
      a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
    );
    for (const d of sorted) {
      const key = `${d.topic}-${d.partition}`;
      const result = results.get(key);
      out.write(
        typeof result === 'bigint'
          ? `partition: ${key}\tlow_watermark: ${result}\n`
          : `partition: ${key}\terror: ${exceptionText(result ?? new Error('no answer'))}\n`,
      );
    }
    return 0;
  } finally {
    cluster.close();
  }
}
