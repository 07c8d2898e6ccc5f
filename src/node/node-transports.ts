/**
 * The transports this node reaches other nodes with, one per link (server/node-links.ts): plain
 * TCP for PLAINTEXT listeners; TLS with the listener's trust store for SSL; SASL PLAIN or SCRAM
 * with the node's own login (client/peer-sasl.ts) for SASL_PLAINTEXT and SASL_SSL. A refused
 * login is logged at error level with the peer, the mechanism, the user and the broker's message
 * (again every minute while it lasts, and once more when it works again), as an operator needs
 * to see a wrong inter-broker password; the connection closes and the caller retries as after
 * any connection failure.
 */
import {
  SocketTransport,
  type ConnectionEvents,
  type HandshakeLink,
  type Transport,
  type TransportAddress,
  type TransportConnection,
} from '../common/transport.js';
import type { Logger } from '../common/logger.js';
import type { NodeLink } from '../server/node-links.js';
import { peerSaslAuthentication } from '../client/peer-sasl.js';

const REPEAT_LOG_MS = 60_000;

export interface NodeTransports {
  controller: Transport;
  interBroker: Transport;
}

function linkTransport(link: NodeLink, role: string, clientId: string, log: Logger): Transport {
  const tls = link.tls ?? undefined;
  if (!link.sasl) return new SocketTransport(tls ? { tls } : {});
  const sasl = link.sasl;
  const login = peerSaslAuthentication(sasl, clientId);
  const failing = new Map<string, { message: string; loggedAt: number }>();
  const authenticate = async (handshake: HandshakeLink): Promise<void> => {
    try {
      await login(handshake);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const last = failing.get(handshake.address);
      const now = Date.now();
      if (!last || last.message !== message || now - last.loggedAt >= REPEAT_LOG_MS) {
        failing.set(handshake.address, { message, loggedAt: now });
        log.error(
          { peer: handshake.address, listener: link.listenerName, mechanism: sasl.mechanism, user: sasl.username },
          `${role} connection to ${handshake.address} (listener ${link.listenerName}) could not authenticate as ${sasl.username} with ${sasl.mechanism}: ${message}`,
        );
      }
      throw err;
    }
    if (failing.delete(handshake.address))
      log.info(
        { peer: handshake.address, listener: link.listenerName },
        `${role} connection to ${handshake.address} authenticated again`,
      );
  };
  return new SocketTransport({ ...(tls ? { tls } : {}), authenticate });
}

export function nodeTransports(
  links: { controller: NodeLink; interBroker: NodeLink | null; interBrokerMissing: string | null },
  nodeId: number,
  log: Logger,
): NodeTransports {
  return {
    controller: linkTransport(links.controller, 'controller', `gregor-node-${nodeId}`, log),
    interBroker: links.interBroker
      ? linkTransport(links.interBroker, 'inter-broker', `gregor-broker-${nodeId}`, log)
      : new UnavailableTransport(`no inter-broker listener: ${links.interBrokerMissing ?? 'none configured'}`),
  };
}

/** A transport for a link this node does not have: every connection closes at once with `reason`. */
export class UnavailableTransport implements Transport {
  constructor(private readonly reason: string) {}

  connect(_address: TransportAddress, events: ConnectionEvents): TransportConnection {
    let closed = false;
    queueMicrotask(() => {
      if (!closed) events.onClose(this.reason);
    });
    return {
      send: () => {},
      close: () => {
        closed = true;
      },
    };
  }
}
