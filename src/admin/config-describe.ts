/**
 * Config entries as DescribeConfigs (and CreateTopics v5+) report them: the value in
 * force, where it comes from, and the synonyms Kafka lists, in Kafka's order: the
 * topic's own value, then for each broker synonym the dynamic per-broker value, the
 * dynamic cluster default, the static value (server.properties / environment) and the
 * built-in default. As in Kafka, synonyms before the first one named after the config
 * itself are dropped (so `retention.ms` shows no `log.retention.hours` synonym).
 */
import type { BrokerConfig } from '../common/config.js';
import type { MetadataImage } from '../metadata/image.js';
import { CONFIG_TYPE_ID, ConfigSource, TOPIC_CONFIGS, effectiveTopicConfig } from '../metadata/topic-configs.js';
import {
  BROKER_CONFIG_SCHEMA,
  DYNAMIC_BROKER_CONFIGS,
  brokerSynonyms,
  isSensitiveBrokerConfig,
} from './broker-config-schema.js';

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  source: number;
  readOnly: boolean;
  isSensitive: boolean;
  synonyms: ConfigSynonym[];
  configType: number;
  documentation: string | null;
}

/**
 * A value as Kafka shows it once parsed (ConfigDef.convertToString of the parsed value): a
 * boolean in lower case, an int or long without spaces or leading zeros, a list joined by bare
 * commas. Anything that does not parse is shown as written (it was validated on the way in).
 */
export function canonicalConfigValue(type: string | undefined, raw: string): string {
  const trimmed = raw.trim();
  switch (type) {
    case 'boolean':
      return trimmed.toLowerCase();
    case 'int':
    case 'short':
    case 'long':
      return /^[+-]?\d+$/.test(trimmed) ? BigInt(trimmed).toString() : raw;
    case 'list':
      return trimmed === '' ? '' : trimmed.split(/\s*,\s*/).join(',');
    default:
      return raw;
  }
}

/** The layers a broker config is resolved through. */
export interface ConfigLayers {
  dynamicBroker: ReadonlyMap<string, string>;
  dynamicDefault: ReadonlyMap<string, string>;
  /** The static broker config (explicit values only matter). */
  staticConfig: BrokerConfig;
  /** The static config with the dynamic values laid over it. */
  effective: BrokerConfig;
}

const EMPTY = new Map<string, string>();

/** The static config with the cluster-default and then the per-broker dynamic configs over it. */
export function overlayDynamicConfigs(staticConfig: BrokerConfig, image: MetadataImage, nodeId: number): BrokerConfig {
  const defaults = image.brokerConfigs.get('') ?? EMPTY;
  const own = image.brokerConfigs.get(String(nodeId)) ?? EMPTY;
  if (defaults.size === 0 && own.size === 0) return staticConfig;
  return staticConfig.with(Object.fromEntries(defaults)).with(Object.fromEntries(own));
}

/**
 * node.id and broker.id are one setting: whichever is set explicitly stands for the other too, as
 * Kafka's KafkaConfig.populateSynonyms does, so both describe with the node's id. (With neither
 * set, which Kafka refuses, both describe node.id's default.)
 */
function withIdSynonyms(config: BrokerConfig): BrokerConfig {
  const nodeId = config.explicit('node.id');
  const brokerId = config.explicit('broker.id');
  if (nodeId !== undefined && brokerId === undefined) return config.with({ 'broker.id': nodeId });
  if (brokerId !== undefined && nodeId === undefined) return config.with({ 'node.id': brokerId });
  return config;
}

export function configLayers(staticConfig: BrokerConfig, image: MetadataImage, nodeId: number): ConfigLayers {
  const withIds = withIdSynonyms(staticConfig);
  return {
    dynamicBroker: image.brokerConfigs.get(String(nodeId)) ?? EMPTY,
    dynamicDefault: image.brokerConfigs.get('') ?? EMPTY,
    staticConfig: withIds,
    effective: overlayDynamicConfigs(withIds, image, nodeId),
  };
}

