/**
 * The JAAS login context of one mechanism on one SASL listener, found as Kafka 3.9's
 * JaasContext.loadServerContext finds it (for the listener's clients and for this node's own logins
 * to other nodes alike): `listener.name.<listener>.<mechanism>.sasl.jaas.config` (exactly one login
 * module), else the static JAAS file of `-Djava.security.auth.login.config=<file>` in KAFKA_OPTS, its
 * `<listener>.KafkaServer` section, else its `KafkaServer` section; else start-up stops with Kafka's
 * message. A broker never reads the unprefixed `sasl.jaas.config` (Kafka logs that it ignores it):
 * that one is the clients' setting.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type BrokerConfig } from '../../common/config.js';
import { parseJaasConfig, parseJaasFile, type JaasEntry } from './jaas.js';

export const JAAS_FILE_PROPERTY = 'java.security.auth.login.config';

export interface ServerJaas {
  entries: JaasEntry[];
  /** Where they came from, for messages: the setting, or `<file> section <name>`. */
  source: string;
}

const jaasFiles = new Map<string, Map<string, JaasEntry[]>>();

function staticJaas(file: string): Map<string, JaasEntry[]> {
  const cached = jaasFiles.get(file);
  if (cached) return cached;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `${JAAS_FILE_PROPERTY}=${file} (KAFKA_OPTS): cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const sections = parseJaasFile(text, file);
  jaasFiles.set(file, sections);
  return sections;
}

/** The mechanism-prefixed JAAS setting of a listener. */
export function jaasSetting(listenerName: string, mechanism: string): string {
  return `listener.name.${listenerName.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`;
}

export function serverJaas(config: BrokerConfig, listenerName: string, mechanism: string): ServerJaas {
  const setting = jaasSetting(listenerName, mechanism);
  const text = config.explicit(setting);
  if (text !== undefined) {
    const entries = parseJaasConfig(text, setting);
    if (entries.length !== 1)
      throw new ConfigError(
        `${setting}: JAAS config property contains ${entries.length} login modules, should be 1 module`,
      );
    return { entries, source: setting };
  }
  const file = config.systemProperties.get(JAAS_FILE_PROPERTY);
  const listenerContext = `${listenerName.toLowerCase()}.KafkaServer`;
  if (file !== undefined) {
    const sections = staticJaas(file);
    for (const name of [listenerContext, 'KafkaServer']) {
      const entries = sections.get(name);
      if (entries !== undefined) return { entries, source: `${file} section ${name}` };
    }
  }
  const ignored =
    config.explicit('sasl.jaas.config') !== undefined
      ? ' (sasl.jaas.config is ignored by brokers, as on Kafka: it must be prefixed with the listener and mechanism)'
      : '';
  throw new ConfigError(
    `listener ${listenerName}, mechanism ${mechanism}: Could not find a 'KafkaServer' or '${listenerContext}' entry in the JAAS configuration. System property '${JAAS_FILE_PROPERTY}' is ${file ?? 'not set'}: set ${setting}${ignored}`,
  );
}
