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
  /** The listener's security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL); absent for a node's own requests. */
  securityProtocol?: string;
  clientHost: string;
  clientPort: number;
  /** A stable id of the connection, for fetch sessions and logs. */
  connectionId: number;
  /** The authenticated principal of the connection (User:ANONYMOUS on PLAINTEXT). */
  principal: KafkaPrincipal;
  /** A request from another node (on a controller listener): exempt from client quotas. */
  interBroker?: boolean;
  /**
   * The request came in on a controller listener: with an authorizer, it is checked as the
   * connection's principal by the controller's rules (controller-api-rules.ts), as Kafka's ControllerApis.
   */
  controllerListener?: boolean;
  /**
   * Runs unchecked: a node's own request (no client principal) that another node forwarded in an
   * Envelope, whose sender passed CLUSTER_ACTION on the cluster.
   */
  trusted?: boolean;
  /** A client's request another broker forwarded to this node (the active controller) in an Envelope: not throttled here (the forwarding broker throttles its client). */
  forwarded?: boolean;
  /** The request frame's size in bytes (what producer_byte_rate counts). */
  requestBytes?: number;
  /**
   * How long the client is throttled by its quotas (handlers/throttling.ts): the response's
   * throttle_time_ms, and the connection is muted that long after the response.
   */
  throttleTimeMs?: number;
  clock: Clock;
  log: Logger;
  broker: BrokerServices;
}
