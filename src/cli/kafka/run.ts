/**
 * Kafka's command-line tools, as `gregor kafka-topics ...` and as the files bin/kafka/kafka-topics.sh
 * (and /opt/kafka/bin/ in the Docker image) that run it: each tool loads only when called.
 * A tool's exit (KafkaToolExit) prints its message on stderr and gives its exit code.
 */
import { cliIo } from '../io.js';
import { KafkaToolExit } from './options.js';
import { ClientConstructionError } from './errors.js';
import { log4jDate } from './messages.js';

type Tool = (args: readonly string[]) => Promise<number>;

export const KAFKA_TOOLS: Record<string, () => Promise<Tool>> = {
  'kafka-topics': async () => (await import('./topics.js')).kafkaTopics,
  'kafka-console-producer': async () => (await import('./console-producer.js')).kafkaConsoleProducer,
  'kafka-console-consumer': async () => (await import('./console-consumer.js')).kafkaConsoleConsumer,
  'kafka-consumer-groups': async () => (await import('./consumer-groups.js')).kafkaConsumerGroups,
  'kafka-configs': async () => (await import('./configs.js')).kafkaConfigs,
  'kafka-storage': async () => (await import('./small-tools.js')).kafkaStorage,
  'kafka-get-offsets': async () => (await import('./small-tools.js')).kafkaGetOffsets,
  'kafka-metadata-quorum': async () => (await import('./small-tools.js')).kafkaMetadataQuorum,
  'kafka-cluster': async () => (await import('./small-tools.js')).kafkaCluster,
  'kafka-acls': async () => (await import('./acls.js')).kafkaAcls,
  'kafka-producer-perf-test': async () => (await import('./producer-perf.js')).kafkaProducerPerfTest,
  'kafka-consumer-perf-test': async () => (await import('./consumer-perf.js')).kafkaConsumerPerfTest,
  'kafka-broker-api-versions': async () => (await import('./broker-api-versions.js')).kafkaBrokerApiVersions,
  'kafka-server-stop': async () => (await import('./server-stop.js')).kafkaServerStop,
  'kafka-delete-records': async () => (await import('./delete-records.js')).kafkaDeleteRecords,
  'kafka-log-dirs': async () => (await import('./log-dirs.js')).kafkaLogDirs,
  'kafka-leader-election': async () => (await import('./leader-election.js')).kafkaLeaderElection,
  'kafka-transactions': async () => (await import('./transactions.js')).kafkaTransactions,
  'kafka-dump-log': async () => (await import('./dump-log.js')).kafkaDumpLog,
  'kafka-features': async () => (await import('./features.js')).kafkaFeatures,
  'kafka-reassign-partitions': async () => (await import('./reassign-partitions.js')).kafkaReassignPartitions,
};

/** The tool's name without a trailing `.sh` (kafka-topics.sh and kafka-topics are the same tool). */
export function kafkaToolName(word: string | undefined): string | null {
  if (word === undefined) return null;
  const name = word.replace(/\.sh$/, '');
  return Object.hasOwn(KAFKA_TOOLS, name) ? name : null;
}

export async function runKafkaTool(name: string, args: readonly string[]): Promise<number> {
  const load = KAFKA_TOOLS[name];
  if (!load) {
    cliIo().stderr.write(`${name} is not one of Gregor's Kafka tools (${Object.keys(KAFKA_TOOLS).join(', ')})\n`);
    return 1;
  }
  try {
    return await (
      await load()
    )(args);
  } catch (err) {
    if (err instanceof ClientConstructionError) return reportConstructionFailure(name, args, err);
    if (err instanceof KafkaToolExit) {
      if (err.message !== '') cliIo().stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    cliIo().stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/** The tools whose main prints the exception's message before its stack trace (mainNoExit). */
const MESSAGE_FIRST_TOOLS: ReadonlySet<string> = new Set([
  'kafka-topics',
  'kafka-delete-records',
  'kafka-leader-election',
]);

/**
 * A client the tool could not create (bootstrap.servers gives no address), as each Kafka tool's main
 * reports the exception: its stack trace on stderr (frames left out) after the tool's own line, exit 1;
 * kafka-consumer-groups prints its "Error:" line on stdout and exits 0, as ConsumerGroupCommand does.
 */
function reportConstructionFailure(name: string, args: readonly string[], err: ClientConstructionError): number {
  const { stdout, stderr } = cliIo();
  if (name === 'kafka-consumer-groups') {
    stdout.write(`\nError: Executing consumer group command failed due to ${err.message}\n`);
    stderr.write(`${err.trace()}\n`);
    return 0;
  }
  if (MESSAGE_FIRST_TOOLS.has(name)) stderr.write(`${err.message}\n`);
  else if (name === 'kafka-configs')
    stderr.write(`Error while executing config command with args '${args.join(' ')}'\n`);
  else if (name === 'kafka-console-consumer')
    stderr.write(
      `[${log4jDate(new Date())}] ERROR Unknown error when running consumer:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\n`,
    );
  stderr.write(`${err.trace()}\n`);
  return 1;
}
