/**
 * kafka-transactions.sh (Kafka 3.9's TransactionsCommand) over Gregor's client:
 * `--bootstrap-server host:port [--command-config FILE] <command>` with the commands `list`
 * (`--duration-filter`), `describe --transactional-id`, `describe-producers --topic --partition
 * [--broker-id]`, `abort --topic --partition (--start-offset | --producer-id --producer-epoch
 * --coordinator-epoch)` and `find-hanging` (transactions-find-hanging.ts); Kafka's tables (ToolsUtils.prettyPrintTable: each column as wide as its
 * widest cell, a tab after each) and its failure line on stderr (`<what failed>: <message>.
 * Enable debug logging for additional detail.`, exit 1). The options are parsed as argparse4j
 * parses them (`--name value` or `--name=value`), its errors as `kafka-transactions.sh: error: ...`
 * after a usage line, exit 1.
 */
import type { Cluster } from '../../client/cluster.js';
import { KafkaClientError } from '../../client/errors.js';
import {
  abortTransaction,
  describeProducers,
  describeTransaction,
  listTransactions,
} from '../../client/transactions-admin.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties } from './client-config.js';
import { findHangingTransactions } from './transactions-find-hanging.js';
import { failure, table } from './transactions-output.js';
import { KafkaToolExit } from './options.js';
import { KAFKA_VERSION } from './version.js';

const PROG = 'kafka-transactions.sh';
const COMMANDS = ['list', 'describe', 'describe-producers', 'abort', 'find-hanging'];

interface ArgSpec {
  name: string;
  metavar: string;
  type: 'String' | 'Integer' | 'Long' | 'Short';
  required: boolean;
}

const GLOBAL: readonly ArgSpec[] = [
  { name: 'command-config', metavar: 'FILE', type: 'String', required: false },
  { name: 'bootstrap-server', metavar: 'host:port', type: 'String', required: true },
];

const COMMAND_ARGS: Record<string, readonly ArgSpec[]> = {
  list: [{ name: 'duration-filter', metavar: 'DURATION_FILTER', type: 'Long', required: false }],
  describe: [{ name: 'transactional-id', metavar: 'TRANSACTIONAL_ID', type: 'String', required: true }],
  'describe-producers': [
    { name: 'broker-id', metavar: 'BROKER_ID', type: 'Integer', required: false },
    { name: 'topic', metavar: 'TOPIC', type: 'String', required: true },
    { name: 'partition', metavar: 'PARTITION', type: 'Integer', required: true },
  ],
  abort: [
    { name: 'topic', metavar: 'TOPIC', type: 'String', required: true },
    { name: 'partition', metavar: 'PARTITION', type: 'Integer', required: true },
    { name: 'start-offset', metavar: 'START_OFFSET', type: 'Long', required: false },
    { name: 'producer-id', metavar: 'PRODUCER_ID', type: 'Long', required: false },
    { name: 'producer-epoch', metavar: 'PRODUCER_EPOCH', type: 'Short', required: false },
    { name: 'coordinator-epoch', metavar: 'COORDINATOR_EPOCH', type: 'Integer', required: false },
  ],
  'find-hanging': [
    { name: 'broker-id', metavar: 'BROKER_ID', type: 'Integer', required: false },
    { name: 'max-transaction-timeout', metavar: 'MAX_TRANSACTION_TIMEOUT', type: 'Integer', required: false },
    { name: 'topic', metavar: 'TOPIC', type: 'String', required: false },
    { name: 'partition', metavar: 'PARTITION', type: 'Integer', required: false },
  ],
};

function usage(command: string | null): string {
  if (command === null)
    return `usage: ${PROG} [-h] [-v] [--command-config FILE] --bootstrap-server host:port COMMAND ...`;
  const args = COMMAND_ARGS[command]!.map((a) =>
    a.required ? `--${a.name} ${a.metavar}` : `[--${a.name} ${a.metavar}]`,
  );
  return `usage: ${PROG} ${command} [-h] ${args.join(' ')}`.trimEnd();
}

