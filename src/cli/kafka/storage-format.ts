/**
 * `kafka-storage.sh format`, as Kafka 3.9's StorageTool/Formatter runs it for the quickstart:
 * `kafka-storage.sh format [--standalone] -t <cluster id> -c <server.properties> [-g]`. It writes
 * `meta.properties` (version 1, node.id, cluster.id, a new directory.id) into the metadata log dir
 * and every log dir of the configuration, which is what Gregor's start reads (and otherwise writes
 * itself at first start): the node then belongs to that cluster id. A dir already formatted stops
 * it ("Use --ignore-formatted ..."), as on Kafka; with `-g` those are left alone.
 * `--standalone` is accepted on a controller (Gregor makes a lone controller whose bootstrap servers
 * name its own listener its quorum's only voter, as Kafka does after `format --standalone`);
 * `--no-initial-controllers` on any node. Refused, each with a message: `--initial-controllers`
 * (KIP-853 dynamic quorums of several voters), `--feature`, and a `--release-version` other than
 * 3.9's. `--add-scram MECHANISM=[name=...,password=...]` (repeatable) salts and hashes the credentials
 * into the metadata log dir (scram-bootstrap.ts BOOTSTRAP_SCRAM_FILE), which the first active
 * controller of the fresh cluster commits as UserScramCredentialRecords, as Kafka's bootstrap
 * snapshot does. Gregor writes no bootstrap.checkpoint: it has one metadata.version and bootstraps
 * its quorum at first start.
 */
import { resolve } from 'node:path';
import { BrokerConfig } from '../../common/config.js';
import { readMetaProperties, writeMetaProperties } from '../../broker/meta-properties.js';
import { parseQuorumVoters } from '../../controller/quorum-voters.js';
import { checkRoles } from '../../controller/metadata-quorum.js';
import { validateBrokerConfig } from '../../common/config-validate.js';
import { cliIo } from '../io.js';
import { KafkaToolExit } from './options.js';
import { randomKafkaUuid } from './kafka-uuid.js';
import { bootstrapScramRecords, writeBootstrapScramFile } from '../../server/sasl/scram-bootstrap.js';
import type { MetadataRecord } from '../../metadata/records.js';

const METADATA_VERSION = '3.9-IV0';
const USAGE =
  'usage: kafka-storage format [-h] --config CONFIG --cluster-id CLUSTER_ID [--add-scram ADD_SCRAM] [--ignore-formatted] [--release-version RELEASE_VERSION] [--feature FEATURE] [--standalone | --no-initial-controllers | --initial-controllers INITIAL_CONTROLLERS]';

interface FormatArgs {
  config?: string;
  clusterId?: string;
  ignoreFormatted: boolean;
  standalone: boolean;
  noInitialControllers: boolean;
  releaseVersion?: string;
  /** --add-scram entries, each MECHANISM=[name=...,password=...] (the option may be repeated). */
  addScram: string[];
}

const VALUED: Record<string, keyof FormatArgs> = {
  '--config': 'config',
  '--cluster-id': 'clusterId',
  '--release-version': 'releaseVersion',
};

const DYNAMIC_QUORUM_REFUSAL =
  'Gregor does not implement dynamic quorums of several voters (KIP-853): give every node the same controller.quorum.voters, or use --standalone for a single controller';

const REFUSED: Record<string, string> = {
  '--initial-controllers': DYNAMIC_QUORUM_REFUSAL,
  '--feature': `Gregor runs one set of feature levels (metadata.version ${METADATA_VERSION}); --feature is not supported`,
};

/** Short option names as argparse4j gives them. */
const SHORT: Record<string, string> = {
  '-c': '--config',
  '-t': '--cluster-id',
  '-r': '--release-version',
  '-I': '--initial-controllers',
  '-S': '--add-scram',
  '-f': '--feature',
  '-g': '--ignore-formatted',
  '-s': '--standalone',
  '-N': '--no-initial-controllers',
  '-h': '--help',
};

function parseFormatArgs(args: readonly string[]): FormatArgs {
  const out: FormatArgs = { ignoreFormatted: false, standalone: false, noInitialControllers: false, addScram: [] };
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const given = eq > 0 ? word.slice(0, eq) : word;
    const name = SHORT[given] ?? given;
    if (REFUSED[name] !== undefined) throw new KafkaToolExit(1, REFUSED[name]);
    const field = VALUED[name];
    if (name === '--add-scram') {
      const value = eq > 0 ? word.slice(eq + 1) : args[++i];
      if (value === undefined)
        throw new KafkaToolExit(1, `${USAGE}\nkafka-storage: error: argument ${given}: expected one argument`);
      out.addScram.push(value);
    } else if (field !== undefined) {
      const value = eq > 0 ? word.slice(eq + 1) : args[++i];
      if (value === undefined)
        throw new KafkaToolExit(1, `${USAGE}\nkafka-storage: error: argument ${given}: expected one argument`);
      (out as unknown as Record<string, string>)[field] = value;
    } else if (name === '--ignore-formatted' || name === '-g') out.ignoreFormatted = true;
    else if (name === '--standalone' || name === '-s') out.standalone = true;
    else if (name === '--no-initial-controllers' || name === '-N') out.noInitialControllers = true;
    else if (name === '-h' || name === '--help') throw new KafkaToolExit(0, USAGE);
    else throw new KafkaToolExit(1, `${USAGE}\nkafka-storage: error: unrecognized arguments: '${word}'`);
  }
  const missing = [
    out.config === undefined ? '--config/-c' : null,
    out.clusterId === undefined ? '--cluster-id/-t' : null,
  ]
    .filter((m) => m !== null)
    .join(', ');
  if (missing !== '')
    throw new KafkaToolExit(1, `${USAGE}\nkafka-storage: error: the following arguments are required: ${missing}`);
  if (out.standalone && out.noInitialControllers)
    throw new KafkaToolExit(
      1,
      `${USAGE}\nkafka-storage: error: argument --no-initial-controllers/-N: not allowed with argument --standalone/-s`,
    );
  return out;
}