/** Kafka's synonym list for broker config `name` (with its resolution order). */
function configSynonyms(layers: ConfigLayers, name: string, sensitive: boolean, perBroker = true): ConfigSynonym[] {
  const names = brokerSynonyms(name);
  const out: ConfigSynonym[] = [];
  const add = (lookup: (n: string) => string | null | undefined, source: number): void => {
    for (const n of names) {
      const v = lookup(n);
      if (v !== undefined && v !== null) out.push({ name: n, value: sensitive ? null : v, source });
    }
  };
  if (perBroker) add((n) => layers.dynamicBroker.get(n), ConfigSource.DYNAMIC_BROKER_CONFIG);
  add((n) => layers.dynamicDefault.get(n), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
  if (perBroker) {
    add((n) => layers.staticConfig.explicit(n), ConfigSource.STATIC_BROKER_CONFIG);
    // broker.id has no default of its own: it is node.id's (withIdSynonyms).
    const defaultOf = (n: string) =>
      BROKER_CONFIG_SCHEMA.get(n)?.default ?? (n === 'broker.id' ? BROKER_CONFIG_SCHEMA.get('node.id')?.default : null);
    add(defaultOf, ConfigSource.DEFAULT_CONFIG);
  }
  const first = out.findIndex((s) => s.name === name);
  return first < 0 ? [] : out.slice(first);
}

/** One topic config of a topic with the given overrides. */
export function describeTopicConfig(
  layers: ConfigLayers,
  topicConfigs: ReadonlyMap<string, string>,
  name: string,
  includeSynonyms: boolean,
  includeDocumentation: boolean,
): ConfigEntry {
  const def = TOPIC_CONFIGS[name]!;
  const value = canonicalConfigValue(def.kind, effectiveTopicConfig(name, topicConfigs, layers.effective));
  const synonyms = def.brokerSynonym ? configSynonyms(layers, def.brokerSynonym, false) : [];
  const own = topicConfigs.get(name);
  if (own !== undefined) synonyms.unshift({ name, value: own, source: ConfigSource.TOPIC_CONFIG });
  return {
    name,
    value,
    source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
    readOnly: false,
    isSensitive: false,
    synonyms: includeSynonyms ? synonyms : [],
    configType: CONFIG_TYPE_ID[def.kind] ?? 0,
    documentation: includeDocumentation ? def.doc : null,
  };
}

/** All topic configs of a topic, sorted by name. */
export function describeTopicConfigs(
  layers: ConfigLayers,
  topicConfigs: ReadonlyMap<string, string>,
  includeSynonyms = false,
  includeDocumentation = false,
): ConfigEntry[] {
  return Object.keys(TOPIC_CONFIGS)
    .sort()
    .map((name) => describeTopicConfig(layers, topicConfigs, name, includeSynonyms, includeDocumentation));
}

/**
 * One broker config. `perBroker` describes this broker (all layers); otherwise the
 * cluster default resource, which shows only dynamic cluster defaults.
 */
export function describeBrokerConfig(
  layers: ConfigLayers,
  name: string,
  perBroker: boolean,
  includeSynonyms: boolean,
  includeDocumentation: boolean,
): ConfigEntry {
  const def = BROKER_CONFIG_SCHEMA.get(name);
  const sensitive = isSensitiveBrokerConfig(name);
  const synonyms = configSynonyms(layers, name, sensitive, perBroker);
  let value: string | null;
  if (perBroker) value = synonyms[0]?.value ?? null;
  else value = layers.dynamicDefault.get(name) ?? null;
  if (sensitive) value = null;
  else if (value !== null) value = canonicalConfigValue(def?.type, value);
  return {
    name,
    value,
    source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
    readOnly: !DYNAMIC_BROKER_CONFIGS.has(name),
    isSensitive: sensitive,
    synonyms: includeSynonyms ? synonyms : [],
    configType: def ? (CONFIG_TYPE_ID[def.type] ?? 0) : 0,
    documentation: includeDocumentation ? (def?.doc ?? null) : null,
  };
}

/** The broker config names this broker describes: every known one plus anything set explicitly or dynamically. */
export function brokerConfigNames(layers: ConfigLayers, perBroker: boolean): string[] {
  if (!perBroker) return [...layers.dynamicDefault.keys()].sort();
  const names = new Set<string>(BROKER_CONFIG_SCHEMA.keys());
  for (const [n] of layers.staticConfig.entries()) names.add(n);
  for (const n of layers.dynamicDefault.keys()) names.add(n);
  for (const n of layers.dynamicBroker.keys()) names.add(n);
  return [...names].sort();
}
