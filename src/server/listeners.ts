/** Parses Kafka listener lists: `NAME://host:port,...`, with the security protocol map. */
import { isIP } from 'node:net';
import { ConfigError, type BrokerConfig } from '../common/config.js';

export interface ListenerSpec {
  name: string;
  host: string;
  port: number;
  securityProtocol: string;
}

/** A listener's name is anything before `://`, as Kafka's SocketServerConfigs reads it (`TC-0` included). */
export function parseListeners(value: string[], protocolMap: Map<string, string>): ListenerSpec[] {
  return value.map((entry) => {
    const m = /^(.+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(entry.trim());
    if (!m) throw new ConfigError(`listener "${entry}" is not of the form NAME://host:port`);
    const name = m[1]!.toUpperCase();
    const host = m[2]!.replace(/^\[|\]$/g, '');
    const port = Number(m[3]);
    if (port > 65535) throw new ConfigError(`listener "${entry.trim()}": port ${port} is out of range (0-65535)`);
    const securityProtocol = protocolMap.get(name);
    // Kafka's SocketServerConfigs.listenerListToEndPoints: a name the map lacks is refused.
    if (securityProtocol === undefined)
      throw new ConfigError(
        `listener ${name}: no security protocol defined for it (add ${name}:<protocol> to listener.security.protocol.map)`,
      );
    return { name, host, port, securityProtocol };
  });
}

/**
 * Kafka's checks of a listener list (CoreUtils.listenerListToEndPoints): every name once; for `listeners`
 * also every port once (port 0 aside), except one IPv4 and one IPv6 address on the same port.
 */
export function assertDistinctListeners(
  setting: string,
  specs: readonly ListenerSpec[],
  requireDistinctPorts: boolean,
): void {
  const text = specs.map((s) => `${s.name}://${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`).join(',');
  if (new Set(specs.map((s) => s.name)).size !== specs.length)
    throw new ConfigError(`Each listener must have a different name, ${setting}: ${text}`);
  if (!requireDistinctPorts) return;
  for (const port of new Set(specs.map((s) => s.port))) {
    const same = specs.filter((s) => s.port === port);
    if (port === 0 || same.length < 2) continue;
    const families = same.map((s) => isIP(s.host));
    if (same.length === 2 && families.includes(4) && families.includes(6)) continue;
    throw new ConfigError(`Each listener must have a different port, ${setting}: ${text}`);
  }
}

/**
 * Kafka's start-up checks of `advertised.listeners` (KafkaConfig.validateValues): for a node with the
 * broker role its names are some of those in `listeners`, and no advertised address, given or taken
 * from `listeners`, is the meta-address 0.0.0.0. Gregor keeps one leniency: a listener bound to
 * 0.0.0.0 with no advertised address of its own is advertised as 127.0.0.1 (a dev default).
 */
export function assertAdvertisedListeners(
  listeners: readonly ListenerSpec[],
  advertised: readonly ListenerSpec[],
  roles: readonly string[],
  controllerListenerNames: readonly string[],
): void {
  assertDistinctListeners('advertised.listeners', advertised, false);
  const names = new Set(listeners.map((l) => l.name));
  const controllers = new Set(controllerListenerNames.map((n) => n.toUpperCase()));
  const brokerNames = advertised.filter((a) => !controllers.has(a.name)).map((a) => a.name);
  if (roles.includes('broker') && brokerNames.some((n) => !names.has(n)))
    throw new ConfigError(
      `advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found ${brokerNames.join(',')}. The valid options based on the current configuration are ${[...names].join(',')}`,
    );
  if (advertised.some((a) => a.host === '0.0.0.0'))
    throw new ConfigError(
      'advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.',
    );
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

/** Kafka 3.9's default listener.security.protocol.map: each protocol under its own name, in Kafka's (HashMap) order. */
export const DEFAULT_PROTOCOL_MAP = 'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT';

const SSL_OR_SASL_NAMES: ReadonlySet<string> = new Set(['SSL', 'SASL_SSL', 'SASL_PLAINTEXT']);

/**
 * The listener name → security protocol map in force, as Kafka's effectiveListenerSecurityProtocolMap:
 * listener.security.protocol.map as given; when it is not set (its default), the controller listener
 * names are added as PLAINTEXT unless a controller listener or a listener is named SSL, SASL_SSL or
 * SASL_PLAINTEXT. A listener whose name the map lacks is refused (parseListeners), so an explicit map
 * must name every listener, the controller's included.
 */
export function protocolMap(config: BrokerConfig): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of config.list('listener.security.protocol.map')) {
    const [name, protocol] = pair.split(':');
    if (name && protocol) map.set(name.trim().toUpperCase(), protocol.trim().toUpperCase());
  }
  if (config.explicit('listener.security.protocol.map') !== undefined) return map;
  const controllerNames = config.list('controller.listener.names').map((n) => n.trim().toUpperCase());
  const listenerNames = config.list('listeners').map((l) =>
    l
      .slice(0, Math.max(0, l.indexOf(':')))
      .trim()
      .toUpperCase(),
  );
  if ([...controllerNames, ...listenerNames].some((n) => SSL_OR_SASL_NAMES.has(n))) return map;
  for (const name of controllerNames) if (name !== 'PLAINTEXT') map.set(name, 'PLAINTEXT');
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
  loneVoter: boolean,
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
  }
  if (isController) assertControllerListenersListed(specs, controllers, controllerSpecs.length, loneVoter);
  if (isController && !isBroker) return;
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

/**
 * Kafka's checks for a node with the controller role: at least one of controller.listener.names is in
 * `listeners` (the other voters reach it there), and every one of them is. Gregor's dev leniency stays
 * for a node alone in its quorum that leaves controller.listener.names at its default (`loneVoter`,
 * the caller's call): with no controller listener at all it needs none (nobody else connects to its
 * controller). A controller.listener.names the user set is checked as Kafka checks it.
 */
function assertControllerListenersListed(
  specs: readonly ListenerSpec[],
  controllers: ReadonlySet<string>,
  controllerListenerCount: number,
  loneVoter: boolean,
): void {
  if (controllerListenerCount === 0) {
    if (loneVoter) return;
    throw new ConfigError(
      "controller.listener.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role",
    );
  }
  const names = new Set(specs.map((s) => s.name));
  if ([...controllers].some((n) => !names.has(n)))
    throw new ConfigError(
      "controller.listener.names must only contain values appearing in the 'listeners' configuration when running the KRaft controller role",
    );
}
