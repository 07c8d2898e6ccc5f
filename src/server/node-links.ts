/**
 * How this node reaches other nodes, read from its config with Kafka's names and checked at
 * start-up: the controller link (Raft between controllers, broker registration and heartbeats,
 * forwarding; the first of `controller.listener.names`, authenticated with
 * `sasl.mechanism.controller.protocol`) and the inter-broker link (replica fetchers, transaction
 * markers; `inter.broker.listener.name`, else the listener named after
 * `security.inter.broker.protocol`, authenticated with `sasl.mechanism.inter.broker.protocol`).
 * Each link speaks its listener's security protocol: TLS from the listener's ssl.* settings
 * (tls.ts listenerClientTls), SASL with the node's own username and password from the
 * listener's JAAS login context for that mechanism (sasl/server-jaas.ts: `listener.name.<l>.<mechanism>.sasl.jaas.config`,
 * else the static JAAS file's KafkaServer section), as Kafka's inter-broker login reads it. Anything that cannot be
 * served (GSSAPI, Kafka's default mechanism; OAUTHBEARER; missing credentials) is a ConfigError
 * naming the setting: a node never speaks plaintext to a TLS or SASL listener.
 */
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, type BrokerConfig } from '../common/config.js';
import { listenerClientTls, listenerSetting } from './tls.js';
import { serverJaas } from './sasl/server-jaas.js';
import { KAFKA_SECURITY_PROTOCOLS, protocolMap, type ListenerSpec } from './listeners.js';

export type LinkSaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface LinkSasl {
  mechanism: LinkSaslMechanism;
  username: string;
  password: string;
}

export interface NodeLink {
  /** The listener name (upper case) this link connects to on other nodes. */
  listenerName: string;
  securityProtocol: string;
  /** TLS client options for SSL and SASL_SSL, else null. */
  tls: ConnectionOptions | null;
  /** The node's own SASL login for SASL_PLAINTEXT and SASL_SSL, else null. */
  sasl: LinkSasl | null;
}

export interface NodeLinks {
  controller: NodeLink;
  /** Null when this node has no inter-broker listener and needs none (a lone node); `why` says so. */
  interBroker: NodeLink | null;
  /** Why there is no inter-broker link (for the log when a broker joins later). */
  interBrokerMissing: string | null;
}

const LINK_MECHANISMS: readonly LinkSaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
const LOGIN_MODULES: Readonly<Record<LinkSaslMechanism, string>> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};

function securityProtocolOf(config: BrokerConfig, listenerName: string, setting: string): string {
  const protocol = protocolMap(config).get(listenerName) ?? listenerName;
  if (!KAFKA_SECURITY_PROTOCOLS.has(protocol))
    throw new ConfigError(
      `${setting}: listener ${listenerName} has no security protocol (add ${listenerName}:<protocol> to listener.security.protocol.map)`,
    );
  return protocol;
}

/** The node's own login: username and password of the listener's JAAS entry for the mechanism. */
function ownCredentials(config: BrokerConfig, listenerName: string, mechanism: LinkSaslMechanism): LinkSasl {
  const module = LOGIN_MODULES[mechanism];
  const jaas = serverJaas(config, listenerName, mechanism);
  const entry = jaas.entries.find((e) => e.loginModule === module);
  const username = entry?.options.get('username');
  const password = entry?.options.get('password');
  if (username === undefined || password === undefined)
    throw new ConfigError(
      `${jaas.source} must give this node's own login for ${mechanism}: ${module} required username="<name>" password="<password>" ...;`,
    );
  return { mechanism, username, password };
}

function linkSasl(config: BrokerConfig, listenerName: string, mechanismSetting: string, servedHere: boolean): LinkSasl {
  const mechanism = (config.raw(mechanismSetting) ?? 'GSSAPI').trim();
  if (!(LINK_MECHANISMS as readonly string[]).includes(mechanism))
    throw new ConfigError(
      `${mechanismSetting}=${mechanism}${config.explicit(mechanismSetting) === undefined ? " (Kafka's default)" : ''} is not supported for the SASL listener ${listenerName} between nodes: set it to ${LINK_MECHANISMS.join(', ')}`,
    );
  if (servedHere) {
    const enabled = (listenerSetting(config, listenerName, 'sasl.enabled.mechanisms') ?? '')
      .split(',')
      .map((m) => m.trim());
    if (!enabled.includes(mechanism))
      throw new ConfigError(
        `${mechanismSetting} must be included in sasl.enabled.mechanisms of listener ${listenerName} when SASL is used between nodes (${mechanism} is not in ${enabled.filter((m) => m !== '').join(',') || 'none'})`,
      );
  }
  return ownCredentials(config, listenerName, mechanism as LinkSaslMechanism);
}

