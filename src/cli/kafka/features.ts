/**
 * kafka-features.sh (Kafka 3.9's FeatureCommand) over Gregor's client: `--bootstrap-server
 * host:port` or `--bootstrap-controller host:port` (KIP-919), `[--command-config FILE] describe`, as Kafka's admin client describeFeatures reads it
 * (ApiVersions v3: the supported and finalized features and their epoch), one line a feature in
 * name order, `metadata.version` levels by their names (21 is `3.9-IV0`).
 *
 * Refused: `upgrade`, `downgrade` and `disable` (not implemented here). Errors of the arguments are argparse4j's `kafka-features: error: ...`
 * after a usage line, exit 1.
 */
import { ApiVersionsApi, defaultApiVersionsRequest } from '../../../protocol/generated/messages/18-api-versions.js';
import type { Cluster } from '../../client/cluster.js';
import { check } from '../../client/errors.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties } from './client-config.js';
import { isAdminTimeout, javaException, javaMessage } from './messages.js';
import { KafkaToolExit } from './options.js';

const USAGE =
  'usage: kafka-features [-h] [--command-config COMMAND_CONFIG] (--bootstrap-server BOOTSTRAP_SERVER | --bootstrap-controller BOOTSTRAP_CONTROLLER) {describe,upgrade,downgrade,disable} ...';
const COMMANDS = ['describe', 'upgrade', 'downgrade', 'disable'];

/** MetadataVersion's names by feature level (Kafka 3.9 knows 1 to 23). */
const METADATA_VERSIONS = [
  '3.0-IV1',
  '3.1-IV0',
  '3.2-IV0',
  '3.3-IV0',
  '3.3-IV1',
  '3.3-IV2',
  '3.3-IV3',
  '3.4-IV0',
  '3.5-IV0',
  '3.5-IV1',
  '3.5-IV2',
  '3.6-IV0',
  '3.6-IV1',
  '3.6-IV2',
  '3.7-IV0',
  '3.7-IV1',
  '3.7-IV2',
  '3.7-IV3',
  '3.7-IV4',
  '3.8-IV0',
  '3.9-IV0',
  '4.0-IV0',
  '4.0-IV1',
];

function argumentError(message: string): KafkaToolExit {
  return new KafkaToolExit(1, `${USAGE}\nkafka-features: error: ${message}`);
}

/** FeatureCommand.levelToString. */
function levelName(feature: string, level: number): string {
  if (feature !== 'metadata.version') return String(level);
  return METADATA_VERSIONS[level - 1] ?? `UNKNOWN ${level}`;
}

function parseArgs(args: readonly string[]): { values: Map<string, string>; command: string } {
  const values = new Map<string, string>();
  let command: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    // The arguments of the commands refused below are not read.
    if (command !== null && command !== 'describe') break;
    if (arg === '-h' || arg === '--help') {
      cliIo().stdout.write(`${USAGE}\n`);
      throw new KafkaToolExit(0, '');
    }
    if (command === null && !arg.startsWith('-')) {
      if (!COMMANDS.includes(arg))
        throw argumentError(
          `argument command: invalid choice: '${arg}' (choose from 'describe', 'upgrade', 'downgrade', 'disable')`,
        );
      command = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (command !== null || !['--bootstrap-server', '--bootstrap-controller', '--command-config'].includes(name))
      throw argumentError(`unrecognized arguments: '${arg}'`);
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw argumentError(`argument ${name}: expected one argument`);
    values.set(name.slice(2), value);
  }
  if (values.has('bootstrap-server') && values.has('bootstrap-controller'))
    throw argumentError('argument --bootstrap-controller: not allowed with argument --bootstrap-server');
  if (!values.has('bootstrap-server') && !values.has('bootstrap-controller'))
    throw argumentError('one of the arguments --bootstrap-server --bootstrap-controller is required');
  if (command === null) throw argumentError('too few arguments');
  if (command !== 'describe')
    throw new KafkaToolExit(
      1,
      `Gregor's kafka-features.sh does not implement ${command}: only describe (the features Gregor serves are fixed)`,
    );
  return { values, command };
}

async function describe(cluster: Cluster): Promise<void> {
  const response = await cluster.withRetries('DescribeFeatures', async () => {
    const answer = await (await cluster.any()).send(ApiVersionsApi, defaultApiVersionsRequest(), 3);
    check(answer.errorCode, 'ApiVersions');
    return answer;
  });
  const finalized = new Map(response.finalizedFeatures.map((f) => [f.name, f.maxVersionLevel]));
  const epoch = response.finalizedFeaturesEpoch >= 0n ? String(response.finalizedFeaturesEpoch) : '-';
  const lines = [...response.supportedFeatures]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(
      (f) =>
        `Feature: ${f.name}\tSupportedMinVersion: ${levelName(f.name, f.minVersion)}\t` +
        `SupportedMaxVersion: ${levelName(f.name, f.maxVersion)}\t` +
        `FinalizedVersionLevel: ${levelName(f.name, finalized.get(f.name) ?? 0)}\tEpoch: ${epoch}\n`,
    );
  cliIo().stdout.write(lines.join(''));
}

export async function kafkaFeatures(args: readonly string[]): Promise<number> {
  const { values } = parseArgs(args);
  const configFile = values.get('command-config');
  const props = configFile === undefined ? {} : loadProperties(configFile);
  // --bootstrap-controller: the controllers' own ApiVersions (KIP-919), from the active controller.
  const controllers = values.get('bootstrap-controller');
  const servers = controllers ?? values.get('bootstrap-server')!;
  const { cluster } = await clientFor(
    servers,
    props,
    [],
    'adminclient-1',
    undefined,
    'admin',
    null,
    controllers !== undefined,
  );
  try {
    await describe(cluster);
    return 0;
  } catch (err) {
    if (err instanceof KafkaToolExit) throw err;
    // FeatureCommand's mainNoExit: the ExecutionException's message on stderr, exit 1.
    throw new KafkaToolExit(1, isAdminTimeout(err) ? javaException(err) : javaMessage(err));
  } finally {
    cluster.close();
  }
}