/** argparse4j's handleError: the usage, then `<prog>: error: <message>`, exit 1. */
function argumentError(command: string | null, message: string): KafkaToolExit {
  return new KafkaToolExit(1, `${usage(command)}\n${PROG}${command ? ` ${command}` : ''}: error: ${message}`);
}

const RANGES: Record<ArgSpec['type'], [bigint, bigint] | null> = {
  String: null,
  Short: [-(2n ** 15n), 2n ** 15n - 1n],
  Integer: [-(2n ** 31n), 2n ** 31n - 1n],
  Long: [-(2n ** 63n), 2n ** 63n - 1n],
};

function converted(command: string | null, spec: ArgSpec, value: string): string {
  const range = RANGES[spec.type];
  if (range === null) return value;
  const ok = /^[-+]?\d+$/.test(value) && BigInt(value) >= range[0] && BigInt(value) <= range[1];
  if (!ok)
    throw argumentError(
      command,
      `argument --${spec.name}: could not convert '${value}' to ${spec.type} (For input string: "${value}")`,
    );
  return value;
}

interface Parsed {
  command: string;
  values: Map<string, string>;
}

function parseArgs(args: readonly string[]): Parsed {
  const values = new Map<string, string>();
  let command: string | null = null;
  const unknown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const specs = command === null ? GLOBAL : COMMAND_ARGS[command]!;
    if (arg === '-h' || arg === '--help') {
      cliIo().stdout.write(`${usage(command)}\n`);
      throw new KafkaToolExit(0, '');
    }
    if (command === null && (arg === '-v' || arg === '--version')) {
      cliIo().stdout.write(`${KAFKA_VERSION}\n`);
      throw new KafkaToolExit(0, '');
    }
    if (!arg.startsWith('-')) {
      if (command !== null) {
        unknown.push(arg);
        continue;
      }
      if (!COMMANDS.includes(arg))
        throw argumentError(
          null,
          `argument COMMAND: invalid choice: '${arg}' (choose from ${COMMANDS.map((c) => `'${c}'`).join(', ')})`,
        );
      const missing = GLOBAL.find((s) => s.required && !values.has(s.name));
      if (missing) throw argumentError(null, `argument --${missing.name} is required`);
      command = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq >= 0 ? arg.slice(0, eq) : arg).replace(/^--/, '');
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      unknown.push(arg);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw argumentError(command, `argument --${spec.name}: expected one argument`);
    values.set(spec.name, converted(command, spec, value));
  }
  if (unknown.length > 0) throw argumentError(null, `unrecognized arguments: '${unknown.join(' ')}'`);
  if (command === null) {
    const missing = GLOBAL.find((s) => s.required && !values.has(s.name));
    throw argumentError(null, missing ? `argument --${missing.name} is required` : 'too few arguments');
  }
  const missing = COMMAND_ARGS[command]!.find((s) => s.required && !values.has(s.name));
  if (missing) throw argumentError(command, `argument --${missing.name} is required`);
  return { command, values };
}

