/**
 * Shared glue of the Raft RPC handlers (Vote, BeginQuorumEpoch, EndQuorumEpoch, the metadata-replica
 * Fetch, FetchSnapshot): map the wire request to the core's message, hand it to the quorum node, and
 * map its answer back. A request that does not map (wrong topic, several partitions, an int64 out
 * of range) gets the adapter's error code (INVALID_REQUEST or UNKNOWN_TOPIC_OR_PARTITION) at the top
 * level; a process without a quorum answers BROKER_NOT_AVAILABLE.
 * Authorization (CLUSTER_ACTION on the cluster, as the connection's principal) happens before the
 * handler runs (server/controller-api-rules.ts).
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { RaftWireError } from '../controller/raft-wire.js';
import type { RaftRequest, RaftResponse } from '../controller/raft/messages.js';
import type { RequestContext } from '../server/request-context.js';

export async function answerRaft<Res, T extends RaftResponse['type']>(
  ctx: RequestContext,
  type: T,
  toCore: () => { source: number; request: RaftRequest },
  toWire: (response: Extract<RaftResponse, { type: T }>) => Res,
  errorAnswer: (errorCode: number) => Res,
): Promise<Res> {
  const quorum = ctx.broker.quorum;
  if (!quorum) return errorAnswer(ErrorCode.BROKER_NOT_AVAILABLE);
  let mapped: { source: number; request: RaftRequest };
  try {
    mapped = toCore();
  } catch (err) {
    if (err instanceof RaftWireError) return errorAnswer(err.errorCode);
    throw err;
  }
  const response = await quorum.handle(mapped.source, mapped.request);
  if (response.type !== type) return errorAnswer(ErrorCode.BROKER_NOT_AVAILABLE);
  return toWire(response as Extract<RaftResponse, { type: T }>);
}
