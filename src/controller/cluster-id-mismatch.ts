/**
 * Makes a cluster id mismatch between voters visible. When two nodes of one quorum were formatted
 * with different cluster ids, every Vote, BeginQuorumEpoch, EndQuorumEpoch and Fetch between them is
 * answered INCONSISTENT_CLUSTER_ID and the quorum never forms; without this, nothing said why.
 * Both sides log an error: the node that received a request with a foreign id (it knows both ids)
 * and the node whose request was rejected (it knows its own id and who rejected it). Each peer is
 * reported at most once per `intervalMs` and direction (a minute by default), so a stuck node logs a line a
 * minute per peer instead of one per retry. Time is injected (a Clock).
 */
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { ReportThrottle } from './report-throttle.js';

export const CLUSTER_ID_MISMATCH_REPORT_INTERVAL_MS = 60_000;

export class ClusterIdMismatchReporter {
  /** Keys `sent:<peer>` / `rejected:<peer>`. */
  private readonly throttle: ReportThrottle;

  constructor(
    private readonly clusterId: string,
    private readonly logger: Logger,
    clock: Clock,
    intervalMs = CLUSTER_ID_MISMATCH_REPORT_INTERVAL_MS,
  ) {
    this.throttle = new ReportThrottle(clock, intervalMs);
  }

  /** A request from `peer` carried `theirClusterId`; logs when it is not ours (null/empty ids are old versions: accepted). */
  requestFrom(peer: number, rpc: string, theirClusterId: string | null): void {
    if (theirClusterId === null || theirClusterId === '' || theirClusterId === this.clusterId) return;
    if (!this.throttle.due(`sent:${peer}`)) return;
    this.logger.error(
      { peer, rpc, peerClusterId: theirClusterId, clusterId: this.clusterId },
      `node ${peer} sent ${rpc} for cluster id ${theirClusterId}, but this node's cluster id is ${this.clusterId}: ` +
        'rejected with INCONSISTENT_CLUSTER_ID; every node of a cluster needs the same cluster.id / CLUSTER_ID (see meta.properties in the log dirs)',
    );
  }

  /** `peer` answered our `rpc` with INCONSISTENT_CLUSTER_ID. */
  rejectedBy(peer: number, rpc: string): void {
    if (!this.throttle.due(`rejected:${peer}`)) return;
    this.logger.error(
      { peer, rpc, clusterId: this.clusterId },
      `node ${peer} rejected ${rpc} with INCONSISTENT_CLUSTER_ID: this node's cluster id is ${this.clusterId}, node ${peer} has another one (its log names it); ` +
        'every node of a cluster needs the same cluster.id / CLUSTER_ID (see meta.properties in the log dirs)',
    );
  }
}
