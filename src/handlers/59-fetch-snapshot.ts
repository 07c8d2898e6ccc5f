/**
 * FetchSnapshot (key 59), versions 0-1, on the controller listener: a follower whose fetch position
 * is below the leader's log start downloads the snapshot in chunks (KIP-630). SNAPSHOT_NOT_FOUND for
 * an unknown id, INVALID_REQUEST for a position past the end, NOT_LEADER_OR_FOLLOWER /
 * FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH from a non-leader or a wrong epoch.
 * Gaps: replica directory ids and leader endpoints (v1).
 * With an authorizer, the sender's principal needs CLUSTER_ACTION on the cluster (else
 * CLUSTER_AUTHORIZATION_FAILED, checked first: server/controller-api-rules.ts), as Kafka's ControllerApis.
 */
import { FetchSnapshotApi, defaultFetchSnapshotResponse } from '../../protocol/generated/messages/59-fetch-snapshot.js';
import { snapshotRequestFromWire, snapshotResponseToWire } from '../controller/raft-wire.js';
import { defineHandler } from './handler.js';
import { answerRaft } from './raft-rpc.js';

export const fetchSnapshotHandler = defineHandler({
  api: FetchSnapshotApi,
  handle(ctx, request) {
    return answerRaft(
      ctx,
      'FetchSnapshot',
      () => {
        const m = snapshotRequestFromWire(request);
        return { source: m.replicaId, request: m };
      },
      snapshotResponseToWire,
      (errorCode) => ({ ...defaultFetchSnapshotResponse(), errorCode }),
    );
  },
});
