/**
 * The handler table of controller listeners (controller.listener.names): the Raft RPCs, broker
 * registration and heartbeats, plus every handler of the main table whose API Kafka serves on
 * controller listeners (ApiVersions, DescribeQuorum, ...). Fetch here is the metadata-log replica
 * fetch served by Raft, never the client fetch path.
 * Envelope (58) carries requests brokers forward to the active controller. ApiVersions on a
 * controller listener lists this table (CONTROLLER_API_VERSIONS), not the broker's.
 */
import type { RegisteredHandler } from './handler.js';
import { HANDLERS } from './table.js';
import { voteHandler } from './52-vote.js';
import { beginQuorumEpochHandler } from './53-begin-quorum-epoch.js';
import { endQuorumEpochHandler } from './54-end-quorum-epoch.js';
import { fetchSnapshotHandler } from './59-fetch-snapshot.js';
import { brokerRegistrationHandler } from './62-broker-registration.js';
import { brokerHeartbeatHandler } from './63-broker-heartbeat.js';
import { raftFetchHandler } from './raft-fetch.js';
import { envelopeHandler } from './58-envelope.js';
import { allocateProducerIdsHandler } from './67-allocate-producer-ids.js';
import { alterPartitionHandler } from './56-alter-partition.js';
import type { ApiVersionRange } from '../server/api-versions-range.js';
import { API_KEYS } from '../../protocol/generated/api-keys.js';

export const CONTROLLER_ONLY_HANDLERS: readonly RegisteredHandler[] = [
  raftFetchHandler,
  voteHandler,
  beginQuorumEpochHandler,
  endQuorumEpochHandler,
  fetchSnapshotHandler,
  brokerRegistrationHandler,
  brokerHeartbeatHandler,
  envelopeHandler,
  allocateProducerIdsHandler,
  alterPartitionHandler,
];

function servedOnControllers(h: RegisteredHandler): boolean {
  return API_KEYS.get(h.apiKey)?.listeners.includes('controller') ?? false;
}

export const CONTROLLER_HANDLER_BY_KEY: ReadonlyMap<number, RegisteredHandler> = new Map([
  ...HANDLERS.filter(servedOnControllers).map((h): [number, RegisteredHandler] => [h.apiKey, h]),
  ...CONTROLLER_ONLY_HANDLERS.map((h): [number, RegisteredHandler] => [h.apiKey, h]),
]);

/** What ApiVersions answers on a controller listener: exactly the APIs served there. */
export const CONTROLLER_API_VERSIONS: readonly ApiVersionRange[] = [...CONTROLLER_HANDLER_BY_KEY.values()]
  .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
  .sort((a, b) => a.apiKey - b.apiKey);
