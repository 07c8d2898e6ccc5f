/**
 * Makes a node that other nodes refuse for want of permission visible. With an authorizer, the
 * controllers check every request on their controller listener as its connection's principal (as
 * Kafka's ControllerApis): Raft RPCs, broker registration and heartbeats need CLUSTER_ACTION on the
 * cluster. A node whose principal lacks it (User:ANONYMOUS on a PLAINTEXT controller listener that
 * is no super user) gets CLUSTER_AUTHORIZATION_FAILED on each of them: the quorum never elects a
 * leader, or the broker never registers and stays fenced. Kafka's Raft client stops the process
 * then; Gregor keeps retrying (permission may be granted) and logs an error naming the cause, at
 * most once per `intervalMs` per peer and RPC (a minute by default). Time is injected (a Clock).
 */
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { ReportThrottle } from './report-throttle.js';

export const CLUSTER_AUTHORIZATION_REPORT_INTERVAL_MS = 60_000;

export class ClusterAuthorizationRefusals {
  /** Keys `<peer>:<rpc>`. */
  private readonly throttle: ReportThrottle;

  constructor(
    private readonly nodeId: number,
    private readonly logger: Logger,
    clock: Clock,
    intervalMs = CLUSTER_AUTHORIZATION_REPORT_INTERVAL_MS,
  ) {
    this.throttle = new ReportThrottle(clock, intervalMs);
  }

  /** `peer` answered our `rpc` with CLUSTER_AUTHORIZATION_FAILED. */
  refusedBy(peer: number, rpc: string): void {
    if (!this.throttle.due(`${peer}:${rpc}`)) return;
    this.logger.error(
      { peer, rpc, nodeId: this.nodeId },
      `node ${peer} refused ${rpc} from node ${this.nodeId} with CLUSTER_AUTHORIZATION_FAILED: the principal this node ` +
        'has on the controller listener (its SASL login or certificate; User:ANONYMOUS on PLAINTEXT) needs CLUSTER_ACTION ' +
        'on the cluster: list it in super.users on every controller (or grant it ClusterAction), as Kafka requires',
    );
  }
}
