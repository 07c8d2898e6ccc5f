/**
 * Writes COMMIT/ABORT markers into partitions this broker leads: the WriteTxnMarkers handler
 * (markers from a coordinator on another broker) and the coordinator's own marker sender (when
 * it leads the partition itself) both come here. Per partition: a control batch appended
 * through `Partition.appendAsLeader`, then the partition's producer state closes the
 * transaction (an abort is recorded for read_committed fetches and in the segment's
 * `.txnindex`), so the last stable offset moves on. A `__consumer_offsets` partition's marker
 * also settles the transactional offsets held for the producer (`onOffsetsMarker`).
 * Errors: NOT_LEADER_OR_FOLLOWER (not led here), UNKNOWN_TOPIC_OR_PARTITION, the storage's
 * code, TRANSACTION_COORDINATOR_FENCED when the producer already saw a newer coordinator epoch,
 * NOT_ENOUGH_REPLICAS when the ISR is smaller than `min.insync.replicas` (checked before the append,
 * as Kafka does for acks=-1, so the coordinator's retries do not pile up markers in the log).
 * The write is confirmed once the high watermark passes the marker (acks=-1, as Kafka writes
 * markers); `replicated` lists those still waiting.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { buildTxnMarkerBatch } from '../../protocol/records/index.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import type { MetadataImage } from '../metadata/image.js';
import { producerStateOf } from '../broker/producer-state-registry.js';
import { isStorageError } from '../broker/disk-log.js';
import { CONSUMER_OFFSETS_TOPIC } from '../broker/internal-topics.js';
import type { ReplicatedWrite } from '../broker/delayed-produce.js';
import { effectiveTopicConfig } from '../metadata/topic-configs.js';
import type { BrokerConfig } from '../common/config.js';
import type { MarkerResult, MarkerTarget, TxnMarker } from './marker-sender.js';

export interface MarkerWriteDeps {
  replicas: ReplicaManager;
  image: () => MetadataImage;
  config: BrokerConfig;
  /** A `__consumer_offsets` partition got a marker for this producer. */
  onOffsetsMarker(partition: number, producerId: bigint, commit: boolean, now: number): void;
}

export interface MarkerWriteOutcome {
  results: MarkerResult[];
  /** Appended markers whose result waits for the high watermark (errorCode filled then). */
  replicated: Array<{ result: MarkerResult; write: ReplicatedWrite }>;
}

export function writeMarkersHere(
  deps: MarkerWriteDeps,
  marker: TxnMarker,
  targets: readonly MarkerTarget[],
  now: number,
): MarkerWriteOutcome {
  const outcome: MarkerWriteOutcome = { results: [], replicated: [] };
  for (const target of targets) {
    const result: MarkerResult = { ...target, errorCode: ErrorCode.NONE };
    outcome.results.push(result);
    const topic = deps.image().topicsByName.get(target.topic);
    if (!topic?.partitions.has(target.partition)) {
      result.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      continue;
    }
    const partition = deps.replicas.get(target.topic, target.partition);
    if (!partition?.isLeader()) {
      result.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
      continue;
    }
    const state = producerStateOf(partition, now);
    const known = state.producers.get(marker.producerId);
    if (known && known.coordinatorEpoch > marker.coordinatorEpoch) {
      result.errorCode = ErrorCode.TRANSACTION_COORDINATOR_FENCED;
      continue;
    }
    const minInsyncReplicas = Number(effectiveTopicConfig('min.insync.replicas', topic.configs, deps.config));
    if (partition.state.isr.length < partition.effectiveMinIsr(minInsyncReplicas)) {
      result.errorCode = ErrorCode.NOT_ENOUGH_REPLICAS;
      continue;
    }
    const batch = buildTxnMarkerBatch({
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      coordinatorEpoch: marker.coordinatorEpoch,
      commit: marker.commit,
      timestamp: BigInt(now),
    });
    let baseOffset: number;
    try {
      baseOffset = partition.appendAsLeader(batch).baseOffset;
    } catch (error) {
      if (isStorageError(error)) {
        result.errorCode = error.errorCode;
        continue;
      }
      throw error;
    }
    const aborted = state.marker(
      marker.producerId,
      marker.producerEpoch,
      marker.commit,
      marker.coordinatorEpoch,
      baseOffset,
      now,
    );
    if (aborted) partition.log.recordAbortedTxn?.(aborted);
    if (target.topic === CONSUMER_OFFSETS_TOPIC)
      deps.onOffsetsMarker(target.partition, marker.producerId, marker.commit, now);
    if (partition.highWatermark <= baseOffset) {
      const write: ReplicatedWrite = {
        partition,
        requiredOffset: baseOffset + 1,
        minInsyncReplicas,
        stillLeader: () => deps.replicas.get(target.topic, target.partition) === partition && partition.isLeader(),
        errorCode: null,
      };
      outcome.replicated.push({ result, write });
    }
  }
  return outcome;
}
