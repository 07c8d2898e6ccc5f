/**
 * Kafka's connection limits, decided when a connection is accepted: `max.connections` (all
 * client-listener connections of the broker) and `max.connections.per.ip`, with
 * `max.connections.per.ip.overrides` (`host:limit,host:limit`, by IP or host name as the
 * client's address reads), and `listener.name.<listener>.max.connections` (that listener's
 * connections, the inter-broker listener's included, as on Kafka). Controller listeners (other nodes) are not counted, and the
 * inter-broker listener is exempt from the broker-wide limit, as on Kafka. Over a limit the
 * new connection is closed at once (Kafka closes it for the per-IP limit; for the broker-wide
 * limit Kafka stops accepting until a connection closes, which here is a closed connection the
 * client retries). Pure: the caller passes the open connections.
 */
export interface ConnectionLimitSettings {
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Per-host limits from max.connections.per.ip.overrides. */
  perIpOverrides: ReadonlyMap<string, number>;
  /** listener.name.<listener>.max.connections of the listener connected to, when set. */
  listenerMaxConnections?: number | null;
}

export interface OpenConnection {
  clientHost: string;
  listenerName: string;
}

/** `host:limit,host:limit`; a malformed entry throws with the config's name. */
export function parsePerIpOverrides(value: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of value.split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    const colon = entry.lastIndexOf(':');
    const limit = Number(entry.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(limit) || limit < 0)
      throw new Error(`max.connections.per.ip.overrides: "${entry}" is not host:limit`);
    out.set(entry.slice(0, colon), limit);
  }
  return out;
}

/** listener.name.<listener>.max.connections, or null when not set; a value that is not a whole number >= 0 throws. */
export function listenerMaxConnections(
  explicit: (key: string) => string | undefined,
  listenerName: string,
): number | null {
  return listenerWholeNumber(explicit, listenerName, 'max.connections');
}

/** listener.name.<listener>.max.connection.creation.rate, or null when not set; a value that is not a whole number >= 0 throws. */
export function listenerMaxConnectionCreationRate(
  explicit: (key: string) => string | undefined,
  listenerName: string,
): number | null {
  return listenerWholeNumber(explicit, listenerName, 'max.connection.creation.rate');
}

function listenerWholeNumber(
  explicit: (key: string) => string | undefined,
  listenerName: string,
  name: string,
): number | null {
  const key = `listener.name.${listenerName.toLowerCase()}.${name}`;
  const value = explicit(key);
  if (value === undefined) return null;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`${key}=${value} must be a whole number >= 0`);
  return limit;
}

/** Why a new connection from `clientHost` on `listenerName` is refused, or null to accept it. */
export function connectionRefusal(
  settings: ConnectionLimitSettings,
  open: Iterable<OpenConnection>,
  listenerName: string,
  clientHost: string,
  exemptFromBrokerLimit: boolean,
): string | null {
  let total = 0;
  let fromHost = 0;
  let onListener = 0;
  for (const c of open) {
    total++;
    if (c.clientHost === clientHost) fromHost++;
    if (c.listenerName === listenerName) onListener++;
  }
  const listenerMax = settings.listenerMaxConnections;
  if (listenerMax !== undefined && listenerMax !== null && onListener >= listenerMax)
    return `listener.name.${listenerName.toLowerCase()}.max.connections (${listenerMax}) reached`;
  const perIp = settings.perIpOverrides.get(clientHost) ?? settings.maxConnectionsPerIp;
  if (fromHost >= perIp) return `max.connections.per.ip (${perIp}) reached for ${clientHost}`;
  if (!exemptFromBrokerLimit && total >= settings.maxConnections)
    return `max.connections (${settings.maxConnections}) reached; refusing a connection on ${listenerName}`;
  return null;
}
