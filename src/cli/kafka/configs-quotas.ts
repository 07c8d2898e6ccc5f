/**
 * kafka-configs.sh for users, clients and ips (Kafka 3.9's ConfigCommand, --bootstrap-server
 * mode): client quotas through DescribeClientQuotas / AlterClientQuotas, and a user's SCRAM
 * credentials through DescribeUserScramCredentials / AlterUserScramCredentials
 * (`--add-config 'SCRAM-SHA-256=[iterations=8192,password=...]'`, `--delete-config SCRAM-SHA-512`).
 * The checks, messages and output lines are the tool's ("Quota configs for user-principal 'alice'
 * are producer_byte_rate=1024.0", "SCRAM credential configs for user-principal 'alice' are
 * SCRAM-SHA-256=iterations=4096"). One entity type at a time: users and clients together
 * (`--user alice --client app`) are not supported.
 */
import { DescribeClientQuotasApi } from '../../../protocol/generated/messages/48-describe-client-quotas.js';
import { AlterClientQuotasApi } from '../../../protocol/generated/messages/49-alter-client-quotas.js';
import { DescribeUserScramCredentialsApi } from '../../../protocol/generated/messages/50-describe-user-scram-credentials.js';
import { AlterUserScramCredentialsApi } from '../../../protocol/generated/messages/51-alter-user-scram-credentials.js';
import type { Cluster } from '../../client/cluster.js';
import { check } from '../../client/errors.js';
import { SCRAM_MECHANISM_CODES, type ScramMechanism } from '../../client/scram-users.js';
import { nodeCrypto } from '../../common/node-crypto.js';
import { saltedPassword } from '../../server/sasl/scram.js';
import { ERROR_INFO } from '../../../protocol/generated/error-codes.js';
import { cliIo } from '../io.js';
import { KafkaToolExit } from './options.js';
import { CONFIG_ALTER_WAIT_MS, CONFIG_DESCRIBE_WAIT_MS, waitAtMost } from './future-wait.js';

/** One entity: a type of the tool (users, clients, ips) and a name (null: all of them, '': the default). */
export interface QuotaEntity {
  type: string;
  name: string | null;
}

const QUOTA_ENTITY_TYPES: Record<string, string> = { users: 'user', clients: 'client-id', ips: 'ip' };
const DESCRIBED_AS: Record<string, string> = { user: 'user-principal', 'client-id': 'client-id', ip: 'ip' };
const CLIENT_OR_USER_QUOTAS = [
  'producer_byte_rate',
  'consumer_byte_rate',
  'request_percentage',
  'controller_mutation_rate',
];
const IP_QUOTAS = ['connection_creation_rate'];
const MIN_SCRAM_ITERATIONS = 4096;
const DEFAULT_SCRAM_ITERATIONS = 4096;
const MATCH_EXACT = 0;
const MATCH_DEFAULT = 1;
const MATCH_SPECIFIED = 2;

const isScram = (key: string): key is ScramMechanism => key in SCRAM_MECHANISM_CODES;

/** Java's Double.toString for the values quotas hold: 1024.0, 1.5, 1.048576E7. */
export function javaDouble(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
  const abs = Math.abs(value);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) return Number.isInteger(value) ? `${value}.0` : String(value);
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

async function quotasOf(cluster: Cluster, entity: QuotaEntity): Promise<Array<{ entity: string; values: string }>> {
  const entityType = QUOTA_ENTITY_TYPES[entity.type]!;
  const response = await cluster.withRetries('DescribeClientQuotas', async () =>
    (await cluster.any()).send(DescribeClientQuotasApi, {
      components: [
        entity.name === null
          ? { entityType, matchType: MATCH_SPECIFIED, match: null }
          : entity.name === ''
            ? { entityType, matchType: MATCH_DEFAULT, match: null }
            : { entityType, matchType: MATCH_EXACT, match: entity.name },
      ],
      strict: true,
    }),
  );
  check(response.errorCode, 'DescribeClientQuotas', response.errorMessage);
  return (response.entries ?? []).map((entry) => ({
    entity: entry.entity
      .map((e) =>
        e.entityName === null
          ? `the default ${DESCRIBED_AS[e.entityType]}`
          : `${DESCRIBED_AS[e.entityType]} '${e.entityName}'`,
      )
      .join(', '),
    values: entry.values.map((v) => `${v.key}=${javaDouble(v.value)}`).join(', '),
  }));
}

