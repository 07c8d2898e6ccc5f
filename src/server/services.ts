/**
 * Everything a handler may reach, in one object the broker builds at start. Handlers
 * hold no state of their own; they read and change the broker through these services.
 */
import type { BrokerConfig } from '../common/config.js';
import type { MetadataController } from '../metadata/controller.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import type { ApiVersionRange } from './api-versions-range.js';
import type { GroupCoordinatorService } from '../groups/service.js';
import type { DataPathServices } from '../broker/data-path.js';
import type { QuorumNode } from '../controller/quorum-node.js';
import type { BrokerHeartbeats } from '../controller/broker-heartbeats.js';
import type { TransactionService } from '../transactions/service.js';
import type { RequestForwarder } from '../controller/forwarding.js';
import type { TrafficMetrics } from '../broker/traffic-metrics.js';
import type { LogLevels } from '../common/log-levels.js';
import type { StandardAuthorizer } from '../metadata/standard-authorizer.js';
import type { ClientQuotas } from './quotas/client-quotas.js';

export interface AdvertisedListener {
  name: string;
  host: string;
  port: number;
  securityProtocol: string;
}

export interface BrokerServices {
  /** The config in force: static values with the dynamic broker configs (AlterConfigs) laid over them. */
  config: BrokerConfig;
  /** The static config alone (server.properties, environment, overrides), for DescribeConfigs' sources. */
  staticConfig?: BrokerConfig;
  nodeId: number;
  clusterId: string;
  /** The listeners clients are told about, by listener name. */
  advertisedListeners: AdvertisedListener[];
  controller: MetadataController;
  replicas: ReplicaManager;
  /** The API versions advertised on a listener (the controller table on controller listeners, else the broker's). */
  apiVersions(listenerName?: string): readonly ApiVersionRange[];
  /** The group coordinator (classic groups, committed offsets, `__consumer_offsets`). */
  groups: GroupCoordinatorService;
  /**
   * Creates a topic with the broker's defaults, as auto-creation does; returns 0 when it is in the
   * image already, LEADER_NOT_AVAILABLE when the creation is started (forwarded, or not yet
   * committed), else the controller's error code (the creation was refused).
   */
  autoCreateTopic(name: string): number;
  /** The transaction coordinator (`__transaction_state`, producer ids, markers). */
  transactions: TransactionService;
  /** Fetch purgatory and producer-state hook of the data path. */
  dataPath: DataPathServices;
  /** The metadata quorum's Raft node (KRaft); absent in stripped-down test services. */
  quorum?: QuorumNode;
  /** Broker registrations and heartbeats, served by the active controller. */
  brokerHeartbeats?: BrokerHeartbeats;
  /** Voter id -> controller listener address (DescribeQuorum v2 nodes). */
  quorumVoters?: ReadonlyMap<number, { host: string; port: number }>;
  /** Sends metadata-changing requests to the active controller when this node is not it (Envelope). */
  forwarder?: RequestForwarder;
  /** Request, produce and fetch counters for /metrics; absent when `metrics.listener` is not set. */
  metrics?: TrafficMetrics;
  /** The broker's named loggers (BROKER_LOGGER configs); absent in stripped-down test services. */
  loggers?: LogLevels;
  /** The ACL authorizer (`authorizer.class.name`); absent: every request is allowed, as on Kafka without one. */
  authorizer?: StandardAuthorizer;
  /** Client quotas (ClientQuotaRecords) enforced on requests; absent in stripped-down test services. */
  quotas?: ClientQuotas;
}
