/**
 * The one list of handlers. ApiVersions, version checks and dispatch all come from
 * here: an API is advertised exactly when it has a handler below.
 */
import type { RegisteredHandler } from './handler.js';
import { apiVersionsHandler } from './18-api-versions.js';
import { metadataHandler } from './03-metadata.js';
import { offsetCommitHandler } from './08-offset-commit.js';
import { offsetFetchHandler } from './09-offset-fetch.js';
import { findCoordinatorHandler } from './10-find-coordinator.js';
import { joinGroupHandler } from './11-join-group.js';
import { heartbeatHandler } from './12-heartbeat.js';
import { leaveGroupHandler } from './13-leave-group.js';
import { syncGroupHandler } from './14-sync-group.js';
import { describeGroupsHandler } from './15-describe-groups.js';
import { listGroupsHandler } from './16-list-groups.js';
import { deleteGroupsHandler } from './42-delete-groups.js';
import { offsetDeleteHandler } from './47-offset-delete.js';
import { produceHandler } from './00-produce.js';
import { fetchHandler } from './01-fetch.js';
import { listOffsetsHandler } from './02-list-offsets.js';
import { deleteRecordsHandler } from './21-delete-records.js';
import { offsetForLeaderEpochHandler } from './23-offset-for-leader-epoch.js';

export const HANDLERS: readonly RegisteredHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  apiVersionsHandler,
  deleteGroupsHandler,
  offsetDeleteHandler,
  deleteRecordsHandler,
  offsetForLeaderEpochHandler,
];

export const HANDLER_BY_KEY: ReadonlyMap<number, RegisteredHandler> = new Map(HANDLERS.map((h) => [h.apiKey, h]));