async function describeScram(cluster: Cluster, name: string | null): Promise<void> {
  const response = await cluster.withRetries('DescribeUserScramCredentials', async () =>
    (await cluster.any()).send(DescribeUserScramCredentialsApi, { users: name === null ? null : [{ name }] }),
  );
  check(response.errorCode, 'DescribeUserScramCredentials', response.errorMessage);
  const out = cliIo().stdout;
  const resourceNotFound = 91;
  for (const result of response.results) {
    if (result.errorCode === resourceNotFound) continue;
    if (result.errorCode !== 0) {
      const errorName = ERROR_INFO.get(result.errorCode)?.name ?? `ERROR_${result.errorCode}`;
      out.write(
        `Error retrieving SCRAM credential configs for user-principal '${result.user}': ${errorName}: ${result.errorMessage ?? ''}\n`,
      );
      continue;
    }
    const infos = result.credentialInfos
      .map((info) => {
        const mechanism = Object.entries(SCRAM_MECHANISM_CODES).find(([, code]) => code === info.mechanism)?.[0];
        return `${mechanism ?? `UNKNOWN(${info.mechanism})`}=iterations=${info.iterations}`;
      })
      .join(', ');
    out.write(`SCRAM credential configs for user-principal '${result.user}' are ${infos}\n`);
  }
}

/** --describe of users, clients or ips. */
export async function describeQuotaEntity(cluster: Cluster, entity: QuotaEntity): Promise<void> {
  const out = cliIo().stdout;
  const rows = await waitAtMost(CONFIG_DESCRIBE_WAIT_MS, quotasOf(cluster, entity));
  for (const row of rows) out.write(`Quota configs for ${row.entity} are ${row.values}\n`);
  if (entity.type === 'users' && entity.name !== '')
    await waitAtMost(CONFIG_DESCRIBE_WAIT_MS, describeScram(cluster, entity.name));
}

function scramUpsertion(
  user: string,
  mechanism: ScramMechanism,
  text: string,
): { name: string; mechanism: number; iterations: number; salt: Buffer; saltedPassword: Buffer } {
  const match = /^(?:iterations=(-?[0-9]*),)?password=(.*)$/s.exec(text);
  if (!match) throw new KafkaToolExit(1, `Invalid credential property ${mechanism}=${text}`);
  const iterations =
    match[1] !== undefined && match[1] !== '-1' ? Number.parseInt(match[1], 10) : DEFAULT_SCRAM_ITERATIONS;
  if (Number.isNaN(iterations)) throw new KafkaToolExit(1, `Invalid credential property ${mechanism}=${text}`);
  if (iterations < MIN_SCRAM_ITERATIONS)
    throw new KafkaToolExit(
      1,
      `Iterations ${iterations} is less than the minimum ${MIN_SCRAM_ITERATIONS} required for ${mechanism}`,
    );
  const salt = nodeCrypto().randomBytes(32);
  return {
    name: user,
    mechanism: SCRAM_MECHANISM_CODES[mechanism],
    iterations,
    salt,
    saltedPassword: saltedPassword(mechanism, match[2]!, salt, iterations),
  };
}

async function alterScram(
  cluster: Cluster,
  user: string,
  added: Record<string, string>,
  deleted: readonly string[],
): Promise<void> {
  const upsertions = Object.entries(added).map(([mechanism, text]) =>
    scramUpsertion(user, mechanism as ScramMechanism, text),
  );
  const deletions = deleted.map((mechanism) => ({
    name: user,
    mechanism: SCRAM_MECHANISM_CODES[mechanism as ScramMechanism],
  }));
  const response = await waitAtMost(
    CONFIG_ALTER_WAIT_MS,
    cluster.withRetries('AlterUserScramCredentials', async () =>
      (await cluster.any()).send(AlterUserScramCredentialsApi, { deletions, upsertions }),
    ),
  );
  for (const result of response.results) check(result.errorCode, `user ${result.user}`, result.errorMessage);
}

