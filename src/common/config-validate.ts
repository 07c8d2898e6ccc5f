/**
 * Start-up validation of the broker configuration against the one table in
 * `config-defs.ts`: every explicitly set known key (and every listener-prefixed override
 * of one) is type- and range-checked, and start-up stops at the first bad value with
 * `invalid value for num.partitions: "abc" (expected an integer ≥ 1)`. Keys the table does
 * not know are returned, for one warning line like Kafka's "supplied but isn't a known
 * config". Password values never appear in a message.
 */
import { BROKER_CONFIGS, type ConfigDef, type ConfigType } from './config-defs.js';
import { ConfigError, type BrokerConfig } from './config.js';
import { checkSaslClassSettings } from './sasl-class-settings.js';

const LISTENER_PREFIX = 'listener.name.';
const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const LONG_MIN = -9223372036854775808n;
const LONG_MAX = 9223372036854775807n;

/**
 * The table name a config name refers to: itself when known, else for a listener override
 * (`listener.name.<l>.<config>` or `listener.name.<l>.<mechanism>.<config>`) the config it
 * overrides; null when unknown.
 */
export function knownConfigName(name: string): string | null {
  if (BROKER_CONFIGS[name]) return name;
  if (!name.startsWith(LISTENER_PREFIX)) return null;
  const parts = name.slice(LISTENER_PREFIX.length).split('.');
  for (const skip of [1, 2]) {
    const rest = parts.slice(skip).join('.');
    if (rest !== '' && BROKER_CONFIGS[rest]) return rest;
  }
  return null;
}

/** How a type reads in "expected ..." (empty for free-form strings). */
function typeNoun(type: ConfigType): string {
  switch (type) {
    case 'int':
    case 'long':
      return 'an integer';
    case 'double':
      return 'a number';
    case 'boolean':
      return 'true or false';
    default:
      return '';
  }
}

/** What a config accepts, e.g. "an integer ≥ 1" (for messages and docs). */
export function expectedValue(def: ConfigDef): string {
  return [typeNoun(def.type), def.validator?.expected ?? ''].filter((s) => s !== '').join(' ') || 'any string';
}

function parsesAs(type: ConfigType, value: string): boolean {
  const v = value.trim();
  switch (type) {
    case 'int':
    case 'long': {
      if (!/^[-+]?\d+$/.test(v)) return false;
      const n = BigInt(v);
      return type === 'int' ? n >= INT_MIN && n <= INT_MAX : n >= LONG_MIN && n <= LONG_MAX;
    }
    case 'double':
      return v !== '' && Number.isFinite(Number(v));
    case 'boolean':
      return v.toLowerCase() === 'true' || v.toLowerCase() === 'false';
    default:
      return true;
  }
}

/** The start-up message for a bad value, or null when `value` is valid for `def`. */
export function startupProblem(name: string, value: string, def: ConfigDef): string | null {
  const ok = parsesAs(def.type, value) && (def.validator === null || def.validator.problem(value.trim()) === null);
  if (ok) return null;
  const shown = def.type === 'password' ? '(hidden)' : JSON.stringify(value);
  return `invalid value for ${name}: ${shown} (expected ${expectedValue(def)})`;
}

/**
 * Kafka's rule on the retention time in force, whichever of ms/minutes/hours sets it: any negative
 * value means unlimited (KafkaConfig.logRetentionTimeMillis), only 0 is refused (validateValues).
 */
export function retentionProblem(config: BrokerConfig): string | null {
  const source = ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'].find(
    (n) => config.raw(n) !== null,
  );
  if (source === undefined || config.retentionMillis() !== 0) return null;
  return `invalid value for ${source}: ${JSON.stringify(config.raw(source))} (log.retention.ms must be unlimited (-1) or, greater than or equal to 1)`;
}

/** Kafka's rule: a follower's long poll may not outlast the ISR lag limit. */
function replicaFetchWaitProblem(config: BrokerConfig): string | null {
  if (config.int('replica.fetch.wait.max.ms') <= config.int('replica.lag.time.max.ms')) return null;
  return 'replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms to prevent frequent changes in ISR';
}

/** Kafka's rule (KafkaConfig.validateValues): node.id and its ZooKeeper-era alias broker.id, when both are set, agree. */
function nodeIdProblem(config: BrokerConfig): string | null {
  const nodeId = config.explicit('node.id');
  const brokerId = config.explicit('broker.id');
  if (nodeId === undefined || brokerId === undefined || Number(nodeId) === Number(brokerId)) return null;
  return 'You must set `node.id` to the same value as `broker.id`.';
}

/**
 * Kafka's StandardAuthorizer.getConfiguredSuperUsers: with the authorizer set, each `;`-separated
 * entry of super.users must be a principal `Type:name` (SecurityUtils.parseKafkaPrincipal), else
 * the broker does not start; `admin` would otherwise be a super user no principal can be.
 */
function superUsersProblem(config: BrokerConfig): string | null {
  if (config.string('authorizer.class.name').trim() === '') return null;
  const bad = config
    .string('super.users')
    .split(';')
    .map((s) => s.trim())
    .find((s) => s !== '' && !s.includes(':'));
  if (bad === undefined) return null;
  return `super.users: expected a string in format principalType:principalName but got ${bad} (write User:${bad})`;
}

/**
 * Checks every explicitly set config; throws ConfigError naming the first bad value and
 * returns the names the table does not know, sorted.
 */
export function validateBrokerConfig(config: BrokerConfig): string[] {
  const unknown: string[] = [];
  for (const [name, value] of config.entries()) {
    const known = knownConfigName(name);
    if (known === null) {
      unknown.push(name);
      continue;
    }
    const problem = startupProblem(name, value, BROKER_CONFIGS[known]!);
    if (problem !== null) throw new ConfigError(problem);
  }
  const retention = retentionProblem(config);
  if (retention !== null) throw new ConfigError(retention);
  const fetchWait = replicaFetchWaitProblem(config);
  if (fetchWait !== null) throw new ConfigError(fetchWait);
  const ids = nodeIdProblem(config);
  if (ids !== null) throw new ConfigError(ids);
  const superUsers = superUsersProblem(config);
  if (superUsers !== null) throw new ConfigError(superUsers);
  checkSaslClassSettings(config);
  return unknown.sort();
}

/** Kafka's warning for keys it does not know, as one line. */
export function unknownConfigsWarning(unknown: readonly string[]): string {
  return `These configurations were supplied but are not known configs (ignored): ${unknown.join(', ')}`;
}
