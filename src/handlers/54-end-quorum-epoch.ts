/**
 * EndQuorumEpoch (key 54), versions 0-1, on the controller listener: a resigning leader tells the
 * voters to elect a successor; the first preferred candidate starts its election at once, the others
 * after a backoff. Errors as for BeginQuorumEpoch. Gaps: candidate directory ids and endpoints.
 * With an authorizer, the sender's principal needs CLUSTER_ACTION on the cluster (else
 * CLUSTER_AUTHORIZATION_FAILED, checked first: server/controller-api-rules.ts), as Kafka's ControllerApis.
 */
import {
  EndQuorumEpochApi,
  defaultEndQuorumEpochResponse,
} from '../../protocol/generated/messages/54-end-quorum-epoch.js';
import { endRequestFromWire, endResponseToWire } from '../controller/raft-wire.js';
import { defineHandler } from './handler.js';
import { answerRaft } from './raft-rpc.js';

export const endQuorumEpochHandler = defineHandler({
  api: EndQuorumEpochApi,
  handle(ctx, request) {
    return answerRaft(
      ctx,
      'EndQuorumEpoch',
      () => {
        const m = endRequestFromWire(request, ctx.apiVersion);
        return { source: m.leaderId, request: m };
      },
      endResponseToWire,
      (errorCode) => ({ ...defaultEndQuorumEpochResponse(), errorCode }),
    );
  },
});