async function alterQuotas(
  cluster: Cluster,
  entity: QuotaEntity & { name: string },
  added: Record<string, string>,
  deleted: readonly string[],
): Promise<void> {
  const current = await waitAtMost(CONFIG_DESCRIBE_WAIT_MS, quotasOf(cluster, entity));
  const currentKeys = new Set(
    (current[0]?.values ?? '')
      .split(', ')
      .filter((v) => v !== '')
      .map((v) => v.slice(0, v.indexOf('='))),
  );
  const invalid = deleted.filter((key) => !currentKeys.has(key));
  if (invalid.length > 0) throw new KafkaToolExit(1, `Invalid config(s): ${invalid.join(',')}`);
  const ops = [
    ...Object.entries(added).map(([key, value]) => {
      const number = Number(value.trim());
      if (value.trim() === '' || Number.isNaN(number))
        throw new KafkaToolExit(1, `Cannot parse quota configuration value for ${key}: ${value}`);
      return { key, value: number, remove: false };
    }),
    ...deleted.map((key) => ({ key, value: 0, remove: true })),
  ];
  const entries = [
    {
      entity: [{ entityType: QUOTA_ENTITY_TYPES[entity.type]!, entityName: entity.name === '' ? null : entity.name }],
      ops,
    },
  ];
  const response = await waitAtMost(
    CONFIG_ALTER_WAIT_MS,
    cluster.withRetries('AlterClientQuotas', async () =>
      (await cluster.any()).send(AlterClientQuotasApi, { entries, validateOnly: false }),
    ),
  );
  for (const entry of response.entries) check(entry.errorCode, 'AlterClientQuotas', entry.errorMessage);
}

/** --alter of a user, client or ip: quotas, or (users only) SCRAM credentials, as ConfigCommand checks them. */
export async function alterQuotaEntity(
  cluster: Cluster,
  entity: QuotaEntity & { name: string },
  added: Record<string, string>,
  deleted: readonly string[],
): Promise<void> {
  const keys = [...Object.keys(added), ...deleted];
  if (entity.type === 'ips') {
    const unknown = keys.filter((key) => !IP_QUOTAS.includes(key));
    if (unknown.length > 0)
      throw new KafkaToolExit(
        1,
        `Only connection quota configs can be added for 'ips' using --bootstrap-server. Unexpected config names: ${unknown.join(',')}`,
      );
    return alterQuotas(cluster, entity, added, deleted);
  }
  // How Scala prints the sets (added keys) and buffers (deleted keys) in ConfigCommand's messages.
  const scala = (names: string[]): string => `Set(${names.join(', ')})`;
  const buffer = (names: readonly string[]): string => `ArrayBuffer(${names.join(', ')})`;
  const unknownAdded = Object.keys(added).filter((key) => !isScram(key) && !CLIENT_OR_USER_QUOTAS.includes(key));
  const unknownDeleted = deleted.filter((key) => !isScram(key) && !CLIENT_OR_USER_QUOTAS.includes(key));
  const scramKeys = keys.filter(isScram);
  if (entity.type === 'clients') {
    if (unknownAdded.length > 0 || Object.keys(added).some(isScram))
      throw new KafkaToolExit(
        1,
        `Only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: ${scala(Object.keys(added).filter((k) => !CLIENT_OR_USER_QUOTAS.includes(k)))}`,
      );
    if (unknownDeleted.length > 0 || deleted.some(isScram))
      throw new KafkaToolExit(
        1,
        `Only quota configs can be deleted for 'clients' using --bootstrap-server. Unexpected config names: ${buffer(deleted.filter((k) => !CLIENT_OR_USER_QUOTAS.includes(k)))}`,
      );
    return alterQuotas(cluster, entity, added, deleted);
  }
  if (unknownAdded.length > 0)
    throw new KafkaToolExit(
      1,
      `Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: ${scala(unknownAdded)}`,
    );
  if (unknownDeleted.length > 0)
    throw new KafkaToolExit(
      1,
      `Only quota and SCRAM credential configs can be deleted for 'users' using --bootstrap-server. Unexpected config names: ${buffer(unknownDeleted)}`,
    );
  if (scramKeys.length === 0) return alterQuotas(cluster, entity, added, deleted);
  if (entity.name === '')
    throw new KafkaToolExit(
      1,
      'The use of --entity-default or --user-defaults is not allowed with User SCRAM Credentials using --bootstrap-server.',
    );
  if (scramKeys.length !== keys.length)
    throw new KafkaToolExit(
      1,
      "Cannot alter both quota and SCRAM credential configs simultaneously for 'users' using --bootstrap-server.",
    );
  return alterScram(cluster, entity.name, added, deleted);
}
