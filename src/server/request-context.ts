/** What a handler knows about the request it serves: who sent it, on which listener, and the broker's services. */
import type { Logger } from '../common/logger.js';
import type { Clock } from '../common/clock.js';
import type { BrokerServices } from './services.js';
import type { KafkaPrincipal } from './principal.js';

export interface RequestContext {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** The listener name the connection came in on (PLAINTEXT, CONTROLLER, ...). */
  listenerName: string;
  clientHost: string;
  clientPort: number;
  /** A stable id of the connection, for fetch sessions and logs. */
  connectionId: number;
  /** The authenticated principal of the connection (User:ANONYMOUS on PLAINTEXT). */
  principal: KafkaPrincipal;
  /** A request from another node (on a controller listener): it runs as the inter-broker principal, unchecked. */
  interBroker?: boolean;
  /** A client's request forwarded to this node (the active controller) in an Envelope by another broker. */
  forwarded?: boolean;
  clock: Clock;
  log: Logger;
  broker: BrokerServices;
}
