/** Parses Kafka listener lists: `NAME://host:port,...`, with the security protocol map. */
import { ConfigError, type BrokerConfig } from '../common/config.js';

export interface ListenerSpec {
  name: string;
  host: string;
  port: number;
  securityProtocol: string;
}

export function parseListeners(value: string[], protocolMap: Map<string, string>): ListenerSpec[] {
  return value.map((entry) => {
    const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(entry.trim());
    if (!m) throw new ConfigError(`listener "${entry}" is not of the form NAME://host:port`);
    const name = m[1]!.toUpperCase();
    const host = m[2]!.replace(/^\[|\]$/g, '');
    return { name, host, port: Number(m[3]), securityProtocol: protocolMap.get(name) ?? name };
  });
}

/** The security protocols Kafka knows, and the ones this broker serves. */
export const KAFKA_SECURITY_PROTOCOLS: ReadonlySet<string> = new Set([
  'PLAINTEXT',
  'SSL',
  'SASL_PLAINTEXT',
  'SASL_SSL',
]);
export const IMPLEMENTED_SECURITY_PROTOCOLS: ReadonlySet<string> = new Set([
  'PLAINTEXT',
  'SSL',
  'SASL_PLAINTEXT',
  'SASL_SSL',
]);

/**
 * Refuses to start with a listener whose security protocol is unknown or not served yet,
 * rather than serve plaintext where the operator asked for TLS or authentication.
 */
export function assertListenersServable(specs: readonly ListenerSpec[]): void {
  for (const spec of specs) {
    if (!KAFKA_SECURITY_PROTOCOLS.has(spec.securityProtocol)) {
      throw new ConfigError(
        `listener ${spec.name}: no security protocol defined for it (add ${spec.name}:<protocol> to listener.security.protocol.map)`,
      );
    }
    if (!IMPLEMENTED_SECURITY_PROTOCOLS.has(spec.securityProtocol)) {
      throw new ConfigError(
        `listener ${spec.name} uses security protocol ${spec.securityProtocol}, which Gregor does not implement yet (served: ${[...IMPLEMENTED_SECURITY_PROTOCOLS].join(', ')})`,
      );
    }
  }
}

export function protocolMap(config: BrokerConfig): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of config.list('listener.security.protocol.map')) {
    const [name, protocol] = pair.split(':');
    if (name && protocol) map.set(name.trim().toUpperCase(), protocol.trim().toUpperCase());
  }
  return map;
}

/** Security protocol ids as RegisterBrokerRecord stores them. */
export const SECURITY_PROTOCOL_ID: Record<string, number> = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 };

/**
 * Kafka's start-up checks of `listeners` against `process.roles` (KafkaConfig's messages): a
 * controller-only process listens on controller listeners alone (it serves no client API, so a broker
 * listener there would be a port that refuses everything); a broker-only process has none of them
 * (it reaches the controllers at controller.quorum.voters) and at least one broker listener.
 */
export function assertListenersFitRoles(
  specs: readonly ListenerSpec[],
  roles: readonly string[],
  controllerListenerNames: readonly string[],
): void {
  const controllers = new Set(controllerListenerNames.map((n) => n.toUpperCase()));
  const controllerSpecs = specs.filter((s) => controllers.has(s.name));
  const isBroker = roles.includes('broker');
  const isController = roles.includes('controller');
  if (isController && !isBroker) {
    if (controllerSpecs.length !== specs.length || specs.length === 0)
      throw new ConfigError(
        'The listeners config must only contain KRaft controller listeners from controller.listener.names when process.roles=controller',
      );
    return;
  }
  if (isBroker && !isController) {
    if (controllers.size === 0)
      throw new ConfigError(
        'controller.listener.names must contain at least one value when running KRaft with just the broker role',
      );
    if (controllerSpecs.length > 0)
      throw new ConfigError(
        "controller.listener.names must not contain a value appearing in the 'listeners' configuration when running KRaft with just the broker role",
      );
  }
  if (isBroker && controllerSpecs.length === specs.length)
    throw new ConfigError(
      'There must be at least one broker advertised listener. Perhaps all listeners appear in controller.listener.names?',
    );
}
