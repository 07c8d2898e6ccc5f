/**
 * What /metrics and /readyz read from a running broker: its metadata image, hosted
 * partitions, group coordinator and Raft node. Null until the broker has started.
 */
import type { MetadataController } from '../metadata/controller.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import type { GroupCoordinatorService } from '../groups/service.js';
import type { QuorumNode } from '../controller/quorum-node.js';
import type { ClientQuotas } from '../server/quotas/client-quotas.js';

export interface BrokerView {
  readonly nodeId: number;
  /** process.roles includes broker (a broker registers and is fenced or unfenced). */
  readonly isBroker: boolean;
  readonly controller: MetadataController;
  readonly replicas: ReplicaManager;
  readonly groups: GroupCoordinatorService;
  readonly quorum: QuorumNode;
  /** Whether the client listeners serve (caught up and unfenced since this start); absent: they do. */
  readonly serving?: () => boolean;
  /** Client quota rates (kafka_server_produce/fetch/request_* families). */
  readonly quotas?: ClientQuotas;
}

export type BrokerViewSource = () => BrokerView | null;
