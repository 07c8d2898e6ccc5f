/**
 * Fetch (key 1), versions 12-17, of the metadata log `__cluster_metadata-0` by another controller (or
 * an observer): served by the Raft core, not the client fetch path. The dispatcher routes here every
 * Fetch on a controller listener and only those (as Kafka's ControllerApis): on a broker listener a
 * Fetch of `__cluster_metadata` is a client fetch of an unknown topic, whatever its client id.
 * The answer carries the high watermark, DivergingEpoch, SnapshotId and CurrentLeader tagged fields
 * (v12+) and the entries as v2 record batches; a parked fetch answers when the log or the high
 * watermark moves, or after min(maxWaitMs, 500 ms). Fetch of any other topic on this path gets
 * UNKNOWN_TOPIC_OR_PARTITION. Gaps: fetch sessions (always full fetches), versions below 12 (no tagged leader fields).
 * With an authorizer, the sender's principal needs CLUSTER_ACTION on the cluster (else
 * CLUSTER_AUTHORIZATION_FAILED, checked first: server/controller-api-rules.ts), as Kafka's ControllerApis.
 */
import { FetchApi, defaultFetchResponse } from '../../protocol/generated/messages/01-fetch.js';
import { fetchRequestFromWire, fetchResponseToWire } from '../controller/raft-wire.js';
import { defineHandler } from './handler.js';
import { answerRaft } from './raft-rpc.js';

export const raftFetchHandler = defineHandler({
  api: FetchApi,
  minVersion: 12,
  handle(ctx, request) {
    return answerRaft(
      ctx,
      'Fetch',
      () => {
        const m = fetchRequestFromWire(request, ctx.apiVersion);
        return { source: m.replicaId, request: m };
      },
      fetchResponseToWire,
      (errorCode) => ({ ...defaultFetchResponse(), errorCode }),
    );
  },
});
