/**
 * What the metadata controller needs from the Raft quorum it commits through (the quorum node in
 * src/controller implements it), and the error a command gets on a node that is not the active
 * controller (Kafka's NOT_CONTROLLER, 41).
 * Leaves out: forwarding commands to the active controller (Envelope).
 */
import { NotControllerError } from './errors.js';
export { NotControllerError };

export interface MetadataQuorumPort {
  isLeader(): boolean;
  /** The active controller's id, or -1 while there is none. */
  leaderId(): number;
  /**
   * Appends encoded records through Raft; resolves once this node has applied them, rejects with
   * NotControllerError when this node is not (or stops being) the leader first. A quorum of one has
   * applied them before this returns.
   */
  propose(payloads: readonly Buffer[]): Promise<void>;
  /** The offset of the last entry this node appended as leader (propose's last payload: one offset each). */
  lastProposedOffset(): number;
}
