/**
 * The broker configs as DescribeConfigs lists them and AlterConfigs may change them, read
 * from the one table in `common/config-defs.ts` (type, default, range, dynamic, per-broker
 * only, password). Known configs that are not dynamic are refused, as Kafka refuses them
 * ("Cannot update these configs dynamically"); unknown names are kept, as Kafka keeps
 * custom configs. Sensitivity follows Kafka: a PASSWORD-type config, a listener-prefixed
 * override of one (listener.name.<l>[.<mechanism>].<config>), and any config whose type is
 * unknown are sensitive (value hidden). Left out: dynamic listeners.
 */
import { BROKER_CONFIGS, type ConfigDef } from '../common/config-defs.js';
import { knownConfigName } from '../common/config-validate.js';
import { validateConfigValue } from '../metadata/topic-configs.js';

export type BrokerConfigDef = ConfigDef;

export const BROKER_CONFIG_SCHEMA: ReadonlyMap<string, BrokerConfigDef> = new Map(Object.entries(BROKER_CONFIGS));

export const DYNAMIC_BROKER_CONFIGS: ReadonlySet<string> = new Set(
  Object.entries(BROKER_CONFIGS)
    .filter(([, d]) => d.dynamic)
    .map(([name]) => name),
);

/** Names Kafka consults, most specific first, when resolving a broker config. */
export function brokerSynonyms(name: string): string[] {
  switch (name) {
    case 'log.retention.ms':
      return ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'];
    case 'log.retention.minutes':
      return ['log.retention.minutes', 'log.retention.hours'];
    case 'log.roll.ms':
      return ['log.roll.ms', 'log.roll.hours'];
    case 'log.roll.jitter.ms':
      return ['log.roll.jitter.ms', 'log.roll.jitter.hours'];
    case 'log.flush.interval.ms':
      return ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'];
    default:
      return [name];
  }
}

/**
 * Kafka's rule (KafkaConfig.maybeSensitive): a config is sensitive when its type is PASSWORD
 * or unknown. Listener-prefixed names take the type of the config they override.
 */
export function isSensitiveBrokerConfig(name: string): boolean {
  const known = knownConfigName(name);
  if (known === null) return true;
  return BROKER_CONFIGS[known]?.type === 'password';
}

/**
 * Checks a dynamic broker config change, as Kafka's broker does before forwarding it:
 * returns an INVALID_REQUEST message or null. `perBroker` is false for the cluster
 * default (empty resource name).
 */
export function validateDynamicBrokerConfigs(configs: ReadonlyMap<string, string>, perBroker: boolean): string | null {
  const nonDynamic = [...configs.keys()].filter((n) => BROKER_CONFIG_SCHEMA.has(n) && !DYNAMIC_BROKER_CONFIGS.has(n));
  if (nonDynamic.length > 0) return `Cannot update these configs dynamically: Set(${nonDynamic.join(', ')})`;
  if (!perBroker) {
    const perBrokerOnly = [...configs.keys()].filter((n) => BROKER_CONFIG_SCHEMA.get(n)?.perBrokerOnly === true);
    if (perBrokerOnly.length > 0)
      return `Cannot update these configs at default cluster level, broker id must be specified: Set(${perBrokerOnly.join(', ')})`;
  }
  for (const [name, value] of configs) {
    const def = BROKER_CONFIG_SCHEMA.get(name);
    if (!def) continue;
    const kind = def.type === 'password' || def.type === 'class' ? 'string' : def.type;
    const validator = def.validator;
    const problem = validateConfigValue(name, value, kind, validator ? (v) => validator.problem(v) : undefined);
    if (problem) return problem;
  }
  return null;
}