async function run(cluster: Cluster, p: Parsed): Promise<void> {
  const out = cliIo().stdout;
  const v = (name: string): string | undefined => p.values.get(name);
  if (p.command === 'list') {
    const listed = await listTransactions(cluster, BigInt(v('duration-filter') ?? '-1')).catch((err: unknown) => {
      throw failure('Failed to list transactions', err);
    });
    out.write(
      table(
        ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'],
        listed.map((l) => [l.transactionalId, String(l.coordinatorId), String(l.producerId), l.state]),
      ),
    );
  } else if (p.command === 'describe') {
    const id = v('transactional-id')!;
    const d = await describeTransaction(cluster, id).catch((err: unknown) => {
      throw failure(`Failed to describe transaction state of transactional-id \`${id}\``, err);
    });
    const started = d.transactionStartTimeMs >= 0n;
    out.write(
      table(
        [
          'CoordinatorId',
          'TransactionalId',
          'ProducerId',
          'ProducerEpoch',
          'TransactionState',
          'TransactionTimeoutMs',
          'CurrentTransactionStartTimeMs',
          'TransactionDurationMs',
          'TopicPartitions',
        ],
        [
          [
            String(d.coordinatorId),
            id,
            String(d.producerId),
            String(d.producerEpoch),
            d.state,
            String(d.transactionTimeoutMs),
            started ? String(d.transactionStartTimeMs) : 'None',
            started ? String(BigInt(Date.now()) - d.transactionStartTimeMs) : 'None',
            d.partitions.map((tp) => `${tp.topic}-${tp.partition}`).join(','),
          ],
        ],
      ),
    );
  } else if (p.command === 'describe-producers') {
    const [topic, partition] = [v('topic')!, Number(v('partition'))];
    const brokerId = v('broker-id') === undefined ? null : Number(v('broker-id'));
    const producers = await describeProducers(cluster, topic, partition, brokerId).catch((err: unknown) => {
      throw failure(
        `Failed to describe producers for partition ${topic}-${partition} on ${brokerId === null ? 'leader' : `broker ${brokerId}`}`,
        err,
      );
    });
    out.write(
      table(
        [
          'ProducerId',
          'ProducerEpoch',
          'LatestCoordinatorEpoch',
          'LastSequence',
          'LastTimestamp',
          'CurrentTransactionStartOffset',
        ],
        producers.map((s) => [
          String(s.producerId),
          String(s.producerEpoch),
          String(s.coordinatorEpoch),
          String(s.lastSequence),
          String(s.lastTimestamp),
          s.currentTxnStartOffset >= 0n ? String(s.currentTxnStartOffset) : 'None',
        ]),
      ),
    );
  } else if (p.command === 'abort') await abort(cluster, p);
  else out.write(await findHangingTransactions(cluster, p.values));
}

async function abort(cluster: Cluster, p: Parsed): Promise<void> {
  const v = (name: string): string | undefined => p.values.get(name);
  const [topic, partition] = [v('topic')!, Number(v('partition'))];
  const tp = `${topic}-${partition}`;
  let spec: { producerId: bigint; producerEpoch: number; coordinatorEpoch: number };
  if (v('start-offset') === undefined && v('producer-id') === undefined)
    throw failure(
      'The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)',
    );
  if (v('start-offset') === undefined) {
    if (v('producer-epoch') === undefined) throw failure('Missing required argument --producer-epoch');
    if (v('coordinator-epoch') === undefined) throw failure('Missing required argument --coordinator-epoch');
    spec = {
      producerId: BigInt(v('producer-id')!),
      producerEpoch: Number(v('producer-epoch')),
      coordinatorEpoch: Math.max(0, Number(v('coordinator-epoch'))),
    };
  } else {
    const start = BigInt(v('start-offset')!);
    const producers = await describeProducers(cluster, topic, partition, null).catch((err: unknown) => {
      throw failure(`Failed to validate producer state for partition ${tp}`, err);
    });
    const found = producers.find((s) => s.currentTxnStartOffset >= 0n && s.currentTxnStartOffset === start);
    if (!found) throw failure(`Could not find any open transactions starting at offset ${start} on partition ${tp}`);
    spec = {
      producerId: found.producerId,
      producerEpoch: found.producerEpoch,
      coordinatorEpoch: Math.max(0, found.coordinatorEpoch),
    };
  }
  await abortTransaction(cluster, { topic, partition, ...spec }).catch((err: unknown) => {
    throw failure(
      `Failed to abort transaction AbortTransactionSpec(topicPartition=${tp}, producerId=${spec.producerId}, producerEpoch=${spec.producerEpoch}, coordinatorEpoch=${spec.coordinatorEpoch})`,
      err,
    );
  });
}

export async function kafkaTransactions(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args);
  const configFile = parsed.values.get('command-config');
  const props = configFile === undefined ? {} : loadProperties(configFile);
  const { cluster } = await clientFor(parsed.values.get('bootstrap-server')!, props, [], 'adminclient-1');
  try {
    await run(cluster, parsed);
    return 0;
  } catch (err) {
    if (err instanceof KafkaToolExit) throw err;
    if (err instanceof KafkaClientError) throw failure('Failed', err);
    throw err;
  } finally {
    cluster.close();
  }
}
