/**
 * The `gregor` tools besides `start`, on commander: topic, produce, consume, group,
 * cluster, user (SCRAM) and console. They speak only the Kafka protocol (src/client/), so they work against any
 * Kafka-compatible cluster. Exit codes: 0 done, 1 the cluster refused or failed (the
 * Kafka error is named), 2 a mistake on the command line.
 */
import { Command, CommanderError } from 'commander';
import { KafkaClientError, BrokerUnreachableError } from '../client/errors.js';
import { UsageError } from './output.js';
import { topicCommand } from './commands/topic.js';
import { produceCommand } from './commands/produce.js';
import { consumeCommand } from './commands/consume.js';
import { groupCommand } from './commands/group.js';
import { clusterCommand } from './commands/cluster.js';
import { consoleCommand } from './commands/console.js';
import { userCommand } from './commands/user.js';
import { aclCommand } from './commands/acl.js';
import { cliIo, withCliIo, type CliIo } from './io.js';
import { KAFKA_TOOLS, kafkaToolName, runKafkaTool } from './kafka/run.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('gregor')
    .description('Gregor, a Kafka-compatible broker, and tools that work with any Kafka cluster')
    .showHelpAfterError()
    .exitOverride();
  program
    .command('start')
    .description('start a broker (gregor start --help)')
    .helpOption(false)
    .allowUnknownOption()
    .argument('[args...]');
  for (const command of [
    topicCommand(),
    produceCommand(),
    consumeCommand(),
    groupCommand(),
    clusterCommand(),
    userCommand(),
    aclCommand(),
    consoleCommand(),
  ])
    program.addCommand(command);
  const override = (command: Command): void => {
    command.exitOverride();
    // Help and usage errors go where the rest of the call's output goes (cliIo).
    command.configureOutput({
      writeOut: (text) => cliIo().stdout.write(text),
      writeErr: (text) => cliIo().stderr.write(text),
    });
    command.showHelpAfterError();
    for (const sub of command.commands) override(sub);
  };
  override(program);
  program.addHelpText(
    'after',
    `\nKafka's tools, with Kafka's options and output (docs/tools.md; also bin/kafka/<name>.sh):\n  ${Object.keys(
      KAFKA_TOOLS,
    ).join(', ')}`,
  );
  return program;
}

/**
 * Runs a tool command; returns the exit code. `io`: other streams and environment than the
 * process's (tests run commands in their own process this way).
 */
export function runTool(argv: string[], io?: CliIo): Promise<number> {
  return withCliIo(io, () => runToolHere(argv));
}

async function runToolHere(argv: string[]): Promise<number> {
  // Kafka's own tools parse their options as Kafka's do (joptsimple), not with commander.
  const kafkaTool = kafkaToolName(argv[0]);
  if (kafkaTool !== null) return runKafkaTool(kafkaTool, argv.slice(1));
  const program = buildProgram();
  const { env, stderr } = cliIo();
  // `gregor -b host:port topic list`, as kcat users type it: the same as GREGOR_BROKERS.
  if ((argv[0] === '-b' || argv[0] === '--bootstrap-server') && argv[1] !== undefined) {
    env['GREGOR_BROKERS'] = argv[1];
    argv = argv.slice(2);
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return EXIT_OK;
      return EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      stderr.write(`error: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof KafkaClientError || err instanceof BrokerUnreachableError) {
      stderr.write(`error: ${err.message}\n`);
      return EXIT_FAILED;
    }
    const message = err instanceof Error ? err.message : String(err);
    stderr.write(`error: ${message}\n`);
    if (env['GREGOR_LOG_LEVEL'] === 'debug' && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
    return EXIT_FAILED;
  }
}