function link(
  config: BrokerConfig,
  listenerName: string,
  setting: string,
  mechanismSetting: string,
  servedHere: boolean,
): NodeLink {
  const securityProtocol = securityProtocolOf(config, listenerName, setting);
  const tls =
    securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL' ? listenerClientTls(config, listenerName) : null;
  const sasl = securityProtocol.startsWith('SASL_')
    ? linkSasl(config, listenerName, mechanismSetting, servedHere)
    : null;
  return { listenerName, securityProtocol, tls, sasl };
}

/** The inter-broker listener's name, as Kafka derives it; throws when both settings are given. */
export function interBrokerListenerName(config: BrokerConfig): string {
  const byName = config.explicit('inter.broker.listener.name');
  const byProtocol = config.explicit('security.inter.broker.protocol');
  if (byName !== undefined && byProtocol !== undefined)
    throw new ConfigError('Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.');
  if (byName !== undefined) return byName.trim().toUpperCase();
  const protocol = (byProtocol ?? 'PLAINTEXT').trim().toUpperCase();
  if (!KAFKA_SECURITY_PROTOCOLS.has(protocol))
    throw new ConfigError(
      `security.inter.broker.protocol=${protocol} is not one of ${[...KAFKA_SECURITY_PROTOCOLS].join(', ')}`,
    );
  return protocol;
}

/**
 * Both links of this node. `listeners` are the node's own; `lone` is true when it is its quorum's
 * only voter and so may run without an inter-broker listener (no other broker to reach at start),
 * unless inter.broker.listener.name or security.inter.broker.protocol names one it does not have.
 */
export function nodeLinks(config: BrokerConfig, listeners: readonly ListenerSpec[], lone: boolean): NodeLinks {
  const names = new Set(listeners.map((l) => l.name));
  const controllerName = (config.list('controller.listener.names')[0] ?? 'CONTROLLER').toUpperCase();
  // A lone node without a controller listener of its own reaches no controller but itself.
  const controller =
    lone && !names.has(controllerName)
      ? { listenerName: controllerName, securityProtocol: 'PLAINTEXT', tls: null, sasl: null }
      : link(
          config,
          controllerName,
          'controller.listener.names',
          'sasl.mechanism.controller.protocol',
          names.has(controllerName),
        );
  const interName = interBrokerListenerName(config);
  const isBroker = config.list('process.roles').includes('broker');
  if (!isBroker) return { controller, interBroker: null, interBrokerMissing: 'this node is a controller only' };
  if (!names.has(interName)) {
    const controllers = new Set(config.list('controller.listener.names').map((n) => n.toUpperCase()));
    const valid = listeners.filter((l) => !controllers.has(l.name)).map((l) => l.name);
    const why = `inter.broker.listener.name must be a listener name defined in advertised.listeners (is ${interName}). The valid options based on currently configured listeners are ${valid.join(',')}`;
    // The lone node's leniency covers the default only: a listener named in the configuration that is
    // not there is a mistake Kafka refuses, alone or not.
    const named =
      config.explicit('inter.broker.listener.name') !== undefined ||
      config.explicit('security.inter.broker.protocol') !== undefined;
    if (!lone || named) throw new ConfigError(why);
    return { controller, interBroker: null, interBrokerMissing: why };
  }
  const interSetting =
    config.explicit('inter.broker.listener.name') !== undefined
      ? 'inter.broker.listener.name'
      : 'security.inter.broker.protocol';
  const interBroker = link(config, interName, interSetting, 'sasl.mechanism.inter.broker.protocol', true);
  return { controller, interBroker, interBrokerMissing: null };
}