/** Kafka's Uuid.fromString: 22 base64url characters that decode to 16 bytes. */
function checkClusterId(id: string): void {
  if (!/^[A-Za-z0-9_-]{22}$/.test(id) || Buffer.from(id, 'base64url').length !== 16)
    throw new KafkaToolExit(
      1,
      `Cluster ID string ${id} does not appear to be a valid UUID: use the output of kafka-storage random-uuid`,
    );
}

/**
 * The checks Kafka's KafkaConfig makes when the tool reads the file (the ones `gregor start` makes),
 * before anything is written: a bad value stops it with start-up's message; a node id that
 * process.roles puts in or out of the voters wrongly with the first line of Kafka's uncaught
 * exception (KafkaConfig's voter checks are Scala `require`s).
 */
function checkConfigAsKafkaConfig(
  config: BrokerConfig,
  roles: readonly string[],
  voters: ReturnType<typeof parseQuorumVoters>,
): void {
  const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
  try {
    validateBrokerConfig(config);
  } catch (err) {
    throw new KafkaToolExit(1, message(err));
  }
  try {
    checkRoles(roles, config.int('node.id'), voters);
  } catch (err) {
    const text = message(err);
    if (!text.startsWith('If process.roles')) throw new KafkaToolExit(1, text);
    throw new KafkaToolExit(
      1,
      `Exception in thread "main" java.lang.IllegalArgumentException: requirement failed: ${text}`,
    );
  }
}

export function kafkaStorageFormat(args: readonly string[]): number {
  const parsed = parseFormatArgs(args);
  checkClusterId(parsed.clusterId!);
  if (parsed.releaseVersion !== undefined && !/^3\.9(-IV0)?$/.test(parsed.releaseVersion))
    throw new KafkaToolExit(
      1,
      `Gregor runs metadata.version ${METADATA_VERSION} only; --release-version ${parsed.releaseVersion} is not supported`,
    );
  let config: BrokerConfig;
  try {
    config = BrokerConfig.load({ file: parsed.config!, env: {}, overrides: {} });
  } catch (err) {
    throw new KafkaToolExit(1, err instanceof Error ? err.message : String(err));
  }
  const roles = config.list('process.roles');
  if (config.explicit('process.roles') === undefined || roles.length === 0)
    throw new KafkaToolExit(
      1,
      'The kafka configuration file appears to be for a legacy cluster. Formatting is only supported for clusters in KRaft mode.',
    );
  const controller = roles.includes('controller');
  if (parsed.standalone && !controller) throw new KafkaToolExit(1, 'You can only use --standalone on a controller.');
  const voters = parseQuorumVoters(config.list('controller.quorum.voters'));
  checkConfigAsKafkaConfig(config, roles, voters);
  if (controller && voters.size === 0 && !parsed.standalone && !parsed.noInitialControllers)
    throw new KafkaToolExit(
      1,
      'Because controller.quorum.voters is not set on this controller, you must specify one of the following: --standalone, --initial-controllers, or --no-initial-controllers.',
    );
  let scramRecords: MetadataRecord[] = [];
  try {
    if (parsed.addScram.length > 0) scramRecords = bootstrapScramRecords(parsed.addScram.join(';'), '--add-scram');
  } catch (err) {
    throw new KafkaToolExit(1, err instanceof Error ? err.message : String(err));
  }
  const metadataDir = resolve(config.explicit('metadata.log.dir') ?? config.logDirs()[0]!);
  const dirs = [...new Set([metadataDir, ...config.logDirs().map((d) => resolve(d))])];
  const nodeId = config.int('node.id');
  const formatted = dirs.filter((dir) => readMetaProperties(dir) !== null);
  for (const dir of formatted) {
    const meta = readMetaProperties(dir)!;
    if (meta.clusterId !== null && meta.clusterId !== parsed.clusterId)
      throw new KafkaToolExit(
        1,
        `Invalid cluster.id in: ${dir}/meta.properties. Expected ${parsed.clusterId}, but read ${meta.clusterId}`,
      );
  }
  if (formatted.length > 0 && !parsed.ignoreFormatted)
    throw new KafkaToolExit(
      1,
      `Log directory ${formatted[0]} is already formatted. Use --ignore-formatted to ignore this directory and format the others.`,
    );
  const empty = dirs.filter((dir) => !formatted.includes(dir));
  const out = cliIo().stdout;
  if (empty.length === 0) {
    out.write('All of the log directories are already formatted.\n');
    return 0;
  }
  for (const dir of empty) {
    const kind =
      dir !== metadataDir ? 'directory' : parsed.standalone ? 'dynamic metadata voter directory' : 'metadata directory';
    out.write(`Formatting ${kind} ${dir} with metadata.version ${METADATA_VERSION}.\n`);
    writeMetaProperties(dir, { clusterId: parsed.clusterId!, nodeId, directoryId: randomKafkaUuid() });
    if (dir === metadataDir && scramRecords.length > 0) writeBootstrapScramFile(dir, scramRecords);
  }
  return 0;
}
